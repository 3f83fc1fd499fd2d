"""The print edition: the book's HTML laid out by WeasyPrint in a child process, as a PDF.

The render runs under the book's limits (:mod:`booktool.render_process`); what it reports is
turned into problems here: refused loads are errors naming the layout file that asked for them,
corrupt fonts and characters no font can draw are warnings naming the files.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote

from booktool.config import RenderLimits
from booktool.edition import HtmlEdition, Made, PageCallback, PrintOptions
from booktool.errors import Problem, RenderError
from booktool.impose import HALF_SIZES, impose, saddle_order, sheet_size
from booktool.layouts import BASE_URL, Layouts
from booktool.model import Book
from booktool.pagemap import PageStart
from booktool.render_process import Refusal, RenderJob, render_in_child
from booktool.text import decode_text

MAX_LISTED_CHARACTERS = 8
_SERVED = re.compile(re.escape(BASE_URL) + r"([^'\"\s]+)")


@dataclass(frozen=True)
class RenderedPdf:
    """A written print edition, what its render warned about, and the resources it loaded."""

    data: bytes
    pages: int
    warnings: list[Problem]
    resources: list[str]
    page_starts: list[PageStart]


def _describe(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"


class PdfEdition(HtmlEdition):
    """Lays out and writes the print edition: one HTML document, notes at the page foot."""

    format = "pdf"
    tool = "weasyprint"

    def settings(self) -> str:
        return f"{self.limits!r} {self.options!r}"

    def make(self, on_page: PageCallback | None = None) -> Made:
        rendered = self.render_pdf(on_page)
        return Made(
            rendered.data,
            rendered.resources,
            rendered.pages,
            rendered.warnings,
            rendered.page_starts,
        )

    def layout_pages(self) -> RenderedPdf:
        """Lay the pages out for where each begins, without writing a PDF."""
        return self.render_pdf(None, write=False)

    def render_job(self, *, write: bool = True) -> RenderJob:
        """What the render child needs: the print HTML and the files it may load."""
        folder = self.layouts.project_directory
        return RenderJob(
            html=self.print_document,
            project_layouts=str(folder) if folder else None,
            media={href: str(path) for href, path in self.book.media.items()},
            generated={
                href: base64.b64encode(data).decode("ascii")
                for href, data in self.generated.items()
            },
            pdf_identifier=hashlib.sha256(self.book.identifier.encode()).hexdigest()[:32],
            memory_mb=self.limits.render_memory_mb,
            pdf_variant=self.options.pdf_variant,
            write=write,
        )

    def render_pdf(self, on_page: PageCallback | None = None, *, write: bool = True) -> RenderedPdf:
        """Lay out (and write, unless ``write`` is false) the PDF in a child process."""
        result = render_in_child(self.render_job(write=write), self.limits, on_page)
        refusals = result.refusals
        errors = [self._refusal_problem(r) for r in refusals if r.kind != "font"]
        if errors:
            raise RenderError(*errors)
        warnings = [self._refusal_problem(r) for r in refusals]
        warnings += self._glyph_warnings(result.missing_glyphs)
        explained = re.compile(r"Font-face .* cannot be loaded") if refusals else None
        warnings += [
            self._log_problem(message)
            for message in result.log
            if not (explained and explained.search(message))
        ]
        starts = [PageStart(**fields) for fields in result.page_starts]
        return RenderedPdf(result.pdf, result.pages, warnings, result.served, starts)

    def _log_problem(self, message: str) -> Problem:
        """A WeasyPrint warning, at the media or layout file it names if it names one."""
        match = _SERVED.search(message)
        name = unquote(match.group(1)) if match else ""
        path = self.book.media.get(name) or (self.layouts.find(name) if name else None)
        if path is not None and message.startswith("Failed to load image"):
            detail = message.split(": ", 1)[1].strip() if ": " in message else ""
            return Problem(
                path,
                None,
                "image cannot be decoded, so the PDF leaves it out"
                + (f" ({detail})" if detail else ""),
                "export the image again",
                code="image-corrupt",
            )
        return Problem(path, None, message.replace(BASE_URL, ""), code="weasyprint")

    def _refusal_problem(self, refusal: Refusal) -> Problem:
        """One refused load as a problem, at the layout file and line that asked for it."""
        name = refusal.path or refusal.url
        where = self.layouts.locate(refusal.url) or self.layouts.locate(name.rsplit("/", 1)[-1])
        path, line = where if where else (None, None)
        if refusal.kind == "font":
            return Problem(
                Path(name),
                None,
                f"font cannot be read ({refusal.reason}); its text falls back to another font",
                "replace the font file",
                code="font-corrupt",
            )
        if refusal.kind == "svg":
            return Problem(
                Path(name),
                None,
                f"SVG refused: {refusal.reason}",
                "use a plain SVG drawing, or a PNG",
                code="unsafe-svg",
            )
        if refusal.kind == "outside":
            folder = self.layouts.project_directory
            return Problem(
                folder / name if folder else None,
                None,
                f"'{name}' leads outside layouts/",
                "copy the file into layouts/ instead of linking to it",
                code="outside-project",
            )
        if refusal.kind == "missing":
            return Problem(
                path,
                line,
                f"'{name}' is not a file in layouts/",
                "put the file in layouts/ and refer to it by a relative path",
                code="missing-file",
            )
        return Problem(
            path,
            line,
            f"refused to load '{refusal.url}'",
            "only files in manuscript/ and layouts/ may be used",
            code="not-local",
        )

    def _glyph_warnings(self, codepoints: list[int]) -> list[Problem]:
        """Which characters no font can draw, by the manuscript file that holds them."""
        left = {chr(c) for c in codepoints}
        warnings = []
        for section in self.book.sections:
            text = decode_text(section.source_path.read_bytes())
            found = sorted(c for c in left if c in text)
            if not found:
                continue
            left -= set(found)
            line = min(text.count("\n", 0, text.index(c)) + 1 for c in found)
            warnings.append(self._glyph_problem(section.source_path, line, found))
        if left:
            warnings.append(self._glyph_problem(None, None, sorted(left)))
        return warnings

    @staticmethod
    def _glyph_problem(path: Path | None, line: int | None, chars: list[str]) -> Problem:
        listed = ", ".join(_describe(c) for c in chars[:MAX_LISTED_CHARACTERS])
        if len(chars) > MAX_LISTED_CHARACTERS:
            listed += f" and {len(chars) - MAX_LISTED_CHARACTERS} more"
        return Problem(
            path,
            line,
            f"no font can draw {listed}",
            "add a font that has them to layouts/ (@font-face in print.css)",
            code="missing-glyphs",
        )


class BookletEdition(PdfEdition):
    """The handout: the book laid out on half-size pages, imposed two-up for saddle stitching.

    The pages are the print edition's at A5 (half-Letter for a Letter book), without tags
    (imposition cannot keep a structure tree), bleed or marks (office duplex printers print
    neither); the sheets are A4 (Letter) landscape.
    """

    format = "booklet"

    def __init__(
        self,
        book: Book,
        layouts: Layouts,
        moment: dt.datetime,
        limits: RenderLimits | None = None,
        options: PrintOptions | None = None,
    ) -> None:
        half = HALF_SIZES.get(book.page_size, "A5")
        booklet = replace(
            options or PrintOptions(), pdf_variant=None, bleed=None, marks=False, page_size=half
        )
        super().__init__(book, layouts, moment, limits, booklet)

    @property
    def file_name(self) -> str:
        return f"{self.book.slug}-booklet.pdf"

    def make(self, on_page: PageCallback | None = None) -> Made:
        rendered = self.render_pdf(on_page)
        sheets = impose(rendered.data, sheet_size(self.book.page_size), self.view.title)
        return Made(
            sheets, rendered.resources, len(saddle_order(rendered.pages)), rendered.warnings
        )
