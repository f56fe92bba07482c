"""Tools ▸ personal data incidents and their notification report."""
