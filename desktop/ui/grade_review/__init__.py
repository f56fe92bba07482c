"""The homeroom teacher's review of grade entries and post-audit of grade changes."""
