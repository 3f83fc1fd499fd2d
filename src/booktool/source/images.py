"""The images a book may carry: which types, and checks that each file is what it claims.

Raster files must start with their format's signature. SVG files are parsed with defusedxml,
which refuses DTDs, entity declarations and external references (no billion laughs, no reading
local files); a parsed SVG must not script, embed foreign content or refer outside itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import defusedxml.ElementTree
from defusedxml import DefusedXmlException

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_SVG_BYTES = 5 * 1024 * 1024
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
_SVG_FORBIDDEN = {"script", "foreignObject", "iframe", "object", "embed", "handler", "listener"}
_CSS_LOAD = re.compile(r"url\s*\(|@import", re.IGNORECASE)


@dataclass(frozen=True)
class ImageFault:
    """Why an image file cannot be carried."""

    message: str
    hint: str
    code: str


def media_type(path: str) -> str | None:
    """The media type of an image file booktool can carry in both editions."""
    return MEDIA_TYPES.get(Path(path).suffix.lower())


def svg_fault(data: bytes) -> str | None:
    """Why an SVG document is unsafe or unreadable, or None if it is a plain drawing."""
    if len(data) > MAX_SVG_BYTES:
        return f"it is over the {MAX_SVG_BYTES // 1048576} MiB limit for SVG"
    try:
        root = defusedxml.ElementTree.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        return f"it declares a DTD or entities, which booktool refuses ({type(exc).__name__})"
    except Exception as exc:  # ParseError and friends: the file is not XML
        return f"it is not well-formed XML ({exc})"
    if root.tag.rsplit("}", 1)[-1] != "svg":
        return "its root element is not <svg>"
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if name in _SVG_FORBIDDEN:
            return f"it contains <{name}>, which could run code or load content"
        if name == "style" and _CSS_LOAD.search(element.text or ""):
            return "its styles load other files (url() or @import)"
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                return f"it has an event handler ({local}), which could run code"
            if local == "href" and not value.strip().startswith(("#", "data:image/")):
                return f"it refers to '{value}' outside the image"
            if local == "style" and _CSS_LOAD.search(value):
                return "its styles load other files (url() or @import)"
    return None


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
