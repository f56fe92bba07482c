#!/bin/sh
# Installs Homeroom for this user only, without administrator rights (from the unpacked
# per-user tarball): the app in ~/.local/opt/homeroom, the command ~/.local/bin/homeroom, the
# menu entry and its icon under ~/.local/share. `./install-user.sh --remove` takes them away
# again; the teacher's data (in ~/.local/share/homeroom) stays either way.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
app="$HOME/.local/opt/homeroom"
bin="$HOME/.local/bin"

rm -rf "$app" "$bin/homeroom" "$data/applications/homeroom.desktop"
rm -f "$data"/icons/hicolor/*/apps/homeroom.png "$data/icons/hicolor/scalable/apps/homeroom.svg"
if [ "${1:-}" = "--remove" ]; then
    echo "Đã gỡ Homeroom (dữ liệu của lớp vẫn được giữ). Homeroom removed (the class's data is kept)."
    exit 0
fi

mkdir -p "$HOME/.local/opt" "$bin" "$data/applications"
cp -a "$here/homeroom" "$app"
ln -s "$app/homeroom" "$bin/homeroom"
for png in "$here"/icons/homeroom-*.png; do
    size="${png##*-}"
    size="${size%.png}"
    mkdir -p "$data/icons/hicolor/${size}x${size}/apps"
    cp "$png" "$data/icons/hicolor/${size}x${size}/apps/homeroom.png"
done
mkdir -p "$data/icons/hicolor/scalable/apps"
cp "$here/icons/homeroom.svg" "$data/icons/hicolor/scalable/apps/homeroom.svg"
# The menu starts the app by its full path: ~/.local/bin may not be on a session's PATH.
sed "s|^Exec=homeroom|Exec=$app/homeroom|" "$here/homeroom.desktop" \
    >"$data/applications/homeroom.desktop"
echo "Đã cài Homeroom vào $app. Homeroom is installed in $app."
