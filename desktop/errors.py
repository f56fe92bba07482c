"""Typed errors shared by every layer.

Each error carries a message already translated for the user (through ``desktop.i18n``) and the
process exit code the CLI uses for it. Anything that is not a ``HomeroomError`` is a bug.
"""

from __future__ import annotations

EXIT_BAD_INPUT = 2
EXIT_STORAGE = 3
EXIT_PROFILE_IN_USE = 5
"""The window is already open on the profile; that window carries on."""


class HomeroomError(Exception):
    """Base of every error the user may see; ``message`` is ready to show."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(HomeroomError):
    """Input the user can correct: a value out of range, a malformed date, an unknown option."""

    exit_code = EXIT_BAD_INPUT


class NotFound(InvalidInput):
    """An id that names nothing in this class's database."""


class IllegalTransition(InvalidInput):
    """A leave, audit or grade action that the current state does not allow."""


class StaleVersion(IllegalTransition):
    """A decision was made on a version of a record that has since changed."""


class NotPermitted(InvalidInput):
    """An action this teacher has no right to: another teacher's subject, another class's
    student. The client refuses it before it is queued, with the sentence the server would give."""


class InvalidGrade(InvalidInput):
    """A grade value that Circular 22 does not allow."""


class InvalidDate(InvalidInput):
    """A date or session range that is impossible or outside the school year."""


class ImportRejected(InvalidInput):
    """An exchange file with at least one invalid record; nothing was imported."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


class StorageError(HomeroomError):
    """The database file cannot be used: not Homeroom's, too new, disk full, read-only."""

    exit_code = EXIT_STORAGE
