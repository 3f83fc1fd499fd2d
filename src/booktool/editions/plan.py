"""The editions a build makes, from the registry: each made anew or found current in the build
cache, the print edition the page references follow first (the EPUB's page list comes from
its layout), then all written at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, cast

from booktool.cache.folder import folder_digest, write_folder_atomic
from booktool.cache.output import write_atomic
from booktool.cache.store import BuildCache, OutputRecord
from booktool.cli.progress import Progress
from booktool.editions.base import Edition, Made
from booktool.editions.layouts import Layouts, user_template_cache
from booktool.editions.pagemap import PageStart
from booktool.editions.registry import EDITIONS, EditionSpec, Output, ordered, reference_edition
from booktool.errors import InputError, Problem, counted
from booktool.limits import RenderLimits
from booktool.model.book import Book
from booktool.options import PrintOptions
from booktool.source.project import Project

if TYPE_CHECKING:
    from booktool.editions.pdf import PdfEdition


@dataclass(frozen=True)
class Planned:
    """An output decided: its record, and what to write if it has to be written."""

    output: Output
    record: OutputRecord
    #: The edition's output, if it has to be written.
    made: Made | None
    #: Where each page begins, if the edition was laid out now.
    page_starts: list[PageStart] | None = None


def layouts_for(project: Project) -> Layouts:
    """The project's layout chain, its templates loaded (the build loads them while pandoc
    runs, instead of at the first render)."""
    layouts = Layouts(project.layouts, user_template_cache(), project.house)
    layouts.load_templates()
    return layouts


def editions_for(
    book: Book,
    formats: Sequence[str],
    layouts: Layouts,
    limits: RenderLimits,
    options: PrintOptions | None = None,
    cache: BuildCache | None = None,
) -> list[Edition]:
    """The editions of ``formats`` in the order they are made, set from the layouts."""
    moment = build_moment(book)
    return [
        spec.load()(book, layouts, moment, limits, options, cache=cache)
        for spec in ordered(formats)
    ]


def plan_editions(
    editions: Sequence[Edition], project: Project, cache: BuildCache, progress: Progress
) -> list[Planned]:
    """Each edition made or found current, in registry order: an edition that takes the
    print layout's page map (unless the book has no page list) takes it from this build's
    reference print edition (book.yaml's ``page_references``: made first), or from the cached
    page map, or from a layout that writes nothing."""
    planned: dict[str, Planned] = {}
    reference = reference_edition(editions[0].book.page_references) if editions else ""
    for edition in sorted(editions, key=lambda e: e.format != reference):
        spec = EDITIONS[edition.format]
        if spec.layout == "page-map" and edition.book.page_list:
            printed = next((e for e in editions if e.format == reference), None)
            if printed is None:
                printed = EDITIONS[reference].load()(
                    edition.book,
                    edition.layouts,
                    edition.moment,
                    edition.limits,
                    edition.options,
                    cache=cache,
                )
            made = planned.get(reference)
            edition.page_starts = page_map(cast("PdfEdition", printed), made, cache, progress)
        planned[edition.format] = plan_output(spec, edition, project, cache, progress)
    return [planned[edition.format] for edition in editions]


def plan_output(
    spec: EditionSpec, edition: Edition, project: Project, cache: BuildCache, progress: Progress
) -> Planned:
    """An edition's output made anew, unless the cache says the one in build/ is current."""
    target = spec.target(project.build_dir, edition.book.slug)
    with progress.stage(spec.name) as stage:
        previous = cache.outputs.get(spec.name)
        if previous is not None:
            current = cache.current(spec.name, edition.digest(previous.resources), target)
            if current is not None and all(
                (target.parent / name).is_file() for name in current.beside
            ):
                stage.note = "up to date"
                output = Output(spec.name, target, current.size, current.pages, False)
                return Planned(output, replace(current, slug=edition.book.slug), None)
        made = edition.make(progress.page_counter(spec.name))
        stage.note = counted(made.pages, "page") if made.pages is not None else ""
    if spec.folder:
        size, sha256 = folder_digest(made.files or {})
    else:
        size, sha256 = len(made.data), hashlib.sha256(made.data).hexdigest()
    record = OutputRecord(
        digest=edition.digest(made.resources),
        resources=sorted(set(made.resources)),
        sha256=sha256,
        size=size,
        pages=made.pages,
        warnings=[w.to_record() for w in made.warnings],
        slug=edition.book.slug,
        beside=sorted(made.beside),
    )
    output = Output(spec.name, target, record.size, record.pages)
    return Planned(output, record, made, made.page_starts)


def page_map(
    edition: PdfEdition, made: Planned | None, cache: BuildCache, progress: Progress
) -> list[PageStart]:
    """Where the print edition's pages begin, for the EPUB's page list.

    From this build's print edition if it was laid out now; else from the cache, if the print
    layout's inputs are the ones recorded with it; else the pages are laid out (no PDF is
    written), so that an EPUB built alone still carries the printed page numbers, and never
    stale ones.
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
        stage.note = counted(len(laid_out.page_starts), "page")
    starts, resources = laid_out.page_starts, laid_out.resources
    cache.store_page_map(edition.digest(resources), resources, starts)
    return starts


def write_outputs(planned: Sequence[Planned], cache: BuildCache) -> None:
    """Only once every edition is made: each new output atomically (a folder built beside its
    target, then renamed into place), then the cache's record."""
    for plan in planned:
        if plan.made is not None:
            if plan.made.files is not None:
                write_folder_atomic(plan.output.path, plan.made.files)
            else:
                write_atomic(plan.output.path, plan.made.data)
            for name, data in sorted(plan.made.beside.items()):
                write_atomic(plan.output.path.parent / name, data)
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
                    code="option",
                )
            ) from exc
    return dt.datetime.combine(book.date, dt.time(), tzinfo=dt.UTC)
