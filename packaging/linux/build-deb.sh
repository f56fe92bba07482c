#!/usr/bin/env bash
# Builds homeroom_<version>_<arch>.deb from the frozen one-folder app:
#   /opt/homeroom/            the bundle (dist/homeroom)
#   /usr/bin/homeroom         a symlink to /opt/homeroom/homeroom
#   /usr/share/applications/homeroom.desktop, the icon in /usr/share/icons/hicolor/*/apps/
# Depends lists the system libraries the bundle links to and does not carry (the spec leaves the
# desktop's own libraries out: Qt's X11, OpenGL, xkb and font libraries, GLib, CUPS, OpenSSL,
# glibc), found by dpkg-shlibdeps on every ELF file of the bundle with the versions their
# symbols need, so apt brings what a bare Debian 12 or Ubuntu 22.04 desktop lacks. The build
# machine must have those libraries installed (it maps each to its package): QT_XCB below.
#
#   packaging/linux/build-deb.sh [BUNDLE] [OUT]
# BUNDLE defaults to dist/homeroom (built by build-bundle.sh when absent), OUT to dist/.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bundle="$(realpath -m "${1:-$root/dist/homeroom}")"
out="$(realpath -m "${2:-$(dirname "$bundle")}")"
[ -x "$bundle/homeroom" ] || "$root/packaging/linux/build-bundle.sh" "$(dirname "$bundle")"

command -v dpkg-shlibdeps >/dev/null || {
    echo "build-deb: dpkg-shlibdeps is missing (apt-get install dpkg-dev)" >&2
    exit 1
}
# Qt's X11 plugin links to these; PyInstaller carries some of them (see the spec), and the rest
# must be on this machine for dpkg-shlibdeps to name their packages.
QT_XCB="libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0 libxkbcommon-x11-0"
missing=""
for package in $QT_XCB; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $package"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
        echo "build-deb: install these Debian packages first (as root):$missing" >&2
        exit 1
    fi
fi
version="$("$bundle/homeroom" --version | awk '{print $2}')"
arch="$(dpkg --print-architecture)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pkg="$work/pkg"

mkdir -p "$pkg/opt" "$pkg/usr/bin" "$pkg/usr/share/applications" "$pkg/usr/share/doc/homeroom"
cp -a "$bundle" "$pkg/opt/homeroom"
ln -s /opt/homeroom/homeroom "$pkg/usr/bin/homeroom"
install -m 644 "$root/packaging/linux/homeroom.desktop" "$pkg/usr/share/applications/"
for png in "$root"/resources/icons/homeroom-*.png; do
    size="${png##*-}"
    size="${size%.png}"
    install -D -m 644 "$png" "$pkg/usr/share/icons/hicolor/${size}x${size}/apps/homeroom.png"
done
install -D -m 644 "$root/resources/icons/homeroom.svg" \
    "$pkg/usr/share/icons/hicolor/scalable/apps/homeroom.svg"
cat >"$pkg/usr/share/doc/homeroom/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: homeroom

Files: *
License: GPL-3.0-or-later
 On Debian systems the full text is in /usr/share/common-licenses/GPL-3.

Files: opt/homeroom/_internal/homeroom_resources/fonts/*
License: OFL-1.1
 The texts are beside the fonts (LiberationSerif-OFL.txt, NotoSans-OFL.txt).
COPYRIGHT
# Whatever umask the checkout was made with, the installed tree is readable by every user.
chmod -R u+rwX,go+rX,go-w "$pkg"

# dpkg-shlibdeps wants a source package's layout; the bundle's own folders are private library
# paths (-l), so only what the bundle does not carry becomes a dependency.
mkdir -p "$work/debian"
echo "Source: homeroom" >"$work/debian/control"
mapfile -t elves < <(find "$pkg/opt/homeroom" -type f \( -name "*.so*" -o -perm -u+x \) \
    -exec sh -c 'head -c4 "$1" | grep -q "ELF" && echo "$1"' _ {} \;)
mapfile -t libdirs < <(printf '%s\n' "${elves[@]}" | xargs -n1 dirname | sort -u)
(cd "$work" && dpkg-shlibdeps -O --ignore-missing-info --warnings=0 \
    "${libdirs[@]/#/-l}" -e"${elves[@]}" 2>"$work/shlibdeps.err" >"$work/shlibs") || {
    cat "$work/shlibdeps.err" >&2
    exit 1
}
# Only glibc's version binds (symbol versions); the others keep their sonames, and Debian 12's
# minimum versions (libx11-xcb1 >= 1.8.4) would refuse Ubuntu 22.04 for nothing.
depends="$(sed -n 's/^shlibs:Depends=//p' "$work/shlibs" |
    sed -E 's/(^|, )(lib[^c][^ ,]*|libc[^6][^ ,]*|zlib1g) \([^)]*\)/\1\2/g')"
[ -n "$depends" ] || {
    echo "build-deb: no dependencies found" >&2
    exit 1
}

mkdir -p "$pkg/DEBIAN"
cat >"$pkg/DEBIAN/control" <<CONTROL
Package: homeroom
Version: $version
Architecture: $arch
Maintainer: Homeroom maintainers <homeroom@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
Depends: $depends
Section: education
Priority: optional
Homepage: https://github.com/homeroom
Description: Homeroom (Sổ Chủ Nhiệm): the homeroom teacher's class book
 Offline-first desktop app for Vietnamese homeroom teachers: attendance,
 leave requests, grades, printed forms and reports of the class, kept on the
 computer and synchronised with the school's server when there is a network.
 .
 Ứng dụng sổ chủ nhiệm cho giáo viên chủ nhiệm: điểm danh, đơn xin nghỉ,
 điểm số, biểu mẫu in và báo cáo của lớp, dùng được cả khi không có mạng.
CONTROL

mkdir -p "$out"
deb="$out/homeroom_${version}_${arch}.deb"
# xz makes the smallest download for a school's slow line; CI asks for zstd (DEB_COMPRESSION),
# a minute faster on two cores. Debian 12's and Ubuntu 22.04's dpkg read both.
dpkg-deb -Z"${DEB_COMPRESSION:-xz}" --root-owner-group --build "$pkg" "$deb" >/dev/null
echo "build-deb: $deb ($(du -h "$deb" | cut -f1)); Depends: $depends"
