"""The print edition's fonts as WOFF2 subsets for the web edition, kept between builds.

fontTools cuts each font to the characters of a fixed Latin set plus those the book uses, and
writes it as WOFF2 (Brotli). That costs about a second a font, so each subset is kept in the
user's cache folder by the hash of the font and of its characters: an edit that brings no new
character reuses it. The timestamps fontTools would refresh are kept, so the bytes are the same
for the same font and characters.
"""

from __future__ import annotations

import hashlib
import io

from booktool.cache import usercache

#: The print edition's font files (in the layout chain), as web.css names their subsets.
FONTS = (
    "fonts/LinLibertine_R.otf",
    "fonts/LinLibertine_RI.otf",
    "fonts/LinLibertine_RB.otf",
    "fonts/LinLibertine_RBI.otf",
    "fonts/LinBiolinum_R.otf",
    "fonts/LinBiolinum_RB.otf",
)
#: Characters every subset keeps, whatever the book uses: ASCII, Latin-1, Latin Extended-A
#: and the typographic punctuation booktool's smartening writes.
BASE_CHARACTERS = frozenset(
    [*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2010, 0x2027), 0x2032, 0x2033, 0x20AC]
)


def woff2_name(font: str) -> str:
    """Where the WOFF2 subset of ``font`` goes in the web edition (``fonts/X.woff2``)."""
    return font.rsplit(".", 1)[0] + ".woff2"


def subset_woff2(data: bytes, text: str) -> bytes:
    """``data`` (an OpenType font) cut to the base characters and those of ``text``, as WOFF2."""
    wanted = BASE_CHARACTERS | {ord(c) for c in text}
    key = hashlib.sha256(data).hexdigest()[:20]
    chars = hashlib.sha256(",".join(map(str, sorted(wanted))).encode()).hexdigest()[:20]
    cached = usercache.folder("webfonts")
    path = cached / f"{key}-{chars}.woff2" if cached is not None else None
    kept = usercache.read(path, b"wOF2")
    if kept is not None:
        return kept
    made = _subset(data, wanted)
    usercache.keep(path, made)
    return made


def _subset(data: bytes, wanted: frozenset[int]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(wanted & set(font.getBestCmap())))
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out, reorderTables=True)
    return out.getvalue()
