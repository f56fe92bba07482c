"""Homeroom (Sổ Chủ Nhiệm): an offline-first desktop app for Vietnamese homeroom teachers."""

__version__ = "0.1.0"
