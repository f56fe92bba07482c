"""Renders the application icon ``resources/icons/homeroom.svg`` to the files the installers use:
``homeroom-<size>.png`` (the window, the Linux menus), ``homeroom.ico`` (Windows) and
``homeroom.icns`` (macOS), all beside the SVG.

Run after editing the SVG, and commit what it writes:
``QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/icons/make-icons.py``.

Qt renders the SVG (QtSvg is in pyside6-essentials); the two container formats are written here,
since each is a short header around PNG or bitmap images and a new dependency would outweigh them.
The output depends only on the SVG and Qt's renderer, so a rerun changes no file.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[2] / "resources" / "icons"
SOURCE = ICONS / "homeroom.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# Apple's element types, each with the pixel size of its PNG (the @2x ones reuse a larger one).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("Qt cannot write PNG")
    buffer.close()
    return bytes(data.data())


def dib_bytes(image: QImage) -> bytes:
    """An icon's classic bitmap: BGRA rows bottom-up, then an all-clear AND mask (the alpha
    channel does the masking). Small sizes use it, since some Windows tools read no PNG there."""
    size = image.width()
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    argb = image.convertToFormat(QImage.Format.Format_ARGB32)
    stride = size * 4
    raw = bytes(argb.constBits())
    # Format_ARGB32 is stored as BGRA bytes on little-endian machines: the DIB's own order.
    rows = b"".join(
        raw[y * argb.bytesPerLine() : y * argb.bytesPerLine() + stride]
        for y in reversed(range(size))
    )
    mask_stride = ((size + 31) // 32) * 4
    return header + rows + bytes(mask_stride * size)


def ico(images: dict[int, QImage]) -> bytes:
    entries = [
        (size, png_bytes(images[size]) if size >= 256 else dib_bytes(images[size]))
        for size in ICO_SIZES
    ]
    out = struct.pack("<HHH", 0, 1, len(entries))
    offset = 6 + 16 * len(entries)
    for size, data in entries:
        side = size % 256  # 0 stands for 256
        out += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return out + b"".join(data for _, data in entries)


def icns(images: dict[int, QImage]) -> bytes:
    body = b""
    for kind, size in ICNS_TYPES:
        data = png_bytes(images[size])
        body += kind + struct.pack(">I", 8 + len(data)) + data
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"make-icons: {SOURCE} is not a valid SVG", file=sys.stderr)
        return 1
    sizes = sorted({*PNG_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)})
    images = {size: render(renderer, size) for size in sizes}
    for size in PNG_SIZES:
        (ICONS / f"homeroom-{size}.png").write_bytes(png_bytes(images[size]))
    (ICONS / "homeroom.ico").write_bytes(ico(images))
    (ICONS / "homeroom.icns").write_bytes(icns(images))
    print(f"make-icons: wrote {len(PNG_SIZES)} PNGs, homeroom.ico and homeroom.icns in {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
