"""The shared HTML base of both editions: the book's view, the layouts, the media."""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass
from functools import cached_property

from lxml import etree

from booktool.layouts import Layouts
from booktool.model import Book
from booktool.views import BookView, book_view
from booktool.xrefs import Target, parse_fragment, resolve, serialise_fragment, targets


@dataclass(frozen=True)
class CoverView:
    title_lines: list[str]
    subtitle_lines: list[str]
    subtitle_top: int
    source_line: str


class HtmlEdition:
    """Renders the book's documents from the shared layouts; subclasses write one format.

    A subclass decides how it links (``href``) and how a section's HTML is finished for it
    (``finish_tree``: notes and cross-references).
    """

    #: Whether cross-references print the target's page number (the print edition).
    page_references = False

    def __init__(self, book: Book, layouts: Layouts, moment: dt.datetime) -> None:
        self.book = book
        self.layouts = layouts
        self.moment = moment
        self.targets = targets(book)
        self.next_note = 1

    @cached_property
    def view(self) -> BookView:
        return book_view(self.book, self)

    def href(self, file: str, anchor: str) -> str:
        raise NotImplementedError

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
        raise NotImplementedError

    def render(self, template: str, **context: object) -> str:
        return self.layouts.render(
            template,
            book=self.view,
            modified=self.moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            **context,
        )

    @cached_property
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

    @property
    def cover_alt(self) -> str:
        parts = [f"Cover: {self.view.title}"]
        if self.view.subtitle:
            parts.append(self.view.subtitle)
        return " — ".join(parts)

    def cover_view(self) -> CoverView:
        title_lines = textwrap.wrap(self.view.title, 16) or [""]
        subtitle_lines = textwrap.wrap(self.view.subtitle or "", 34)
        return CoverView(
            title_lines=title_lines,
            subtitle_lines=subtitle_lines,
            subtitle_top=700 + len(title_lines) * 120 + 60,
            source_line=textwrap.shorten(f"Drawn from {self.view.source_line}", 44),
        )
