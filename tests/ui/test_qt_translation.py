"""Qt's own texts — standard buttons, text context menus, the file and input dialogs — in
Vietnamese by default and in Qt's English with ``HOMEROOM_LANG=en``; real widgets, offscreen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QTextEdit,
    QTreeView,
)
from pytestqt.qtbot import QtBot

from desktop import i18n
from desktop.ui.qt_translation import (
    CatalogTranslator,
    install_qt_translation,
    parse_qt_po,
    qt_catalog,
)

Button = QDialogButtonBox.StandardButton
Answer = QMessageBox.StandardButton
PLACEHOLDER = re.compile(r"%(?:\d+|n)")


@pytest.fixture
def vietnamese(qapp: QApplication) -> Iterator[None]:
    """Qt's texts in Vietnamese for one test, and only that test."""
    i18n.set_language("vi")
    translator = install_qt_translation(qapp)
    assert translator is not None
    yield
    QCoreApplication.removeTranslator(translator)


def plain(text: str) -> str:
    """A label as read aloud: without the accelerator mark or the shortcut Qt appends."""
    return text.split("\t")[0].replace("&", "")


def menu_texts(menu: QMenu) -> list[str]:
    return [plain(action.text()) for action in menu.actions() if not action.isSeparator()]


def box_texts(box: QDialogButtonBox) -> dict[Button, str]:
    return {box.standardButton(button): plain(button.text()) for button in box.buttons()}


@pytest.mark.usefixtures("vietnamese")
def test_a_yes_no_cancel_message_box_speaks_vietnamese(qtbot: QtBot) -> None:
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Lưu thay đổi",
        "Lưu các thay đổi?",
        Answer.Yes | Answer.No | Answer.Cancel,
    )
    box.setDetailedText("chi tiết")
    qtbot.addWidget(box)
    assert box.button(Answer.Yes).text() == "&Có"
    assert box.button(Answer.No).text() == "&Không"
    assert box.button(Answer.Cancel).text() == "Hủy"
    details = [b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.ActionRole]
    assert [b.text() for b in details] == ["Hiện chi tiết..."]
    details[0].click()
    assert details[0].text() == "Ẩn chi tiết..."


@pytest.mark.usefixtures("vietnamese")
def test_every_standard_button_speaks_vietnamese(qtbot: QtBot) -> None:
    expected = {
        Button.Ok: "Đồng ý",
        Button.Open: "Mở",
        Button.Save: "Lưu",
        Button.Cancel: "Hủy",
        Button.Close: "Đóng",
        Button.Discard: "Không lưu",
        Button.Apply: "Áp dụng",
        Button.Reset: "Đặt lại",
        Button.RestoreDefaults: "Khôi phục mặc định",
        Button.Help: "Trợ giúp",
        Button.SaveAll: "Lưu tất cả",
        Button.Yes: "Có",
        Button.YesToAll: "Có với tất cả",
        Button.No: "Không",
        Button.NoToAll: "Không với tất cả",
        Button.Abort: "Hủy bỏ",
        Button.Retry: "Thử lại",
        Button.Ignore: "Bỏ qua",
    }
    every = Button.NoButton
    for button in expected:
        every |= button
    box = QDialogButtonBox(every)
    qtbot.addWidget(box)
    assert box_texts(box) == expected


@pytest.mark.usefixtures("vietnamese")
def test_ok_cancel_button_box_speaks_vietnamese(qtbot: QtBot) -> None:
    box = QDialogButtonBox(Button.Ok | Button.Cancel)
    qtbot.addWidget(box)
    assert box_texts(box) == {Button.Ok: "Đồng ý", Button.Cancel: "Hủy"}


def test_buttons_already_shown_are_retranslated_when_installed(
    qtbot: QtBot, qapp: QApplication
) -> None:
    """Qt tells open widgets to retranslate (a posted event) only for a translator that says it
    is not empty."""
    i18n.set_language("vi")
    box = QDialogButtonBox(Button.Ok | Button.Cancel)
    qtbot.addWidget(box)
    assert box_texts(box) == {Button.Ok: "OK", Button.Cancel: "Cancel"}
    translator = install_qt_translation(qapp)
    assert translator is not None
    try:
        qtbot.waitUntil(lambda: box_texts(box) == {Button.Ok: "Đồng ý", Button.Cancel: "Hủy"})
    finally:
        QCoreApplication.removeTranslator(translator)


@pytest.mark.usefixtures("vietnamese")
def test_the_line_edit_context_menu_speaks_vietnamese(qtbot: QtBot) -> None:
    edit = QLineEdit("Nguyễn Văn An")
    qtbot.addWidget(edit)
    menu = edit.createStandardContextMenu()
    assert menu_texts(menu) == [
        "Hoàn tác",
        "Làm lại",
        "Cắt",
        "Sao chép",
        "Dán",
        "Xóa",
        "Chọn tất cả",
    ]
    menu.deleteLater()


@pytest.mark.usefixtures("vietnamese")
def test_the_text_edit_context_menu_speaks_vietnamese(qtbot: QtBot) -> None:
    edit = QTextEdit("Lý do nghỉ học")
    qtbot.addWidget(edit)
    menu = edit.createStandardContextMenu()
    assert menu_texts(menu) == [
        "Hoàn tác",
        "Làm lại",
        "Cắt",
        "Sao chép",
        "Dán",
        "Xóa",
        "Chọn tất cả",
    ]
    menu.deleteLater()


@pytest.mark.usefixtures("vietnamese")
def test_the_input_dialog_speaks_vietnamese(qtbot: QtBot) -> None:
    dialog = QInputDialog()
    dialog.setInputMode(QInputDialog.InputMode.IntInput)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    assert box_texts(buttons) == {Button.Ok: "Đồng ý", Button.Cancel: "Hủy"}
    assert [label.text() for label in dialog.findChildren(QLabel)] == ["Nhập một giá trị:"]


@pytest.mark.usefixtures("vietnamese")
def test_the_widget_file_dialog_speaks_vietnamese(qtbot: QtBot, tmp_path: Path) -> None:
    (tmp_path / "danh-sach.csv").write_text("x", encoding="utf-8")
    dialog = QFileDialog(None, "", str(tmp_path), "CSV (*.csv)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "Mở"
    labels = {label.objectName(): label.text() for label in dialog.findChildren(QLabel)}
    assert labels["lookInLabel"] == "&Tìm trong:"
    assert labels["fileNameLabel"] == "Tê&n tệp:"
    assert labels["fileTypeLabel"] == "&Kiểu tệp:"
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    assert box_texts(buttons) == {Button.Open: "Mở", Button.Cancel: "Hủy"}
    tree = dialog.findChild(QTreeView, "treeView")
    assert tree is not None
    model = tree.model()
    headers = [
        model.headerData(column, Qt.Orientation.Horizontal) for column in range(model.columnCount())
    ]
    assert headers == ["Tên", "Kích cỡ", "Loại", "Ngày sửa đổi"]

    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    assert dialog.windowTitle() == "Lưu thành"
    assert box_texts(buttons) == {Button.Save: "Lưu", Button.Cancel: "Hủy"}


@pytest.mark.usefixtures("vietnamese")
def test_texts_outside_the_catalog_stay_in_qt_s_english() -> None:
    """Not blank: a text the catalog lacks (a dock widget's, unused by the app) reads as Qt
    wrote it, and %n is still filled in."""
    assert QCoreApplication.translate("QDockWidget", "Float") == "Float"
    assert QCoreApplication.translate("QFileDialog", "%n item(s)", None, 3) == "3 item(s)"


def test_in_english_nothing_is_installed_and_qt_speaks_english(
    qtbot: QtBot, qapp: QApplication
) -> None:
    i18n.set_language("en")
    assert install_qt_translation(qapp) is None
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Save changes",
        "Save the changes?",
        Answer.Yes | Answer.No | Answer.Cancel,
    )
    qtbot.addWidget(box)
    assert box.button(Answer.Yes).text() == "&Yes"
    assert box.button(Answer.No).text() == "&No"
    assert box.button(Answer.Cancel).text() == "Cancel"


def test_the_catalog_keeps_placeholders_line_breaks_and_edges() -> None:
    """%1 or %n dropped would lose the file name or count; the texts around them must fit."""
    catalog = qt_catalog("vi")
    assert len(catalog) > 100
    wrong = [
        (context, source, translation)
        for (context, _, source), translation in catalog.items()
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translation))
        or source.count("\n") != translation.count("\n")
        or source.endswith(" ") != translation.endswith(" ")
    ]
    assert wrong == []


def test_accelerators_are_single_plain_letters() -> None:
    """Alt+letter must work without a Vietnamese input method, so never on "Đ" or "ó"."""
    wrong = [
        translation
        for translation in qt_catalog("vi").values()
        if len(re.findall(r"&(.)", translation)) > 1
        or any(not (c.isascii() and c.isalpha()) for c in re.findall(r"&(.)", translation))
    ]
    assert wrong == []


def test_the_parser_reads_contexts_disambiguations_and_continuations() -> None:
    text = (
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgctxt "QFileDialog"\nmsgid "%1 already exists.\\n"\n"Replace?"\n'
        'msgstr "%1 đã tồn tại.\\n"\n"Thay thế?"\n\n'
        'msgctxt "QFileSystemModel|All other platforms"\nmsgid "Type"\nmsgstr "Loại"\n\n'
        'msgctxt "QFileDialog"\nmsgid "Untranslated"\nmsgstr ""\n\n'
        'msgid "No context"\nmsgstr "Không ngữ cảnh"\n'
    )
    assert parse_qt_po(text) == {
        ("QFileDialog", "", "%1 already exists.\nReplace?"): "%1 đã tồn tại.\nThay thế?",
        ("QFileSystemModel", "All other platforms", "Type"): "Loại",
        ("", "", "No context"): "Không ngữ cảnh",
    }


def test_the_translator_falls_back_as_qt_does() -> None:
    """Unknown texts are None (Qt then shows its English); a disambiguated request may use the
    entry without disambiguation, never the other way round."""
    translator = CatalogTranslator(
        {("QFileDialog", "", "Open"): "Mở", ("QFileSystemModel", "Mac", "Kind"): "Loại"}
    )
    assert translator.translate("QFileDialog", "Open") == "Mở"
    assert translator.translate("QFileDialog", "Open", "a title") == "Mở"
    assert translator.translate("QFileSystemModel", "Kind", "Mac") == "Loại"
    assert translator.translate("QFileSystemModel", "Kind") is None
    assert translator.translate("QLineEdit", "Open") is None
    assert not translator.isEmpty()
