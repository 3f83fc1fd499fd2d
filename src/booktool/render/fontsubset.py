"""A font subset made as WeasyPrint makes it, with HarfBuzz's subsetter, outside WeasyPrint.

The PDF's parts are written apart, so each embeds its own subset of every font: the glyphs
of its pages. Joined, the book would carry every font once per part. WeasyPrint subsets
keeping glyph ids (``RETAIN_GIDS``), so the parts' text draws the same glyph ids whatever
subset holds them, and the join can embed one subset of all the parts' glyphs instead
(:func:`booktool.render.join.join_fonts`): the subset one render of the whole book would embed.

:func:`subset_font` repeats ``weasyprint.pdf.fonts.Font._harfbuzz_subset`` (WeasyPrint 70,
which ``pyproject.toml`` pins) through ctypes, so that the build process need not load
WeasyPrint: the used glyphs with their ids kept, then the empty glyphs after the last one
dropped, the same tables dropped and the same flags. A test checks that the bytes are those
WeasyPrint embeds.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Iterable

NO_HINTING = 0x01
RETAIN_GIDS = 0x02
DESUBROUTINIZE = 0x04
PASSTHROUGH_UNRECOGNIZED = 0x20
#: ``HB_SUBSET_SETS_UNICODE``, ``HB_SUBSET_SETS_DROP_TABLE_TAG``, ``HB_SUBSET_SETS_NAME_ID``.
UNICODE = 1
DROP_TABLE_TAG = 3
NAME_ID = 4
#: The name records a cut font keeps: the names, copyright, version, and the licence (13, 14),
#: which the SIL Open Font License asks to travel with the font.
KEPT_NAME_IDS = range(15)
#: The tables WeasyPrint drops besides HarfBuzz's own list.
DROPPED_TABLES = (
    b"BASE",
    b"DSIG",
    b"EBDT",
    b"EBLC",
    b"EBSC",
    b"GPOS",
    b"GSUB",
    b"JSTF",
    b"LTSH",
    b"PCLT",
    b"SVG ",
)
#: ``HB_MEMORY_MODE_READONLY``: HarfBuzz reads the bytes where they are.
READONLY = 1


@functools.cache
def _libraries() -> tuple[ctypes.CDLL, ctypes.CDLL] | None:
    """HarfBuzz and its subsetter, with the signatures used here; None if either is missing."""
    try:
        hb = ctypes.CDLL("libharfbuzz.so.0")
        hb_subset = ctypes.CDLL("libharfbuzz-subset.so.0")
    except OSError:
        return None
    pointer, uint = ctypes.c_void_p, ctypes.c_uint
    signatures = {
        (hb, "hb_blob_create"): ([ctypes.c_char_p, uint, ctypes.c_int, pointer, pointer], pointer),
        (hb, "hb_blob_get_data"): ([pointer, ctypes.POINTER(uint)], ctypes.c_void_p),
        (hb, "hb_blob_destroy"): ([pointer], None),
        (hb, "hb_face_create"): ([pointer, uint], pointer),
        (hb, "hb_face_reference_blob"): ([pointer], pointer),
        (hb, "hb_face_destroy"): ([pointer], None),
        (hb, "hb_set_add"): ([pointer, uint], None),
        (hb, "hb_tag_from_string"): ([ctypes.c_char_p, ctypes.c_int], ctypes.c_uint32),
        (hb, "hb_version_atleast"): ([uint, uint, uint], ctypes.c_int),
        (hb_subset, "hb_subset_input_create_or_fail"): ([], pointer),
        (hb_subset, "hb_subset_input_destroy"): ([pointer], None),
        (hb_subset, "hb_subset_input_glyph_set"): ([pointer], pointer),
        (hb_subset, "hb_subset_input_set"): ([pointer, ctypes.c_int], pointer),
        (hb_subset, "hb_subset_input_set_flags"): ([pointer, uint], None),
        (hb_subset, "hb_subset_or_fail"): ([pointer, pointer], pointer),
    }
    try:
        for (library, name), (arguments, result) in signatures.items():
            function = getattr(library, name)
            function.argtypes, function.restype = arguments, result
    except AttributeError:
        return None
    if not hb.hb_version_atleast(4, 1, 0):  # as WeasyPrint asks of HarfBuzz's subsetter
        return None
    return hb, hb_subset


def available() -> bool:
    """Whether HarfBuzz's subsetter can be used (WeasyPrint uses it where it is)."""
    return _libraries() is not None


def subset_font(data: bytes, index: int, glyphs: Iterable[int], *, hinting: bool) -> bytes | None:
    """Face ``index`` of the font file ``data`` cut to ``glyphs`` (their ids kept), as
    WeasyPrint embeds it; None if HarfBuzz is missing or cannot subset it."""
    libraries = _libraries()
    wanted = sorted(set(glyphs))
    if libraries is None or not wanted:
        return None
    hb, hb_subset = libraries
    blob = hb.hb_blob_create(data, len(data), READONLY, None, None)
    face = hb.hb_face_create(blob, index)
    request = hb_subset.hb_subset_input_create_or_fail()
    faces = [face]
    try:
        if not request:
            return None
        glyph_set = hb_subset.hb_subset_input_glyph_set(request)
        for glyph in wanted:
            hb.hb_set_add(glyph_set, glyph)
        hb_subset.hb_subset_input_set_flags(
            request, RETAIN_GIDS | PASSTHROUGH_UNRECOGNIZED | DESUBROUTINIZE
        )
        dropped = hb_subset.hb_subset_input_set(request, DROP_TABLE_TAG)
        for tag in DROPPED_TABLES:
            hb.hb_set_add(dropped, hb.hb_tag_from_string(tag, -1))
        first = hb_subset.hb_subset_or_fail(face, request)
        if not first:
            return None
        faces.append(first)
        # Then the empty glyphs after the last one used dropped, as WeasyPrint does.
        for glyph in range(wanted[-1] + 1):
            hb.hb_set_add(glyph_set, glyph)
        flags = PASSTHROUGH_UNRECOGNIZED | DESUBROUTINIZE | (0 if hinting else NO_HINTING)
        hb_subset.hb_subset_input_set_flags(request, flags)
        second = hb_subset.hb_subset_or_fail(first, request)
        if not second:
            return None
        faces.append(second)
        return _face_bytes(hb, second)
    finally:
        if request:
            hb_subset.hb_subset_input_destroy(request)
        for made in faces:
            hb.hb_face_destroy(made)
        hb.hb_blob_destroy(blob)


def subset_characters(data: bytes, index: int, characters: Iterable[int]) -> bytes | None:
    """Face ``index`` of the font file ``data`` (a collection's face too) cut to the glyphs
    of ``characters`` and what its layout features reach from them, renumbered, as a plain
    OpenType font (CFF or TrueType outlines, as the face has): for a font a document carries
    (the EPUB's). None if HarfBuzz is missing or cannot cut it, or if the face has none of
    the characters."""
    libraries = _libraries()
    wanted = sorted(set(characters))
    if libraries is None or not wanted:
        return None
    hb, hb_subset = libraries
    blob = hb.hb_blob_create(data, len(data), READONLY, None, None)
    face = hb.hb_face_create(blob, index)
    request = hb_subset.hb_subset_input_create_or_fail()
    made = None
    try:
        if not request:
            return None
        unicodes = hb_subset.hb_subset_input_set(request, UNICODE)
        for character in wanted:
            hb.hb_set_add(unicodes, character)
        names = hb_subset.hb_subset_input_set(request, NAME_ID)
        for name_id in KEPT_NAME_IDS:
            hb.hb_set_add(names, name_id)
        made = hb_subset.hb_subset_or_fail(face, request)
        return _face_bytes(hb, made) if made else None
    finally:
        if request:
            hb_subset.hb_subset_input_destroy(request)
        if made:
            hb.hb_face_destroy(made)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def _face_bytes(hb: ctypes.CDLL, face: int) -> bytes | None:
    blob = hb.hb_face_reference_blob(face)
    try:
        length = ctypes.c_uint()
        start = hb.hb_blob_get_data(blob, ctypes.byref(length))
        return ctypes.string_at(start, length.value) if start and length.value else None
    finally:
        hb.hb_blob_destroy(blob)
