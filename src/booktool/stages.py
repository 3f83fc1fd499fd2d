"""The build's stages after the stamp: loaded only when a build is not a no-op (see
:func:`booktool.build.build`, which names them in order).

pandoc starts right after the load, and the check runs, and the editions' modules load, while
it converts; render workers load WeasyPrint meanwhile if the build will lay pages out.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
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
from booktool.editions.cover import covers_kept
from booktool.editions.registry import laid_out_formats
from booktool.errors import InputError, Problem, counted
from booktool.limits import RENDER_MEMORY_MB, RenderLimits
from booktool.model.book import Book
from booktool.options import PrintOptions
from booktool.render import pool
from booktool.source.manuscript import Manuscript, assemble_book, load_manuscript, wants_page_list
from booktool.source.project import Project
from booktool.source.text import slugify

if TYPE_CHECKING:
    from booktool.editions.layouts import Layouts
    from booktool.editions.plan import Planned


def early_renderer(
    project: Project, formats: Sequence[str]
) -> contextlib.AbstractContextManager[None]:
    """One render worker started before the manuscript is read, if the build will likely lay
    pages out (an edition that lays the print edition out, or takes its page map and the book
    keeps its page list): it loads WeasyPrint while the manuscript loads."""
    laid_out = any(name in laid_out_formats(page_list=False) for name in formats)
    if not laid_out and any(name in laid_out_formats(page_list=True) for name in formats):
        laid_out = wants_page_list(project)
    return pool.early_renderer(RENDER_MEMORY_MB) if laid_out else nullcontext()


def load(project: Project) -> Manuscript:
    """Every manuscript file read and checked; every problem found, reported at once."""
    return load_manuscript(project)


def open_cache(project: Project) -> BuildCache:
    """The build cache under ``build/.cache/``."""
    return BuildCache(project.build_dir)


@contextlib.contextmanager
def started(
    manuscript: Manuscript, cache: BuildCache, formats: Sequence[str]
) -> Iterator[PendingConversion]:
    """pandoc converting what the cache lacks and the render workers the build will want
    (loading WeasyPrint), both for the block."""
    workers = render_workers(manuscript, cache, formats)
    with (
        pool.standby_renderer(manuscript.config.limits, workers),
        converting(manuscript, cache) as pending,
    ):
        yield pending


def layouts(project: Project) -> Layouts:
    """The layout chain, its templates loaded (while pandoc runs, not at the first render)."""
    from booktool.editions.plan import layouts_for  # loaded while pandoc runs: see build()

    return layouts_for(project)


def editions(
    project: Project,
    book: Book,
    formats: Sequence[str],
    layouts: Layouts,
    limits: RenderLimits,
    options: PrintOptions | None,
    cache: BuildCache,
    progress: Progress,
) -> list[Planned]:
    """Each edition of ``formats`` (see the registry) made, or found current in the cache."""
    from booktool.editions import plan

    made = plan.editions_for(book, formats, layouts, limits, options, cache)
    return plan.plan_editions(made, project, cache, progress)


def write(planned: Sequence[Planned], cache: BuildCache, project: Project, slug: str) -> list[Path]:
    """Every output written atomically, once all are made; then the cache's record. If the
    book was renamed, the outputs booktool wrote under its former name are removed once the
    new ones are in place: those removed."""
    from booktool.editions.plan import write_outputs
    from booktool.editions.renamed import forget_former, former_outputs, remove_outputs

    former = former_outputs(cache, project.build_dir, slug)
    forget_former(cache, slug)
    write_outputs(planned, cache)
    return remove_outputs(former)


def check(manuscript: Manuscript, strict: bool) -> list[Problem]:
    """Every check rule; errors (and warnings if ``strict``) stop the build. The warnings."""
    from booktool.checks import run_rules  # loaded while pandoc runs: see build()

    found = run_rules(manuscript)
    if found.failed(strict):
        stop = found.errors or [
            Problem(
                None,
                None,
                f"{counted(len(found.warnings), 'warning')} and --strict",
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
    never made or whose Markdown changed: a no-op rebuild never loads WeasyPrint; one for an
    EPUB's first cover picture, when neither its build/ nor the user's cache holds one: a new
    cover where the user's cache has others is drawn on demand); else about as many as the book
    will have parts."""
    paged = laid_out_formats(manuscript.config.epub.page_list)
    laid_out = [name for name in formats if name in paged]
    if not laid_out:  # an EPUB lays out its cover page alone, if no cache has a cover yet
        return 1 if "epub" in formats and not cache.has_cover() and not covers_kept() else 0
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
    from booktool.model.xrefs import check_references, target_keys

    apparatus = manuscript.apparatus
    texts = {f.path: (f.body, f.body_line) for f in manuscript.markdown_files}
    prefixes = {f.path: id_prefix(f.path) for f in manuscript.markdown_files}
    cleaned = clean_fragments(
        conversion.html, manuscript.project.manuscript, texts, prefixes, manuscript.config.language
    )
    if cleaned.problems:
        raise InputError(*cleaned.problems)
    if warnings is not None:
        warnings.extend(cleaned.warnings)
    book = assemble_book(manuscript, cleaned.html, cleaned.media)
    problems = check_references(
        ((path, cleaned.html[path], text, line) for path, (text, line) in texts.items()),
        target_keys(book),
        {str(ref["id"]) for ref in apparatus.references},
    )
    if problems:
        raise InputError(*problems)
    return book, conversion.converted
