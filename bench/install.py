"""Benchmark of the Linux installer (issue 10), each figure against a floor measured in the same
run:

1. the ``.deb``'s size and the size it installs (reported; no target);
2. cold start of the installed (frozen) app to its window shown, against the same start from the
   source tree (``.venv/bin/homeroom``; target <= 1.2);
3. ``homeroom --version`` of the installed app against a bare ``python -c pass`` (target <= 3).

The frozen app cannot run a watcher of ours inside it, so "window shown" is read from Qt itself
the same way for both sides: with ``QT_LOGGING_RULES=qt.widgets.painting=true`` Qt logs
"Flushing top level ..." when it first puts a top-level window's pixels on the screen
(offscreen platform); the time is from just before ``subprocess.Popen`` to that line, and the
process is killed there. "Installed" is the .deb unpacked with ``dpkg-deb -x``: the same files
an ``apt install`` writes to /opt/homeroom, without touching this machine's system.

Whole processes, medians over interleaved runs (after one warm-up of each, so both read from
the page cache); the machine has 2 cores shared with other work: figures are noisy.

Run: ``.venv/bin/python bench/install.py [BUNDLE] [--deb FILE] [--runs N]``; BUNDLE is the
one-folder app (default dist/homeroom, built by packaging/linux/build-bundle.sh when absent);
without --deb the .deb is built from it (xz, as released: a few minutes).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
TARGETS = {"cold start": 1.2, "version": 3.0}
SHOWN = "Flushing top level"


class Verdicts:
    def __init__(self) -> None:
        self.met = 0
        self.total = 0

    def check(self, label: str, shown: str, target: str, ok: bool) -> None:
        self.total += 1
        self.met += ok
        print(f"  {label:<40} {shown:<56} target {target:<8} {'PASS' if ok else 'FAIL'}")

    @staticmethod
    def report(label: str, shown: str) -> None:
        print(f"  {label:<40} {shown:<56} (reported)")


def tree_bytes(folder: Path) -> int:
    return sum(path.lstat().st_size for path in folder.rglob("*") if not path.is_dir())


def window_shown(command: list[str], env: dict[str, str]) -> float:
    """Seconds from starting ``command`` to Qt flushing its first top-level window."""
    start = time.monotonic()
    process = subprocess.Popen(
        command, env=env, cwd=env["HOME"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    tail: list[bytes] = []
    watchdog = threading.Timer(120, process.kill)  # a window that never shows ends the run
    watchdog.start()
    try:
        for line in process.stderr:
            if SHOWN.encode() in line:
                return time.monotonic() - start
            tail = [*tail[-20:], line]
        raise RuntimeError(f"{command[0]} ended without showing a window: {b''.join(tail)!r}")
    finally:
        watchdog.cancel()
        process.kill()
        process.wait()


def whole_process(command: list[str], env: dict[str, str]) -> float:
    start = time.monotonic()
    subprocess.run(command, env=env, cwd=env["HOME"], check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - start


def built_bundle(bundle: Path) -> Path:
    if not (bundle / "homeroom").is_file():
        print(f"building {bundle} (packaging/linux/build-bundle.sh)...", flush=True)
        subprocess.run(
            [str(ROOT / "packaging/linux/build-bundle.sh"), str(bundle.parent)], check=True
        )
    return bundle


def built_deb(bundle: Path, out: Path) -> Path:
    print("building the .deb (packaging/linux/build-deb.sh, xz)...", flush=True)
    subprocess.run(
        [str(ROOT / "packaging/linux/build-deb.sh"), str(bundle), str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return next(out.glob("homeroom_*.deb"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", nargs="?", type=Path, default=ROOT / "dist" / "homeroom")
    parser.add_argument("--deb", type=Path, help="an already built .deb (else built here)")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    verdicts = Verdicts()

    with tempfile.TemporaryDirectory(prefix="homeroom-bench-install-") as scratch:
        work = Path(scratch)
        bundle = built_bundle(args.bundle.resolve())
        deb = args.deb.resolve() if args.deb else built_deb(bundle, work)
        installed = work / "installed"
        subprocess.run(["dpkg-deb", "-x", str(deb), str(installed)], check=True)
        frozen = installed / "opt" / "homeroom" / "homeroom"
        source = Path(sys.executable).parent / "homeroom"

        print(f"\n[{deb.name}]")
        verdicts.report(".deb size", f"{deb.stat().st_size / MIB:.1f} MiB")
        verdicts.report("installed size", f"{tree_bytes(installed) / MIB:.1f} MiB")

        home = work / "home"
        home.mkdir()
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("HOMEROOM_", "PYTHON", "QT_"))
        }
        env.update(
            HOME=str(home),
            HOMEROOM_CONFIG_DIR=str(work / "config"),
            QT_QPA_PLATFORM="offscreen",
        )
        profile = work / "profile"
        subprocess.run(
            [str(frozen), "--data-dir", str(profile), "init", "--demo"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        shown_env = {**env, "QT_LOGGING_RULES": "qt.widgets.painting=true"}
        starts: dict[str, list[float]] = {"frozen": [], "source": []}
        commands = {
            "frozen": [str(frozen), "--data-dir", str(profile)],
            "source": [str(source), "--data-dir", str(profile)],
        }
        for command in commands.values():
            window_shown(command, shown_env)  # warm-up: both read from the page cache
        for _ in range(args.runs):
            for name, command in commands.items():
                starts[name].append(window_shown(command, shown_env))
        frozen_s = statistics.median(starts["frozen"])
        source_s = statistics.median(starts["source"])
        print(f"\n[cold start to the window shown, whole processes, median of {args.runs}]")
        verdicts.check(
            "installed app vs the source tree",
            f"{frozen_s * 1000:.0f} ms = {frozen_s / source_s:.2f} x source "
            f"({source_s * 1000:.0f} ms)",
            f"<= {TARGETS['cold start']}",
            frozen_s / source_s <= TARGETS["cold start"],
        )

        versions: dict[str, list[float]] = {"frozen": [], "bare": []}
        bare = [sys.executable, "-c", "pass"]
        whole_process(bare, env)
        whole_process([str(frozen), "--version"], env)
        for _ in range(args.runs):
            versions["bare"].append(whole_process(bare, env))
            versions["frozen"].append(whole_process([str(frozen), "--version"], env))
        version_s = statistics.median(versions["frozen"])
        bare_s = statistics.median(versions["bare"])
        print(f"\n[homeroom --version, whole processes, median of {args.runs}]")
        verdicts.check(
            "installed --version vs python -c pass",
            f"{version_s * 1000:.0f} ms = {version_s / bare_s:.2f} x bare ({bare_s * 1000:.0f} ms)",
            f"<= {TARGETS['version']}",
            version_s / bare_s <= TARGETS["version"],
        )
        shutil.rmtree(installed)
    print(f"\n{verdicts.met}/{verdicts.total} targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
