"""The run's throwaway data and config folders, through ``desktop.paths``' overrides, so no
check can reach the teacher's real profile or settings; removed at the end."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop.paths import CONFIG_DIR_ENV, DATA_DIR_ENV
from desktop.selftest.runner import Context


@contextmanager
def temporary_workspace() -> Iterator[Context]:
    root = Path(tempfile.mkdtemp(prefix="homeroom-self-test-"))
    saved = {name: os.environ.get(name) for name in (DATA_DIR_ENV, CONFIG_DIR_ENV)}
    context = Context(data_dir=root / "data", config_dir=root / "config")
    context.data_dir.mkdir()
    context.config_dir.mkdir()
    os.environ[DATA_DIR_ENV] = str(context.data_dir)
    os.environ[CONFIG_DIR_ENV] = str(context.config_dir)
    try:
        yield context
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _forget_keys(context.data_dir)
        shutil.rmtree(root, ignore_errors=True)


def _forget_keys(folder: Path) -> None:
    """The throwaway profiles' keys leave the OS password store with them."""
    from desktop.errors import HomeroomError
    from desktop.models import profile_key

    for sidecar in folder.rglob(f"*{profile_key.KEY_FILE_SUFFIX}"):
        stem = sidecar.name.removesuffix(profile_key.KEY_FILE_SUFFIX)
        with contextlib.suppress(HomeroomError, OSError):
            profile_key.forget(sidecar.with_name(stem + ".sqlite3"))
