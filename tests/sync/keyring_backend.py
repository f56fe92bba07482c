"""An in-memory keyring backend for unit tests, with an operation log and failure injection.

Install it with ``keyring.set_keyring(MemoryKeyring())`` (the ``memory_keyring`` fixtures do, and
restore the previous backend afterwards). Its ``priority`` raises, as keyring's documentation asks
of a backend unsuitable for automatic selection, so defining the class never makes keyring pick
it on its own.
"""

from __future__ import annotations

from collections.abc import Callable

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """Secrets in a dict. ``log`` records ``(operation, service, user)``; ``fail_on`` maps an
    operation name (``get``, ``set``, ``delete``) to an exception to raise instead; ``on_set`` is
    called after each store (to observe ordering)."""

    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805 - keyring's classproperty convention
        raise RuntimeError("test backend: install it with keyring.set_keyring()")

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}
        self.log: list[tuple[str, str, str]] = []
        self.fail_on: dict[str, Exception] = {}
        self.on_set: Callable[[str, str, str], None] | None = None

    def get_password(self, service: str, username: str) -> str | None:
        self._maybe_fail("get")
        self.log.append(("get", service, username))
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._maybe_fail("set")
        self.log.append(("set", service, username))
        self.secrets[(service, username)] = password
        if self.on_set is not None:
            self.on_set(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self._maybe_fail("delete")
        self.log.append(("delete", service, username))
        if self.secrets.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")

    def _maybe_fail(self, operation: str) -> None:
        error = self.fail_on.get(operation)
        if error is not None:
            raise error
