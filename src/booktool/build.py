"""``booktool build``: the whole pipeline, one stage a line.

load the manuscript → convert its Markdown → the book model → each edition from the shared
layouts → written atomically under ``build/``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from booktool.epub import EpubEdition
from booktool.errors import InputError, Problem
from booktool.htmlclean import clean_fragments
from booktool.layouts import Layouts
from booktool.manuscript import Manuscript, assemble_book, load_manuscript
from booktool.markdown import MarkdownSource, convert_markdown
from booktool.model import Book
from booktool.output import write_atomic
from booktool.pdf import PdfEdition
from booktool.project import Project
from booktool.xrefs import check_references, targets

FORMATS = ("pdf", "epub", "html")


@dataclass(frozen=True)
class Output:
    """One file a build wrote."""

    format: str
    path: Path
    size: int
    pages: int | None = None


@dataclass
class BuildReport:
    """What a build wrote and what it warned about (each warning with its file:line)."""

    outputs: list[Output] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def build(
    project: Project, formats: Sequence[str] = ("pdf", "epub"), *, strict: bool = False
) -> BuildReport:
    """Build the requested editions of ``project`` into its ``build/`` folder.

    With ``strict``, any warning fails the build (InputError) and nothing is written.
    """
    report = BuildReport()
    manuscript = load_manuscript(project)
    book = convert(manuscript, report.warnings)
    layouts = Layouts(project.layouts)
    moment = build_moment(book)
    target = project.build_dir / book.slug
    made: list[tuple[Output, bytes]] = []
    if "html" in formats:
        html = PdfEdition(book, layouts, moment).print_html().encode("utf-8")
        made.append((Output("html", target.with_suffix(".html"), len(html)), html))
    if "epub" in formats:
        data = EpubEdition(book, layouts, moment).epub_bytes()
        made.append((Output("epub", target.with_suffix(".epub"), len(data)), data))
    if "pdf" in formats:
        rendered = PdfEdition(book, layouts, moment).render_pdf(manuscript.config.limits)
        pdf = Output("pdf", target.with_suffix(".pdf"), len(rendered.data), rendered.pages)
        made.append((pdf, rendered.data))
        report.warnings.extend(rendered.warnings)
    if strict and report.warnings:
        raise InputError(*report.warnings)
    # Nothing is written until every edition has been made: a failure leaves build/ as it was.
    for output, data in made:
        write_atomic(output.path, data)
        report.outputs.append(output)
    return report


def convert(manuscript: Manuscript, warnings: list[Problem] | None = None) -> Book:
    """Every Markdown file through pandoc in one batch, cleaned, checked, assembled.

    What the cleaning removed (unsafe raw HTML) is appended to ``warnings``.
    """
    files = manuscript.markdown_files
    sources = [MarkdownSource(f.path, f.body, f.body_line) for f in files]
    apparatus = manuscript.apparatus
    html = convert_markdown(sources, apparatus.references, apparatus.sources_path)
    cleaned = clean_fragments(
        html, manuscript.project.manuscript, {s.path: (s.text, s.first_line) for s in sources}
    )
    if cleaned.problems:
        raise InputError(*cleaned.problems)
    if warnings is not None:
        warnings.extend(cleaned.warnings)
    book = assemble_book(manuscript, cleaned.html, cleaned.media)
    problems = check_references(
        ((s.path, cleaned.html[s.path], s.text, s.first_line) for s in sources),
        targets(book),
        {str(ref["id"]) for ref in apparatus.references},
    )
    if problems:
        raise InputError(*problems)
    return book


def build_moment(book: Book) -> dt.datetime:
    """The build's timestamp: SOURCE_DATE_EPOCH if set, else the book's date at midnight UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except (ValueError, OverflowError, OSError) as exc:
            raise InputError(
                Problem(
                    None,
                    None,
                    f"SOURCE_DATE_EPOCH '{epoch}' is not a number of seconds",
                    "unset it or fix it",
                )
            ) from exc
    return dt.datetime.combine(book.date, dt.time(), tzinfo=dt.UTC)
