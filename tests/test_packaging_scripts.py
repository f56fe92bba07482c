"""The Windows and macOS packaging files, checked where this Linux machine can check them.

Inno Setup, PowerShell, hdiutil and GitHub's runners are not here, so these tests hold what the
files promise each other: the installer is per user, the version build.ps1 passes is the one the
script needs, every installer message exists in both languages, the uninstaller deletes the
folder the app really uses, the names the scripts produce are the names the workflows upload.
"""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from platformdirs import macos, unix, windows

from desktop import paths

ROOT = Path(__file__).resolve().parent.parent
WINDOWS = ROOT / "packaging" / "windows"
ISS = WINDOWS / "homeroom.iss"
BUILD_PS1 = WINDOWS / "build.ps1"
BUILD_DMG = ROOT / "packaging" / "macos" / "build-dmg.sh"
WORKFLOWS = ROOT / ".github" / "workflows"
GUID = r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}"


def iss_sections(text: str) -> dict[str, list[str]]:
    """The script's lines by section (``[Code]`` included), without comments and ISPP lines."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if re.fullmatch(r"\[\w+\]", stripped):
            current = sections.setdefault(stripped[1:-1], [])
        elif current is not None and stripped and not stripped.startswith((";", "#")):
            current.append(stripped)
    return sections


def setup_directives() -> dict[str, str]:
    return dict(line.split("=", 1) for line in iss_sections(ISS.read_text("utf-8"))["Setup"])


def isl_custom_messages(path: Path) -> set[str]:
    text = path.read_text("utf-8")
    lines = iss_sections(text).get("CustomMessages", [])
    return {line.split("=", 1)[0] for line in lines}


def test_the_installer_is_per_user_and_needs_no_administrator() -> None:
    setup = setup_directives()
    assert setup["PrivilegesRequired"] == "lowest"
    # No override: no installer run, silent or not, can switch to an administrative install.
    assert "PrivilegesRequiredOverridesAllowed" not in setup
    # Without elevation {autopf} is the user's own %LOCALAPPDATA%\Programs.
    assert setup["DefaultDirName"] == r"{autopf}\Homeroom"
    # An upgrade finds the installed copy by a fixed AppId (the leading {{ escapes a brace).
    assert re.fullmatch(r"\{\{" + GUID + r"\}", setup["AppId"])
    sections = iss_sections(ISS.read_text("utf-8"))
    for needed in ("Setup", "Languages", "CustomMessages", "Tasks", "Files", "Icons", "Code"):
        assert sections.get(needed), f"[{needed}] is missing or empty"
    assert any("{autoprograms}" in line for line in sections["Icons"])
    desktop = [line for line in sections["Icons"] if "{autodesktop}" in line]
    assert desktop and all("Tasks: desktopicon" in line for line in desktop)


def test_the_version_build_ps1_passes_is_the_one_the_script_needs() -> None:
    iss = ISS.read_text("utf-8")
    ps1 = BUILD_PS1.read_text("utf-8")
    passed = set(re.findall(r'"/D(\w+)=', ps1))
    defined = set(re.findall(r"^#define (\w+)", iss, re.MULTILINE))
    used = set(re.findall(r"\{#(\w+)\}", iss))
    assert used <= passed | defined, f"{used - passed - defined} are neither passed nor defined"
    assert passed <= used, f"build.ps1 passes {passed - used}, which the script never uses"
    # Without the version the compilation stops instead of making an unversioned installer.
    assert re.search(r"^#ifndef AppVersion\n\s*#error ", iss, re.MULTILINE)
    assert "AppVersion" not in defined

    # The file ISCC writes is the one build.ps1 then installs and the workflow uploads.
    produced = setup_directives()["OutputBaseFilename"].replace("{#AppVersion}", "1.2.3") + ".exe"
    expected = re.search(r'"(homeroom-\$version-[^"]+)"', ps1)
    assert expected is not None
    assert expected.group(1).replace("$version", "1.2.3") == produced
    assert setup_directives()["OutputDir"] == r"..\..\dist"
    assert fnmatch.fnmatch(f"dist/{produced}", upload_glob(WORKFLOWS / "windows.yml"))


def test_build_ps1_reads_the_app_id_of_the_script() -> None:
    pattern = re.search(r"-Pattern '([^']+)'", BUILD_PS1.read_text("utf-8"))
    assert pattern is not None
    found = re.search(pattern.group(1), ISS.read_text("utf-8"), re.MULTILINE)
    assert found is not None
    assert f"{{{{{found.group(1)}}}" == setup_directives()["AppId"]


def test_every_installer_message_exists_in_both_languages() -> None:
    sections = iss_sections(ISS.read_text("utf-8"))
    languages = {line.split('"')[1] for line in sections["Languages"]}
    assert languages == {"vietnamese", "english"}
    # Vietnamese comes first: without a language match Inno Setup starts on the first one.
    assert sections["Languages"][0].startswith('Name: "vietnamese"')
    ours: dict[str, set[str]] = {}
    for line in sections["CustomMessages"]:
        language, name = line.split("=", 1)[0].split(".")
        ours.setdefault(name, set()).add(language)
    assert all(spoken == languages for spoken in ours.values()), ours
    text = ISS.read_text("utf-8")
    used = set(re.findall(r"\{cm:(\w+)", text)) | set(re.findall(r"CustomMessage\('(\w+)'\)", text))
    # Inno Setup's standard ones come from the message files (Default.isl has them all).
    standard = isl_custom_messages(WINDOWS / "Vietnamese.isl")
    assert used <= set(ours) | standard, f"{used - set(ours) - standard} have no Vietnamese text"


def test_the_vietnamese_messages_file_suits_the_inno_setup_the_script_asks_for() -> None:
    iss = ISS.read_text("utf-8")
    isl = (WINDOWS / "Vietnamese.isl").read_text("utf-8")
    assert 'MessagesFile: "Vietnamese.isl"' in iss
    assert "Inno Setup version 6.5.0+ Vietnamese messages" in isl.splitlines()[0]
    assert "#if VER < EncodeVer(6, 5, 0)" in iss
    # Inno Setup 7 refuses any compiler directive in a messages file.
    assert not [line for line in isl.splitlines() if line.lstrip().startswith("#")]
    assert "LanguageName=Tiếng Việt" in isl
    assert "7d634620f1d1caca6c76e8398da7133153db9e7b" in (
        WINDOWS / "Vietnamese.isl.LICENSE.txt"
    ).read_text("utf-8")


def test_the_uninstaller_offers_to_delete_the_folder_the_app_uses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    local = r"C:\Users\teacher\AppData\Local"
    monkeypatch.setattr(
        windows, "get_win_folder", lambda csidl: {"CSIDL_LOCAL_APPDATA": local}[csidl]
    )
    folders = windows.Windows(appname=paths.APP_NAME, appauthor=False)
    data = folders.user_data_dir.replace("/", "\\")
    # Profile, logs (beside the profile) and settings: one folder on Windows.
    assert folders.user_config_dir.replace("/", "\\") == data
    code = "\n".join(iss_sections(ISS.read_text("utf-8"))["Code"])
    in_code = re.search(r"ExpandConstant\('\{localappdata\}(\\[^']+)'\)", code)
    assert in_code is not None
    assert local + in_code.group(1) == data
    # The question is asked only when the uninstall is not silent, before the files go.
    assert "if (not UninstallSilent) and DirExists(DataDir) then" in code


def test_the_readme_names_each_platform_s_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(variable, raising=False)
    # HOME for POSIX, USERPROFILE for Windows, where build.ps1 runs this suite too.
    for variable in ("HOME", "USERPROFILE"):
        monkeypatch.setenv(variable, "/home/teacher")
    monkeypatch.setattr(windows, "get_win_folder", lambda csidl: "%LOCALAPPDATA%")
    section = install_section()
    home = "/home/teacher"
    mac = macos.MacOS(appname=paths.APP_NAME, appauthor=False)
    linux = unix.Unix(appname=paths.APP_NAME, appauthor=False)
    win = windows.Windows(appname=paths.APP_NAME, appauthor=False)
    assert mac.user_config_dir == mac.user_data_dir
    for folder in (mac.user_data_dir, linux.user_data_dir, linux.user_config_dir):
        posix = folder.replace("\\", "/")
        assert f"`~{posix.removeprefix(home)}`" in section, folder
    assert f"`{win.user_data_dir.replace('/', chr(92))}`" in section
    for name in (paths.DATABASE_FILE, paths.SETTINGS_FILE, paths.LOG_FILE, paths.CRASH_FILE):
        assert f"`{name}`" in section
    assert r"`%LOCALAPPDATA%\Programs\Homeroom`" in section
    assert "have not been run on the project's Linux machines" in section
    assert "(packaging/README.md)" in section


def test_the_install_section_sits_after_start_and_keeps_its_two_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    headings = re.findall(r"^## (.+)$", readme, re.MULTILINE)
    at = headings.index("Install at a school")
    assert headings[at - 1] == "Start"
    assert headings[at + 1] == "The central server"
    first_block = re.search(r"```sh\n(.*?)```", readme, re.DOTALL)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["./scripts/homeroom", "./scripts/test"]


def test_the_tests_build_ps1_deselects_still_exist() -> None:
    ids = re.findall(r"'(tests/[\w/]+\.py)::(\w+)'", BUILD_PS1.read_text("utf-8"))
    assert ids
    for file, name in ids:
        source = (ROOT / file).read_text("utf-8")
        assert f"def {name}(" in source, f"{file}::{name} is gone: update build.ps1"
        assert "SIGKILL" in source


def test_the_dmg_is_the_file_the_macos_workflow_uploads() -> None:
    script = BUILD_DMG.read_text("utf-8")
    made = re.search(r'dmg="\$dist/(homeroom-\$version-macos-\$\(uname -m\)\.dmg)"', script)
    assert made is not None
    glob = upload_glob(WORKFLOWS / "macos.yml")
    for arch in ("arm64", "x86_64"):
        name = made.group(1).replace("$version", "1.2.3").replace("$(uname -m)", arch)
        assert fnmatch.fnmatch(f"dist/{name}", glob)
        assert f"homeroom-<version>-macos-{arch}.dmg" in install_section()
    assert "-format UDZO" in script and 'ln -s /Applications "$work/stage/Applications"' in script


def test_the_workflows_run_scripts_that_exist() -> None:
    windows_yml = (WORKFLOWS / "windows.yml").read_text("utf-8")
    macos_yml = (WORKFLOWS / "macos.yml").read_text("utf-8")
    assert "run: ./packaging/windows/build.ps1" in windows_yml and BUILD_PS1.is_file()
    assert "run: packaging/macos/build-dmg.sh" in macos_yml
    assert os.access(BUILD_DMG, os.X_OK), "build-dmg.sh is not executable"
    assert "runs-on: windows-latest" in windows_yml
    assert "macos-latest" in macos_yml


@pytest.mark.skipif(sys.platform == "win32", reason="a Windows checkout may turn LF into CRLF")
def test_the_dmg_script_parses() -> None:
    subprocess.run(["bash", "-n", str(BUILD_DMG)], check=True)


def test_the_workflows_are_valid_yaml() -> None:
    yaml = pytest.importorskip("yaml")
    for path in sorted(WORKFLOWS.glob("*.yml")):
        workflow = yaml.safe_load(path.read_text("utf-8"))
        # PyYAML reads the key `on` as True (YAML 1.1).
        assert True in workflow or "on" in workflow, path.name
        for job in workflow["jobs"].values():
            assert job["runs-on"] and job["timeout-minutes"] <= 60
            assert all(("uses" in step) != ("run" in step) for step in job["steps"]), path.name


def upload_glob(workflow: Path) -> str:
    found = re.findall(r"^\s+path: (\S+)$", workflow.read_text("utf-8"), re.MULTILINE)
    assert len(found) == 1, f"{workflow.name} should upload one file"
    return str(found[0])


def install_section() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    return readme.split("## Install at a school", 1)[1].split("\n## ", 1)[0]
