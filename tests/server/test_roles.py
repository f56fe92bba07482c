"""Parents, subject teachers and the principal: what each may do, and only on their own."""

from __future__ import annotations

from sqlalchemy import select

from desktop.models import GradeEntry, LeaveRequest, SubjectTerm
from desktop.models.base import utc_now
from tests.server.helpers import served


def _leave(first: str, last: str | None = None, **extra: object) -> dict[str, object]:
    return {
        "first_day": first,
        "last_day": last or first,
        "reason_category": "illness",
        "reason_text": "Cháu bị sốt",
        **extra,
    }


def test_a_parent_submits_follows_and_cancels(sqlite_url: str) -> None:
    with served(sqlite_url) as (store, seeded, api):
        created = api.post("/api/v1/parent/requests", "ph1", json=_leave("2025-10-27"))
        assert created.status_code == 201, created.text
        request = created.json()
        assert request["status"] == "submitted" and request["sessions"] == 2
        assert request["student_name"] == "Nguyễn Văn An"

        # The teacher rejects one with a reason; the parent reads the decision and why.
        with store.write() as session:
            from desktop.services import leave
            from server.scope import load_scope_by_id

            scope = load_scope_by_id(session, seeded.small.class_id)
            leave.decide(
                session,
                scope,
                request_id=seeded.requests[0],
                approve=False,
                note="Đã có lịch kiểm tra",
                actor="Cô Nhung",
            )
        listed = api.get("/api/v1/parent/requests", "ph1").json()
        assert [r["id"] for r in listed] == sorted([request["id"], *seeded.requests], reverse=True)
        rejected = next(r for r in listed if r["id"] == seeded.requests[0])
        assert rejected["status"] == "rejected"
        assert rejected["decision_note"] == "Đã có lịch kiểm tra"
        assert rejected["decided_by"] == "Cô Nhung"

        cancelled = api.post(f"/api/v1/parent/requests/{request['id']}/cancel", "ph1")
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        again = api.post(f"/api/v1/parent/requests/{request['id']}/cancel", "ph1")
        assert again.status_code == 409 and again.json()["code"] == "illegal_transition"


def test_a_parent_is_refused_with_a_reason(sqlite_url: str) -> None:
    with served(sqlite_url) as (store, _seeded, api):
        unregistered = api.post("/api/v1/parent/requests", "ph-ong", json=_leave("2025-10-27"))
        assert unregistered.status_code == 422
        assert unregistered.json()["code"] == "not_registered"
        assert "sổ liên lạc điện tử" in unregistered.json()["message"]
        backwards = api.post(
            "/api/v1/parent/requests", "ph1", json=_leave("2025-10-28", "2025-10-27")
        )
        assert backwards.status_code == 422 and backwards.json()["code"] == "invalid_date"
        sunday = api.post("/api/v1/parent/requests", "ph1", json=_leave("2025-10-26"))
        assert sunday.status_code == 422 and sunday.json()["code"] == "invalid_date"
        outside = api.post("/api/v1/parent/requests", "ph1", json=_leave("2026-07-01"))
        assert outside.status_code == 422
        # Another child's request is not theirs to cancel; a teacher is not a parent.
        with store.read() as session:
            count = len(session.scalars(select(LeaveRequest)).all())
        foreign = api.post("/api/v1/parent/requests/999/cancel", "ph1")
        assert foreign.status_code == 404
        assert api.get("/api/v1/parent/requests", "gvcn").status_code == 403
        with store.read() as session:
            assert len(session.scalars(select(LeaveRequest)).all()) == count


def test_a_subject_teacher_enters_only_their_subjects(sqlite_url: str) -> None:
    with served(sqlite_url) as (store, seeded, api):
        student = seeded.small.student_ids[0]
        cell = {
            "class_id": seeded.small.class_id,
            "student_id": student,
            "subject_code": "TOAN",
            "semester": 1,
            "kind": "TX",
            "slot": 1,
        }
        entered = api.put(
            "/api/v1/subject/grades", "gv-toan", json={**cell, "value": "7,5", "base_version": 0}
        )
        assert entered.status_code == 200, entered.text
        assert entered.json()["value"] == "7.5" and entered.json()["version"] == 1
        assert entered.json()["author"] == "Đỗ Minh Toán"
        stale = api.put(
            "/api/v1/subject/grades", "gv-toan", json={**cell, "value": "8", "base_version": 0}
        )
        assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
        other_subject = api.put(
            "/api/v1/subject/grades", "gv-toan", json={**cell, "subject_code": "GDQP", "value": "8"}
        )
        assert other_subject.status_code == 403
        assert other_subject.json()["code"] == "not_your_subject"
        assert (
            api.put("/api/v1/subject/grades", "gvcn", json={**cell, "value": "9"}).status_code
            == 403
        )

        # After publication a change needs a reason; with one it is a change request.
        with store.write() as session:
            entry = session.scalars(select(GradeEntry)).one()
            session.merge(
                SubjectTerm(
                    subject_id=entry.subject_id,
                    semester=1,
                    published_at=utc_now(),
                    review_state="pending",
                )
            )
        no_reason = api.put(
            "/api/v1/subject/grades", "gv-toan", json={**cell, "value": "8", "base_version": 1}
        )
        assert no_reason.status_code == 422
        with_reason = api.put(
            "/api/v1/subject/grades",
            "gv-toan",
            json={**cell, "value": "8", "base_version": 1, "reason": "Chấm phúc khảo"},
        )
        assert with_reason.status_code == 200 and with_reason.json()["version"] == 2
        listed = api.get(
            f"/api/v1/subject/classes/{seeded.small.class_id}/subjects/TOAN/grades",
            "gv-toan",
            params={"semester": 1},
        ).json()
        assert [(g["student_id"], g["value"]) for g in listed] == [(student, "8")]
        assert api.get("/api/v1/subject/subjects", "gv-toan").json()[0]["subject_code"] == "TOAN"


def test_the_principal_signs_off_and_follows_the_classes(sqlite_url: str) -> None:
    with served(sqlite_url) as (_store, seeded, api):
        special = api.post(
            "/api/v1/parent/requests", "ph1", json=_leave("2025-11-03", "2025-11-06")
        )
        assert special.status_code == 201
        request_id = special.json()["id"]
        pending = api.get("/api/v1/principal/signoffs", "hieutruong").json()
        assert [p["request_id"] for p in pending] == [request_id]
        assert pending[0]["sessions"] == 8
        signed = api.post(f"/api/v1/principal/leave-requests/{request_id}/signoff", "hieutruong")
        assert signed.status_code == 200, signed.text
        assert signed.json()["principal_signoff_by"] == "Võ Thị Lan"
        assert signed.json()["principal_signoff_on"] == "2025-10-20"
        twice = api.post(
            f"/api/v1/principal/leave-requests/{seeded.requests[0]}/signoff", "hieutruong"
        )
        assert twice.status_code == 409  # not a special case
        assert (
            api.post(f"/api/v1/principal/leave-requests/{request_id}/signoff", "gvcn").status_code
            == 403
        )

        classes = api.get("/api/v1/principal/classes", "hieutruong").json()
        assert [c["class_name"] for c in classes] == ["11A1", "11A2"]
        assert classes[0]["pending_requests"] == 3 and classes[0]["awaiting_signoff"] == 0
        stats = api.get(
            f"/api/v1/principal/classes/{seeded.small.class_id}/leave-statistics", "hieutruong"
        ).json()
        assert stats["requests_by_status"] == {"submitted": 3}
        assert stats["special_cases"] == 1 and len(stats["absences"]) == 3
        done = api.get(
            f"/api/v1/principal/classes/{seeded.small.class_id}/completeness", "hieutruong"
        ).json()
        assert done["expected"] > 0 and done["entered"] == 0
        assert (
            api.get(
                f"/api/v1/principal/classes/{seeded.small.class_id}/completeness", "gvcn"
            ).status_code
            == 403
        )


def test_a_stand_in_syncs_the_class_until_the_grant_ends(sqlite_url: str) -> None:
    from datetime import date

    from server.accounts import grant_substitute
    from tests.server.helpers import sync_body

    with served(sqlite_url) as (store, seeded, api):
        body = sync_body(seeded.small.class_id)
        assert api.sync(body, "gvcn2").status_code == 403
        with store.write() as session:
            grant_substitute(
                session, username="gvcn2", class_id=seeded.small.class_id, until=date(2025, 10, 20)
            )
        assert api.sync(body, "gvcn2").status_code == 200
        with store.write() as session:
            grant_substitute(
                session, username="gvcn2", class_id=seeded.small.class_id, until=date(2025, 10, 19)
            )
        assert api.sync(body, "gvcn2").status_code == 403
