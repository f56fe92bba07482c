"""The demo profile made as ``homeroom init --demo`` makes it, and its schema at Alembic's
head (which also proves the migrations are installed)."""

from __future__ import annotations

import contextlib
import io

from desktop.i18n import _
from desktop.paths import DATABASE_FILE
from desktop.selftest.runner import CheckFailed, Context


def create_demo_profile(context: Context) -> str | None:
    from desktop.cli.main import main

    said = io.StringIO()
    # The command's own lines name the temporary folder; the verdict line says enough.
    with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
        code = main(["--data-dir", str(context.data_dir), "init", "--demo"])
    database = context.data_dir / DATABASE_FILE
    if code != 0 or not database.is_file():
        problem = said.getvalue().strip().splitlines()
        raise CheckFailed(
            problem[-1] if problem else _("the command ended with code {code}").format(code=code)
        )
    context.profile = database
    return None


def schema_at_head(context: Context) -> str | None:
    from desktop.models.db import HEAD_REVISION, check_file, head_revision

    found = check_file(context.database_file())
    head = head_revision()
    if found != head:
        raise CheckFailed(
            _("the profile is at revision {found}, the newest is {head}").format(
                found=found, head=head
            )
        )
    if head != HEAD_REVISION:
        raise CheckFailed(
            _("the app takes {fast} for the newest revision, the migrations end at {head}").format(
                fast=HEAD_REVISION, head=head
            )
        )
    return _("revision {head}").format(head=head)
