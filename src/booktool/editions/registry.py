"""The editions a build makes: each made anew or found current in the build cache, the print
edition first (the EPUB's page list comes from its layout), then all written at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from booktool.cache.output import write_atomic
from booktool.cache.store import BuildCache, OutputRecord
from booktool.cli.progress import Progress
from booktool.editions.base import HtmlEdition
from booktool.editions.epub import EpubEdition
from booktool.editions.layouts import Layouts, user_template_cache
from booktool.editions.pagemap import PageStart
from booktool.editions.pdf import BookletEdition, PdfEdition
from booktool.errors import InputError, Problem
from booktool.limits import RenderLimits
from booktool.model.book import Book
from booktool.source.config import PrintOptions
from booktool.source.project import Project

FORMATS = ("pdf", "epub", "html", "booklet")
EDITIONS: dict[str, type[HtmlEdition]] = {
    "html": HtmlEdition,
    "epub": EpubEdition,
    "pdf": PdfEdition,
    "booklet": BookletEdition,
}


@dataclass(frozen=True)
class Output:
    """One file of a build: written now, or found current and left alone."""

    format: str
    path: Path
    size: int
    pages: int | None = None
    written: bool = True


@dataclass(frozen=True)
class Planned:
    """An output decided: its record, and its bytes if it has to be written."""

    output: Output
    record: OutputRecord
    data: bytes | None
    #: Where each page begins, if the edition was laid out now.
    page_starts: list[PageStart] | None = None


def layouts_for(project: Project) -> Layouts:
    """The project's layout chain, its templates loaded (the build loads them while pandoc
    runs: 0.01 s at 10x, which the first render paid)."""
    layouts = Layouts(project.layouts, user_template_cache())
    layouts.load_templates()
    return layouts


def editions_for(
    book: Book,
    formats: Sequence[str],
    layouts: Layouts,
    limits: RenderLimits,
    options: PrintOptions | None = None,
) -> list[HtmlEdition]:
    """The editions of ``formats`` in the order they are made, set from the layouts."""
    moment = build_moment(book)
    return [
        EDITIONS[name](book, layouts, moment, limits, options)
        for name in FORMATS
        if name in formats
    ]


def plan_editions(
    editions: Sequence[HtmlEdition], project: Project, cache: BuildCache, progress: Progress
) -> list[Planned]:
    """Each edition made or found current, the PDF first: the EPUB's page list (unless the book
    has none) is taken from its layout (or from the cached page map, or a layout without
    writing)."""
    planned: list[Planned] = []
    # The print edition the page map comes from: the PDF being built, else one made for it.
    print_edition = next((e for e in editions if type(e) is PdfEdition), None)
    for edition in editions:
        if isinstance(edition, PdfEdition):
            edition.cache = cache  # rendered parts and page numbers to start from
        if isinstance(edition, EpubEdition) and edition.book.page_list:
            made = next((p for p in planned if p.page_starts and p.output.format == "pdf"), None)
            if print_edition is None:
                print_edition = PdfEdition(
                    edition.book, edition.layouts, edition.moment, edition.limits, edition.options
                )
                print_edition.cache = cache
            edition.page_starts = page_map(print_edition, made, cache, progress)
        planned.append(plan_output(edition, project, cache, progress))
    return planned


def plan_output(
    edition: HtmlEdition, project: Project, cache: BuildCache, progress: Progress
) -> Planned:
    """An edition's file made anew, unless the cache says the one in build/ is current."""
    target = project.build_dir / edition.file_name
    with progress.stage(edition.format) as stage:
        previous = cache.outputs.get(edition.format)
        if previous is not None:
            current = cache.current(edition.format, edition.digest(previous.resources), target)
            if current is not None:
                stage.note = "up to date"
                output = Output(edition.format, target, current.size, current.pages, False)
                return Planned(output, current, None)
        made = edition.make(progress.page_counter(edition.format))
        stage.note = f"{made.pages} pages" if made.pages is not None else ""
    record = OutputRecord(
        digest=edition.digest(made.resources),
        resources=sorted(set(made.resources)),
        sha256=hashlib.sha256(made.data).hexdigest(),
        size=len(made.data),
        pages=made.pages,
        warnings=[w.to_record() for w in made.warnings],
    )
    output = Output(edition.format, target, record.size, record.pages)
    return Planned(output, record, made.data, made.page_starts)


def page_map(
    edition: PdfEdition, made: Planned | None, cache: BuildCache, progress: Progress
) -> list[PageStart]:
    """Where the print edition's pages begin, for the EPUB's page list.

    From this build's PDF if it was laid out now; else from the cache, if the print layout's
    inputs are the ones recorded with it; else the pages are laid out (no PDF is written), so
    that an EPUB built alone still carries the printed page numbers, and never stale ones.
    """
    if made is not None and made.page_starts is not None:
        cache.store_page_map(made.record.digest, made.record.resources, made.page_starts)
        return made.page_starts
    cached = cache.page_map()
    if cached is not None:
        digest, resources, starts = cached
        if edition.digest(resources) == digest:
            return starts
    with progress.stage("layout") as stage:
        laid_out = edition.layout_pages()
        stage.note = f"{len(laid_out.page_starts)} pages"
    starts, resources = laid_out.page_starts, laid_out.resources
    cache.store_page_map(edition.digest(resources), resources, starts)
    return starts


def write_outputs(planned: Sequence[Planned], cache: BuildCache) -> None:
    """Only once every edition is made: each new file atomically, then the cache's record."""
    for plan in planned:
        if plan.data is not None:
            write_atomic(plan.output.path, plan.data)
        cache.remember(plan.output.format, plan.record)
    cache.save()


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
                    code="source-date-epoch",
                )
            ) from exc
    return dt.datetime.combine(book.date, dt.time(), tzinfo=dt.UTC)
