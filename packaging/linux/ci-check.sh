#!/usr/bin/env bash
# CI's check of the Linux installer (run by .ci/run, as root): builds the frozen bundle and the
# .deb from this checkout, makes a clean Debian 12 root with debootstrap from Debian's packages,
# installs the .deb there with apt (so its Depends are resolved by Debian, not by this machine),
# and runs the installed app as a non-root user: --version, --help, the window, --self-test, and
# a demo profile in the teacher's own data folder with its leave list. Every phase is timed; every mount is undone on
# exit, failure included.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
[ "$(id -u)" = 0 ] || {
    echo "ci-check: run as root (debootstrap, chroot, mount)" >&2
    exit 1
}

work="$(mktemp -d /var/tmp/homeroom-ci.XXXXXX)"
target="$work/root"
# debootstrap's downloads are kept between runs on the same machine; a fresh one fetches them.
cache=/var/cache/homeroom-ci/debootstrap
mounted=()

cleanup() {
    local status=$? point
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        point="${mounted[i]}"
        umount "$point" 2>/dev/null || umount -l "$point" || true
    done
    # Never delete through a mount that is still there (a bound /dev would go with it).
    if grep -q " $work/" /proc/mounts; then
        echo "ci-check: $work still has mounts; left in place" >&2
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT

began=$(date +%s)
last=$began
phase_name=""
phase() {
    local now
    now=$(date +%s)
    [ -z "$phase_name" ] || echo "ci-check: $phase_name took $((now - last)) s"
    phase_name="$1"
    last=$now
    [ -z "$phase_name" ] || echo "ci-check: $phase_name..."
}
fail() {
    echo "ci-check: FAILED: $*" >&2
    exit 1
}

phase "bundle (wheel, clean venv, PyInstaller, frozen checks)"
"$root/packaging/linux/build-bundle.sh" "$work/dist"

phase ".deb"
DEB_COMPRESSION=zstd "$root/packaging/linux/build-deb.sh" "$work/dist/homeroom" "$work/dist"
deb="$(ls "$work"/dist/homeroom_*.deb)"

phase "clean Debian 12 root (debootstrap minbase)"
if ! command -v debootstrap >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi
# The mirror this machine's apt uses for bookworm (deb822 or one-line sources), else Debian's.
mirror="$(grep -h -A3 "^URIs:" /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '/^URIs:/ {uri=$2} /^Suites:.*bookworm( |$)/ {print uri; exit}')"
[ -n "$mirror" ] || mirror="$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' \
    /etc/apt/sources.list 2>/dev/null || true)"
mirror="${mirror:-http://deb.debian.org/debian}"
mkdir -p "$cache"
debootstrap --variant=minbase --cache-dir="$cache" bookworm "$target" "$mirror" \
    >"$work/debootstrap.log" 2>&1 || fail "debootstrap: $(tail -5 "$work/debootstrap.log")"

mount -t proc proc "$target/proc"
mounted+=("$target/proc")
mount --bind /dev "$target/dev"
mounted+=("$target/dev")
mount --bind /dev/pts "$target/dev/pts"
mounted+=("$target/dev/pts")
mount -t tmpfs -o mode=1777 shm "$target/dev/shm"
mounted+=("$target/dev/shm")

phase "apt-get install ./$(basename "$deb") in the clean root"
cp "$deb" "$target/tmp/"
in_root() { chroot "$target" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
in_root apt-get update -qq >"$work/apt.log" 2>&1 || fail "apt-get update: $(tail -5 "$work/apt.log")"
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "/tmp/$(basename "$deb")" >>"$work/apt.log" 2>&1 ||
    fail "apt-get install: $(tail -15 "$work/apt.log")"

phase "the installed app, as a teacher (non-root)"
in_root useradd --create-home --shell /bin/bash teacher
as_teacher() {
    chroot --userspec=teacher:teacher "$target" env -i HOME=/home/teacher \
        PATH=/usr/bin:/bin LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen "$@"
}
# Every library of the bundle resolves in the clean root: what the .deb does not carry, its
# Depends brought.
unresolved="$(in_root sh -c 'find /opt/homeroom -type f -name "*.so*" -exec ldd {} \; 2>/dev/null' |
    grep "not found" | sort -u || true)"
[ -z "$unresolved" ] || fail "libraries missing in the clean root:"$'\n'"$unresolved"

want="homeroom $(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$root/desktop/__init__.py")"
got="$(as_teacher homeroom --version)"
[ "$got" = "$want" ] || fail "homeroom --version said '$got', not '$want'"
echo "ci-check: $got"
help="$(as_teacher homeroom --help)"
grep -q "cách dùng" <<<"$help" || fail "homeroom --help is not in Vietnamese"
# The window on the teacher's (new) profile, offscreen: shown when Qt logs its first flush.
as_teacher QT_LOGGING_RULES=qt.widgets.painting=true sh -c '
    homeroom 2>/tmp/window.log & app=$!
    for _ in $(seq 600); do
        grep -q "Flushing top level" /tmp/window.log && break
        kill -0 $app 2>/dev/null || break
        sleep 0.1
    done
    kill $app 2>/dev/null
    grep -q "Flushing top level" /tmp/window.log' ||
    fail "the window was not shown: $(grep -v qt.widgets "$target/tmp/window.log" | tail -5)"
echo "ci-check: the window opens (offscreen)"
as_teacher homeroom --self-test || fail "homeroom --self-test failed in the clean root"
made="$(as_teacher homeroom init --demo)"
grep -q "Đã tạo hồ sơ" <<<"$made" || fail "init --demo did not make the demo profile"
listed="$(as_teacher homeroom leave list)"
grep -q "Học sinh" <<<"$listed" || fail "the demo profile's leave requests cannot be listed"

phase ""
echo "ci-check: PASS: $(basename "$deb") ($(du -h "$deb" | cut -f1)) installs on a clean" \
    "Debian 12 root and runs as a non-root user; whole step $(($(date +%s) - began)) s"
