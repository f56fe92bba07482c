"""Qt's own texts (standard buttons, text context menus, the file and input dialogs) in the
app's language.

The PySide6 wheels ship no ``qtbase_vi.qm``, so the Vietnamese lives in
``resources/i18n/qt/vi.po``, read at start-up like the app's own catalogs. Unlike those, it is
keyed by Qt's translation context as well as the English text, since Qt translates the same
word differently in different places: the ``msgctxt`` is the context, followed by ``|`` and
Qt's disambiguation where Qt gives one (the convention of the ``.po`` files Qt's ``lconvert``
writes).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from functools import cache

from PySide6.QtCore import QCoreApplication, QLocale, QObject, QTranslator

from desktop.i18n import current_language, set_language
from desktop.resources import resource

QtMessage = tuple[str, str, str]
"""What Qt asks to translate: (context, disambiguation or "", English source text)."""


def parse_qt_po(text: str) -> dict[QtMessage, str]:
    """The translated entries of a Qt catalog; untranslated ones and the header are left out."""
    catalog: dict[QtMessage, str] = {}
    fields: dict[str, list[str]] = {}
    target: list[str] | None = None

    def flush() -> None:
        context, _, disambiguation = "".join(fields.get("msgctxt", [])).partition("|")
        source = "".join(fields.get("msgid", []))
        translation = "".join(fields.get("msgstr", []))
        if source and translation:
            catalog[(context, disambiguation, source)] = translation
        fields.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid", "msgstr"):
            # An entry starts at its msgctxt, or at its msgid when it has none.
            if keyword == "msgctxt" or (keyword == "msgid" and "msgid" in fields):
                flush()
            target = fields.setdefault(keyword, [])
            line = rest
        if target is not None and line.startswith('"'):
            target.append(ast.literal_eval(line))
    flush()
    return catalog


@cache
def qt_catalog(language: str) -> dict[QtMessage, str]:
    """The translations of Qt's texts into ``language`` (``resources/i18n/qt/<language>.po``)."""
    path = resource("i18n", "qt", f"{language}.po")
    return parse_qt_po(path.read_text(encoding="utf-8"))


class CatalogTranslator(QTranslator):
    """A translator answering from a parsed catalog instead of a compiled ``.qm`` file."""

    def __init__(self, catalog: Mapping[QtMessage, str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._catalog = catalog

    def isEmpty(self) -> bool:  # noqa: N802 - Qt API
        # Qt only tells the widgets to retranslate when a non-empty translator is installed.
        return not self._catalog

    def translate(
        self,
        context: str,
        source_text: str,
        disambiguation: str | None = None,
        n: int = -1,
    ) -> str | None:
        """The translation, or ``None`` to let Qt fall back to the English source: PySide6
        hands ``""`` to Qt as an empty text, which Qt would show instead. Vietnamese has one
        plural form, and Qt itself puts ``n`` in place of ``%n``."""
        found = self._catalog.get((context, disambiguation or "", source_text))
        if found is None and disambiguation:
            # As Qt's own translator does: a text without disambiguation serves every one.
            found = self._catalog.get((context, "", source_text))
        return found


_installed: list[QTranslator] = []
"""The translator this module installed last, kept alive here until it is replaced."""


def install_qt_translation(app: QCoreApplication) -> QTranslator | None:
    """Install the translation of Qt's texts when the app speaks Vietnamese, replacing the one
    installed before (``None`` for English, which is Qt's own language). Qt then tells every
    open widget to retranslate its own texts (standard buttons and the like)."""
    while _installed:
        app.removeTranslator(_installed.pop())
    if current_language() != "vi":
        return None
    translator = CatalogTranslator(qt_catalog("vi"))
    app.installTranslator(translator)
    _installed.append(translator)
    return translator


def apply_language(app: QCoreApplication, language: str) -> QTranslator | None:
    """Speak ``language`` from now on: the app's own texts, Qt's texts, and Qt's dates and
    numbers (file dialogs, spin boxes). Texts already on screen stay as they are: the main
    window rebuilds itself to follow."""
    set_language(language)
    if current_language() == "vi":
        QLocale.setDefault(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))
    else:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    return install_qt_translation(app)
