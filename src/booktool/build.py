"""``booktool build``: the whole pipeline, one stage a line, incremental through build/.cache.

load the manuscript → check it → convert its Markdown (only what changed) → the book model →
each edition, made only if its inputs changed → written atomically under ``build/``
(:mod:`booktool.editions.registry`). pandoc starts right after the load, and the check runs while it
converts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from booktool.cache.store import BuildCache
from booktool.cli.progress import Progress
from booktool.convert.markdown import (
    Conversion,
    MarkdownSource,
    PendingConversion,
    references_digest,
)
from booktool.convert.markdown import converting as markdown_converting
from booktool.errors import InputError, Problem, display_path
from booktool.model.book import Book
from booktool.render.pool import laid_out_formats, standby_renderer
from booktool.source.config import PrintOptions
from booktool.source.manuscript import Manuscript, assemble_book, load_manuscript
from booktool.source.project import Project
from booktool.source.text import slugify

if TYPE_CHECKING:
    from booktool.editions.registry import Output


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
    # pandoc and the render workers start first; the manuscript is checked, and the modules
    # that make the editions load (0.05 s: templates, lxml, ebooklib), while they run.
    with standby_renderer(limits, workers), converting(manuscript, cache) as pending:
        from booktool.editions import registry as editions

        with progress.stage("check") as stage:
            report.warnings += check(manuscript, strict)
            stage.note = f"{len(report.warnings)} warnings" if report.warnings else ""
        layouts = editions.layouts_for(project)
        with progress.stage("convert") as stage:
            book, report.converted = book_from(manuscript, pending.result(), report.warnings)
            total = len(manuscript.markdown_files) + bool(manuscript.apparatus.sources_path)
            stage.note = f"{report.converted} of {total} files through pandoc"
        made = editions.editions_for(book, formats, layouts, limits, options)
        planned = editions.plan_editions(made, project, cache, progress)
    report.warnings += [Problem.from_record(w) for p in planned for w in p.record.warnings]
    if strict and report.warnings:
        raise InputError(*report.warnings)  # nothing written: --strict fails on any warning
    with progress.stage("write"):
        editions.write_outputs(planned, cache)
    report.outputs = [p.output for p in planned]
    return report


def check(manuscript: Manuscript, strict: bool) -> list[Problem]:
    """Every check rule; errors (and warnings if ``strict``) stop the build. The warnings."""
    from booktool.checks import run_rules  # loaded while pandoc runs: see build()

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
    from booktool.render.parts import expected_parts  # only for builds that lay pages out

    sources = markdown_sources(manuscript)
    built = all(name in cache.outputs for name in laid_out)
    if built and all(cache.has_fragment(s.key) for s in sources):
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
    from booktool.convert.htmlclean import clean_fragments  # loaded while pandoc runs: see build()
    from booktool.model.xrefs import check_references, targets

    apparatus = manuscript.apparatus
    texts = {f.path: (f.body, f.body_line) for f in manuscript.markdown_files}
    prefixes = {f.path: id_prefix(f.path) for f in manuscript.markdown_files}
    cleaned = clean_fragments(conversion.html, manuscript.project.manuscript, texts, prefixes)
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
