"""Run checks in order, one verdict line each and a summary line; the exit code says whether
all passed.

A check is a function of the ``Context`` (the throwaway folders and what earlier checks made)
returning an optional detail for its line, or raising ``CheckFailed`` with the reason. Any other
error fails that check alone: a ``HomeroomError`` by its (translated) message, anything else by
its type only (its text may be a library's English or hold data), with the frames on stderr.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from desktop.errors import HomeroomError
from desktop.i18n import _, format_decimal
from desktop.resources import MissingResource

PASSED = "✓"
FAILED = "✗"


class CheckFailed(Exception):
    """A check's verdict is "failed"; ``reason`` is the translated clause that says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Context:
    """The throwaway folders of one run, and the demo profile once a check has made it."""

    data_dir: Path
    config_dir: Path
    profile: Path | None = None
    """The demo profile's database file."""

    def database_file(self) -> Path:
        if self.profile is None:
            raise CheckFailed(_("it needs the demo profile, which could not be created"))
        return self.profile


@dataclass(frozen=True)
class Check:
    label: str
    """English msgid of what is checked (shown translated)."""
    run: Callable[[Context], str | None]


@dataclass(frozen=True)
class Verdict:
    label: str
    passed: bool
    detail: str | None


def missing_file(error: MissingResource) -> str:
    return _("a file of the installation is missing ({name}); reinstall Homeroom").format(
        name=error.name
    )


def judge(check: Check, context: Context) -> Verdict:
    label = _(check.label)
    try:
        detail = check.run(context)
    except CheckFailed as failed:
        return Verdict(label, False, failed.reason)
    except HomeroomError as error:
        return Verdict(label, False, error.message)
    except MissingResource as error:
        return Verdict(label, False, missing_file(error))
    except Exception as error:
        from desktop.crash import crash_report

        sys.stderr.write(crash_report(type(error), error, error.__traceback__))
        return Verdict(
            label, False, _("unexpected error ({kind})").format(kind=type(error).__name__)
        )
    return Verdict(label, True, detail)


def line(verdict: Verdict) -> str:
    mark = PASSED if verdict.passed else FAILED
    return f"{mark} {verdict.label}" + (f": {verdict.detail}" if verdict.detail else "")


def summary(verdicts: Sequence[Verdict], seconds: float) -> str:
    failed = sum(not verdict.passed for verdict in verdicts)
    took = format_decimal(f"{seconds:.1f}")
    if failed == 0:
        return f"{PASSED} " + _("Self-test passed: all {count} checks ({seconds} s).").format(
            count=len(verdicts), seconds=took
        )
    return f"{FAILED} " + _("Self-test failed: {failed} of {count} checks ({seconds} s).").format(
        failed=failed, count=len(verdicts), seconds=took
    )


def run_checks(
    checks: Sequence[Check],
    context: Context,
    out: TextIO,
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> int:
    """Run ``checks`` in order, printing each verdict as it comes and the summary last; 0 if
    all passed, else 1."""
    start = clock()
    verdicts: list[Verdict] = []
    for check in checks:
        verdict = judge(check, context)
        verdicts.append(verdict)
        print(line(verdict), file=out, flush=True)
    print(summary(verdicts, clock() - start), file=out, flush=True)
    return 0 if all(verdict.passed for verdict in verdicts) else 1
