"""The web edition's search index: every word of the book, and the sections it is in.

Built from the finished pages, one entry per section (a ``<section>`` with an id, less the
sections inside it), and written as ``search-index.js``: one JSON value given to a global, since
a page opened from disk may load a script beside it but not fetch a JSON file. ``search.js``
(booktool's own, never a layout's) reads it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable

from lxml import etree

_WORD = re.compile(r"\w+", re.UNICODE)
#: Headings whose text names a section in the results.
_HEADINGS = {"h1", "h2", "h3"}


def words(text: str) -> list[str]:
    """The words of ``text`` as the index keeps them: case-folded, accents dropped."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return [w for w in _WORD.findall(plain) if len(w) > 1 or w.isdigit()]


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _own_text(section: etree._Element) -> tuple[str, str, bool]:
    """The section's heading, its text (less the sections with ids inside it), and whether
    the heading is a page's title (``h1``)."""
    heading, top = "", False
    parts: list[str] = []

    def walk(element: etree._Element) -> None:
        nonlocal heading, top
        for child in element:
            if not isinstance(child.tag, str):
                parts.append(child.tail or "")
                continue
            name = _local(child)
            if name == "section" and child.get("id"):
                parts.append(child.tail or "")
                continue
            if name in ("script", "style", "svg"):
                parts.append(child.tail or "")
                continue
            text = " ".join("".join(str(t) for t in child.itertext()).split())
            if not heading and name in _HEADINGS:
                heading, top = text, name == "h1"
            parts.append(child.text or "")
            walk(child)
            parts.append(child.tail or "")

    parts.append(section.text or "")
    walk(section)
    return heading, " ".join(parts), top


def search_index(pages: Iterable[tuple[str, str, etree._Element]]) -> bytes:
    """``search-index.js`` for ``(file, page title, page tree)``: the sections' links and
    titles, and for each word the sections it is in."""
    sections: list[list[str]] = []
    index: dict[str, list[int]] = {}
    for file, page_title, tree in pages:
        for section in tree.iter("{*}section"):
            anchor = section.get("id")
            if not anchor:
                continue
            heading, text, top = _own_text(section)
            found = sorted(set(words(text)))
            if not found:
                continue
            number = len(sections)
            if top or not heading:  # the page's own title names it
                title = page_title or heading
            else:
                title = f"{heading} — {page_title}" if page_title else heading
            sections.append([f"{file}#{anchor}", title or file])
            for word in found:
                index.setdefault(word, []).append(number)
    data = {"sections": sections, "words": dict(sorted(index.items()))}
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), sort_keys=False)
    return f"window.BOOKTOOL_SEARCH = {text};\n".encode()
