"""The print edition: the book's HTML laid out by WeasyPrint, then written as PDF.

Rendering and writing are separate steps (as in WeasyPrint's own ``render()`` and
``write_pdf()``), so the laid-out pages can be inspected before the file is written.
WeasyPrint costs about a second to import: this module imports it only to render, so a build
that finds its PDF current never loads it.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Any

from booktool.edition import HtmlEdition, Made, PageCallback
from booktool.errors import Problem, RenderError
from booktool.layouts import BASE_URL

_PAGE_STEP = re.compile(r"Creating layout - Page (\d+)")


@dataclass(frozen=True)
class RenderedPdf:
    """A laid-out print edition, ready to be written, and the resources it loaded."""

    document: Any
    pages: int
    warnings: list[str]
    resources: list[str]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class _Pages(logging.Handler):
    """Turns WeasyPrint's progress log ('Step 5 - Creating layout - Page 3') into calls."""

    def __init__(self, on_page: PageCallback) -> None:
        super().__init__(logging.INFO)
        self.on_page = on_page

    def emit(self, record: logging.LogRecord) -> None:
        found = _PAGE_STEP.search(record.getMessage())
        if found:
            self.on_page(int(found.group(1)))


class PdfEdition(HtmlEdition):
    """Lays out and writes the print edition."""

    format = "pdf"
    tool = "weasyprint"

    def render_pages(self, on_page: PageCallback | None = None) -> RenderedPdf:
        import weasyprint  # costs ~1 s: only when a PDF is really rendered

        from booktool.fetcher import ConfinedFetcher  # imports WeasyPrint too

        fetcher = ConfinedFetcher(self.layouts, self.media)
        collect = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(collect)
        progress = logging.getLogger("weasyprint.progress")
        pages = _Pages(on_page) if on_page else None
        level = progress.level
        if pages:
            progress.addHandler(pages)
            progress.setLevel(logging.INFO)
        try:
            html = weasyprint.HTML(
                string=self.print_document, base_url=BASE_URL, url_fetcher=fetcher
            )
            document = html.render()
        finally:
            logger.removeHandler(collect)
            if pages:
                progress.removeHandler(pages)
                progress.setLevel(level)
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
        return RenderedPdf(document, len(document.pages), collect.messages, fetcher.served)

    def pdf_bytes(self, rendered: RenderedPdf) -> bytes:
        identifier = hashlib.sha256(self.book.identifier.encode()).hexdigest()[:32]
        data: bytes = rendered.document.write_pdf(pdf_identifier=identifier.encode("ascii"))
        return data

    def make(self, on_page: PageCallback | None = None) -> Made:
        rendered = self.render_pages(on_page)
        return Made(self.pdf_bytes(rendered), rendered.resources, rendered.pages, rendered.warnings)
