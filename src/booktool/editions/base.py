"""The shared base of every edition: the book's view, the layout chain, the inputs digest.

An edition renders its documents from the shared layouts (cheap), then makes its output (the
costly part). The digest of what the output is made of (its rendered documents and the layout
files and media it loads) decides whether a cached output is still current. Each edition decides
how it links (``href``) and how a section's HTML is finished for it (notes, cross-references).
What it is called and where its output goes is its line in :mod:`booktool.editions.registry`.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from lxml import etree

from booktool import __version__
from booktool.cache.installed import tool_version
from booktool.cache.store import BuildCache
from booktool.editions.bidi import isolate_timestamps
from booktool.editions.layouts import Layouts
from booktool.editions.pagemap import PageStart
from booktool.errors import Problem
from booktool.limits import RenderLimits
from booktool.model.book import Book
from booktool.model.views import BookView, book_view
from booktool.model.xrefs import Target, parse_fragment, resolve, serialise_fragment, targets
from booktool.options import PrintOptions

_ID = re.compile(r'\bid="([^"]+)"')

#: Called with each page number while a paginated edition lays out its pages.
PageCallback = Callable[[int], None]


@dataclass(frozen=True)
class Made:
    """One edition's output, the resources (layout files, media) it loaded, and what it warned.

    A file's bytes are ``data``; a folder's files are ``files``, by their path in the folder.
    """

    data: bytes
    resources: list[str]
    pages: int | None = None
    warnings: list[Problem] = field(default_factory=list)
    #: Where each page begins (paginated editions).
    page_starts: list[PageStart] | None = None
    #: The files of a folder output (its registry line's output ends with ``/``).
    files: dict[str, bytes] | None = None
    #: Files the output loads, written beside it in ``build/`` by their path there.
    beside: dict[str, bytes] = field(default_factory=dict)


class Edition:
    """Renders the book's documents from the shared layouts; a subclass makes one format."""

    #: The edition's name in the registry, and the library that makes its output.
    format: ClassVar[str] = ""
    tool: ClassVar[str] = "jinja2"
    #: Whether cross-references print the target's page number (the print editions).
    page_references: ClassVar[bool] = False

    def __init__(
        self,
        book: Book,
        layouts: Layouts,
        moment: dt.datetime,
        limits: RenderLimits | None = None,
        options: PrintOptions | None = None,
        *,
        cache: BuildCache | None = None,
    ) -> None:
        self.book = book
        self.layouts = layouts
        self.moment = moment
        self.limits = limits or RenderLimits()
        self.options = options or PrintOptions()
        #: The build cache, for editions that keep work between builds (rendered parts).
        self.cache = cache
        #: Where the print edition's pages begin, for an edition that takes its page map
        #: (set by the build before the documents are rendered).
        self.page_starts: list[PageStart] = []
        #: booktool's words in the book's language (the layouts' message catalogues).
        self.words = layouts.words(book.language)
        self.targets = targets(book, self.words)
        self.next_note = 1
        self.setup()

    def setup(self) -> None:
        """What an edition sets up for itself once the shared state is set (none here)."""

    @functools.cached_property
    def view(self) -> BookView:
        return book_view(self.book, self, self.words, self.page_note())

    def page_note(self) -> str | None:
        """A line for the title page if this edition's page numbers are not those the page
        references follow (none for an edition without pages)."""
        return None

    def href(self, file: str, anchor: str) -> str:
        """Where a link to ``anchor`` (in EPUB document ``file``) points in this edition."""
        return f"#{anchor}"

    def target_href(self, target: Target) -> str:
        return self.href(target.file, target.anchor)

    def finish(self, html: str) -> str:
        """A section's HTML with its notes and cross-references made for this edition."""
        if not html:
            return html
        root = parse_fragment(html)
        resolve(root, self.targets, self.target_href, self.page_references)
        self.finish_notes(root)
        self.finish_links(root)
        self.finish_blocks(root)
        return serialise_fragment(root)

    def finish_links(self, root: etree._Element) -> None:
        """A link to an id of another section made to point where this edition puts it."""
        own = {element.get("id") for element in root.iter() if element.get("id")}
        for link in root.iter("a"):
            anchor = (link.get("href") or "").removeprefix("#")
            if link.get("href", "").startswith("#") and anchor not in own:
                file = self.anchor_files.get(anchor)
                if file is not None:
                    link.set("href", self.href(file, anchor))

    @functools.cached_property
    def anchor_files(self) -> dict[str, str]:
        """The file (in EPUB terms) each id of the sections' HTML is in."""
        from booktool.model.views import INTRODUCTION_FILE
        from booktool.model.xrefs import chapter_file

        found: dict[str, str] = {}
        placed = [(INTRODUCTION_FILE, self.book.introduction)] if self.book.introduction else []
        placed += [(chapter_file(c.number), s) for c in self.book.chapters for s in c.sections]
        for file, section in placed:
            for anchor in _ID.findall(section.html):
                found.setdefault(anchor, file)
        return found

    def finish_notes(self, root: etree._Element) -> None:
        """The section's notes made for this edition; by default left as pandoc wrote them."""

    def finish_blocks(self, root: etree._Element) -> None:
        """Lists, tables and formulas made for print: ordered lists counted from their
        ``start`` (WeasyPrint ignores it), cells with an over-long word allowed to split it,
        MathML drawn as SVG, and empty elements closed (the print HTML is read as HTML, where
        ``<a id="x"/>`` opens a link that runs to the end of the paragraph)."""
        from booktool.model.formulas import print_formulas
        from booktool.model.lists import close_empty_elements, print_lists
        from booktool.model.tables import print_tables

        print_lists(root)
        print_tables(root)
        print_formulas(root)
        close_empty_elements(root)

    def render(self, template: str, **context: object) -> str:
        html = self.layouts.render(
            template,
            book=self.view,
            labels=self.words.labels,
            modified=self.moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            **context,
        )
        return isolate_timestamps(html) if self.view.direction == "rtl" else html

    @functools.cached_property
    def generated(self) -> dict[str, bytes]:
        """The files booktool draws for the edition: the charts of the figures appendix."""
        return {
            figure.image: self.render("chart.svg", chart=figure.chart, figure=figure).encode()
            for figure in self.view.figures
            if figure.chart is not None and figure.image
        }

    def media_bytes(self) -> dict[str, bytes]:
        """Every file the edition carries, by href: the manuscript's images and the charts."""
        media = {href: path.read_bytes() for href, path in self.book.media.items()}
        return media | self.generated

    def documents(self) -> list[str]:
        """Every document this edition renders from the layouts, in a fixed order."""
        return [data.decode() for data in self.generated.values()]

    def make(self, on_page: PageCallback | None = None) -> Made:
        """This edition's output (the costly part); ``on_page`` follows a paginated layout."""
        raise NotImplementedError

    def settings(self) -> str:
        """The build settings this edition's output depends on, for its digest."""
        return repr(self.limits)

    def resolve(self, name: str) -> Path | None:
        """The file behind a resource name: a manuscript image or a file of the layout chain."""
        return self.book.media.get(name) or self.layouts.find(name)

    def digest(self, resources: Sequence[str]) -> str:
        """A hash of everything this edition's output is made of, given the resources it loads."""
        hasher = hashlib.sha256()

        def add(part: str | bytes) -> None:
            data = part.encode("utf-8") if isinstance(part, str) else part
            hasher.update(len(data).to_bytes(8, "big") + data)

        add(f"{self.format} booktool {__version__} {self.tool} {tool_version(self.tool)}")
        add(self.moment.isoformat())
        add(self.settings())
        add(repr(sorted(self.words.messages.items())))  # the words outside the documents too
        for document in self.documents():
            add(document)
        for name in sorted(set(resources)):
            path = self.resolve(name)
            add(name)
            add(str(path) if path else "missing")
            add(path.read_bytes() if path and path.is_file() else b"")
        return hasher.hexdigest()

    @property
    def cover_alt(self) -> str:
        """Every line the cover page prints (see ``_cover.html``), as its picture's text."""
        view = self.view
        lines = [self.words("book_kind"), view.title, *([view.subtitle] if view.subtitle else [])]
        if view.drawn_from:
            by = f" · {view.authors}" if view.authors else ""
            lines.append(f"{view.drawn_from}{by}")
        elif view.authors:
            lines.append(view.authors)
        return self.words("cover_alt", lines=" — ".join(lines))
