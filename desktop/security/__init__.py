"""What protects the data on this computer: the app password and the key derived from it."""
