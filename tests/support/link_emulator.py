"""A TCP link emulator on loopback: delay, bandwidth, cuts, stalls and resets for sync tests.

``tc netem`` does not exist on the machines this project runs on (the kernel is built without
``CONFIG_NET_SCH_NETEM``), so sync tests and benchmarks put this asyncio proxy between the client
and the server instead (``docs/research/sync.md`` §7 and §9). It needs no root, only the standard
library, and counts the bytes that cross it, which is what the benchmark reports as "on the wire"
(TCP payload: HTTP headers and compressed bodies, not IP/TCP headers).

Usage from synchronous code (tests, benchmarks)::

    profile = LinkProfile(delay_s=0.150, bandwidth_bps=256_000)
    with LinkEmulator("127.0.0.1", server_port, profile) as link:
        httpx.get(f"{link.url}/api/v1/ping")
        link.set_profile(LinkProfile(cut_after_bytes=500, cut_direction="down"))
        ...                                  # the next connection is cut mid-response
        print(link.bytes_up, link.bytes_down, link.connections)

The event loop runs in a background thread; every public method may be called from any other
thread. What the emulator models, per direction (up = client → server, down = server → client):

- **Delay**: every byte arrives ``delay_s`` (± ``jitter_s``) after it was sent, so a round trip
  costs ``2 · delay_s``. Delay does not reduce throughput: chunks wait in a timestamped FIFO.
  TCP's handshake is charged too (``emulate_handshake``): the first byte of a new connection
  goes up one round trip late, as if ``connect()`` had waited for the SYN/ACK.
- **Bandwidth**: ``N`` bytes take ``N · 8 / bandwidth_bps`` seconds to serialise, paced in
  1460-byte segments, so the receiver sees a steady trickle rather than bursts.
- **Cut** (Toxiproxy's ``limit_data``): once ``cut_after_bytes`` bytes have been delivered in the
  chosen direction(s), both sides are closed (FIN, or RST with ``reset``). Bytes beyond the cut
  are never delivered. The budget is per connection by default; ``cut_scope="link"`` counts across
  all connections ("cut at 50 % of a whole sync"), and ``cut_count`` limits how many cuts happen.
- **Stall** (Toxiproxy's ``timeout`` with 0): after ``stall_after_bytes`` bytes the direction(s)
  stop forwarding but the connection stays open, so the peer hangs until its own timeout.
- **Drop**: the first ``drop_connections`` connections are closed as soon as they are accepted.

It does not model TCP slow start, packet loss or reordering: it is for counting round trips and
bytes and for putting the client's retry logic through every ambiguous-outcome window.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import random
import socket
import struct
import sys
import threading
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, TypeVar

__all__ = [
    "BENCHMARK_LINK",
    "HARSH_LINK",
    "CutScope",
    "Direction",
    "LinkEmulator",
    "LinkProfile",
    "LinkStats",
]

Direction = Literal["up", "down", "both"]
"""``up`` is client → server, ``down`` is server → client; ``both`` sums the two."""

CutScope = Literal["connection", "link"]

_T = TypeVar("_T")

_READ_SIZE = 64 * 1024
_PACING_SEGMENT = 1460
"""When bandwidth is limited, bytes are released one Ethernet-sized segment at a time."""
_QUEUE_LIMIT = 4 * 1024 * 1024
"""Bytes one direction may hold before the emulator stops reading from the sender. It is large so
that a delay-only profile does not also act as a small TCP window, and so that a stalled direction
keeps reading long enough to notice the sender giving up."""
_STOP_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class LinkProfile:
    """How the emulated link behaves. Frozen: change behaviour with ``LinkEmulator.set_profile``.

    All thresholds count TCP payload bytes delivered by the emulator, per connection unless
    ``cut_scope="link"``. Use ``dataclasses.replace`` to derive variants.
    """

    delay_s: float = 0.0
    """One-way latency added in each direction (round trip ≈ ``2 · delay_s``)."""
    jitter_s: float = 0.0
    """Each chunk's delay is ``delay_s ± uniform(jitter_s)``, never reordering bytes."""
    bandwidth_bps: float | None = None
    """Bits per second in each direction (they do not share it); ``None`` is unlimited."""
    emulate_handshake: bool = True
    """Hold a new connection's first upward byte for one extra round trip, like TCP's handshake."""
    cut_after_bytes: int | None = None
    """Close the connection once this many bytes were delivered in ``cut_direction``."""
    cut_direction: Direction = "both"
    cut_scope: CutScope = "connection"
    """``connection``: each connection has its own budget. ``link``: one budget shared by all
    connections, re-armed after each cut (so ``HARSH_LINK`` cuts every 20 kB of traffic)."""
    cut_count: int | None = None
    """How many cuts to perform under this profile before the link behaves; ``None``: no limit."""
    stall_after_bytes: int | None = None
    """Stop forwarding ``stall_direction`` (per connection) after this many bytes, but keep the
    connection open. If the sender closes while stalled, the connection is torn down."""
    stall_direction: Direction = "both"
    reset: bool = False
    """Cuts and drops close with an RST (``SO_LINGER`` 0) instead of a FIN."""
    drop_connections: int = 0
    """Close the first N connections accepted under this profile immediately, then behave."""
    seed: int = 0
    """Seed of the ``random.Random`` that draws the jitter, for repeatable runs."""

    def __post_init__(self) -> None:
        if self.delay_s < 0 or self.jitter_s < 0:
            raise ValueError("delay_s and jitter_s must be >= 0")
        if self.bandwidth_bps is not None and self.bandwidth_bps <= 0:
            raise ValueError("bandwidth_bps must be > 0 (use None for unlimited)")
        for name in ("cut_after_bytes", "cut_count", "stall_after_bytes"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must be >= 0")
        if self.drop_connections < 0:
            raise ValueError("drop_connections must be >= 0")
        for name in ("cut_direction", "stall_direction"):
            if getattr(self, name) not in ("up", "down", "both"):
                raise ValueError(f"{name} must be 'up', 'down' or 'both'")
        if self.cut_scope not in ("connection", "link"):
            raise ValueError("cut_scope must be 'connection' or 'link'")


BENCHMARK_LINK = LinkProfile(delay_s=0.150, bandwidth_bps=256_000)
"""The benchmark's reference link (sync.md §9): 256 kbit/s each way, 300 ms round trip."""

HARSH_LINK = LinkProfile(
    delay_s=0.300, bandwidth_bps=64_000, cut_after_bytes=20_000, cut_scope="link"
)
"""The benchmark's harsh link (sync.md §9): 64 kbit/s, 600 ms round trip, a cut every 20 kB."""


@dataclass(frozen=True, slots=True)
class LinkStats:
    """A snapshot of the emulator's counters since start or the last ``reset_counters()``."""

    bytes_up: int
    bytes_down: int
    connections: int
    dropped: int
    cuts: int
    stalls: int


def _counts(chosen: Direction, direction: str) -> bool:
    return chosen == "both" or chosen == direction


def _shut(writer: asyncio.StreamWriter, mode: Literal["fin", "rst", "abort"]) -> None:
    """Close one side: ``fin`` flushes what was delivered first; ``rst`` and ``abort`` do not."""
    transport = writer.transport
    if mode == "fin":
        transport.close()
        # Closing a socket whose receive queue holds unread bytes makes the kernel send RST,
        # not FIN; throw those bytes away so that a FIN cut really looks like a clean close.
        _discard_unread(writer)
        return
    if mode == "rst":
        sock = writer.get_extra_info("socket")
        if sock is not None:
            # A zero linger timeout makes close() send RST and discard unsent data.
            fmt = "hh" if sys.platform == "win32" else "ii"
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack(fmt, 1, 0))
    transport.abort()


def _discard_unread(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is None:
        return
    try:
        # A duplicate descriptor, because asyncio's socket wrapper does not allow recv().
        dup = socket.fromfd(sock.fileno(), sock.family, sock.type)
    except OSError:
        return
    with dup:
        dup.setblocking(False)
        for _ in range(64):  # bounded: a peer still sending cannot keep us here
            try:
                if not dup.recv(_READ_SIZE):
                    return
            except OSError:  # BlockingIOError once empty, or the peer already reset
                return


class _ProfileState:
    """A profile plus what it has used up: jitter draws, drops, cuts, the link-wide budget.

    ``set_profile`` always makes a new state, which re-arms ``drop_connections``, ``cut_count``
    and the link-wide cut budget.
    """

    def __init__(self, profile: LinkProfile) -> None:
        self.profile = profile
        self.rng = random.Random(profile.seed)
        self.dropped = 0
        self.cuts = 0
        self.link_cut_remaining = profile.cut_after_bytes

    def cuts_allowed(self) -> bool:
        count = self.profile.cut_count
        return count is None or self.cuts < count


@dataclass(slots=True)
class _Item:
    arrival: float
    data: bytes | None
    """``None`` is the sender's EOF, which travels in order behind its data."""


class _Pipe:
    """One direction of one connection: a reader fills a timestamped FIFO, a writer empties it
    on schedule. Two tasks, so that waiting out the delay never stops reading (delay must not
    reduce throughput)."""

    def __init__(
        self,
        conn: _Connection,
        direction: Literal["up", "down"],
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        not_before: float,
    ) -> None:
        self.conn = conn
        self.direction = direction
        self.source = source
        self.sink = sink
        self.items: deque[_Item] = deque()
        self.queued = 0
        self.wakeup = asyncio.Event()
        self.space = asyncio.Event()
        self.space.set()
        self.stalled = False
        self.finished = False
        self.link_free_at = 0.0
        self.last_delivery = 0.0
        self.resumed_at = not_before
        # drain() must mean "handed to the kernel": backpressure stays tight and an RST cut
        # never discards bytes that were already counted as delivered.
        sink.transport.set_write_buffer_limits(high=0)

    def has_eof_queued(self) -> bool:
        return any(item.data is None for item in self.items)

    async def read_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            while self.queued >= _QUEUE_LIMIT:
                self.space.clear()
                await self.space.wait()
            try:
                data = await self.source.read(_READ_SIZE)
            except OSError:
                self.conn.close("rst")
                return
            if not data:
                if self.stalled:
                    # Nobody will ever see the held bytes: the peer has given up on the hang.
                    self.conn.close("fin")
                    return
                self.items.append(_Item(loop.time(), None))
                self.wakeup.set()
                return
            self.items.append(_Item(loop.time(), data))
            self.queued += len(data)
            self.wakeup.set()

    async def _next_item(self) -> _Item:
        while True:
            if self.items and not self.stalled:
                item = self.items.popleft()
                if item.data is not None:
                    self.queued -= len(item.data)
                    if self.queued < _QUEUE_LIMIT:
                        self.space.set()
                return item
            self.wakeup.clear()
            await self.wakeup.wait()

    def _hold(self, item: _Item) -> None:
        """Put (the rest of) an item back at the head of the FIFO."""
        self.items.appendleft(item)
        if item.data is not None:
            self.queued += len(item.data)

    def _schedule(self, nbytes: int, arrival: float, delay: float) -> float:
        """When the last of ``nbytes`` reaches the receiver."""
        bandwidth = self.conn.state.profile.bandwidth_bps
        start = max(arrival, self.link_free_at, self.resumed_at)
        self.link_free_at = start + (nbytes * 8 / bandwidth if bandwidth else 0.0)
        # Jitter must never reorder a byte stream: a chunk never overtakes the one before it.
        self.last_delivery = max(self.link_free_at + delay, self.last_delivery)
        return self.last_delivery

    def _draw_delay(self) -> float:
        profile = self.conn.state.profile
        if profile.jitter_s == 0:
            return profile.delay_s
        jitter = self.conn.state.rng.uniform(-profile.jitter_s, profile.jitter_s)
        return max(0.0, profile.delay_s + jitter)

    async def write_loop(self) -> None:
        loop = asyncio.get_running_loop()
        conn = self.conn
        while True:
            item = await self._next_item()
            if conn.doomed:
                return
            stall_room = conn.stall_room(self.direction)
            if item.data is None:
                if stall_room == 0:
                    self._hold(item)
                    conn.stall(self.direction)
                    continue
                await _sleep_until(loop, self._schedule(0, item.arrival, self._draw_delay()))
                if conn.doomed:
                    return
                with contextlib.suppress(OSError):
                    self.sink.write_eof()
                self.finished = True
                conn.pipe_finished()
                return

            data = item.data
            send = len(data)
            then: Literal["cut", "stall"] | None = None
            if stall_room is not None and stall_room <= send:
                send, then = stall_room, "stall"
            cut_room = conn.cut_room(self.direction)
            if cut_room is not None and cut_room <= send:
                send, then = cut_room, "cut"
            if send < len(data) and then == "stall":
                self._hold(_Item(item.arrival, data[send:]))
            conn.spend(self.direction, send)
            decided_under = conn.state
            if then == "cut":
                conn.plan_cut()

            delay = self._draw_delay()
            step = _PACING_SEGMENT if conn.state.profile.bandwidth_bps else max(send, 1)
            for offset in range(0, send, step):
                segment = data[offset : offset + step]
                await _sleep_until(loop, self._schedule(len(segment), item.arrival, delay))
                if conn.closed:
                    return
                # Count first: the receiver may read the bytes before this thread runs again.
                conn.emulator._count(self.direction, len(segment))
                self.sink.write(segment)
                try:
                    await self.sink.drain()
                except OSError:
                    conn.close("rst")
                    return
            if then == "cut":
                conn.cut()
                return
            if then == "stall" and conn.state is decided_under:
                # (A live set_profile while these bytes travelled has lifted the stall.)
                conn.stall(self.direction)


async def _sleep_until(loop: asyncio.AbstractEventLoop, when: float) -> None:
    remaining = when - loop.time()
    if remaining > 0:
        await asyncio.sleep(remaining)


class _Connection:
    """A client connection and its upstream twin, joined by an up pipe and a down pipe."""

    def __init__(
        self,
        emulator: LinkEmulator,
        state: _ProfileState,
        client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        server: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        accepted_at: float,
    ) -> None:
        self.emulator = emulator
        self.state = state
        self.client_writer = client[1]
        self.server_writer = server[1]
        profile = state.profile
        handshake = 2 * profile.delay_s if profile.emulate_handshake else 0.0
        self.up = _Pipe(self, "up", client[0], server[1], accepted_at + handshake)
        self.down = _Pipe(self, "down", server[0], client[1], accepted_at)
        self.cut_remaining = profile.cut_after_bytes
        self.stall_remaining = profile.stall_after_bytes
        self.doomed = False
        """A cut is decided: nothing else may be delivered while its last bytes travel."""
        self.closed = False
        self.done = asyncio.Event()

    # Budgets -------------------------------------------------------------------------------

    def cut_room(self, direction: str) -> int | None:
        """Bytes that may still pass in ``direction`` before a cut; ``None``: no cut applies."""
        profile = self.state.profile
        if profile.cut_after_bytes is None or not _counts(profile.cut_direction, direction):
            return None
        if not self.state.cuts_allowed():
            return None
        if profile.cut_scope == "link":
            return self.state.link_cut_remaining
        return self.cut_remaining

    def stall_room(self, direction: str) -> int | None:
        profile = self.state.profile
        if self.stall_remaining is None or not _counts(profile.stall_direction, direction):
            return None
        return self.stall_remaining

    def spend(self, direction: str, nbytes: int) -> None:
        profile = self.state.profile
        if self.cut_room(direction) is not None:
            if profile.cut_scope == "link":
                assert self.state.link_cut_remaining is not None
                self.state.link_cut_remaining -= nbytes
            else:
                assert self.cut_remaining is not None
                self.cut_remaining -= nbytes
        if self.stall_room(direction) is not None:
            assert self.stall_remaining is not None
            self.stall_remaining -= nbytes

    # Faults --------------------------------------------------------------------------------

    def plan_cut(self) -> None:
        self.doomed = True
        self.state.cuts += 1
        if self.state.profile.cut_scope == "link":
            # Re-arm at once, so the link cuts every N bytes of traffic.
            self.state.link_cut_remaining = self.state.profile.cut_after_bytes

    def cut(self) -> None:
        self.emulator._bump("cuts")
        self.close("rst" if self.state.profile.reset else "fin")

    def stall(self, direction: Literal["up", "down"]) -> None:
        chosen = self.state.profile.stall_direction
        pipes = [self.up, self.down] if chosen == "both" else [self.pipe(direction)]
        if not any(p.stalled for p in pipes):
            self.emulator._bump("stalls")
        for pipe in pipes:
            pipe.stalled = True
        if any(p.has_eof_queued() for p in pipes):
            # The sender already closed: the hang could never end, so do not keep it open.
            self.close("fin")

    def pipe(self, direction: str) -> _Pipe:
        return self.up if direction == "up" else self.down

    def rebind(self, state: _ProfileState, now: float) -> None:
        """Adopt a new profile mid-connection: fresh budgets, stalls lifted."""
        self.state = state
        self.cut_remaining = state.profile.cut_after_bytes
        self.stall_remaining = state.profile.stall_after_bytes
        for pipe in (self.up, self.down):
            if pipe.stalled:
                pipe.stalled = False
                # Held bytes start serialising now, not when they first arrived.
                pipe.resumed_at = max(pipe.resumed_at, now)
                pipe.wakeup.set()

    # Lifecycle -----------------------------------------------------------------------------

    def pipe_finished(self) -> None:
        if self.up.finished and self.down.finished:
            self.close("fin")

    def close(self, mode: Literal["fin", "rst", "abort"]) -> None:
        """Close both sides at once (idempotent); the pipes are cancelled by ``run``."""
        if self.closed:
            return
        self.closed = True
        self.doomed = True
        _shut(self.client_writer, mode)
        _shut(self.server_writer, mode)
        self.done.set()

    async def run(self) -> None:
        tasks = [
            asyncio.create_task(coro)
            for coro in (
                self.up.read_loop(),
                self.up.write_loop(),
                self.down.read_loop(),
                self.down.write_loop(),
            )
        ]
        try:
            await self.done.wait()
        finally:
            # Cancelled (stop) or not, no task outlives the connection.
            self.close("abort")
            for task in tasks:
                task.cancel()
            results = await asyncio.gather(*tasks, return_exceptions=True)
        for result in results:
            if isinstance(result, Exception):
                raise result


class LinkEmulator:
    """A TCP proxy on loopback that degrades the link between a client and ``target``.

    ``start()`` runs an asyncio loop in a daemon thread and returns once listening; ``stop()``
    (idempotent) closes the listener and every connection and joins the thread. An emulator is
    started once. Counters count bytes *delivered* to the receiving side (what a client or server
    actually got), connections *accepted* (including dropped ones).
    """

    def __init__(
        self,
        target_host: str,
        target_port: int,
        profile: LinkProfile | None = None,
        *,
        listen_host: str = "127.0.0.1",
        listen_port: int = 0,
    ) -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.listen_host = listen_host
        self._listen_port = listen_port
        self._state = _ProfileState(profile if profile is not None else LinkProfile())
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._counters = dict.fromkeys(
            ("bytes_up", "bytes_down", "connections", "dropped", "cuts", "stalls"), 0
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._port: int | None = None
        self._conns: set[_Connection] = set()
        self._closing = False
        self._started = False
        self._stopped = False

    # Lifecycle -----------------------------------------------------------------------------

    def start(self) -> LinkEmulator:
        """Listen and return once connections are accepted (raises if the bind fails)."""
        with self._lock:
            if self._started:
                raise RuntimeError("a LinkEmulator is started only once")
            self._started = True
        ready = threading.Event()
        errors: list[BaseException] = []
        loop = asyncio.new_event_loop()
        self._loop = loop

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(self._serve, self.listen_host, self._listen_port)
                )
            except BaseException as exc:  # reported to the caller of start()
                errors.append(exc)
                ready.set()
                loop.close()
                return
            self._port = int(self._server.sockets[0].getsockname()[1])
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=run, name="link-emulator", daemon=True)
        self._thread.start()
        ready.wait()
        if errors:
            self._stopped = True
            self._thread.join()
            raise errors[0]
        return self

    def stop(self) -> None:
        """Close the listener and all connections, cancel every task, join the thread."""
        with self._lock:
            if self._stopped or not self._started:
                self._stopped = True
                return
            self._stopped = True
        loop, thread = self._loop, self._thread
        assert loop is not None and thread is not None
        if threading.current_thread() is thread:
            raise RuntimeError("stop() cannot be called from the emulator's own thread")
        future = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
        try:
            future.result(timeout=_STOP_TIMEOUT_S)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=_STOP_TIMEOUT_S)

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._closing = True
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            conn.close("abort")
        # The loop is the emulator's own, so every other task on it is ours. Let them end on
        # their own (a connection accepted a moment ago sees _closing and closes), and cancel
        # only what still hangs, such as a slow upstream connect. The listener is closed only
        # afterwards: on Python 3.11, closing it while an accepted socket waits for its transport
        # trips an assertion in asyncio and leaks that socket.
        current = asyncio.current_task()
        while tasks := asyncio.all_tasks() - {current}:
            _, pending = await asyncio.wait(tasks, timeout=1.0)
            for task in pending:
                task.cancel()
        self._server.close()
        await self._server.wait_closed()

    def __enter__(self) -> LinkEmulator:
        if not self._started:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # Addresses -----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the emulator is not listening; call start() first")
        return self._port

    @property
    def address(self) -> tuple[str, int]:
        return (self.listen_host, self.port)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: point the HTTP client here instead of at the server."""
        return f"http://{self.listen_host}:{self.port}"

    # Behaviour -----------------------------------------------------------------------------

    @property
    def profile(self) -> LinkProfile:
        return self._state.profile

    def set_profile(self, profile: LinkProfile, *, live: bool = False) -> None:
        """Use ``profile`` for connections accepted from now on.

        This re-arms ``drop_connections``, ``cut_count`` and the link-wide cut budget. With
        ``live=True`` the open connections adopt it too, from their next chunk: their cut and
        stall budgets restart from zero bytes and any stall is lifted, the held bytes then being
        delivered in order (so ``set_profile(LinkProfile(), live=True)`` heals a stalled link).
        Bytes already scheduled keep the delay they were given.
        """
        state = _ProfileState(profile)

        def apply() -> None:
            self._state = state
            with self._lock:
                conns = list(self._conns)
            if live and conns:
                now = asyncio.get_running_loop().time()
                for conn in conns:
                    conn.rebind(state, now)

        self._call(apply)

    def break_connections(self, *, reset: bool | None = None) -> int:
        """Cut every open connection now (RST if ``reset``, else the profile's choice).

        Returns how many were cut; each counts in ``cuts``.
        """

        def apply() -> int:
            use_reset = self._state.profile.reset if reset is None else reset
            with self._lock:
                conns = [c for c in self._conns if not c.closed]
            for conn in conns:
                self._bump("cuts")
                conn.close("rst" if use_reset else "fin")
            return len(conns)

        return self._call(apply)

    # Counters ------------------------------------------------------------------------------

    @property
    def bytes_up(self) -> int:
        """Client → server payload bytes delivered to the server."""
        return self._get("bytes_up")

    @property
    def bytes_down(self) -> int:
        """Server → client payload bytes delivered to the client."""
        return self._get("bytes_down")

    @property
    def connections(self) -> int:
        """Connections accepted from clients, dropped ones included."""
        return self._get("connections")

    @property
    def dropped(self) -> int:
        return self._get("dropped")

    @property
    def cuts(self) -> int:
        return self._get("cuts")

    @property
    def stalls(self) -> int:
        return self._get("stalls")

    @property
    def active_connections(self) -> int:
        """Connections currently open through the emulator."""
        with self._lock:
            return len(self._conns)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no connection is open through the emulator; False on timeout.

        A benchmark calls it between runs so that the next run's counters start clean.
        """
        with self._idle:
            return self._idle.wait_for(lambda: not self._conns, timeout)

    def stats(self) -> LinkStats:
        with self._lock:
            return LinkStats(**self._counters)

    def reset_counters(self) -> None:
        with self._lock:
            for key in self._counters:
                self._counters[key] = 0

    def _get(self, key: str) -> int:
        with self._lock:
            return self._counters[key]

    def _bump(self, key: str, amount: int = 1) -> None:
        with self._lock:
            self._counters[key] += amount

    def _count(self, direction: str, nbytes: int) -> None:
        self._bump("bytes_up" if direction == "up" else "bytes_down", nbytes)

    # Internals -----------------------------------------------------------------------------

    def _call(self, fn: Callable[[], _T]) -> _T:
        """Run ``fn`` on the emulator's loop (where all connection state lives) and wait."""
        loop, thread = self._loop, self._thread
        if loop is None or self._stopped or threading.current_thread() is thread:
            return fn()

        async def wrapper() -> _T:
            return fn()

        coro: Coroutine[Any, Any, _T] = wrapper()
        future: concurrent.futures.Future[_T] = asyncio.run_coroutine_threadsafe(coro, loop)
        return future.result(timeout=_STOP_TIMEOUT_S)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._relay(reader, writer)
        except asyncio.CancelledError:
            # Only stop() cancels a connection. End quietly: Python 3.11's start_server logs a
            # cancelled callback task as an error ("Exception in callback ...").
            _shut(writer, "abort")

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._closing:
            _shut(writer, "abort")
            return
        self._bump("connections")
        state = self._state
        accepted_at = asyncio.get_running_loop().time()
        if state.dropped < state.profile.drop_connections:
            state.dropped += 1
            self._bump("dropped")
            _shut(writer, "rst" if state.profile.reset else "fin")
            return
        try:
            upstream = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            # Mirror a refused connection as closely as a proxy that already accepted can.
            _shut(writer, "rst")
            return
        if self._closing:
            _shut(writer, "abort")
            _shut(upstream[1], "abort")
            return
        conn = _Connection(self, state, (reader, writer), upstream, accepted_at)
        with self._lock:
            self._conns.add(conn)
        try:
            await conn.run()
        finally:
            with self._lock:
                self._conns.discard(conn)
                self._idle.notify_all()
