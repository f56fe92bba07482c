"""A keyring backend that keeps secrets in memory for one process: for the command-line tests
and the sync benchmark, which need the keyring code path without an OS keyring (the demo keeps
its token in ``credentials.MemoryStore`` and never touches the keyring).

Nothing is ever written anywhere; it is never chosen automatically (its priority refuses), only
installed explicitly with ``keyring.set_keyring``.
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805 - keyring's classproperty convention
        raise RuntimeError("install explicitly with keyring.set_keyring()")

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self._secrets.pop((service, username), None) is None:
            raise PasswordDeleteError(username)
