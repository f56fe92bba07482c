"""Gzip request bodies are inflated incrementally, never past the limit."""

from __future__ import annotations

import gzip
import zlib

import pytest

from server.body import Inflater, _Refuse

LIMIT = 1024 * 1024


def _bomb_chunks(size: int) -> list[bytes]:
    """A gzip stream of ``size`` zero bytes, made without holding them all."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    chunks = [compressor.compress(block) for _ in range(size // len(block))]
    chunks.append(compressor.flush())
    return [c for c in chunks if c]


def test_a_bomb_stops_right_after_the_limit() -> None:
    inflater = Inflater(LIMIT)
    with pytest.raises(_Refuse) as refused:
        for chunk in _bomb_chunks(256 * 1024 * 1024):
            inflater.feed(chunk)
    assert refused.value.problem.status == 413
    # It never held more than the limit plus one byte of output.
    assert inflater.size == LIMIT + 1


def test_a_body_within_the_limit_round_trips_and_a_damaged_one_is_refused() -> None:
    data = b'{"a": "' + b"x" * 5000 + b'"}'
    packed = gzip.compress(data)
    inflater = Inflater(LIMIT)
    for start in range(0, len(packed), 7):
        inflater.feed(packed[start : start + 7])
    assert inflater.finish() == data
    truncated = Inflater(LIMIT)
    truncated.feed(packed[:-5])
    with pytest.raises(_Refuse):
        truncated.finish()
    trailing = Inflater(LIMIT)
    with pytest.raises(_Refuse):
        trailing.feed(packed + b"junk")
    with pytest.raises(_Refuse):
        Inflater(LIMIT).feed(b"not gzip at all")
