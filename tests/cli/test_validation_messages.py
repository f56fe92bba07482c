"""Bad input on the command line gets Vietnamese sentences: no English from pydantic or the OS."""

from __future__ import annotations

import errno
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from desktop.cli.main import main
from desktop.i18n import set_language
from desktop.services.intents import INTENTS
from desktop.validation_text import os_error_reason, validation_text
from tests.cli.conftest import Run

LIBRARY_ENGLISH = re.compile(
    r"Input should|String should|should have|Field required|Extra inputs|valid integer|"
    r"No such file|Permission denied|Is a directory|Not a directory|No space|Read-only|"
    r"Errno|\bvalue_error\b|Traceback",
    re.IGNORECASE,
)


def assert_vietnamese_error(result: object, *expected: str) -> None:
    code, err = result.code, result.err  # type: ignore[attr-defined]
    assert code != 0
    assert err.startswith("Lỗi: "), err
    assert not LIBRARY_ENGLISH.search(err), err
    for text in expected:
        assert text in err, err


def test_a_column_out_of_range_is_explained_in_vietnamese(run: Run) -> None:
    """TX5 does not exist: the message names the TX column and its limit."""
    result = run("grades", "set", "HS001", "TOAN", "1", "TX5", "8")
    assert_vietnamese_error(result, "Cột điểm đánh giá thường xuyên (TX) không được lớn hơn 4.")


def test_an_empty_name_of_who_signed_is_refused_in_vietnamese(run: Run) -> None:
    result = run("leave", "signoff", "1", "--by", "")
    assert_vietnamese_error(result, "Tên người ký không được để trống.")


def test_a_too_long_note_is_refused_in_vietnamese(run: Run) -> None:
    result = run("grades", "review", "TOAN", "1", "--send-back", "x" * 501)
    assert_vietnamese_error(result, "Ghi chú chỉ được dài tối đa 500 ký tự.")


def test_a_missing_import_file_is_explained_in_vietnamese(run: Run, tmp_path: Path) -> None:
    result = run("import", str(tmp_path / "không-có.json"))
    assert_vietnamese_error(result, "tệp hoặc thư mục không tồn tại")


def test_importing_a_folder_is_explained_in_vietnamese(run: Run, tmp_path: Path) -> None:
    result = run("import", str(tmp_path))
    assert_vietnamese_error(result, "đây là một thư mục, không phải tệp")


def test_exporting_into_a_missing_folder_is_explained_in_vietnamese(
    run: Run, tmp_path: Path
) -> None:
    result = run("export", str(tmp_path / "không-có" / "lop.json"))
    assert_vietnamese_error(result, "tệp hoặc thư mục không tồn tại")


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("decide_leave", {"request_id": 0, "approve": True, "base_version": 1}, "Số đơn"),
        ("decide_leave", {"request_id": 1, "approve": True}, "Thiếu phiên bản của bản ghi."),
        (
            "record_audit",
            {"request_id": 1, "method": "fax", "outcome": "confirmed"},
            "Cách kiểm tra phải là phone, meeting hoặc document.",
        ),
        (
            "receive_original",
            {"request_id": 1, "received_on": "31/02/2026"},
            "Ngày nhận bản gốc phải là một ngày có thật",
        ),
        (
            "set_grade",
            {
                "student_id": "abc",
                "subject_code": "TOAN",
                "semester": 3,
                "kind": "TX",
                "slot": 1,
                "value": "8",
                "base_version": 0,
                "colour": "red",
            },
            "Học sinh phải là số nguyên. Học kỳ phải là 1 hoặc 2. Không cần trường 'colour'",
        ),
    ],
)
def test_every_argument_error_of_an_intent_is_a_vietnamese_sentence(
    name: str, raw: dict[str, object], expected: str
) -> None:
    """The intents' own models, with errors of each kind, give sentences in the teacher's words."""
    with pytest.raises(ValidationError) as raised:
        INTENTS[name].args.model_validate(raw)
    text = validation_text(raised.value.errors())
    assert expected in text
    assert not LIBRARY_ENGLISH.search(text)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (errno.ENOENT, "không tồn tại"),
        (errno.EACCES, "không có quyền"),
        (errno.ENOSPC, "ổ đĩa đã đầy"),
        (errno.EISDIR, "là một thư mục"),
        (errno.EROFS, "chỉ cho phép đọc"),
        (errno.ELOOP, "lỗi"),
    ],
)
def test_os_errors_are_told_by_their_number_not_their_english(number: int, expected: str) -> None:
    error = OSError(number, "English text from the OS", "/tmp/x")
    assert expected in os_error_reason(error)
    assert "English" not in os_error_reason(error)


def test_the_sentences_follow_the_language() -> None:
    """Under English the same error reads in English, from the same code path."""
    with pytest.raises(ValidationError) as raised:
        INTENTS["set_grade"].args.model_validate(
            {
                "student_id": 1,
                "subject_code": "TOAN",
                "semester": 1,
                "kind": "TX",
                "slot": 5,
                "value": "8",
                "base_version": 0,
            }
        )
    set_language("en")
    try:
        text = validation_text(raised.value.errors())
    finally:
        set_language(None)
    assert text == "The column of the regular assessment (TX) must be at most 4."


def test_a_profile_folder_that_cannot_be_made_is_explained_in_vietnamese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A --data-dir under a file (not a folder): a sentence, not a traceback."""
    blocker = tmp_path / "tệp"
    blocker.write_text("x", encoding="utf-8")
    code = main(["--data-dir", str(blocker / "hồ-sơ"), "leave", "list"])
    err = capsys.readouterr().err
    assert code == 3
    assert "một phần của đường dẫn không phải là thư mục" in err
    assert not LIBRARY_ENGLISH.search(err), err
