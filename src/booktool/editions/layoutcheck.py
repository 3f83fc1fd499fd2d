"""What a project's layouts may put into the EPUB: no scripts, nothing loaded from elsewhere.

The manuscript's HTML is cleaned on its way in (:mod:`booktool.convert.htmlclean`); the layouts are
the project's own templates, so what they render is checked instead, and a fault is an error naming
the layout file. An EPUB is never "scripted", and reading it never reaches outside the package.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from booktool.convert.htmlclean import REMOVED_ELEMENTS, SCRIPT_SCHEMES
from booktool.editions.layouts import Layouts
from booktool.errors import InputError, Problem
from booktool.source.svgsafe import svg_fault

_CSS_REFERENCE = re.compile(r"""url\(\s*['"]?([^'")\s]*)|@import\s+['"]([^'"]*)""", re.IGNORECASE)
#: Attributes naming a file, by local name (SVG's ``xlink:href`` is ``href``).
_LOADING = {"src", "href", "data", "poster", "srcset", "action"}
#: The elements whose ``href`` is a link the reader follows, not a file loaded with the
#: document (as a stylesheet's, or an SVG image's ``xlink:href``).
_FOLLOWED = {"a", "area"}
#: Elements a layout legitimately uses that the manuscript may not.
_LAYOUT_ELEMENTS = {"link", "meta", "title", "head", "style", "svg"}


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _outside(url: str) -> bool:
    parts = urlsplit(url.strip())
    return bool(parts.scheme or parts.netloc) or url.strip().startswith(("/", "\\", ".."))


def markup_faults(content: str) -> list[tuple[str, str]]:
    """``(snippet, message)`` for each script, form, frame or outside load in a document."""
    faults: list[tuple[str, str]] = []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(content.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        return [("", f"the layout does not give well-formed XHTML: {exc}")]
    for element in root.iter(etree.Element):  # elements only: no comments or instructions
        tag = _local(str(element.tag))
        if tag in REMOVED_ELEMENTS and tag not in _LAYOUT_ELEMENTS:
            faults.append((f"<{tag}", f"<{tag}> in a layout: {REMOVED_ELEMENTS[tag]}"))
        for key, raw in element.items():
            attribute, value = _local(str(key)), str(raw)
            if attribute.startswith("on"):
                faults.append((attribute, f"event handler {attribute} in a layout"))
            elif attribute not in _LOADING:
                continue
            # A scheme needs a colon: most links (within the book) are not parsed at all.
            elif ":" in value and urlsplit(value.strip()).scheme in SCRIPT_SCHEMES:
                faults.append((value, f"script link '{value}' in a layout"))
            elif (attribute != "href" or tag not in _FOLLOWED) and _outside(value):
                faults.append((value, f"'{value}' would be loaded from outside the book"))
    return faults


def css_faults(css: str) -> list[tuple[str, str]]:
    """``(reference, message)`` for each file a stylesheet for the EPUB would load."""
    faults = []
    for match in _CSS_REFERENCE.finditer(css):
        reference = match.group(1) or match.group(2) or ""
        if reference and not reference.startswith("data:"):
            faults.append(
                (reference, f"'{reference}' in a stylesheet: the EPUB carries no files for it")
            )
    return faults


def css_references(css: str) -> list[str]:
    """The relative files a stylesheet loads (``url()`` and ``@import``), not ``data:`` ones
    nor any outside the layouts."""
    found = []
    for match in _CSS_REFERENCE.finditer(css):
        reference = match.group(1) or match.group(2) or ""
        if reference and not reference.startswith("data:") and not _outside(reference):
            found.append(reference)
    return list(dict.fromkeys(found))


def check_document(layouts: Layouts, template: str, content: str) -> None:
    """InputError naming the layout file if a rendered EPUB document scripts or loads."""
    _raise(layouts, template, markup_faults(content), "remove it from the layout")


def check_stylesheet(layouts: Layouts, name: str, css: str) -> None:
    """InputError if a stylesheet the EPUB carries refers to other files."""
    _raise(layouts, name, css_faults(css), "keep url() and @import for print.css only")


def check_svg(layouts: Layouts, template: str, content: str) -> None:
    """InputError if a rendered SVG (the cover) is unsafe."""
    reason = svg_fault(content.encode("utf-8"))
    if reason:
        _raise(layouts, template, [("<svg", f"SVG refused: {reason}")], "use a plain drawing")


def _raise(layouts: Layouts, template: str, faults: list[tuple[str, str]], hint: str) -> None:
    if not faults:
        return
    problems = []
    for snippet, message in faults:
        where = layouts.locate(snippet)
        path, line = where if where else (layouts.find(template), None)
        problems.append(Problem(path, line, message, hint, code="unsafe-layout"))
    raise InputError(*problems)
