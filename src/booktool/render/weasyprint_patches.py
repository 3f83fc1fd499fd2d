"""Every use booktool makes of WeasyPrint's internals (and of pydyf's and cffi's), in one place.

The fast engine (parts, kept layouts, renumbering, the join's font subsets) needs them; each is
used only when the installed WeasyPrint is one they were tested on (:data:`TESTED`). Elsewhere,
or when one of them fails, the plain engine makes the PDF with WeasyPrint's public API alone
(:mod:`booktool.render.engine`). The fast engine's join (:mod:`booktool.render.join`,
:mod:`booktool.render.fontsubset`) reads WeasyPrint's PDFs as the tested version writes them:
it too runs behind this gate, and an exception there falls back as well. The build process
uses only the gate here, which reads the version without importing WeasyPrint.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from booktool.cache.installed import declared_version
from booktool.editions.pagemap import PageStart, counted

#: The WeasyPrint versions every patch below was tested on (tests/test_plain.py compares the
#: fast engine's PDF with the plain one's, tests/test_renumber.py renumbered with fresh bytes).
TESTED = frozenset({"70.0"})


def installed_version() -> str | None:
    """The installed WeasyPrint's version, read from its source without importing it."""
    return declared_version("weasyprint")


def known() -> bool:
    """Whether the installed WeasyPrint is one the patches were tested on (the build's gate)."""
    return installed_version() in TESTED


def loaded_known() -> bool:
    """Whether the WeasyPrint this process imports is one the patches were tested on (the
    render child's own gate: it never patches a version it was not tested on)."""
    import weasyprint

    return weasyprint.__version__ in TESTED


class Unpatchable(Exception):
    """This WeasyPrint is not one the patches were tested on: the job needs the plain engine."""


def require() -> None:
    """Raise :class:`Unpatchable` unless the loaded WeasyPrint is a tested one."""
    if not loaded_known():
        version = sys.modules["weasyprint"].__version__
        raise Unpatchable(f"WeasyPrint {version} is not one the fast engine was tested on")


# --- the import: C declarations parsed ahead, libraries by soname -------------------------------

#: The module of WeasyPrint that declares its C functions to cffi.
_FFI_MODULE = "weasyprint.text.ffi"


def import_weasyprint(patched: bool = True) -> None:
    """Import WeasyPrint; ``patched`` (and a tested version): with its C declarations parsed
    ahead (:mod:`booktool.render.weasyffi`) and its C libraries found by their sonames alone
    (on Linux).

    Reason: cffi's parse and ``find_library``'s ``ldconfig``/compiler runs for every name that
    fails were most of the import's time. If a library is there under another name only, the
    import is done again with the search."""
    if not (patched and known()):
        import weasyprint

        return
    import ctypes.util

    import cffi

    from booktool.render.weasyffi import prebuilt

    declared = prebuilt()
    make = cffi.FFI

    def ffi() -> Any:  # WeasyPrint's text/ffi.py makes one FFI: the one parsed ahead
        return declared if sys._getframe(1).f_globals.get("__name__") == _FFI_MODULE else make()

    find = ctypes.util.find_library
    skip_search = sys.platform.startswith("linux")
    if declared is not None:
        cffi.FFI = ffi
    if skip_search:
        ctypes.util.find_library = lambda name: None
    try:
        import weasyprint
    except OSError:  # pragma: no cover - a library known by another name: search
        if not skip_search:
            raise  # the search was made: the same import would fail the same way
        for name in [n for n in sys.modules if n.partition(".")[0] == "weasyprint"]:
            del sys.modules[name]
        ctypes.util.find_library = find
        import weasyprint  # noqa: F401
    finally:
        cffi.FFI = make
        ctypes.util.find_library = find


# --- WeasyPrint's log: its texts, as version 70 words them ---------------------------------------

#: Reason: WeasyPrint reports a character no font draws only as this warning (its last
#: argument the code point); unmatched, the warning is passed on as it is.
NOTDEF = ".notdef glyph rendered"
#: Reason: WeasyPrint's progress log is the only sign of each page laid out (for progress).
PAGE_STEP = re.compile(r"Creating layout - Page (\d+)")


def missing_code_point(record: logging.LogRecord) -> int | None:
    """The code point a ".notdef glyph rendered" warning names, else None."""
    if not (isinstance(record.msg, str) and record.msg.startswith(NOTDEF) and record.args):
        return None
    try:
        return int(record.args[-1])  # type: ignore[index, call-overload, no-any-return]
    except (TypeError, ValueError, IndexError, KeyError):
        return None


# --- css.CSS: linked style sheets parsed once per worker ----------------------------------------


@dataclass
class Sheet:
    """A linked style sheet as WeasyPrint parsed it, and what parsing it gave the document
    besides the sheet: counter styles, colour profiles, files served and refused, warnings."""

    css: Any
    counter_styles: dict[str, Any]
    color_profiles: dict[str, Any]
    served: list[str]
    refused: list[Any]
    log: list[str]


@dataclass
class Sheets:
    """The linked style sheets a worker parsed for one set of layout files, and the font
    configuration that holds their fonts (its later documents use it, fonts loaded)."""

    font_config: Any
    by_url: dict[str, Sheet | None] = field(default_factory=dict)


#: Kept style sheets by the layout files' names, sizes and times (the latest few: ``booktool
#: watch`` sees layouts change).
_SHEETS: dict[str, Sheets] = {}
_KEPT_SHEETS = 4


def sheets_of(layouts: Any) -> Sheets:
    """The style sheets kept for these layout files (a new, empty entry if none)."""
    from weasyprint.text.fonts import FontConfiguration

    hasher = hashlib.sha256()
    for directory in layouts.directories:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                stat = path.stat()
                hasher.update(f"{path} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    key = hasher.hexdigest()
    if key not in _SHEETS:
        while len(_SHEETS) >= _KEPT_SHEETS:
            del _SHEETS[next(iter(_SHEETS))]
        _SHEETS[key] = Sheets(FontConfiguration())
    return _SHEETS[key]


@contextlib.contextmanager
def kept_sheets(sheets: Sheets, fetcher: Any, collect: Any) -> Iterator[None]:
    """A document's linked style sheets (``print.css``) parsed once per worker.

    Reason: every part of a book links the same sheets, and parsing them (and loading their
    fonts) was most of a part's fixed cost. Replaces ``weasyprint.css.CSS`` for the block: a
    linked sheet is parsed once, with page rules, layers, counter styles and colour profiles
    of its own, and given to the later documents with what it gave the first (its counter
    styles and colour profiles, the files served and refused, the warnings). WeasyPrint gives
    all of a document's sheets one list of page rules; each sheet's own applies the same
    declarations in the same order. A sheet with cascade layers is parsed with its document
    every time (their order is the document's). Inline ``<style>`` (each part's page and note
    numbers) is parsed every time.
    """
    import weasyprint.css

    original = weasyprint.css.CSS

    def css(*args: Any, **kwargs: Any) -> Any:
        url = kwargs.get("url")
        if not url or args:  # inline <style>: parsed with its document
            return original(*args, **kwargs)
        if url not in sheets.by_url:
            sheets.by_url[url] = _parse_alone(original, kwargs, fetcher, collect)
        kept = sheets.by_url[url]
        if kept is None:
            return original(*args, **kwargs)
        kwargs["counter_style"].update(kept.counter_styles)
        kwargs["color_profiles"].update(kept.color_profiles)
        fetcher.served.extend(kept.served)
        fetcher.refused.extend(r for r in kept.refused if r not in fetcher.refused)
        collect.messages.extend(m for m in kept.log if m not in collect.messages)
        return kept.css

    weasyprint.css.CSS = css
    try:
        yield
    finally:
        weasyprint.css.CSS = original


def _parse_alone(original: Any, kwargs: dict[str, Any], fetcher: Any, collect: Any) -> Any:
    """A linked sheet parsed with lists and tables of its own, and what it added to the
    fetcher's and the log's; None (parse it with each document) if it has cascade layers or
    fails to load."""
    served, refused, logged = len(fetcher.served), list(fetcher.refused), list(collect.messages)
    layers: list[Any] = []
    counter_styles: dict[str, Any] = {}
    color_profiles: dict[str, Any] = {}
    own = {
        "page_rules": [],
        "layers": layers,
        "counter_style": counter_styles,
        "color_profiles": color_profiles,
    }
    try:
        parsed = original(**{**kwargs, **own})
    except Exception:  # WeasyPrint reports it when the document parses it
        return None
    finally:  # what parsing it alone gave: the document's parse will give it again
        new_served = fetcher.served[served:]
        del fetcher.served[served:]
        new_refused = [r for r in fetcher.refused if r not in refused]
        fetcher.refused[:] = refused
        new_log = [m for m in collect.messages if m not in logged]
        collect.messages[:] = logged
    if layers:
        return None
    return Sheet(parsed, counter_styles, color_profiles, new_served, new_refused, new_log)


# --- document.layout_document: the layout context kept ------------------------------------------


@contextlib.contextmanager
def layout_contexts() -> Iterator[list[Any]]:
    """The layout contexts of the documents WeasyPrint lays out in the block.

    Reason: a kept layout is renumbered from its page states (:mod:`booktool.render.renumber`),
    which only the context ``weasyprint.document.layout_document`` is given holds."""
    import weasyprint.document

    contexts: list[Any] = []
    original = weasyprint.document.layout_document

    def keep(html: Any, root_box: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        contexts.append(context)
        return original(html, root_box, context, *args, **kwargs)

    weasyprint.document.layout_document = keep
    try:
        yield contexts
    finally:
        weasyprint.document.layout_document = original


# --- pydyf.zlib: the streams' compression level --------------------------------------------------


@contextlib.contextmanager
def compressed_at(level: int) -> Iterator[None]:
    """pydyf compresses at ``level`` in the block.

    Reason: pydyf calls ``zlib.compressobj(level=9)`` with no way to choose, and level 9 was a
    tenth of writing a part; its module sees a zlib whose compressors take ``level`` instead."""
    import zlib

    import pydyf

    class _Zlib:
        error = zlib.error
        level = 0

        @staticmethod
        def compress(data: bytes, *_: Any) -> bytes:
            return zlib.compress(data, level)

        @staticmethod
        def compressobj(*_: Any, **__: Any) -> Any:
            return zlib.compressobj(level)

    _Zlib.level = level
    original = pydyf.zlib
    pydyf.zlib = _Zlib
    try:
        yield
    finally:
        pydyf.zlib = original


# --- pdf.build_fonts_dictionary: what each embedded font is cut from ----------------------------


def font_records(fonts: dict[str, Any], subset: bool, options: dict[str, Any]) -> list[Any]:
    """What each font file the PDF embeds is cut from, as WeasyPrint writes it (one font
    stream per ``Font.hash``, subset to its fonts' glyphs): the PDF name, the file's SHA-256,
    the face, the glyph ids, and whether the subset is HarfBuzz's of those glyphs and nothing
    else, so that the join can cut one subset of every part's glyphs instead
    (:mod:`booktool.render.fontsubset`). Not so for bitmap, variable or colour fonts (WeasyPrint
    changes them after subsetting), fonts drawn in forms (embedded whole), fonts with missing
    glyphs (``.notdef`` outlines), PDF 1.4 (``CIDSet``), or without HarfBuzz's subsetter."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    harfbuzz_subsets = bool(harfbuzz_subset) and harfbuzz.hb_version_atleast(4, 1, 0)
    by_file: dict[str, list[Any]] = {}
    for font in fonts.values():
        by_file.setdefault(font.hash, []).append(font)
    records = []
    for same in by_file.values():
        font = same[0]
        glyphs = sorted({glyph for one in same for glyph in one.to_unicode})
        plain = not (
            font.bitmap
            or font.used_in_forms
            or any(one.missing for one in same)
            or "fvar" in font.tables
            or font.png
            or font.svg
            or font.colr
        )
        records.append(
            {
                "name": font.name.decode("latin-1"),
                "sha256": hashlib.sha256(font.file_content).hexdigest(),
                "index": font.index,
                "glyphs": glyphs,
                "hinting": bool(options["hinting"]),
                "joinable": plain
                and subset
                and harfbuzz_subsets
                and bool(glyphs)
                and str(options["pdf_version"]) > "1.4",
            }
        )
    return records


@contextlib.contextmanager
def recording_fonts(records: list[Any]) -> Iterator[None]:
    """The embedded fonts' :func:`font_records` of the PDFs written in the block.

    Reason: the join embeds each font once for all parts, and only WeasyPrint's font
    dictionary step (``weasyprint.pdf.build_fonts_dictionary``) sees the glyphs each drew."""
    import weasyprint.pdf

    original = weasyprint.pdf.build_fonts_dictionary

    def record(pdf: Any, fonts: Any, compress: Any, subset: Any, options: Any) -> Any:
        records.extend(font_records(fonts, subset, options))  # before it subsets them
        return original(pdf, fonts, compress, subset, options)

    weasyprint.pdf.build_fonts_dictionary = record
    try:
        yield
    finally:
        weasyprint.pdf.build_fonts_dictionary = original


def forget_fonts(document: Any) -> None:
    """Reason: a document's fonts record the glyphs drawn (``Document.fonts``); a layout written
    before (and renumbered since) would otherwise subset the glyphs of its earlier numbers."""
    document.fonts = {}


# --- the layout's boxes: pages, page states, text boxes (the page map, renumbering) ------------


def page_boxes(document: Any) -> Iterable[Any]:
    """Each page's box tree. Reason: where a page begins (the EPUB's page list) and which
    text boxes print a page number are only in the boxes (``Page._page_box``)."""
    return (page._page_box for page in document.pages)


def first_page_number(context: Any) -> int:
    """The page number the layout counted its first page as (its first page state's ``page``
    counter). Reason: a renumbered layout counts from its own first page."""
    return int(context.page_maker[1][3][1]["page"][-1])


def remake_margins(document: Any, context: Any, shift: int) -> None:
    """Every page's margin boxes made again, its page counter ``shift`` further on than the
    layout counted it: as WeasyPrint's ``layout_document`` makes them, from the page's state
    after its layout (a copy of ``context.page_maker[page][3]``). Reason: a renumbered layout
    prints other page numbers in its margins."""
    from weasyprint.formatting_structure.boxes import MarginBox
    from weasyprint.layout.background import layout_backgrounds
    from weasyprint.layout.page import make_margin_boxes

    for index, box in enumerate(page_boxes(document)):
        context.current_page = index + 1
        state = copy.deepcopy(context.page_maker[context.current_page][3])
        state[1]["page"][-1] += shift
        kept = [child for child in box.children if not isinstance(child, MarginBox)]
        box.children = tuple(kept + list(make_margin_boxes(context, box, state)))
        layout_backgrounds(box, context.get_image_from_uri)


def descendants(box: Any) -> Iterator[Any]:
    """The box and its descendants, positioned boxes included (in place of placeholders)."""
    yield box
    for child in getattr(box, "children", ()):
        yield from descendants(getattr(child, "_box", child))


def is_text_box(box: Any) -> bool:
    from weasyprint.formatting_structure.boxes import TextBox

    return isinstance(box, TextBox)


def is_margin_box(box: Any) -> bool:
    from weasyprint.formatting_structure.boxes import MarginBox

    return isinstance(box, MarginBox)


def content_items(box: Any) -> tuple[Any, ...]:
    """The box's computed ``content``: ``(kind, value)`` items, or () for none/normal."""
    content = box.style["content"]
    return content if isinstance(content, tuple) else ()


def strings_set(box: Any) -> str:
    """What the box's ``string-set`` and ``bookmark-label`` say, as text to search."""
    return repr((box.style["string_set"], box.style["bookmark_label"]))


def counts_pages(item: Any) -> bool:
    """Whether a ``content`` item prints the page counter (``counter(page)``, ``pages``)."""
    kind, value = item
    return kind in ("counter()", "counters()") and value[0] in ("page", "pages")


def prints_attribute(item: Any, name: str) -> bool:
    """Whether a ``content`` item is ``attr(name)``."""
    kind, value = item
    return bool(kind == "attr()" and value[0] == name)


def generated_text(items: tuple[Any, ...], element: Any, given: dict[str, str]) -> str | None:
    """The text a ``content`` of strings and attributes makes (the attributes in ``given``
    taken from there), or None if it holds anything else."""
    text = []
    for kind, value in items:
        if kind == "string":
            text.append(value)
        elif kind == "attr()" and value[1] == "string":
            name, fallback = value[0], value[2]
            text.append(given[name] if name in given else element.get(name, fallback))
        else:
            return None
    return "".join(text)


def text_width(textbox: Any, text: str) -> int:
    """The advance of ``text`` set as ``textbox`` sets it, in Pango units."""
    from weasyprint.text.ffi import ffi, pango
    from weasyprint.text.line_break import Layout

    layout = Layout(textbox.style, textbox.pango_layout.justification_spacing)
    layout.set_text(text, justify=True)
    extents = ffi.new("PangoRectangle *")
    pango.pango_layout_line_get_extents(layout.get_first_line()[0], ffi.NULL, extents)
    return int(extents.width)


def set_text(textbox: Any, text: str) -> None:
    """Make a laid-out text box print ``text`` (and its Pango layout, which drawing reads).
    Reason: renumbering rewrites a page number of the same width in place."""
    textbox.text = text
    textbox.pango_layout.text = text


def _boxes(box: Any) -> Iterator[Any]:
    """The boxes under ``box`` in document order, without generated content (::before, …)."""
    if "::" in (getattr(box, "element_tag", None) or ""):
        return
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _boxes(child)


def page_starts(pages: Iterable[Any], root: Any) -> list[PageStart]:
    """Where each laid-out page begins (:mod:`booktool.editions.pagemap`); ``pages`` are
    WeasyPrint page boxes, ``root`` its tree. Reason: the text drawn first on a page, and the
    element it belongs to, are only in the box tree (a page's first child the main flow).

    Only the page's main flow counts: running heads (margin boxes) and the footnote area are
    left out, as are generated texts (page references, list numbers).
    """
    parents = {child: parent for parent in root.iter() for child in parent}
    anchors: dict[Any, str] = {}

    def anchor_of(element: Any) -> str:
        if element in anchors:
            return anchors[element]
        found, walk = "", element
        while walk is not None and not found:
            found = walk.get("id") or "" if hasattr(walk, "get") else ""
            walk = parents.get(walk)
        anchors[element] = found
        return found

    consumed: dict[str, int] = {}
    starts: list[PageStart] = []
    for number, page in enumerate(pages, start=1):
        flow = page.children[0] if page.children else page
        first: PageStart | None = None
        for box in _boxes(flow):
            element = getattr(box, "element", None)
            if element is None:
                continue
            text = getattr(box, "text", None)
            is_replaced = hasattr(box, "replacement")
            if not text and not is_replaced:
                continue
            letters = counted(text or "")
            if text is not None and not letters:
                continue
            anchor = anchor_of(element)
            if first is None:
                first = PageStart(number, anchor, consumed.get(anchor, 0), (text or "")[:60])
            consumed[anchor] = consumed.get(anchor, 0) + letters
        if first is None:  # a page with nothing on it: it begins where the last one ended
            last = starts[-1] if starts else PageStart(number, "", 0)
            first = PageStart(number, last.anchor, consumed.get(last.anchor, 0))
        starts.append(first)
    return starts
