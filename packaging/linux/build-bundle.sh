#!/usr/bin/env bash
# Builds the one-folder frozen app dist/homeroom/ from this checkout, in a clean virtual
# environment: the wheel is built from the files git sees (as scripts/check-wheel does),
# installed with PyInstaller in a fresh venv, and packaging/homeroom.spec run there, so nothing
# from .venv (the test and development tools) or a stale build/ folder reaches the bundle.
#
#   packaging/linux/build-bundle.sh [DIST]     (DIST defaults to dist/ in the checkout)
#
# Then checks the frozen app itself: --version, Vietnamese --help, a demo profile and its leave
# list in a temporary data folder, and --self-test (the window opened offscreen among its checks).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dist="$(realpath -m "${1:-$root/dist}")"
PYINSTALLER="pyinstaller>=6.16,<7"
PYTHON="${PYTHON:-python3}"

# pip warns about every index location this machine's configuration lists but lacks.
pip_quiet() { "$@" 2> >(grep -v "is ignored" >&2); }
phase() { echo "build-bundle: $* ($(date +%T))"; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

phase "wheel from the checkout"
mkdir "$work/src"
(cd "$root" && git ls-files -z --cached --others --exclude-standard |
    tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$work/src"
"$PYTHON" -m venv "$work/venv"
pip_quiet "$work/venv/bin/python" -m pip wheel -q --no-deps -w "$work/wheel" "$work/src"

phase "clean environment: the wheel and PyInstaller"
pip_quiet "$work/venv/bin/python" -m pip install -q "$work"/wheel/homeroom-*.whl "$PYINSTALLER"

phase "PyInstaller"
# Run away from the checkout, so the analysis imports the installed wheel and nothing else.
(cd "$work" && "$work/venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath "$work/dist" --workpath "$work/build" "$work/src/packaging/homeroom.spec")
rm -rf "$dist/homeroom"
mkdir -p "$dist"
mv "$work/dist/homeroom" "$dist/homeroom"

phase "checking the frozen app"
app="$dist/homeroom/homeroom"
fail() {
    echo "build-bundle: $*" >&2
    exit 1
}
unset HOMEROOM_DATA_DIR HOMEROOM_CONFIG_DIR HOMEROOM_LANG HOMEROOM_TODAY PYTHONPATH
export HOME="$work/home"
mkdir -p "$HOME"
want="homeroom $("$work/venv/bin/python" -c 'import desktop; print(desktop.__version__)')"
[ "$("$app" --version)" = "$want" ] || fail "--version does not say $want"
# Each answer is read whole before it is searched: grep -q stopping early would break the pipe.
help="$("$app" --help)"
grep -q "cách dùng" <<<"$help" || fail "--help is not in Vietnamese"
made="$("$app" --data-dir "$work/profile" init --demo)"
grep -q "Đã tạo hồ sơ" <<<"$made" || fail "init --demo did not make the demo profile"
listed="$("$app" --data-dir "$work/profile" leave list)"
grep -q "Học sinh" <<<"$listed" || fail "the demo profile's leave requests cannot be listed"
# The self-test: a demo profile of its own, the window opened and closed offscreen, a form
# printed and read back, the keyring or its encrypted fallback.
QT_QPA_PLATFORM=offscreen "$app" --self-test || fail "the frozen self-test failed"
echo "build-bundle: $dist/homeroom ($(du -sh "$dist/homeroom" | cut -f1)) works"
