"""Where Homeroom keeps its files: the one place that knows the folders of this computer.

``HOMEROOM_DATA_DIR`` and ``HOMEROOM_CONFIG_DIR`` override the user folders of the OS (tests,
portable installs on a USB stick, the demo profile of a checkout). Nothing else reads them.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "homeroom"
DATA_DIR_ENV = "HOMEROOM_DATA_DIR"
CONFIG_DIR_ENV = "HOMEROOM_CONFIG_DIR"
DATABASE_FILE = "homeroom.sqlite3"
SETTINGS_FILE = "homeroom.ini"
LOG_FILE = "homeroom.log"
CRASH_FILE = "crash.log"
WINDOW_LOCK_FILE = "homeroom.window.lock"


def data_dir_override() -> Path | None:
    """``HOMEROOM_DATA_DIR`` if set: the demo uses it but never falls back to the real profile."""
    override = os.environ.get(DATA_DIR_ENV)
    return Path(override) if override else None


def data_dir() -> Path:
    """The profile folder: ``HOMEROOM_DATA_DIR`` if set, else the user data folder."""
    override = data_dir_override()
    if override is not None:
        return override
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """Settings: ``HOMEROOM_CONFIG_DIR`` if set, else the user config folder."""
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False))


def database_file(folder: Path | None = None) -> Path:
    """The profile database in ``folder`` (default: ``data_dir()``)."""
    return (folder if folder is not None else data_dir()) / DATABASE_FILE


def window_lock_file(profile_folder: Path) -> Path:
    """Held by the window open on the profile in ``profile_folder`` (``ui.profile_lock``)."""
    return profile_folder / WINDOW_LOCK_FILE


def settings_file() -> Path:
    return config_dir() / SETTINGS_FILE


def log_dir(profile_folder: Path | None = None) -> Path:
    """Logs sit beside the profile they describe, where the error message sends a maintainer."""
    return profile_folder if profile_folder is not None else data_dir()
