"""A small HTTP/1.1 keep-alive load generator on asyncio streams, run in its own process by
``bench/server.py`` so the client's work does not share the GIL with anything measured.

Closed loop: ``clients`` connections each send the next request as soon as the answer is in.
Open loop: requests are due at a fixed rate whatever the answers do; latency is measured from
the moment a request was due (no coordinated omission), on a pool of connections that grows when
every connection is busy.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

KEEP_ALIVE = 4.0
"""Seconds an idle connection is reused for: uvicorn closes one idle for 5 s (its default
``timeout_keep_alive``), and a request sent as it closes would be lost."""


@dataclass(frozen=True)
class Load:
    host: str
    port: int
    request: bytes
    """One complete HTTP/1.1 request (headers and body), sent again and again."""


@dataclass(frozen=True)
class Outcome:
    latencies: list[float]
    errors: int
    elapsed: float


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> bool:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status == 200


async def _closed(load: Load, clients: int, duration: float) -> Outcome:
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter()
    stop = start + duration

    async def one() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(load.host, load.port)
        while time.perf_counter() < stop:
            began = time.perf_counter()
            ok = await _exchange(reader, writer, load.request)
            latencies.append(time.perf_counter() - began)
            errors += not ok
        writer.close()

    await asyncio.gather(*(one() for _ in range(clients)))
    return Outcome(latencies, errors, time.perf_counter() - start)


async def _open(load: Load, rate: float, duration: float) -> Outcome:
    latencies: list[float] = []
    errors = 0
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
    start = time.perf_counter()
    count = int(rate * duration)

    async def connection() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        while idle:
            reader, writer, used = idle.pop()
            if time.perf_counter() - used < KEEP_ALIVE:
                return reader, writer
            writer.close()  # the server may close it any moment now
        return await asyncio.open_connection(load.host, load.port)

    async def one(due: float) -> None:
        nonlocal errors
        reader, writer = await connection()
        ok = await _exchange(reader, writer, load.request)
        latencies.append(time.perf_counter() - due)
        errors += not ok
        idle.append((reader, writer, time.perf_counter()))

    tasks = []
    for index in range(count):
        due = start + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    for _reader, writer, _used in idle:
        writer.close()
    return Outcome(latencies, errors, time.perf_counter() - start)


def closed_loop(load: Load, clients: int, duration: float) -> Outcome:
    return asyncio.run(_closed(load, clients, duration))


def open_loop(load: Load, rate: float, duration: float) -> Outcome:
    return asyncio.run(_open(load, rate, duration))
