"""The shared HTML base of both editions: the book's view and the layout chain."""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass
from pathlib import Path

from booktool.layouts import Layouts
from booktool.model import Book
from booktool.views import BookView, book_view


@dataclass(frozen=True)
class CoverView:
    title_lines: list[str]
    subtitle_lines: list[str]
    subtitle_top: int
    source_line: str


class HtmlEdition:
    """Renders the book's documents from the shared layouts; subclasses write one format."""

    def __init__(
        self, book: Book, layouts: Layouts, media: dict[str, Path], moment: dt.datetime
    ) -> None:
        self.book = book
        self.layouts = layouts
        self.media = media
        self.moment = moment
        self.view: BookView = book_view(book)

    def render(self, template: str, **context: object) -> str:
        return self.layouts.render(
            template, book=self.view, modified=self.moment.strftime("%Y-%m-%dT%H:%M:%SZ"), **context
        )

    def print_html(self) -> str:
        """The whole book as one HTML document, as the print edition lays it out."""
        return self.render("print.html")

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
