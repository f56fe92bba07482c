"""Test infrastructure shared by the suite and the benchmarks (the loopback link emulator, a
server on a database URL). It is not part of the installed packages: nothing under ``desktop/``
or ``server/`` may import it."""
