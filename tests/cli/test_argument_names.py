"""The command line names its arguments in Vietnamese: every positional argument has a
translated name in the usage lines ("HỌC_SINH MÔN HỌC_KÌ CỘT ĐIỂM", not "student subject {1,2}
column value"), and a semester or a term typed the way a school writes it is understood."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import pytest

from desktop.cli.main import build_parser
from desktop.cli.parsing import choice_of, parse_semester, parse_term
from desktop.domain.leave import AuditMethod, AuditOutcome, LeaveStatus
from tests.cli.conftest import Run
from tests.cli.test_cli import submit


def arguments(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, argparse.Action]]:
    """Every argument of every command, with the command's words."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from arguments(child, (*path, name))
        else:
            yield " ".join(path), action


def positionals(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.Action]]:
    return [(command, action) for command, action in arguments(parser) if not action.option_strings]


def options_with_values(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.Action]]:
    return [
        (command, action)
        for command, action in arguments(parser)
        if action.option_strings and action.nargs != 0 and action.help != argparse.SUPPRESS
    ]


def test_every_positional_argument_has_a_vietnamese_name() -> None:
    found = positionals(build_parser())
    assert len(found) > 25
    unnamed = [
        f"{command}: {action.dest}"
        for command, action in found
        if not isinstance(action.metavar, str) or action.metavar.isascii()
    ]
    assert unnamed == []


def test_every_option_names_its_value_in_vietnamese_or_by_its_form() -> None:
    """``--reason NỘI_DUNG``, ``--date dd/mm/yyyy``, ``--server URL``; not ``--reason REASON``.
    Options whose values are listed ({submitted,…}) show the list."""
    found = options_with_values(build_parser())
    assert len(found) > 30
    unnamed = [
        f"{command} {action.option_strings[-1]}"
        for command, action in found
        if action.choices is None
        and not (
            isinstance(action.metavar, str)
            and (not action.metavar.isascii() or "/" in action.metavar or action.metavar == "URL")
        )
    ]
    assert unnamed == []


def test_the_usage_of_grades_set_is_in_vietnamese(run: Run) -> None:
    result = run("grades", "set", "--help")
    assert result.code == 0
    usage = " ".join(result.out.split("\n\n")[0].split())
    assert usage.endswith("HỌC_SINH MÔN HỌC_KÌ CỘT ĐIỂM"), usage
    assert "semester" not in result.out and "{1,2}" not in result.out


def test_a_semester_that_is_not_one_is_refused_in_vietnamese(run: Run) -> None:
    """Arguments given in the wrong order: the message names the argument and the values."""
    result = run("grades", "set", "HS001", "TOAN", "TX4", "1", "8")
    assert result.code == 2
    assert "HỌC_KÌ: 'TX4' không phải là học kì (dùng 1 hoặc 2)." in result.err
    assert "int" not in result.err


@pytest.mark.parametrize(
    ("typed", "semester"), [("1", 1), ("2", 2), ("I", 1), ("II", 2), ("hk2", 2), (" HK 1 ", 1)]
)
def test_a_semester_is_understood_as_a_school_writes_it(typed: str, semester: int) -> None:
    assert parse_semester(typed) == semester


@pytest.mark.parametrize(
    ("typed", "term"), [("1", "1"), ("II", "2"), ("cả năm", "year"), ("ca nam", "year")]
)
def test_a_term_is_a_semester_or_the_whole_year(typed: str, term: str) -> None:
    assert parse_term(typed) == term


def test_a_term_that_is_not_one_is_refused_in_vietnamese() -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="không phải là kì tổng kết"):
        parse_term("học kì 3")


@pytest.mark.parametrize(
    ("kind", "typed", "code"),
    [
        (LeaveStatus, "submitted", "submitted"),
        (LeaveStatus, "chờ duyệt", "submitted"),
        (LeaveStatus, "da duyet", "approved"),
        (LeaveStatus, "từ chối", "rejected"),
        (AuditMethod, "gọi điện", "phone"),
        (AuditMethod, "gap truc tiep", "meeting"),
        (AuditOutcome, "đúng", "confirmed"),
        (AuditOutcome, "sai lệch", "discrepancy"),
    ],
)
def test_a_listed_value_is_typed_as_its_code_or_its_vietnamese_words(
    kind: type[StrEnum], typed: str, code: str
) -> None:
    assert choice_of(kind)(typed) == code


def test_words_that_fit_several_values_are_refused_with_the_list() -> None:
    """ "duyệt" is in "Chờ duyệt", "Đã duyệt" and "… rút đơn sau khi duyệt"."""
    with pytest.raises(argparse.ArgumentTypeError) as refused:
        choice_of(LeaveStatus)("duyệt")
    assert str(refused.value) == (
        "'duyệt' không phải là một trong: Chờ duyệt; Đã duyệt; Đã từ chối; Phụ huynh đã hủy; "
        "Phụ huynh đã rút đơn sau khi duyệt."
    )


def test_the_pending_requests_are_listed_by_their_vietnamese_state(run: Run, profile: Path) -> None:
    submit(profile)
    typed = run("leave", "list", "--status", "chờ duyệt", "--json")
    coded = run("leave", "list", "--status", "submitted", "--json")
    assert typed.code == coded.code == 0
    assert typed.out == coded.out and '"status": "submitted"' in typed.out
