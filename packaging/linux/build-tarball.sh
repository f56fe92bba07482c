#!/usr/bin/env bash
# Builds homeroom-<version>-linux-<arch>.tar.gz, the one-folder app for a PC without
# administrator rights: unpack it anywhere and run ./install-user.sh (or homeroom/homeroom
# directly). The PC needs the desktop libraries the .deb depends on; a Debian 12 or Ubuntu
# desktop has them (the xcb helpers a desktop may lack are in the bundle).
#
#   packaging/linux/build-tarball.sh [BUNDLE] [OUT]     (defaults: dist/homeroom, dist/)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bundle="$(realpath -m "${1:-$root/dist/homeroom}")"
out="$(realpath -m "${2:-$(dirname "$bundle")}")"
[ -x "$bundle/homeroom" ] || "$root/packaging/linux/build-bundle.sh" "$(dirname "$bundle")"

version="$("$bundle/homeroom" --version | awk '{print $2}')"
name="homeroom-$version-linux-$(uname -m)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/$name/icons"
cp -a "$bundle" "$work/$name/homeroom"
cp "$root"/resources/icons/homeroom-*.png "$root/resources/icons/homeroom.svg" "$work/$name/icons/"
cp "$root/packaging/linux/homeroom.desktop" "$work/$name/"
install -m 755 "$root/packaging/linux/install-user.sh" "$work/$name/"
mkdir -p "$out"
tar -C "$work" --owner=0 --group=0 -czf "$out/$name.tar.gz" "$name"
echo "build-tarball: $out/$name.tar.gz ($(du -h "$out/$name.tar.gz" | cut -f1))"
