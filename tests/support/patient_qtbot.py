"""A ``qtbot`` whose waits only give up on a hang, never on a busy machine.

pytest-qt gives up after 5 s by default. On a loaded CI machine a window's first read, a sync
against the loopback server or a lane's answer has taken longer, and a correct test failed
(``waitUntil timed out in 5000 milliseconds``). A wait returns as soon as its condition holds,
so a long deadline costs a passing test nothing; it exists only so a hang ends in a message
rather than in pytest-timeout's stack dump. Tests therefore pass no ``timeout`` of their own
unless they mean a short one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pytestqt.qtbot import QtBot
from pytestqt.wait_signal import CallbackBlocker, CheckParamsCb, MultiSignalBlocker, SignalBlocker
from typing_extensions import override

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QWidget
    from pytestqt.qtbot import WaitSignalsOrder, _WaitWidgetContextManager

WAIT_MS = 120_000
"""Well under the per-test timeout (300 s in pyproject.toml) and far above any honest wait."""


class PatientQtBot(QtBot):
    @override
    def waitActive(self, widget: QWidget, *, timeout: int = WAIT_MS) -> _WaitWidgetContextManager:
        return super().waitActive(widget, timeout=timeout)

    @override
    def waitExposed(self, widget: QWidget, *, timeout: int = WAIT_MS) -> _WaitWidgetContextManager:
        return super().waitExposed(widget, timeout=timeout)

    @override
    def waitSignal(
        self,
        signal: SignalInstance,
        *,
        timeout: int = WAIT_MS,
        raising: bool | None = None,
        check_params_cb: CheckParamsCb | None = None,
    ) -> SignalBlocker:
        return super().waitSignal(
            signal, timeout=timeout, raising=raising, check_params_cb=check_params_cb
        )

    @override
    def waitSignals(
        self,
        signals: list[SignalInstance],
        *,
        timeout: int = WAIT_MS,
        raising: bool | None = None,
        check_params_cbs: list[CheckParamsCb] | None = None,
        order: WaitSignalsOrder = "none",
    ) -> MultiSignalBlocker:
        return super().waitSignals(
            signals,
            timeout=timeout,
            raising=raising,
            check_params_cbs=check_params_cbs,
            order=order,
        )

    @override
    def waitCallback(
        self, *, timeout: int = WAIT_MS, raising: bool | None = None
    ) -> CallbackBlocker:
        return super().waitCallback(timeout=timeout, raising=raising)

    @override
    def waitUntil(self, callback: Callable[[], bool | None], *, timeout: int = WAIT_MS) -> None:
        super().waitUntil(callback, timeout=timeout)
