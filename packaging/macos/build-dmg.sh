#!/usr/bin/env bash
# Builds Homeroom's macOS disk image from this checkout and proves it:
#
#   packaging/macos/build-dmg.sh [DIST]     (DIST defaults to dist/ in the checkout)
#
# 1. the wheel, from a copy of the files git sees (a stale build/ folder cannot slip in);
# 2. a fresh virtual environment with only that wheel and PyInstaller, where
#    packaging/homeroom.spec makes Homeroom.app (for this Mac's own architecture);
# 3. DIST/homeroom-VERSION-macos-ARCH.dmg: the app beside a link to /Applications, compressed
#    (UDZO) on an HFS+ volume that every supported macOS reads;
# 4. the proof: the image verified and mounted read-only, the app copied out of it as a teacher
#    drags it, its signature checked, and that copy's --version and --self-test run.
#
# The app is signed ad hoc only (PyInstaller does it; Apple silicon runs nothing unsigned): no
# Developer ID, no notarization, so Gatekeeper asks the first time it opens: README.md,
# "Install at a school", says what to do. Written against the documentation of hdiutil, ditto,
# codesign and PyInstaller; it has not been run on the project's Linux machines.
set -euo pipefail
if [ "$(uname -s)" != Darwin ]; then
    echo "build-dmg: this script runs on macOS (hdiutil, ditto, codesign)" >&2
    exit 1
fi
root="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "${1:-$root/dist}"
dist="$(cd "${1:-$root/dist}" && pwd)"
PYINSTALLER="pyinstaller>=6.16,<7"
PYTHON="${PYTHON:-python3}"

phase() { echo "build-dmg: $* ($(date +%T))"; }
fail() {
    echo "build-dmg: $*" >&2
    exit 1
}

work="$(mktemp -d "${TMPDIR:-/tmp}/homeroom-dmg.XXXXXX")"
volume="$work/volume"
attached=""
cleanup() {
    if [ -n "$attached" ]; then
        hdiutil detach "$volume" -quiet || hdiutil detach "$volume" -force -quiet || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

phase "wheel from the checkout"
"$PYTHON" - "$root" "$work/src" <<'EOF'
import shutil
import subprocess
import sys
from pathlib import Path

root, target = Path(sys.argv[1]), Path(sys.argv[2])
listed = subprocess.run(
    ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    check=True,
    capture_output=True,
).stdout.decode()
for name in filter(None, listed.split("\0")):
    # A tracked file deleted in the work tree is not part of this build.
    if (root / name).is_file():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target / name)
EOF
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --upgrade pip
"$work/venv/bin/python" -m pip wheel -q --no-deps -w "$work/wheel" "$work/src"

phase "clean environment: the wheel and PyInstaller"
"$work/venv/bin/python" -m pip install -q "$work"/wheel/homeroom-*.whl "$PYINSTALLER"
# Away from the checkout, so that only the installed wheel answers (here and in PyInstaller).
cd "$work"
version="$("$work/venv/bin/python" -c 'from importlib.metadata import version; print(version("homeroom"))')"

phase "PyInstaller (homeroom $version)"
"$work/venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath "$work/dist" --workpath "$work/build" "$work/src/packaging/homeroom.spec"
[ -d "$work/dist/Homeroom.app" ] || fail "PyInstaller made no Homeroom.app"

phase "disk image"
mkdir "$work/stage"
# ditto keeps the bundle's symbolic links, permissions and extended attributes (its signature).
ditto "$work/dist/Homeroom.app" "$work/stage/Homeroom.app"
ln -s /Applications "$work/stage/Applications"
dmg="$dist/homeroom-$version-macos-$(uname -m).dmg"
# hdiutil create now and then fails with "Resource busy" on hosted runners; a retry succeeds.
for attempt in 1 2 3; do
    if hdiutil create -volname "Homeroom $version" -srcfolder "$work/stage" -fs HFS+ \
        -format UDZO -ov "$dmg"; then
        break
    fi
    [ "$attempt" -lt 3 ] || fail "hdiutil could not create $dmg"
    sleep 5
done
hdiutil verify "$dmg"

phase "installing from the image, as a teacher would"
mkdir "$volume"
hdiutil attach -nobrowse -readonly -noautoopen -mountpoint "$volume" "$dmg" >/dev/null
attached=1
[ -L "$volume/Applications" ] || fail "the image has no link to /Applications"
[ -d "$volume/Homeroom.app" ] || fail "the image has no Homeroom.app"
mkdir "$work/Applications"
installed="$work/Applications/Homeroom.app"
ditto "$volume/Homeroom.app" "$installed"
hdiutil detach "$volume" -quiet
attached=""
codesign --verify --deep --strict "$installed" || fail "Homeroom.app's signature does not verify"

phase "self-test of the installed app"
unset HOMEROOM_DATA_DIR HOMEROOM_CONFIG_DIR HOMEROOM_LANG HOMEROOM_TODAY PYTHONPATH
executable="$(/usr/libexec/PlistBuddy -c "Print :CFBundleExecutable" "$installed/Contents/Info.plist")"
app="$installed/Contents/MacOS/$executable"
said="$("$app" --version)"
[ "$said" = "homeroom $version" ] || fail "the installed app says '$said', not 'homeroom $version'"
"$app" --self-test || fail "the installed app's self-test failed"

shasum -a 256 "$dmg"
phase "$dmg installs and passes its self-test"
