"""The token key while the app is unlocked: in memory only, forgotten when the app locks."""

from __future__ import annotations

import threading


class UnlockedKey:
    """Holds the key from ``app_password.token_key``; thread-safe (the sync reads it on the
    network lane). ``forget`` when the app locks or the teacher signs out."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: bytes | None = None

    def get(self) -> bytes | None:
        with self._lock:
            return self._key

    def set(self, key: bytes) -> None:
        with self._lock:
            self._key = key

    def forget(self) -> None:
        with self._lock:
            self._key = None
