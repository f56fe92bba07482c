"""Encrypts a plain profile under an app password and stops at a named step, for the kill test:
prints each finished step, then at ``stop`` waits on its stdin until the test kills it."""

from __future__ import annotations

import sys
from pathlib import Path

from desktop.models import profile_key
from desktop.models.encryption import encrypt_profile


def main(path: Path, password: str, stop: str) -> None:
    def on_step(name: str) -> None:
        print(name, flush=True)
        if name == stop:
            sys.stdin.read()  # the test never writes: killed here

    key = profile_key.keep_under_password(path, password)
    print("sidecar", flush=True)
    if stop == "sidecar":
        sys.stdin.read()
    encrypt_profile(path, key, on_step=on_step)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], sys.argv[3])
