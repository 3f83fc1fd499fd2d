"""The shared HTML base of every edition: the book's view, the layout chain, the inputs digest.

An edition renders its documents from the shared layouts (cheap), then makes its file (the
costly part). The digest of what the file is made of (its rendered documents and the layout
files and media it loads) decides whether a cached file is still current. Each edition decides
how it links (``href``) and how a section's HTML is finished for it (notes, cross-references).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from lxml import etree

from booktool import __version__
from booktool.cache.installed import tool_version
from booktool.editions.layouts import Layouts
from booktool.editions.pagemap import PageStart
from booktool.errors import Problem
from booktool.limits import RenderLimits
from booktool.model.book import Book
from booktool.model.views import BookView, book_view
from booktool.model.xrefs import Target, parse_fragment, resolve, serialise_fragment, targets
from booktool.source.config import PrintOptions

#: Called with each page number while a paginated edition lays out its pages.
PageCallback = Callable[[int], None]


@dataclass(frozen=True)
class CoverView:
    title_lines: list[str]
    subtitle_lines: list[str]
    subtitle_top: int
    source_line: str


@dataclass(frozen=True)
class Made:
    """One edition's file, the resources (layout files, media) it loaded, and what it warned."""

    data: bytes
    resources: list[str]
    pages: int | None = None
    warnings: list[Problem] = field(default_factory=list)
    #: Where each page begins (paginated editions).
    page_starts: list[PageStart] | None = None


class HtmlEdition:
    """Renders the book's documents from the shared layouts; subclasses make one format.

    This base makes the print HTML itself (``--format html``): the document WeasyPrint lays out.
    """

    #: The format's name (its file's extension) and the library that makes its files.
    format: ClassVar[str] = "html"
    tool: ClassVar[str] = "jinja2"
    #: Whether cross-references print the target's page number (the print edition).
    page_references: ClassVar[bool] = True

    def __init__(
        self,
        book: Book,
        layouts: Layouts,
        moment: dt.datetime,
        limits: RenderLimits | None = None,
        options: PrintOptions | None = None,
    ) -> None:
        self.book = book
        self.layouts = layouts
        self.moment = moment
        self.limits = limits or RenderLimits()
        self.options = options or PrintOptions()
        self.targets = targets(book)
        self.next_note = 1

    @functools.cached_property
    def view(self) -> BookView:
        return book_view(self.book, self)

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
        return serialise_fragment(root)

    def finish_notes(self, root: etree._Element) -> None:
        """Notes at the foot of the page: each moved to its call, for ``float: footnote``."""
        from booktool.model.notes import print_notes

        print_notes(root)

    def render(self, template: str, **context: object) -> str:
        return self.layouts.render(
            template,
            book=self.view,
            modified=self.moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            **context,
        )

    @property
    def file_name(self) -> str:
        """The name of this edition's file in ``build/``."""
        return f"{self.book.slug}.{self.format}"

    @property
    def page_rule(self) -> str:
        """The declarations of the print edition's ``@page`` rule: size, bleed, marks."""
        rule = [f"size: {self.options.page_size or self.view.page_size};"]
        if self.options.bleed:
            rule.append(f"bleed: {self.options.bleed};")
        if self.options.marks:
            rule.append("marks: crop cross;")
        return " ".join(rule)

    @functools.cached_property
    def print_document(self) -> str:
        """The whole book as one HTML document, as the print edition lays it out."""
        return self.render("print.html", page_rule=self.page_rule)

    def print_html(self) -> str:
        return self.print_document

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
        return [self.print_document, *(data.decode() for data in self.generated.values())]

    def make(self, on_page: PageCallback | None = None) -> Made:
        """This edition's file: the print HTML itself."""
        return Made(self.print_document.encode("utf-8"), [])

    def settings(self) -> str:
        """The build settings this edition's file depends on, for its digest."""
        return repr(self.limits)

    def resolve(self, name: str) -> Path | None:
        """The file behind a resource name: a manuscript image or a file of the layout chain."""
        return self.book.media.get(name) or self.layouts.find(name)

    def digest(self, resources: Sequence[str]) -> str:
        """A hash of everything this edition's file is made of, given the resources it loads."""
        hasher = hashlib.sha256()

        def add(part: str | bytes) -> None:
            data = part.encode("utf-8") if isinstance(part, str) else part
            hasher.update(len(data).to_bytes(8, "big") + data)

        add(f"{self.format} booktool {__version__} {self.tool} {tool_version(self.tool)}")
        add(self.moment.isoformat())
        add(self.settings())
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
        parts = [f"Cover: {self.view.title}"]
        if self.view.subtitle:
            parts.append(self.view.subtitle)
        return " — ".join(parts)

    def _cover_credit(self) -> str:
        """The cover's foot line: the source it is drawn from, else the authors, else nothing."""
        if self.view.source_line:
            return textwrap.shorten(f"Drawn from {self.view.source_line}", 44)
        return textwrap.shorten(self.view.authors or "", 44)

    def cover_view(self) -> CoverView:
        title_lines = textwrap.wrap(self.view.title, 16) or [""]
        subtitle_lines = textwrap.wrap(self.view.subtitle or "", 34)
        return CoverView(
            title_lines=title_lines,
            subtitle_lines=subtitle_lines,
            subtitle_top=700 + len(title_lines) * 120 + 60,
            source_line=self._cover_credit(),
        )
