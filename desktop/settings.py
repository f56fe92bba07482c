"""Every user setting, declared once with its type and default, stored with ``QSettings`` in
INI form in the user's config folder (``paths.settings_file()``).

Adding a setting: declare it below (key, default, and bounds or choices if it has any), read it
with ``settings.get(NAME)``, write it with ``settings.set(NAME, value)``; a screen that must
follow it connects to ``Settings.changed`` (the key). Nothing else stores preferences.

Only the desktop reads this module (it needs QtCore); the Qt-free layers take the values they
need as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from PySide6.QtCore import QByteArray, QObject, QSettings, Signal

from desktop import paths

T = TypeVar("T", str, int, bool, bytes)


@dataclass(frozen=True)
class Setting(Generic[T]):
    key: str
    default: T
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()

    def accepts(self, value: T) -> bool:
        if isinstance(value, bool) or not isinstance(value, int):
            return not self.choices or value in self.choices
        low = self.minimum if self.minimum is not None else value
        high = self.maximum if self.maximum is not None else value
        return low <= value <= high


LANGUAGE = Setting("ui/language", "vi", choices=("vi", "en"))
SYNC_INTERVAL_MINUTES = Setting("sync/interval_minutes", 5, minimum=1, maximum=240)
IDLE_LOCK_MINUTES = Setting("security/idle_lock_minutes", 10, minimum=1, maximum=240)
SERVER_ADDRESS = Setting("sync/server_address", "")
USERNAME = Setting("sync/username", "")
WINDOW_GEOMETRY = Setting("window/geometry", b"")
WINDOW_STATE = Setting("window/state", b"")
LAST_SCREEN = Setting("window/last_screen", "overview")
BACKUPS_KEPT = Setting("backup/kept", 7, minimum=1, maximum=100)
"""How many automatic backups the profile's backups folder keeps (the newest)."""

ALL: tuple[Setting[str] | Setting[int] | Setting[bool] | Setting[bytes], ...] = (
    LANGUAGE,
    SYNC_INTERVAL_MINUTES,
    IDLE_LOCK_MINUTES,
    SERVER_ADDRESS,
    USERNAME,
    WINDOW_GEOMETRY,
    WINDOW_STATE,
    LAST_SCREEN,
    BACKUPS_KEPT,
)


class Settings(QObject):
    """Typed access to the INI file; a value that is missing, malformed or out of bounds (an
    edited file) reads as the default, so a damaged file never stops the app."""

    changed = Signal(str)
    """The key of a setting that was just written with a new value."""

    def __init__(self, file: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.file = file if file is not None else paths.settings_file()
        self._store = QSettings(str(self.file), QSettings.Format.IniFormat)

    def get(self, setting: Setting[T]) -> T:
        raw = self._store.value(setting.key)
        if raw is None:
            return setting.default
        value = _convert(raw, type(setting.default))
        if not isinstance(value, type(setting.default)) or not setting.accepts(value):
            return setting.default
        return value

    def set(self, setting: Setting[T], value: T) -> None:
        if not isinstance(value, type(setting.default)) or not setting.accepts(value):
            raise ValueError(f"{setting.key}: {value!r} is not an allowed value")
        if self.get(setting) == value and self._store.contains(setting.key):
            return
        stored: object = QByteArray(value) if isinstance(value, bytes) else value
        self._store.setValue(setting.key, stored)
        self._store.sync()
        self.changed.emit(setting.key)

    def sync(self) -> None:
        """Write pending values to disk now (QSettings also does it on its own)."""
        self._store.sync()


def _convert(raw: object, kind: type) -> object:
    """The stored text as ``kind``, or ``None`` when it does not read as one."""
    if kind is bytes:
        return bytes(raw.data()) if isinstance(raw, QByteArray) else None
    text = str(raw).strip()
    if kind is bool:
        return {"true": True, "1": True, "false": False, "0": False}.get(text.lower())
    if kind is int:
        try:
            return int(text)
        except ValueError:
            return None
    return str(raw)
