"""Where each printed page begins, read from WeasyPrint's layout and placed in the EPUB.

Both editions share one id scheme (sections, headings, figures, chronology entries all carry the
same ids in the print HTML and the EPUB documents). A page's start is named by the nearest
element with an id around the first text drawn on it, and by how many letters and digits of that
element's own text (not counting descendants that have ids of their own) come before it on
earlier pages. Counting letters and digits only makes the count immune to whitespace collapsing,
hyphenation and line breaks; the same walk over the EPUB's XHTML finds the same place, where a
``pagebreak`` marker goes.

The render child reads the starts from WeasyPrint's boxes
(:func:`booktool.render.weasyprint_patches.page_starts`); the EPUB edition calls
:func:`place_markers` on each of its documents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from lxml import etree

EPUB_NS = "http://www.idpf.org/2007/ops"
XHTML_NS = "http://www.w3.org/1999/xhtml"
#: Elements a marker may not stand directly inside (it goes into their first child instead).
#: A figure may hold a span, but its figcaption must be its first or last child.
_NO_PHRASING = {
    "ol",
    "ul",
    "dl",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "html",
    "head",
    "nav",
    "figure",
}
#: ARIA roles whose children are prescribed (a marker among them breaks the structure).
_OWNING_ROLES = {"list", "table", "row", "rowgroup", "grid", "listbox", "menu", "tablist", "tree"}


@dataclass(frozen=True)
class PageStart:
    """Page ``page`` begins ``offset`` letters into the own text of the element ``anchor``."""

    page: int
    anchor: str
    offset: int
    #: The first words of the page as laid out (for messages and tests).
    text: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def counted(text: str) -> int:
    """How many characters of ``text`` the page map counts: letters and digits."""
    return sum(1 for char in text if char.isalnum())


# --- the EPUB's side: markers in XHTML --------------------------------------------------------


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def marker(page: int, name: str) -> etree._Element:
    """An empty ``pagebreak`` span naming the printed page (``name``: "page 7")."""
    span = etree.Element(f"{{{XHTML_NS}}}span")
    span.set("id", f"page-{page}")
    span.set(f"{{{EPUB_NS}}}type", "pagebreak")
    span.set("role", "doc-pagebreak")
    span.set("aria-label", name)
    return span


def _text_slots(element: etree._Element) -> Iterator[tuple[etree._Element, bool]]:
    """Where ``element``'s own text lives, in order: (node, is_tail) pairs.

    ``(e, False)`` is ``e.text``; ``(c, True)`` is ``c.tail``. Descendants with an id of their
    own are skipped (their text counts for them), but their tails are ``element``'s text; so are
    formulas (a picture in print, whose letters no page counts; MathML holds no markers).
    """
    yield element, False
    for child in element:
        if isinstance(child.tag, str) and not child.get("id") and _local(child.tag) != "math":
            yield from _text_slots(child)
        yield child, True


def _insert(anchor: etree._Element, offset: int, span: etree._Element) -> None:
    """Put ``span`` just before the ``offset``-th counted character of ``anchor``'s own text."""
    if offset == 0:
        parent = anchor.getparent()
        if (
            parent is not None
            and _local(parent.tag) not in _NO_PHRASING
            and parent.get("role") not in _OWNING_ROLES
        ):
            span.tail = None
            anchor.addprevious(span)
            return
    seen = 0
    for node, is_tail in _text_slots(anchor):
        text = (node.tail if is_tail else node.text) or ""
        for index, char in enumerate(text):
            if not char.isalnum():
                continue
            if seen == offset:
                before, after = text[:index], text[index:]
                if is_tail:
                    node.tail = before
                    node.addnext(span)
                else:
                    node.text = before
                    node.insert(0, span)
                span.tail = after
                return
            seen += 1
    anchor.append(span)  # past the end: the page begins after all of its text


def place_markers(
    root: etree._Element, starts: Iterable[PageStart], name: Callable[[int], str]
) -> list[int]:
    """Insert a marker for each start whose anchor is in ``root``; the pages placed."""
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    placed = []
    for start in starts:
        anchor = by_id.get(start.anchor)
        if anchor is None:
            continue
        _insert(anchor, start.offset, marker(start.page, name(start.page)))
        placed.append(start.page)
    return placed


def resolve_starts(starts: list[PageStart], known: set[str]) -> list[PageStart]:
    """Each start whose anchor the EPUB lacks moved to where the next placeable page begins
    (or, at the end, to where the last one does), so that every page gets a marker."""
    resolved: list[PageStart] = []
    following: PageStart | None = None
    for start in reversed(starts):
        if start.anchor in known:
            following = start
            resolved.append(start)
        elif following is not None:
            resolved.append(PageStart(start.page, following.anchor, following.offset, start.text))
        else:
            resolved.append(start)
    resolved.reverse()
    previous: PageStart | None = None
    for index, start in enumerate(resolved):
        if start.anchor not in known and previous is not None:
            resolved[index] = PageStart(start.page, previous.anchor, 10**9, start.text)
        previous = resolved[index]
    return resolved
