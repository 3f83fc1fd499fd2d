"""The print HTML cut into parts that render apart, and the page numbers booktool resolves.

WeasyPrint resolves ``target-counter()`` by laying the whole document out again until the page
numbers settle: three passes for a book with forward references (contents, "p. 87" in a
chapter), and it cannot lay out two halves of a book at once. booktool resolves page numbers
itself instead, as LaTeX does with its ``.aux`` file: every internal link carries the page of
its target in ``data-page`` (the layouts print it with ``attr(data-page)``), taken from the last
known layout; the parts are laid out, where each anchor landed is read back, and only a part
whose numbers turn out different is laid out again. Without a known layout, the parts are laid
out on a guess (:meth:`PrintParts.estimate`) and kept by the render children, which then
rewrite the numbers in place (:mod:`booktool.render.renumber`) where the guess had their digit
counts right.

The cut: ``print.html`` puts :data:`PART_MARK` before every block that begins on a new page
(introduction, chapters, back matter). The front matter (cover, title page, contents) is a
part of its own: its page numbers change whenever a page moves anywhere, so an edit in a
chapter re-renders the contents but not the chapters next to them. The other blocks are
grouped into parts of about equal size in document order; the size aimed at is rounded, so
that an edit leaves the other parts' blocks as they were (and their rendered pages reusable)
unless it moves a lot of text. Each part is a whole document (the book's ``<head>``) that
starts at its page number and footnote number; a link to an anchor in another part is
written with :data:`~booktool.render.join.XREF_SCHEME` and made internal again when the parts
are joined. The number of parts depends only on the document, never on the machine, so every
machine writes the same bytes.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from booktool.render.protocol import XREF_SCHEME

#: Where print.html allows a cut: before a block that begins on a new page.
PART_MARK = "<!--booktool:part-->"
#: About this much HTML per part (six pages or so): enough that a part's fixed cost (its render
#: set-up and its join) stays small against its layout, little enough that an edit lays few
#: pages out again (bench/RESULTS.md has the measurements).
PART_BYTES = 16_000
#: Parts at the most: every part costs the join, which runs after the last part renders.
MAX_PARTS = 64
#: Part sizes are aimed at in steps of this many characters (see :func:`group`).
SIZE_STEP = 4_000
#: Parts at the least (when the document has that many blocks): one per core on this kind of
#: machine; more would not be faster for a small book.
MIN_PARTS = 2
#: Printed where a page number is not known yet (first pass): two digits, like most.
PLACEHOLDER = "00"
#: Where print.html says a new page begins inside a part (the front matter's blocks), for
#: the guess at page numbers made before anything is laid out (:meth:`PrintParts.estimate`).
PAGE_MARK = "<!--booktool:page-->"
#: What that guess takes a page to hold: lines of list entries (a contents page), lines of
#: other text (prose with its headings, spacing and notes), characters per line (A4, 11 pt;
#: measured on this repo's booklet).
ENTRIES_PER_PAGE, LINES_PER_PAGE, CHARACTERS_PER_LINE = 36, 32, 85
_NEW_PAGE = re.compile(f"{re.escape(PAGE_MARK)}|{re.escape(PART_MARK)}")
_BLOCK_START = re.compile(
    r"(?=<(?:p|li|h[1-6]|dd|dt|tr|figcaption|caption)\b)|<br\b", re.IGNORECASE
)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")

_LINK = re.compile(r'<a\b([^>]*?)\shref="#([^"]+)"')
_ID = re.compile(r'\sid="([^"]+)"')
_FOOTNOTE = re.compile(r'<span class="footnote"')
_HEAD_END = re.compile(r"</head>", re.IGNORECASE)
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_BODY_END = re.compile(r"</body>", re.IGNORECASE)
#: Style sheets that number pages themselves: only WeasyPrint can, in one document.
_SELF_NUMBERED = re.compile(r"target-(?:counters?|text)\s*\(")
#: Page rules for left, right or first pages: a part's first page is always a first,
#: right-hand page, so such a book is rendered in one part.
_SIDED = re.compile(r"@page[^{]*:(?:left|right|first|recto|verso)")
#: The book's page count (``counter(pages)``): a part would print its own.
_COUNTS_PAGES = re.compile(r"counters?\(\s*pages\b")


@dataclass(frozen=True)
class Part:
    """A run of blocks rendered as one document."""

    html: str
    #: The ids defined in it.
    ids: frozenset[str]
    #: How many footnotes come before it in the book.
    notes_before: int


@dataclass(frozen=True)
class PageNumbers:
    """A layout's page numbers: where each part begins and the page of each anchor."""

    starts: tuple[int, ...]
    anchors: Mapping[str, int]

    @classmethod
    def from_parts(cls, counts: Sequence[int], local: Sequence[Mapping[str, int]]) -> PageNumbers:
        """From each part's page count and its anchors' pages counted within the part."""
        starts, anchors, first = [], {}, 1
        for count, found in zip(counts, local, strict=True):
            starts.append(first)
            anchors.update({name: first + page - 1 for name, page in found.items()})
            first += count
        return cls(tuple(starts), anchors)


@dataclass(frozen=True)
class PrintParts:
    """The print document as parts: its head, the ``<body>`` tag, and the parts in order."""

    head: str
    body_tag: str
    parts: tuple[Part, ...]
    #: The layouts number pages with target-counter(): WeasyPrint resolves them in one part.
    self_numbered: bool = False

    def document(self, index: int, numbers: PageNumbers | None) -> str:
        """Part ``index`` as a whole document, numbered as ``numbers`` say (None: unknown)."""
        part = self.parts[index]
        start = numbers.starts[index] if numbers else 1
        style = (
            f"<style>@page :first {{ counter-reset: page {start}; }} "
            f"body {{ counter-reset: footnote {part.notes_before}; }}</style>\n"
        )
        anchors = numbers.anchors if numbers else {}

        def link(match: re.Match[str]) -> str:
            attributes, name = match.group(1), match.group(2)
            elsewhere = name not in part.ids and name in self.all_ids
            href = f"{XREF_SCHEME}{name}" if elsewhere else f"#{name}"
            page = anchors.get(name)
            return f'<a{attributes} data-page="{page or PLACEHOLDER}" href="{href}"'

        body = _LINK.sub(link, part.html)
        return f"{self.head}{style}</head>\n{self.body_tag}\n{body}\n</body>\n</html>\n"

    def estimate(self) -> PageNumbers:
        """A guess at the page numbers before any layout, from the parts' sizes: a part
        laid out with it can often be renumbered in place (its numbers keep their digit
        counts) rather than laid out again (:mod:`booktool.render.renumber`)."""
        starts: list[int] = []
        anchors: dict[str, int] = {}
        first = 1
        for part in self.parts:
            starts.append(first)
            filled = 0.0  # pages, from the part's start
            for run in _NEW_PAGE.split(part.html):
                on_page = 0.0  # of this run, which begins a page
                for block in _BLOCK_START.split(run):
                    for found in _ID.finditer(block):
                        anchors.setdefault(found.group(1), first + int(filled + on_page))
                    on_page += _pages(block)
                filled += max(1.0, on_page)
            first += max(1, round(filled))
        return PageNumbers(tuple(starts), anchors)

    @functools.cached_property
    def all_ids(self) -> frozenset[str]:
        return frozenset().union(*(part.ids for part in self.parts))

    def single_document(self, numbers: PageNumbers | None) -> str:
        """The book as one document with the same page numbers (for comparison, the floor)."""
        html = "".join(part.html for part in self.parts)
        one = PrintParts(self.head, self.body_tag, (Part(html, frozenset(_ID.findall(html)), 0),))
        return one.document(0, PageNumbers((1,), numbers.anchors) if numbers else None)


_DIGITS = re.compile(r'(?<=\sdata-page=")\d+')
_FIRST_PAGE = re.compile(r"(@page :first \{ counter-reset: page )\d+")


def digit_shape(document: str) -> str:
    """A part's document with every digit of its ``data-page`` values made 0: a layout of it
    can be renumbered to another document of the same digit shape (one that gains a digit
    reflows its line, and must be laid out again)."""
    document = _DIGITS.sub(lambda found: "0" * len(found.group(0)), document)
    return _FIRST_PAGE.sub(r"\g<1>0", document)  # the margins are made again whole


def _pages(block: str) -> float:
    """About how much of a page a block of HTML fills (a list entry, a paragraph …)."""
    text = _SPACE.sub(" ", _TAG.sub("", block)).strip()
    if not text:
        return 0.0
    lines = math.ceil(len(text) / CHARACTERS_PER_LINE)
    entry = block.lstrip().startswith("<li")
    return lines / (ENTRIES_PER_PAGE if entry else LINES_PER_PAGE)


def part_count(blocks: Sequence[str]) -> int:
    """How many parts the blocks make: by size, at least :data:`MIN_PARTS` and at most
    :data:`MAX_PARTS`, one block each at the most."""
    size = sum(len(block) for block in blocks)
    return max(1, min(len(blocks), _by_size(size)))


def _by_size(html_characters: float) -> int:
    return min(MAX_PARTS, max(MIN_PARTS, round(html_characters / PART_BYTES)))


#: About how many characters of print HTML a character of manuscript makes (measured on this
#: repo's booklet).
HTML_PER_MANUSCRIPT = 1.6


def expected_parts(manuscript_characters: int) -> int:
    """About how many parts a manuscript of this size will make (before it is converted)."""
    return _by_size(manuscript_characters * HTML_PER_MANUSCRIPT)


def group(blocks: Sequence[str], count: int) -> list[str]:
    """The blocks joined into about ``count`` runs of about equal size, in order: a run ends
    once it holds its share (the total over ``count``, rounded to a coarse step). Inside a
    run, :data:`PART_MARK` still says where each block begins its page."""
    total = sum(len(block) for block in blocks)
    share = max(1, round(total / count / SIZE_STEP)) * SIZE_STEP
    runs: list[str] = []
    current: list[str] = []
    size = 0
    for block in blocks:
        current.append(block)
        size += len(block)
        if size >= share:
            runs.append(PART_MARK.join(current))
            current, size = [], 0
    if current:
        runs.append(PART_MARK.join(current))
    return runs


def cut(document: str, style_sheets: Sequence[str] = ()) -> PrintParts:
    """The print document in parts.

    One part when its layout has no :data:`PART_MARK` (a project's own ``print.html``), or when
    a style sheet numbers pages with ``target-counter()``, which only WeasyPrint can resolve,
    in one document (the parts then say ``self_numbered``), has page rules for left, right
    or first pages, or prints the book's page count (``counter(pages)``).
    """
    head_end, body, body_end = (
        _HEAD_END.search(document),
        _BODY.search(document),
        _BODY_END.search(document),
    )
    assert head_end and body and body_end, "print.html makes a whole HTML document"
    sheets = [document, *style_sheets]
    self_numbered = any(_SELF_NUMBERED.search(sheet) for sheet in sheets)
    whole = self_numbered or any(
        _SIDED.search(sheet) or _COUNTS_PAGES.search(sheet) for sheet in sheets
    )
    blocks = document[body.end() : body_end.start()].split(PART_MARK)
    if whole or len(blocks) < 3:
        groups = ["".join(blocks)]
    else:  # the front matter on its own: its contents change with any page number
        groups = [blocks[0], *group(blocks[1:], part_count(blocks[1:]))]
    parts, notes = [], 0
    for html in groups:
        parts.append(Part(html, frozenset(_ID.findall(html)), notes))
        notes += len(_FOOTNOTE.findall(html))
    return PrintParts(document[: head_end.start()], body.group(0), tuple(parts), self_numbered)
