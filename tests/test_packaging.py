"""What a desktop install carries: the wheel built from this checkout ships neither the test
infrastructure nor (unless asked for) the production server's PostgreSQL driver, and the desktop,
its demo included, imports nothing from the server extra."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVER_EXTRA = ("psycopg", "psycopg_binary", "psycopg2", "asyncpg")
TEST_ONLY = ("server/link_emulator.py", "server/testing.py")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """The wheel pip builds from the files git sees (as ``scripts/check-wheel`` does), so no
    stale build folder can add or hide a module."""
    work = tmp_path_factory.mktemp("wheel")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        cwd=ROOT,
        check=True,
    ).stdout
    source = work / "src"
    for name in filter(None, listed.decode("utf-8").split("\0")):
        if (ROOT / name).is_file():  # a file deleted but not yet committed is still listed
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work), str(source)],
        capture_output=True,
        check=True,
        timeout=600,
    )
    (built,) = work.glob("homeroom-*.whl")
    return zipfile.ZipFile(built)


@pytest.mark.timeout(600)
def test_the_wheel_ships_no_test_infrastructure(wheel: zipfile.ZipFile) -> None:
    """The link emulator and the test server stay in the checkout; the demo's server ships."""
    names = set(wheel.namelist())
    assert {"desktop/cli/main.py", "server/serving.py", "server/app.py"} <= names
    assert not names & set(TEST_ONLY)
    assert not [name for name in names if name.startswith("tests/")]


@pytest.mark.timeout(600)
def test_the_postgresql_driver_is_an_extra(wheel: zipfile.ZipFile) -> None:
    """``pip install homeroom`` brings no PostgreSQL driver; ``homeroom[server]`` does."""
    (metadata_name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    metadata = Parser().parsestr(wheel.read(metadata_name).decode("utf-8"))
    requirements = metadata.get_all("Requires-Dist") or []
    unconditional = [r for r in requirements if "extra ==" not in r]
    assert "server" in (metadata.get_all("Provides-Extra") or [])
    assert [r for r in requirements if r.startswith("psycopg")] == [
        'psycopg[binary]>=3.1; extra == "server"'
    ]
    assert not [r for r in unconditional if r.startswith(SERVER_EXTRA)]
    # The demo profile runs the reference server inside the desktop app.
    assert any(r.startswith("fastapi") for r in unconditional)
    assert any(r.startswith("uvicorn") for r in unconditional)


# Imports every module of the desktop, then runs the demo end to end (its local server seeded,
# the demo teacher signed in, one sync into the profile), then lists what was imported.
IMPORT_ALL_AND_RUN_THE_DEMO = """
import importlib, json, sys
from pathlib import Path

root, profile, listing = (Path(arg) for arg in sys.argv[1:4])
for path in sorted((root / "desktop").rglob("*.py")):
    if "migrations" in path.parts:
        continue
    name = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
    importlib.import_module(name)

from desktop.cli.main import main

code = main(["--data-dir", str(profile), "demo", "--no-window", "--duration", "0",
             "--interval", "0"])
listing.write_text(json.dumps({"code": code, "modules": sorted(sys.modules)}), encoding="utf-8")
"""


@pytest.mark.timeout(600)
def test_the_desktop_and_its_demo_import_nothing_from_the_server_extra(tmp_path: Path) -> None:
    """Every desktop module, the demo's local server and a demo profile's first sync run
    without the PostgreSQL driver (installed in this checkout, so an import would show)."""
    assert importlib.util.find_spec("psycopg"), "scripts/setup installs .[dev,server]"
    listing = tmp_path / "modules.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("HOMEROOM_LANG", None)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            IMPORT_ALL_AND_RUN_THE_DEMO,
            str(ROOT),
            str(tmp_path / "profile"),
            str(listing),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=540,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "Đã đồng bộ" in result.stdout, result.stdout
    found = json.loads(listing.read_text(encoding="utf-8"))
    assert found["code"] == 0
    modules = found["modules"]
    assert "desktop.demo.local_server" in modules and "server.serving" in modules
    assert [m for m in modules if m.split(".")[0] in SERVER_EXTRA] == []
    assert [m for m in modules if m.startswith("tests")] == []


def test_a_server_without_its_extra_says_what_to_install() -> None:
    """On a desktop install (no psycopg), a PostgreSQL address gets the teacher's language and
    the extra to install, not Python's ModuleNotFoundError."""
    probe = (
        "import sys\n"
        "sys.modules['psycopg'] = None  # as on a desktop install: the driver is absent\n"
        "from desktop.errors import HomeroomError\n"
        "from server.store import open_store\n"
        "try:\n"
        "    open_store('postgresql+psycopg://teacher@localhost/homeroom')\n"
        "except HomeroomError as error:\n"
        "    print(error.message)\n"
    )
    env = {**os.environ, "HOMEROOM_LANG": "vi"}
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert "homeroom[server]" in shown and "trình điều khiển" in shown
