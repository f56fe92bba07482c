"""The versioned class exchange file (JSON): export a profile's class, import it elsewhere.

``export_database`` / ``write_export`` write it, ``import_file`` reads it back (checked in full
before anything is written); ``docs/exchange-format.md`` and
``resources/schemas/class-exchange-v1.schema.json`` describe the format.
"""

from desktop.exchange.export import dumps, export_database, write_export
from desktop.exchange.importer import ImportSummary, import_file
from desktop.exchange.layout import FORMAT, MAX_FILE_BYTES, VERSION, json_schema

__all__ = [
    "FORMAT",
    "MAX_FILE_BYTES",
    "VERSION",
    "ImportSummary",
    "dumps",
    "export_database",
    "import_file",
    "json_schema",
    "write_export",
]
