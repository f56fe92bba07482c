"""The app password and the keys derived from it (Qt-free)."""
