"""The demo profile made as ``homeroom init --demo`` makes it, and its schema at Alembic's
head (which also proves the migrations are installed)."""

from __future__ import annotations

import contextlib
import io

from desktop.errors import StorageError
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


def encrypted_at_rest(context: Context) -> str | None:
    """The demo profile is encrypted where the OS keeps its key: the file's bytes hold none of
    the class's names, and it opens with its key only."""
    from sqlalchemy import select

    from desktop.models import Student, profile_key
    from desktop.models.cipher import new_key
    from desktop.models.db import SQLITE_HEADER, open_database
    from desktop.models.encryption import open_profile

    path = context.database_file()
    if profile_key.read_sidecar(path) is None:
        return _("not encrypted: this computer has no password store (keyring)")
    database = open_profile(path)
    try:
        with database.reading() as session:
            names = session.scalars(select(Student.full_name)).all()
    finally:
        database.close()
    data = path.read_bytes()
    if not names or data.startswith(SQLITE_HEADER) or any(n.encode() in data for n in names):
        raise CheckFailed(_("the profile's file can be read without its key"))
    try:
        open_database(path, new_key()).close()
    except StorageError:
        return _("encrypted; the key is in the system's password store")
    raise CheckFailed(_("the profile opened with a wrong key"))


def schema_at_head(context: Context) -> str | None:
    from desktop.models.db import HEAD_REVISION, check_file, head_revision, sidecar_key

    path = context.database_file()
    found = check_file(path, sidecar_key(path))
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
