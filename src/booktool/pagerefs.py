"""Page numbers for the print edition's contents and cross-references.

WeasyPrint can compute them itself with ``target-counter()``, but the re-layout that needs
misplaces ``float: footnote`` notes (they land pages after their call, or twice). So the
print edition is laid out with placeholder numbers, the page of every anchor is read from that
layout, and the numbers are written into the document, which is laid out again; a third pass
runs only if the numbers moved anything.
"""

from __future__ import annotations

import lxml.html

PLACEHOLDER = "00"


def page_links(html: str) -> list[str]:
    """The anchors the contents and the page references of ``html`` point at."""
    root = lxml.html.document_fromstring(html)
    return [a.get("href", "")[1:] for a in _numbered(root)]


def _numbered(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    links = root.xpath(
        "//a[starts-with(@href, '#')][contains(concat(' ', @class, ' '), ' page-ref ')"
        " or ancestor::nav[contains(concat(' ', @class, ' '), ' contents ')]]"
    )
    return list(links)


def number_pages(html: str, pages: dict[str, int] | None) -> str:
    """``html`` with ``data-page`` on every numbered link (placeholders when ``pages`` is None)."""
    root = lxml.html.document_fromstring(html)
    for link in _numbered(root):
        anchor = link.get("href", "")[1:]
        page = pages.get(anchor) if pages is not None else None
        link.set("data-page", str(page) if page is not None else PLACEHOLDER)
    return str(lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>"))


def anchor_pages(document: object) -> dict[str, int]:
    """The 1-based page of every anchor of a laid-out WeasyPrint document."""
    pages: dict[str, int] = {}
    for number, page in enumerate(getattr(document, "pages"), start=1):  # noqa: B009
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
    return pages
