"""``booktool build``: the whole pipeline, one stage a line, incremental through build/.cache.

load the manuscript → check it → convert its Markdown (only what changed) → the book model →
each edition, made only if its inputs changed → written atomically under ``build/``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from booktool.cache import BuildCache, OutputRecord
from booktool.checks import run_rules
from booktool.config import laid_out_formats
from booktool.edition import HtmlEdition, PrintOptions
from booktool.epub import EpubEdition
from booktool.errors import InputError, Problem, display_path
from booktool.htmlclean import clean_fragments
from booktool.layouts import Layouts
from booktool.manuscript import Manuscript, assemble_book, load_manuscript
from booktool.markdown import Conversion, MarkdownSource, PendingConversion, references_digest
from booktool.markdown import converting as markdown_converting
from booktool.model import Book
from booktool.output import write_atomic
from booktool.pagemap import PageStart
from booktool.parts import expected_parts
from booktool.pdf import BookletEdition, PdfEdition
from booktool.progress import Progress
from booktool.project import Project
from booktool.render_process import standby_renderer
from booktool.text import slugify
from booktool.xrefs import check_references, targets

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


@dataclass
class BuildReport:
    """What a build made, what it warned about, and how long each stage took."""

    outputs: list[Output] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    converted: int = 0

    @property
    def up_to_date(self) -> bool:
        """Nothing had to be written."""
        return not any(output.written for output in self.outputs)

    def as_dict(self) -> dict[str, object]:
        """The report as plain data, for ``--json``."""
        return {
            "up_to_date": self.up_to_date,
            "outputs": [
                {
                    "format": o.format,
                    "path": display_path(o.path),
                    "size": o.size,
                    "pages": o.pages,
                    "written": o.written,
                }
                for o in self.outputs
            ],
            "warnings": [w.as_dict() for w in self.warnings],
            "converted": self.converted,
            "timings": {stage: round(seconds, 4) for stage, seconds in self.timings.items()},
        }


@dataclass(frozen=True)
class Planned:
    """An output decided: its record, and its bytes if it has to be written."""

    output: Output
    record: OutputRecord
    data: bytes | None
    #: Where each page begins, if the edition was laid out now.
    page_starts: list[PageStart] | None = None


def build(
    project: Project,
    formats: Sequence[str] = ("pdf", "epub"),
    *,
    strict: bool = False,
    progress: Progress | None = None,
    options: PrintOptions | None = None,
) -> BuildReport:
    """Build the requested editions of ``project`` into its ``build/`` folder."""
    progress = progress or Progress()
    report = BuildReport(timings=progress.timings)
    with progress.stage("load"):
        manuscript = load_manuscript(project)
    cache = BuildCache(project.build_dir)
    limits = manuscript.config.limits
    workers = render_workers(manuscript, cache, formats)
    # pandoc and the render workers start first, and the manuscript is checked while they run.
    with standby_renderer(limits, workers), converting(manuscript, cache) as pending:
        with progress.stage("check") as stage:
            report.warnings += check(manuscript, strict)
            stage.note = f"{len(report.warnings)} warnings" if report.warnings else ""
        with progress.stage("convert") as stage:
            book, report.converted = book_from(manuscript, pending.result(), report.warnings)
            total = len(manuscript.markdown_files) + bool(manuscript.apparatus.sources_path)
            stage.note = f"{report.converted} of {total} files through pandoc"
        layouts = Layouts(project.layouts, cache.directory / "templates")
        moment = build_moment(book)
        editions = [
            EDITIONS[name](book, layouts, moment, limits, options)
            for name in FORMATS
            if name in formats
        ]
        planned = plan_editions(editions, project, cache, progress)
    report.warnings += [Problem.from_record(w) for p in planned for w in p.record.warnings]
    if strict and report.warnings:
        raise InputError(*report.warnings)  # nothing written: --strict fails on any warning
    with progress.stage("write"):
        write_outputs(planned, cache)
    report.outputs = [p.output for p in planned]
    return report


def check(manuscript: Manuscript, strict: bool) -> list[Problem]:
    """Every check rule; errors (and warnings if ``strict``) stop the build. The warnings."""
    found = run_rules(manuscript)
    if found.failed(strict):
        stop = found.errors or [
            Problem(
                None,
                None,
                f"{len(found.warnings)} warnings and --strict",
                "fix them, or build without --strict",
                code="strict",
            )
        ]
        raise InputError(*stop, warnings=found.warnings)
    return found.warnings


def id_prefix(path: Path) -> str:
    """The prefix of the ids in one file's HTML, so that files can share a page."""
    return slugify(path.stem, "text") + "-"


def markdown_sources(manuscript: Manuscript) -> list[MarkdownSource]:
    """Every Markdown file of the manuscript as pandoc converts it."""
    references = references_digest(manuscript.apparatus.references)
    return [
        MarkdownSource(f.path, f.body, f.body_line, id_prefix(f.path), references)
        for f in manuscript.markdown_files
    ]


def render_workers(manuscript: Manuscript, cache: BuildCache, formats: Sequence[str]) -> int:
    """How many render workers to start while pandoc runs: none unless this build will most
    likely lay pages out (a PDF, or an EPUB whose page list needs the print layout, that was
    never made or whose Markdown changed: a no-op rebuild never loads WeasyPrint); else about
    as many as the book will have parts."""
    paged = laid_out_formats(manuscript.config.epub.page_list)
    laid_out = [name for name in formats if name in paged]
    if not laid_out:
        return 0
    sources = markdown_sources(manuscript)
    if all(name in cache.outputs for name in laid_out):
        folder = cache.fragments
        if all((folder / f"{s.key}.html").is_file() for s in sources):
            return 0
    size = sum(len(s.text) for s in sources) + len(manuscript.apparatus.references) * 200
    return expected_parts(size)


@contextlib.contextmanager
def converting(manuscript: Manuscript, cache: BuildCache) -> Iterator[PendingConversion]:
    """pandoc started on the Markdown files (and the bibliography) that the cache lacks, for
    the block; stopped if the block ends first (a check failed)."""
    apparatus = manuscript.apparatus
    sources = markdown_sources(manuscript)
    if apparatus.sources_path is not None:
        references = references_digest(apparatus.references)
        sources.append(
            MarkdownSource(apparatus.sources_path, "", references=references, bibliography=True)
        )
    with markdown_converting(sources, cache, apparatus.references) as pending:
        yield pending


def convert(
    manuscript: Manuscript, cache: BuildCache, warnings: list[Problem] | None = None
) -> tuple[Book, int]:
    """Markdown through pandoc (only files not in the cache, in one run), cleaned, checked,
    assembled; with the number of files pandoc converted."""
    with converting(manuscript, cache) as pending:
        return book_from(manuscript, pending.result(), warnings)


def book_from(
    manuscript: Manuscript, conversion: Conversion, warnings: list[Problem] | None = None
) -> tuple[Book, int]:
    """The book model from pandoc's HTML, cleaned and its references checked; with the number
    of files pandoc converted.

    What the cleaning removed (unsafe raw HTML) is appended to ``warnings``.
    """
    apparatus = manuscript.apparatus
    texts = {f.path: (f.body, f.body_line) for f in manuscript.markdown_files}
    cleaned = clean_fragments(conversion.html, manuscript.project.manuscript, texts)
    if cleaned.problems:
        raise InputError(*cleaned.problems)
    if warnings is not None:
        warnings.extend(cleaned.warnings)
    book = assemble_book(manuscript, cleaned.html, cleaned.media)
    problems = check_references(
        ((path, cleaned.html[path], text, line) for path, (text, line) in texts.items()),
        targets(book),
        {str(ref["id"]) for ref in apparatus.references},
    )
    if problems:
        raise InputError(*problems)
    return book, conversion.converted


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
                )
            ) from exc
    return dt.datetime.combine(book.date, dt.time(), tzinfo=dt.UTC)
