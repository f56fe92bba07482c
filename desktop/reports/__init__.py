"""Printed documents (reportlab, Qt-free); built by the printing issue."""
