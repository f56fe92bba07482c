"""The problems a teacher notes during the pilot: stored in the profile, listed newest first,
narrowed to a period, edited and deleted; never among the synced tables."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.errors import InvalidInput, NotFound
from desktop.models.db import Database
from desktop.services import pilot_notes
from desktop.services.pilot_notes import Category
from desktop.sync.rows import synced_tables


def test_notes_are_listed_newest_first_and_narrowed_to_a_period(db: Database) -> None:
    """Three notes on two days: the later day first, two notes of one day the last written
    first; a period keeps only its days, both ends included."""
    with db.transaction() as s:
        pilot_notes.add(s, day=date(2026, 3, 10), text="mạng trường mất cả buổi sáng",
                        category=Category.CONNECTION)  # fmt: skip
        pilot_notes.add(s, day=date(2026, 3, 16), text="phụ huynh không nhận được mã OTP",
                        category=Category.REGISTRATION)  # fmt: skip
        pilot_notes.add(s, day=date(2026, 3, 16), text="  cô Lan quên mật khẩu  ")
    with db.reading() as s:
        noted = pilot_notes.notes(s)
        assert [(n.day.day, n.text) for n in noted] == [
            (16, "cô Lan quên mật khẩu"),
            (16, "phụ huynh không nhận được mã OTP"),
            (10, "mạng trường mất cả buổi sáng"),
        ]
        assert noted[0].category is None and noted[1].category is Category.REGISTRATION
        assert [n.day.day for n in pilot_notes.notes(s, first=date(2026, 3, 16))] == [16, 16]
        assert [n.day.day for n in pilot_notes.notes(s, last=date(2026, 3, 10))] == [10]
        assert pilot_notes.notes(s, first=date(2026, 3, 11), last=date(2026, 3, 15)) == []


def test_a_note_is_edited_and_deleted(db: Database) -> None:
    """Editing changes the day, the text and the category (to none, too); deleting removes it;
    an id that names nothing is refused in Vietnamese."""
    with db.transaction() as s:
        added = pilot_notes.add(s, day=date(2026, 3, 16), text="lỗi", category=Category.APP)
    [note_id] = [int(i) for i in added.ids(pilot_notes.ENTITY)]
    assert added.summary == f"Đã lưu ghi nhận số {note_id}."
    with db.transaction() as s:
        pilot_notes.edit(s, note_id, day=date(2026, 3, 12), text="quy trình chưa rõ",
                         category=None)  # fmt: skip
    with db.reading() as s:
        note = pilot_notes.get(s, note_id)
        assert (note.day, note.text, note.category) == (
            date(2026, 3, 12),
            "quy trình chưa rõ",
            None,
        )
    with db.transaction() as s:
        assert pilot_notes.delete(s, note_id).summary == f"Đã xoá ghi nhận số {note_id}."
    with db.reading() as s:
        assert pilot_notes.notes(s) == []
        with pytest.raises(NotFound, match="Không có ghi nhận"):
            pilot_notes.get(s, note_id)


def test_an_empty_or_overlong_note_is_refused(db: Database) -> None:
    with db.transaction() as s:
        with pytest.raises(InvalidInput, match="Hãy ghi"):
            pilot_notes.add(s, day=date(2026, 3, 16), text="   \n ")
        with pytest.raises(InvalidInput, match="tối đa 2000"):
            pilot_notes.add(s, day=date(2026, 3, 16), text="x" * 2001)
    with db.reading() as s:
        assert pilot_notes.notes(s) == []


def test_a_category_is_read_from_its_value_or_its_vietnamese_label() -> None:
    assert pilot_notes.parse_category("connection") is Category.CONNECTION
    assert pilot_notes.parse_category(" Kết nối mạng ") is Category.CONNECTION
    assert pilot_notes.parse_category("đăng kí của phụ huynh") is Category.REGISTRATION
    assert pilot_notes.parse_category("") is None
    with pytest.raises(InvalidInput, match="không phải loại vướng mắc"):
        pilot_notes.parse_category("thời tiết")
    assert [c.label for c in Category] == [
        "Kết nối mạng", "Đăng kí của phụ huynh", "Phần mềm", "Quy trình", "Khác",
    ]  # fmt: skip


def test_the_counts_by_category_list_every_category_then_the_uncategorised(
    db: Database,
) -> None:
    with db.transaction() as s:
        for category in (Category.CONNECTION, Category.CONNECTION, None, Category.OTHER):
            pilot_notes.add(s, day=date(2026, 3, 16), text="x", category=category)
    with db.reading() as s:
        counts = pilot_notes.by_category(pilot_notes.notes(s))
    assert counts == [
        (Category.CONNECTION, 2),
        (Category.REGISTRATION, 0),
        (Category.APP, 0),
        (Category.PROCEDURE, 0),
        (Category.OTHER, 1),
        (None, 1),
    ]


def test_notes_stay_in_the_profile() -> None:
    """The table is not one the sync sends or receives."""
    assert "pilot_note" not in synced_tables()
