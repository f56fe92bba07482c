"""``homeroom --self-test``: every check, in the teacher's language, in throwaway folders."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TextIO

from desktop.i18n import LANGUAGE_ENV, N_, _, catalog, current_language, set_language
from desktop.resources import MissingResource
from desktop.selftest import (
    catalogue_checks,
    credentials_check,
    font_checks,
    form_check,
    profile_checks,
    window_check,
)
from desktop.selftest.runner import Check, run_checks
from desktop.selftest.workspace import temporary_workspace

OPTION = "--self-test"

CHECKS = (
    Check(N_("Vietnamese catalogue"), catalogue_checks.app_catalogue),
    Check(N_("Qt's Vietnamese catalogue"), catalogue_checks.qt_catalogue),
    Check(N_("Document fonts"), font_checks.document_fonts),
    Check(N_("Screen fonts"), font_checks.screen_fonts),
    Check(N_("Demo profile created"), profile_checks.create_demo_profile),
    Check(N_("Database at the newest schema"), profile_checks.schema_at_head),
    Check(N_("Database encrypted at rest"), profile_checks.encrypted_at_rest),
    Check(N_("Main window opened and closed"), window_check.open_main_window),
    Check(N_("Approved leave form printed to PDF"), form_check.render_approved_form),
    Check(N_("Sign-in storage"), credentials_check.sign_in_storage),
)


def language_for_the_run() -> str:
    """``HOMEROOM_LANG``, else the teacher's setting (read before the config folder is
    swapped for the throwaway one); English when the catalogue cannot even be read, so the
    verdict that says so is readable."""
    language = current_language()
    if not os.environ.get(LANGUAGE_ENV):
        from desktop.settings import LANGUAGE, Settings

        language = Settings().get(LANGUAGE)
    try:
        catalog(language)
    except MissingResource:
        return "en"
    return language


def _speaking_utf8(out: TextIO) -> TextIO:
    """A console that cannot write "✓" or Vietnamese (a redirected Windows console in its
    legacy code page) is switched to UTF-8 rather than crashing on the first line."""
    try:
        "✓ệ".encode(out.encoding or "ascii")
    except (LookupError, UnicodeEncodeError):
        reconfigure = getattr(out, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")
    return out


def self_test(arguments: Sequence[str] = (), out: TextIO | None = None) -> int:
    stream = _speaking_utf8(out if out is not None else sys.stdout)
    set_language(language_for_the_run())
    if arguments:
        print(
            _("{option} takes no other arguments.").format(option=OPTION),
            file=sys.stderr,
        )
        return 2
    with temporary_workspace() as context:
        return run_checks(CHECKS, context, stream)
