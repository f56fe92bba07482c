"""Sync with the central server (Qt-free); built by the sync issue."""
