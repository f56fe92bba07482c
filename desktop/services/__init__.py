"""Use cases shared by the CLI, the UI and sync: one transaction each, each audit-logged (no Qt)."""
