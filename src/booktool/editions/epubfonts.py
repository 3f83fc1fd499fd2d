"""The fonts an EPUB carries where book.yaml asks (``epub: {embed_fonts: true}``).

By default the EPUB names fonts and carries none (``epub.css``: the Noto faces by language,
then generic families; the reader's choice otherwise). With ``embed_fonts`` it carries subsets
of the fonts the book uses: the print edition's Book Serif and Book Sans (the layout chain's
``fonts/``), and the Noto faces the print CSS gives the book's language
(:mod:`booktool.editions.scriptfonts`), each cut to the characters the book's documents hold
(HarfBuzz's subsetter; fontTools where it is missing). The rules that use them are added to the
end of ``epub.css``. The same documents and fonts give the same bytes.
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterable
from dataclasses import dataclass

from booktool.editions import scriptfonts
from booktool.editions.layouts import Layouts
from booktool.render.fontsubset import subset_characters

#: The print edition's faces (print.css): family, weight, style, layout file.
BOOK_FACES = (
    ("Book Serif", "normal", "normal", "fonts/LinLibertine_R.otf"),
    ("Book Serif", "normal", "italic", "fonts/LinLibertine_RI.otf"),
    ("Book Serif", "bold", "normal", "fonts/LinLibertine_RB.otf"),
    ("Book Serif", "bold", "italic", "fonts/LinLibertine_RBI.otf"),
    ("Book Sans", "normal", "normal", "fonts/LinBiolinum_R.otf"),
    ("Book Sans", "bold", "normal", "fonts/LinBiolinum_RB.otf"),
)
#: The Noto styles carried: fontconfig's style name and the CSS weight.
SCRIPT_STYLES = {"Regular": "normal", "Bold": "bold"}
#: What the sans stack is for in the EPUB (as print.css: headings and the small labels).
SANS_SELECTORS = (
    ":root h1",
    ":root h2",
    ":root h3",
    ":root h4",
    ":root .book-kind",
    ":root .source-span",
)


@dataclass(frozen=True)
class EmbeddedFonts:
    """The font files an EPUB carries (by their names in the package) and the CSS that uses
    them (added to the end of ``epub.css``)."""

    css: str
    files: dict[str, bytes]


def font_media_type(data: bytes) -> str:
    """The EPUB core media type of an OpenType font: CFF outlines or TrueType."""
    return "font/otf" if data[:4] == b"OTTO" else "font/ttf"


def characters_of(documents: Iterable[str]) -> frozenset[int]:
    """The characters the documents hold, and printable ASCII (a reader's own text, the
    reading system's page numbers). A book's text does not change once packed: no more."""
    found = set(range(0x20, 0x7F))
    for document in documents:
        found.update(map(ord, html.unescape(document)))
    return frozenset(c for c in found if c >= 0x20)


def embedded_fonts(layouts: Layouts, language: str, documents: Iterable[str]) -> EmbeddedFonts:
    """The subsets of the book's fonts its ``documents`` (in ``language``) need, and the CSS."""
    used = characters_of(documents)
    files: dict[str, bytes] = {}
    rules = ["/* Fonts carried by this book (book.yaml: epub: {embed_fonts: true}) */"]
    book_covers: set[int] = set()
    for family, weight, style, name in BOOK_FACES:
        path = layouts.find(name)
        if path is None:
            continue
        data = path.read_bytes()
        if name == BOOK_FACES[0][3]:
            book_covers = _cmap(data, 0)
        cut = _cut(data, 0, used)
        if cut is None:
            continue
        files[name] = cut
        rules.append(_font_face(family, weight, style, name))
    stacks = {"serif": ["Book Serif"], "sans": ["Book Sans"]}
    faces = scriptfonts.faces_for(language)
    others = used - book_covers
    if faces is not None and others:
        for kind, family in (("serif", faces.serif), ("sans", faces.sans)):
            if family in stacks[kind]:
                continue
            stacks[kind].append(family)
            if family in stacks["serif" if kind == "sans" else "sans"]:
                continue  # one face for both (Tibetan): carried once
            for face in scriptfonts.files_of((family,)):
                face_weight = SCRIPT_STYLES.get(face.style)
                if face_weight is None:
                    continue
                cut = _cut(face.path.read_bytes(), face.index, others)
                if cut is None:
                    continue
                name = _script_file_name(face, cut)
                files[name] = cut
                rules.append(_font_face(family, face_weight, "normal", name))
    serif = ", ".join([*(f'"{f}"' for f in stacks["serif"]), "serif"])
    sans = ", ".join([*(f'"{f}"' for f in stacks["sans"]), "sans-serif"])
    # As specific as epub.css's html:lang(zh) and :lang(zh) h1, and after them: these win. A
    # passage in another language ([lang]:lang(ja)) keeps the faces epub.css names for it.
    rules.append(f"html:root {{ font-family: {serif}; }}")
    rules.append(f"{', '.join(SANS_SELECTORS)} {{ font-family: {sans}; }}")
    return EmbeddedFonts("\n".join(rules) + "\n", files)


def _font_face(family: str, weight: str, style: str, name: str) -> str:
    return (
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: {style}; '
        f"src: url({name}); }}"
    )


def _script_file_name(face: scriptfonts.FontFile, data: bytes) -> str:
    suffix = ".otf" if font_media_type(data) == "font/otf" else ".ttf"
    return f"fonts/{face.family.replace(' ', '')}-{face.style}{suffix}"


def _cmap(data: bytes, index: int) -> set[int]:
    from fontTools.ttLib import TTFont

    return set(TTFont(io.BytesIO(data), fontNumber=index, lazy=True).getBestCmap())


def _cut(data: bytes, index: int, characters: frozenset[int]) -> bytes | None:
    """Face ``index`` of ``data`` cut to ``characters`` (None if it has none of them)."""
    if not characters & _cmap(data, index):
        return None
    cut = subset_characters(data, index, characters)
    return cut if cut is not None else _cut_with_fonttools(data, index, characters)


def _cut_with_fonttools(data: bytes, index: int, characters: frozenset[int]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data), fontNumber=index, recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = list(range(15))
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(characters & set(font.getBestCmap())))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out, reorderTables=True)
    return out.getvalue()
