"""The lock: the class's data hidden after idle minutes or on Ctrl+L, back with the app password."""
