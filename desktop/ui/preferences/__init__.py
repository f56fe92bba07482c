"""The preferences dialog and the Tools menu that opens it."""
