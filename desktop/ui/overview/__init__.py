"""The overview, the start screen of the window."""
