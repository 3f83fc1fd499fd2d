"""The print edition: the book's HTML laid out by WeasyPrint, then written as PDF.

Rendering and writing are separate steps (as in WeasyPrint's own ``render()`` and
``write_pdf()``), so the laid-out pages can be inspected before the file is written.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from lxml import etree

from booktool.edition import HtmlEdition
from booktool.errors import Problem, RenderError
from booktool.fetcher import BASE_URL, ConfinedFetcher
from booktool.notes import print_notes


@dataclass(frozen=True)
class RenderedPdf:
    """A laid-out print edition, ready to be written."""

    document: Any
    pages: int
    warnings: list[str]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class PdfEdition(HtmlEdition):
    """Lays out and writes the print edition: one HTML document, notes at the page foot."""

    page_references = True

    def href(self, file: str, anchor: str) -> str:
        return f"#{anchor}"

    def finish_notes(self, root: etree._Element) -> None:
        print_notes(root)

    def print_html(self) -> str:
        """The whole book as one HTML document, as the print edition lays it out."""
        return self.render("print.html")

    def render_pages(self) -> RenderedPdf:
        import weasyprint  # costs ~1 s: only when a PDF is really rendered

        fetcher = ConfinedFetcher(self.layouts, self.media)
        collect = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(collect)
        try:
            html = weasyprint.HTML(string=self.print_html(), base_url=BASE_URL, url_fetcher=fetcher)
            document = html.render()
        finally:
            logger.removeHandler(collect)
        if fetcher.refused:
            raise RenderError(
                *(
                    Problem(
                        None,
                        None,
                        f"refused to load '{url}'",
                        "only files in manuscript/ and layouts/ may be used",
                    )
                    for url in fetcher.refused
                )
            )
        return RenderedPdf(document, len(document.pages), collect.messages)

    def pdf_bytes(self, rendered: RenderedPdf) -> bytes:
        identifier = hashlib.sha256(self.book.identifier.encode()).hexdigest()[:32]
        data: bytes = rendered.document.write_pdf(pdf_identifier=identifier.encode("ascii"))
        return data
