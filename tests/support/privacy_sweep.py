"""Grepping every file a run wrote for personal data and secrets, in every spelling a file
could hold them in.

A needle is one value (a student's name, a phone, a reason, a token) with what it is; a file
matches it when its bytes (or its path) contain any spelling of it: UTF-8, UTF-16 (both byte
orders), composed and decomposed (NFC/NFD: macOS file names, some editors), upper case (a
heading), JSON's ``\\u`` escapes, a URL's percent escapes and the escapes of a Qt INI key. The
hits name the needle's kind and the file, never the value, so a failing run's report is no new
copy of the data.
"""

from __future__ import annotations

import json
import os
import unicodedata
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be")


@dataclass(frozen=True)
class Needle:
    kind: str
    """What the value is, for the report: "student name", "refresh token", ..."""
    text: str


@dataclass(frozen=True)
class Hit:
    file: str
    """The file's path relative to the swept folder."""
    kind: str
    spelling: str
    """How the value was written: "utf-8", "utf-16-le NFD", "path", ..."""


def qt_ini_key(text: str) -> str:
    """``text`` as QSettings writes it in an INI key: ``%XX`` for Latin-1, ``%UXXXX`` above."""
    out = []
    for char in text:
        code = ord(char)
        if char.isascii() and (char.isalnum() or char in "-_."):
            out.append(char)
        elif code < 0x100:
            out.append(f"%{code:02X}")
        else:
            out.append(f"%U{code:04X}")
    return "".join(out)


def spellings(text: str) -> dict[bytes, str]:
    """Every byte string ``text`` could be written as, with the name of the spelling."""
    found: dict[bytes, str] = {}
    for form in ("NFC", "NFD"):
        for case, variant in (("", text), (" upper", text.upper())):
            shaped = unicodedata.normalize(form, variant)
            label = f"{form}{case}"
            for encoding in ENCODINGS:
                found.setdefault(shaped.encode(encoding), f"{encoding} {label}")
            found.setdefault(json.dumps(shaped)[1:-1].encode("ascii"), f"json {label}")
            found.setdefault(urllib.parse.quote(shaped).encode("ascii"), f"url {label}")
            found.setdefault(qt_ini_key(shaped).encode("ascii"), f"qt-ini {label}")
    return found


def written_files(root: Path) -> list[Path]:
    """Every file under ``root`` (symbolic links not followed), in a stable order."""
    files: list[Path] = []
    for folder, _dirs, names in os.walk(root):
        files.extend(Path(folder) / name for name in names)
    return sorted(files)


def sweep(
    root: Path, needles: Iterable[Needle], *, exempt: Callable[[Path], bool] = lambda _p: False
) -> tuple[list[Hit], list[Path]]:
    """The hits in every file under ``root`` that ``exempt`` does not set aside, and the
    files swept."""
    patterns = [
        (pattern, needle.kind, spelling)
        for needle in needles
        for pattern, spelling in spellings(needle.text).items()
    ]
    hits: list[Hit] = []
    swept: list[Path] = []
    for file in written_files(root):
        if exempt(file):
            continue
        swept.append(file)
        relative = file.relative_to(root).as_posix()
        name = relative.encode("utf-8", "surrogateescape")
        content = file.read_bytes()
        seen: set[tuple[str, str]] = set()
        for pattern, kind, spelling in patterns:
            where = "path" if pattern in name else spelling if pattern in content else None
            if where is not None and (kind, where) not in seen:
                seen.add((kind, where))
                hits.append(Hit(relative, kind, where))
    return hits, swept
