"""Each check function against a real good input and a broken one: what a damaged or
incomplete installation would give it."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import reportlab
from alembic import command
from pytestqt.qtbot import QtBot
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import create_engine

from desktop.cli.main import main
from desktop.i18n import catalog
from desktop.models.db import APPLICATION_ID, DATABASE_FILE, alembic_config
from desktop.models.profile_key import key_file
from desktop.reports.fonts import DOCUMENT_FONTS
from desktop.resources import SCREEN_FONTS, font_data
from desktop.selftest import (
    catalogue_checks,
    credentials_check,
    font_checks,
    form_check,
    profile_checks,
    window_check,
)
from desktop.selftest.runner import CheckFailed, Context
from desktop.sync.memory_keyring import MemoryKeyring
from desktop.ui.qt_translation import qt_catalog

VERA = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
"""A real font without Vietnamese letters (Bitstream Vera, shipped with reportlab)."""


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    assert main(["--data-dir", str(folder), "init", "--demo"]) == 0
    return folder / DATABASE_FILE


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Iterator[Context]:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy2(demo_template, data / DATABASE_FILE)
    sidecar = key_file(demo_template)  # where the OS keeps a key, the profile is encrypted
    if sidecar.exists():
        shutil.copy2(sidecar, key_file(data / DATABASE_FILE))
    yield Context(data_dir=data, config_dir=tmp_path / "config", profile=data / DATABASE_FILE)


# --- catalogues ----------------------------------------------------------------------------


def test_the_installed_catalogues_pass(qapp: object) -> None:
    assert catalogue_checks.check_app_catalogue(catalog("vi")).endswith("câu")
    assert catalogue_checks.check_qt_catalogue(qt_catalog("vi")).endswith("câu")


def test_a_catalogue_lacking_messages_fails() -> None:
    partial = {"Homeroom": "Sổ Chủ Nhiệm"}
    with pytest.raises(CheckFailed) as failed:
        catalogue_checks.check_app_catalogue(partial)
    assert failed.value.reason.startswith("4 câu của ứng dụng chưa có bản dịch")


def test_a_qt_catalogue_lacking_the_buttons_fails(qapp: object) -> None:
    with pytest.raises(CheckFailed) as failed:
        catalogue_checks.check_qt_catalogue({("QPlatformTheme", "", "Open"): "Mở"})
    assert failed.value.reason.startswith("2 câu của Qt chưa có bản dịch")


# --- fonts ---------------------------------------------------------------------------------


def test_the_bundled_fonts_pass(qapp: object) -> None:
    files = {name: font_data(name) for name in DOCUMENT_FONTS.values()}
    assert font_checks.check_document_fonts(files) == "4 tệp"
    screen = {name: font_data(name) for name in SCREEN_FONTS}
    assert font_checks.check_screen_fonts(screen) == "Noto Sans"


@pytest.mark.parametrize("check", ["check_document_fonts", "check_screen_fonts"])
def test_a_damaged_font_file_fails(qapp: object, check: str) -> None:
    damaged = font_data(SCREEN_FONTS[0])[:2000]
    with pytest.raises(CheckFailed) as failed:
        getattr(font_checks, check)({"NotoSans-Regular.ttf": damaged})
    assert failed.value.reason == "không đọc được phông chữ NotoSans-Regular.ttf"


@pytest.mark.parametrize("check", ["check_document_fonts", "check_screen_fonts"])
def test_a_font_without_vietnamese_fails(qapp: object, check: str) -> None:
    with pytest.raises(CheckFailed) as failed:
        getattr(font_checks, check)({"Vera.ttf": VERA.read_bytes()})
    assert failed.value.reason == "phông chữ Vera.ttf thiếu chữ cái tiếng Việt"


# --- the profile, the window, the form -------------------------------------------------------


def test_the_demo_profile_is_made_in_the_given_folder(tmp_path: Path) -> None:
    made = Context(data_dir=tmp_path / "data", config_dir=tmp_path / "config")
    assert profile_checks.create_demo_profile(made) is None
    assert made.profile == tmp_path / "data" / DATABASE_FILE
    assert profile_checks.schema_at_head(made) is not None


def test_a_profile_that_cannot_be_made_fails_with_the_commands_reason(tmp_path: Path) -> None:
    blocked = tmp_path / "data"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    made = Context(data_dir=blocked, config_dir=tmp_path / "config")
    with pytest.raises(CheckFailed) as failed:
        profile_checks.create_demo_profile(made)
    assert failed.value.reason.startswith("Lỗi: ")
    assert made.profile is None


def test_a_profile_behind_the_newest_schema_fails(tmp_path: Path) -> None:
    path = tmp_path / DATABASE_FILE
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        command.upgrade(alembic_config(connection), "0001")
        connection.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
        connection.commit()
    engine.dispose()
    old = Context(data_dir=tmp_path, config_dir=tmp_path, profile=path)
    with pytest.raises(CheckFailed) as failed:
        profile_checks.schema_at_head(old)
    assert failed.value.reason.startswith("hồ sơ ở phiên bản cấu trúc 0001, bản mới nhất là ")


def test_the_main_window_opens_and_closes(qtbot: QtBot, demo: Context) -> None:
    assert window_check.open_main_window(demo) is None


def test_the_approved_form_passes(demo: Context) -> None:
    assert form_check.render_approved_form(demo) == "có đủ 3 đoạn cần có"


def _pdf(*lines: str) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out)
    for number, text in enumerate(lines):
        canvas.drawString(72, 720 - 20 * number, text)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def test_a_pdf_lacking_a_passage_fails_without_quoting_it() -> None:
    data = _pdf("LEAVE FORM", "code ABC123")
    assert form_check.check_form_text(data, ["LEAVE FORM", "code   ABC123"]) == (
        "có đủ 2 đoạn cần có"
    )
    with pytest.raises(CheckFailed) as failed:
        form_check.check_form_text(data, ["LEAVE FORM", "Tran Thi Binh"])
    assert failed.value.reason == "chữ trong tệp PDF thiếu 1 trong 2 đoạn cần có"


def test_bytes_that_are_no_pdf_fail() -> None:
    with pytest.raises(CheckFailed) as failed:
        form_check.check_form_text(b"%PDF-1.4 but nothing after", ["x"])
    assert failed.value.reason == "không đọc được tệp PDF"


# --- sign-in storage -------------------------------------------------------------------------


def test_a_working_keyring_passes_and_keeps_no_entry() -> None:
    backend = MemoryKeyring()
    credentials_check.check_keyring(backend)
    assert backend.get_password(credentials_check.SERVICE, credentials_check.USER) is None


class ForgetfulKeyring(MemoryKeyring):
    """A backend that accepts a secret and answers with something else."""

    def get_password(self, service: str, username: str) -> str | None:
        found = super().get_password(service, username)
        return None if found is None else found[::-1]


class LockedKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise PermissionError(f"cannot store {password}")


def test_a_keyring_that_answers_wrong_or_refuses_fails() -> None:
    with pytest.raises(CheckFailed) as failed:
        credentials_check.check_keyring(ForgetfulKeyring())
    assert failed.value.reason.startswith("kho mật khẩu của hệ điều hành trả lại một giá trị")
    with pytest.raises(CheckFailed) as refused:
        credentials_check.check_keyring(LockedKeyring())
    assert refused.value.reason == "kho mật khẩu của hệ điều hành từ chối (PermissionError)"


@pytest.mark.skipif(
    os.environ.get("HOMEROOM_REAL_KEYRING") != "1",
    reason="needs a Secret Service (scripts/test-services)",
)
def test_the_real_keyring_passes() -> None:
    import keyring

    credentials_check.check_keyring(keyring.get_keyring())


def test_the_encrypted_store_of_the_profile_passes(demo: Context) -> None:
    credentials_check.check_sealed_store(demo.database_file())
