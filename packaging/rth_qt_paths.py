"""Run-time hook in place of PyInstaller's own for PySide6, which imports QtCore (Qt's libraries,
ICU's data) at the start of every run, --version included, to register a qt.conf. The app's
Qt needs only where the bundled plugins are; Qt's prefix comes from where its libraries sit
(the wheel's layout, which PyInstaller keeps), and the app loads Qt's texts itself."""

import os
import sys

_qt = (
    os.path.join(sys._MEIPASS, "PySide6")
    if sys.platform == "win32"
    else os.path.join(sys._MEIPASS, "PySide6", "Qt")
)
os.environ["QT_PLUGIN_PATH"] = os.path.join(_qt, "plugins")
if sys.platform == "win32":
    # Qt's DLLs beside the interpreter's (PyInstaller's hook does the same).
    os.environ["PATH"] = sys._MEIPASS + os.pathsep + os.environ.get("PATH", "")
