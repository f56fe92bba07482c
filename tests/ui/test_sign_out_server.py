"""The window's sign-out ends the sign-in on the server too (issue 11, item 3), and says so
when the server could not be told. Real reference server on loopback, real widgets."""

from __future__ import annotations

from pathlib import Path

import httpx
import keyring
from pytestqt.qtbot import QtBot

from desktop.settings import Settings
from desktop.ui.welcome.account_menu import AccountMenu
from tests.sync.keyring_backend import MemoryKeyring
from tests.ui.test_welcome import (  # noqa: F401 (fixtures)
    APP_PASSWORD,
    PASSWORD,
    folders,
    main_window,
    memory_keyring,
    server_url,
    set_app_password,
    sign_in,
    start,
    welcome_of,
)

NOT_TOLD = "Không báo được cho máy chủ"


def test_sign_out_from_the_window_ends_the_sign_in_on_the_server(
    qtbot: QtBot,
    folders: tuple[Path, Settings],  # noqa: F811
    server_url: str,  # noqa: F811
    memory_keyring: MemoryKeyring,  # noqa: F811
) -> None:
    folder, settings = folders
    startup = start(folder, settings)
    try:
        sign_in(qtbot, welcome_of(qtbot, startup), server_url, PASSWORD)
        assert startup.welcome is not None
        set_app_password(qtbot, startup.welcome, APP_PASSWORD)
        window = main_window(qtbot, startup)
        menu = window.findChild(AccountMenu)
        assert menu is not None
        menu.refresh()
        qtbot.waitUntil(lambda: menu.view.signed_in is not None and menu.view.pending == 0)
        token = keyring.get_password("homeroom", f"{server_url}|gvcn")
        assert token
        with qtbot.waitSignal(menu.flow.signed_out) as signal:
            menu.sign_out()
        assert signal.args == [True]
        message = window.statusBar().currentMessage()
        assert message.startswith("Đã đăng xuất") and NOT_TOLD not in message
        refreshed = httpx.post(f"{server_url}/api/v1/auth/refresh", json={"refresh_token": token})
        assert refreshed.status_code == 401
    finally:
        startup.close()
