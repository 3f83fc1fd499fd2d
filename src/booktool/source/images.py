"""The images a book may carry: which types, and checks that each file is what it claims.

Raster files must start with their format's signature. SVG files are parsed with defusedxml,
which refuses DTDs, entity declarations and external references (no billion laughs, no reading
local files), and must pass the allow-list of :mod:`booktool.source.svgsafe`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from booktool.source.svgsafe import svg_fault

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}
_SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}


@dataclass(frozen=True)
class ImageFault:
    """Why an image file cannot be carried."""

    message: str
    hint: str
    code: str


def media_type(path: str) -> str | None:
    """The media type of an image file booktool can carry in both editions."""
    return MEDIA_TYPES.get(Path(path).suffix.lower())


def image_fault(path: Path) -> ImageFault | None:
    """Why the image file at ``path`` cannot be carried, or None if it can."""
    kind = media_type(path.name)
    if kind is None:
        return ImageFault("is not PNG, JPEG, GIF, SVG or WebP", "convert it", "image-type")
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        return ImageFault(
            f"is {size // 1048576} MiB, over the {MAX_IMAGE_BYTES // 1048576} MiB limit",
            "make it smaller",
            "file-too-large",
        )
    data = path.read_bytes()
    if kind == "image/svg+xml":
        reason = svg_fault(data)
        if reason:
            return ImageFault(
                f"is refused: {reason}", "use a plain SVG drawing, or a PNG", "unsafe-svg"
            )
        return None
    valid = (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
        if kind == "image/webp"
        else data.startswith(_SIGNATURES[kind])
    )
    if not valid:
        return ImageFault(
            f"is not a valid {kind.removeprefix('image/').upper()} file",
            "export the image again",
            "image-corrupt",
        )
    return None
