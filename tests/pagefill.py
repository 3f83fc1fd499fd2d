"""How full each printed page is: rows of text in the page body, read from the PDF as poppler's
``pdftotext -bbox-layout`` sees it (running head and page number left out).

A page's rows are its words grouped by the vertical band they occupy (a footnote call rides on
its line). A booklet's imposed sheets are cut back into its pages: each side holds two, in the
saddle-stitch order of :func:`booktool.editions.impose.saddle_order`.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from booktool.editions.impose import saddle_order

MM = 72 / 25.4
#: The page margins of print.css: the running head sits above the top one, the page number
#: below the bottom one.
TOP_MM, BOTTOM_MM = 22, 24
_X = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Word:
    x: float
    top: float
    bottom: float
    text: str


#: A row this tall (points) holds a part's title (print.css: 18pt and over; body text 10.5pt).
TITLE_HEIGHT = 16


@dataclass(frozen=True)
class Page:
    """One printed page (numbered from 1): the text of each row of its body, top to bottom,
    and whether its first row is a part's title (contents, chapter, back matter)."""

    number: int
    rows: list[str]
    opens_part: bool = False


def _sheets(path: Path) -> list[tuple[float, float, list[Word]]]:
    """Each PDF page's width, height and words."""
    result = subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"],
        capture_output=True,
        check=True,
        timeout=120,
    )
    root = etree.fromstring(result.stdout, etree.XMLParser(recover=True, huge_tree=True))
    sheets = []
    for page in root.iter(f"{_X}page"):
        words = [
            Word(float(w.get("xMin")), float(w.get("yMin")), float(w.get("yMax")), w.text or "")
            for w in page.iter(f"{_X}word")
        ]
        sheets.append((float(page.get("width")), float(page.get("height")), words))
    return sheets


def _page(number: int, words: list[Word], height: float) -> Page:
    rows = _rows(words, height)
    return Page(number, [" ".join(w.text for w in row) for row in rows], _is_title(rows))


def _is_title(rows: list[list[Word]]) -> bool:
    return bool(rows) and max(w.bottom - w.top for w in rows[0]) >= TITLE_HEIGHT


def _rows(words: list[Word], height: float) -> list[list[Word]]:
    """The body's words as rows: a word whose band overlaps the row above joins it."""
    body = [w for w in words if w.bottom > TOP_MM * MM and w.top < height - BOTTOM_MM * MM]
    rows: list[tuple[float, list[Word]]] = []
    for word in sorted(body, key=lambda w: (w.top, w.x)):
        if rows and word.top < rows[-1][0] - 1:
            rows[-1][1].append(word)
            rows[-1] = (max(rows[-1][0], word.bottom), rows[-1][1])
        else:
            rows.append((word.bottom, [word]))
    return [sorted(ws, key=lambda w: w.x) for _, ws in rows]


def pdf_page_rows(path: Path) -> list[Page]:
    """Every page of a PDF with its body's rows."""
    return [
        _page(index + 1, words, height) for index, (_, height, words) in enumerate(_sheets(path))
    ]


def booklet_page_rows(path: Path) -> list[Page]:
    """Every page of an imposed booklet (blank padding pages included, with no rows)."""
    sheets = _sheets(path)
    found: dict[int, Page] = {}
    sides = saddle_order(len(sheets) * 2)
    pages = 0
    for side, (width, height, words) in zip(sides, sheets, strict=True):
        for slot, index in enumerate((side.left, side.right)):
            if index is None:
                continue
            half = [w for w in words if (w.x >= width / 2) == bool(slot)]
            found[index] = _page(index + 1, half, height)
            pages = max(pages, index + 1)
    return [found[index] for index in range(pages)]


def short_pages(pages: list[Page], least: int = 3, front: int = 2) -> list[Page]:
    """The pages after the first ``front`` (cover, title page) that hold the last rows of a
    part begun on an earlier page, fewer than ``least`` of them. (A page that opens a part
    holds all of it: a list of one figure is short, not left over.)"""
    return [page for page in pages[front:] if 0 < len(page.rows) < least and not page.opens_part]
