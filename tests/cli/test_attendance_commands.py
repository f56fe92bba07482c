"""``homeroom attendance mark`` with the Vietnamese words, and ``attendance follow-up``."""

from __future__ import annotations

from tests.cli.conftest import Run


def totals(run: Run, code: str) -> tuple[int, int, int]:
    rows = run("attendance", "summary", "--json").json()
    row = next(r for r in rows if r["student_code"] == code)
    return row["excused"], row["unexcused"], row["late"]


def test_the_vietnamese_words_with_or_without_diacritics(run: Run) -> None:
    """vắng, có phép, muộn, có mặt (one word or several, any case) are roll-call marks."""
    assert run("attendance", "mark", "HS002", "06/10/2025", "sáng", "vắng").code == 0
    assert run("attendance", "mark", "HS002", "06/10/2025", "chiều", "Co", "Phep").code == 0
    assert run("attendance", "mark", "HS002", "07/10/2025", "sáng", "MUỘN").code == 0
    assert run("attendance", "mark", "HS002", "07/10/2025", "chiều", "không phép").code == 0
    assert totals(run, "HS002") == (1, 2, 1)
    assert run("attendance", "mark", "HS002", "07/10/2025", "chiều", "có mặt").code == 0
    assert run("attendance", "mark", "HS002", "06/10/2025", "sang", "xoa").code == 0
    assert totals(run, "HS002") == (1, 0, 1)


def test_an_unknown_word_is_refused_and_changes_nothing(run: Run) -> None:
    """ "ốm" is no mark: exit 2, the accepted words named, nothing recorded."""
    result = run("attendance", "mark", "HS002", "06/10/2025", "sáng", "ốm")
    assert result.code == 2
    assert "'ốm' không phải là một mục điểm danh" in result.err
    assert totals(run, "HS002") == (0, 0, 0)


def test_follow_up_lists_absences_without_a_request(run: Run) -> None:
    """A roll-call absence is listed until a request covers it; lateness never is."""
    assert run("attendance", "follow-up").out.strip() == (
        "Mọi buổi vắng khi điểm danh đều đã có đơn xin nghỉ."
    )
    assert run("attendance", "mark", "HS003", "08/10/2025", "chiều", "vắng").code == 0
    assert run("attendance", "mark", "HS001", "09/10/2025", "sáng", "muộn").code == 0
    listed = run("attendance", "follow-up", "--json").json()
    assert [(r["student_code"], r["day"], r["session"]) for r in listed] == [
        ("HS003", "2025-10-08", "afternoon")
    ]
    text = run("attendance", "follow-up").out
    assert "08/10/2025" in text and "chiều" in text and "Phạm Minh Đức" in text
