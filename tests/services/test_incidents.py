"""Personal-data incidents: recorded, listed newest first, changed; impossible moments and an
empty description refused in Vietnamese with nothing stored; the audit log names the kind only;
the deadline counted from when the incident happened. The profile's today is pinned to
20/10/2025 so "the future" is the profile's, not the machine's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from desktop.domain import incidents as rules
from desktop.domain.calendar import school_time
from desktop.domain.incidents import IncidentFacts, IncidentKind, parse_moment
from desktop.errors import InvalidInput, NotFound
from desktop.models import AuditLogEntry, PrivacyIncident
from desktop.models.db import Database
from desktop.services import incidents
from desktop.services.profile import TODAY_KEY, set_setting
from desktop.sync.rows import synced_tables

TEACHER = "Trần Thị Hồng Nhung"
SECRET = "Máy của cô Lan có hồ sơ em Nguyễn Văn An"


@pytest.fixture
def pinned(db: Database) -> Database:
    with db.transaction() as s:
        set_setting(s, TODAY_KEY, "2025-10-20")
    return db


def _facts(occurred: str, discovered: str, text: str = SECRET, measures: str = "") -> IncidentFacts:
    return IncidentFacts(
        IncidentKind.LOST_DEVICE, parse_moment(occurred), parse_moment(discovered), text, measures
    )


def test_incidents_are_recorded_listed_newest_first_and_changed(pinned: Database) -> None:
    with pinned.transaction() as s:
        first = incidents.add(s, _facts("01/10/2025 08:00", "01/10/2025 09:00", "  lộ danh sách  "),
                              actor=TEACHER)  # fmt: skip
        incidents.add(s, _facts("19/10/2025 16:30", "19/10/2025 23:10"), actor=TEACHER)
    assert first.summary == "Đã ghi nhận sự cố số 1."
    with pinned.reading() as s:
        listed = incidents.incidents(s)
        assert [i.id for i in listed] == [2, 1]
        assert listed[1].facts.description == "lộ danh sách"
        # Stored as the school's moment: 16:30 in Bến Tre is 09:30 UTC.
        assert listed[0].facts.occurred_at == datetime(2025, 10, 19, 9, 30, tzinfo=UTC)
        assert school_time(listed[0].recorded_at).date() == date(2025, 10, 20)
    changed = IncidentFacts(
        IncidentKind.WRONG_DISCLOSURE,
        parse_moment("01/10/2025 08:00"),
        parse_moment("02/10/2025 10:00"),
        "Gửi nhầm bảng điểm vào nhóm Zalo lớp khác",
        "Đã đề nghị xoá tin nhắn",
    )
    with pinned.transaction() as s:
        assert incidents.edit(s, 1, changed, actor=TEACHER).summary == "Đã sửa sự cố số 1."
    with pinned.reading() as s:
        again = incidents.get(s, 1)
        assert again.facts == changed
        with pytest.raises(NotFound, match="Không có sự cố số 9"):
            incidents.get(s, 9)


@pytest.mark.parametrize(
    ("occurred", "discovered", "text", "message"),
    [
        ("19/10/2025 18:00", "19/10/2025 16:30", SECRET,
         "Sự cố không thể được phát hiện trước khi xảy ra."),
        ("20/10/2025 07:00", "21/10/2025 08:00", SECRET,
         "Thời điểm phát hiện sự cố nằm trong tương lai."),
        ("21/10/2025 07:00", "21/10/2025 08:00", SECRET,
         "Thời điểm phát hiện sự cố nằm trong tương lai."),
        ("19/10/2025 07:00", "19/10/2025 08:00", " \n\t ",
         "Hãy mô tả điều đã xảy ra trước khi lưu sự cố."),
        ("19/10/2025 07:00", "19/10/2025 08:00", "x" * (rules.MAX_DESCRIPTION + 1),
         f"Phần mô tả sự cố chỉ được dài tối đa {rules.MAX_DESCRIPTION} ký tự; "
         f"nội dung này có {rules.MAX_DESCRIPTION + 1}."),
    ],
)  # fmt: skip
def test_impossible_incidents_are_refused_in_vietnamese_and_nothing_is_stored(
    pinned: Database, occurred: str, discovered: str, text: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused, pinned.transaction() as s:
        incidents.add(s, _facts(occurred, discovered, text), actor=TEACHER)
    assert refused.value.message == message
    with pinned.reading() as s:
        assert s.scalars(select(PrivacyIncident)).all() == []
        assert s.scalars(select(AuditLogEntry)).all() == []


def test_an_edit_is_checked_like_a_new_record_and_keeps_the_old_one(pinned: Database) -> None:
    with pinned.transaction() as s:
        incidents.add(s, _facts("19/10/2025 16:30", "19/10/2025 23:10"), actor=TEACHER)
    with pytest.raises(InvalidInput), pinned.transaction() as s:
        incidents.edit(s, 1, _facts("19/10/2025 16:30", "19/10/2025 07:10"), actor=TEACHER)
    with pinned.reading() as s:
        assert incidents.get(s, 1).facts.discovered_at == parse_moment("19/10/2025 23:10")


def test_the_audit_log_records_each_step_with_the_kind_only(pinned: Database) -> None:
    with pinned.transaction() as s:
        incidents.add(s, _facts("19/10/2025 16:30", "19/10/2025 23:10", measures="Báo công an"),
                      actor=TEACHER)  # fmt: skip
        incidents.edit(s, 1, _facts("19/10/2025 16:00", "19/10/2025 23:10"), actor=TEACHER)
        reported = incidents.mark_reported(
            s, 1, actor=TEACHER, now=parse_moment("19/10/2025 21:00")
        )
    assert reported.reported_at is not None
    with pinned.reading() as s:
        entries = s.scalars(select(AuditLogEntry).order_by(AuditLogEntry.id)).all()
    assert [(e.action, e.entity, e.entity_id) for e in entries] == [
        ("privacy_incident_recorded", "privacy_incident", "1"),
        ("privacy_incident_changed", "privacy_incident", "1"),
        ("privacy_incident_reported", "privacy_incident", "1"),
    ]
    logged = " ".join(e.before + e.after for e in entries)
    assert "lost_device" in logged
    for private in (SECRET, "Nguyễn Văn An", "Báo công an"):
        assert private not in logged


def test_the_deadline_is_72_hours_from_the_incident_in_whole_hours_left() -> None:
    occurred = parse_moment("19/10/2025 16:30")
    assert rules.deadline(occurred) == parse_moment("22/10/2025 16:30")
    assert rules.hours_left(occurred, occurred) == 72
    assert rules.hours_left(occurred, occurred + timedelta(hours=30, minutes=1)) == 41
    assert rules.hours_left(occurred, rules.deadline(occurred)) == 0
    after = rules.deadline(occurred) + timedelta(minutes=1)
    assert rules.hours_left(occurred, after) is None
    assert rules.hours_overdue(occurred, after) == 0
    assert rules.hours_overdue(occurred, after + timedelta(hours=5)) == 5


def test_moments_and_kinds_are_read_as_typed_or_refused_in_vietnamese() -> None:
    assert parse_moment(" 05/02/2026  7:05 ") == datetime(2026, 2, 5, 0, 5, tzinfo=UTC)
    assert parse_moment("05/02/2026") == datetime(2026, 2, 4, 17, 0, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="'31/02/2026 08:00' không phải thời điểm hợp lệ"):
        parse_moment("31/02/2026 08:00")
    assert rules.parse_kind("wrong_disclosure") is IncidentKind.WRONG_DISCLOSURE
    assert rules.parse_kind("Truy cập trái phép") is IncidentKind.UNAUTHORISED_ACCESS
    with pytest.raises(InvalidInput, match="'cháy' không phải loại sự cố"):
        rules.parse_kind("cháy")


def test_incidents_stay_on_this_computer() -> None:
    assert "privacy_incident" not in synced_tables()
