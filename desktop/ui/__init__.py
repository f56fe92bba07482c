"""The PySide6 desktop screens: a thin layer over the services."""
