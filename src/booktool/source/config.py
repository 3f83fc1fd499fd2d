"""``manuscript/book.yaml``: a typed schema, one docstring per key, every error collected.

:func:`read_config` checks the whole file and raises one :class:`InputError` holding every
problem found, each with its ``file:line``, like MkDocs' config validation. The print options
of the command line are :mod:`booktool.options`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from booktool.errors import InputError, Problem
from booktool.limits import RenderLimits
from booktool.model.book import Source
from booktool.model.timelinks import template_problem, url_problem
from booktool.source.ids import id_problem
from booktool.source.schema import Collector
from booktool.source.text import slugify
from booktool.source.timecode import timecode_value
from booktool.source.yamlio import LineDict, LineList

PAGE_SIZES = {"A4": "A4", "A5": "A5", "LETTER": "Letter", "US-LETTER": "Letter"}
#: The print editions page references can follow (``page_references``): the PDF at the book's
#: page size, or the half-size booklet (``--booklet``).
PAGE_REFERENCES = ("handout", "booklet")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class ChapterPlan:
    """One chapter of the plan: its title and the segments it gathers, in order."""

    id: str
    title: str
    segments: list[str]
    line: int
    key_terms: list[tuple[str, str]] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EpubSettings:
    """How the EPUB is made, beyond the shared layouts."""

    #: The print edition's page numbers (a page list and page-break markers where the PDF's
    #: pages begin); building the EPUB then lays the print edition out.
    page_list: bool = True


@dataclass(frozen=True)
class BookConfig:
    """The validated contents of ``book.yaml``."""

    path: Path
    title: str
    identifier: str
    language: str
    date: dt.date
    chapters: list[ChapterPlan]
    source: Source
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    description: str | None = None
    slug: str = "book"
    page_size: str = "A4"
    introduction: str | None = None
    limits: RenderLimits = field(default_factory=RenderLimits)
    epub: EpubSettings = EpubSettings()
    #: The print edition whose page numbers the EPUB's page list follows (PAGE_REFERENCES).
    page_references: str = "handout"
    #: Years the text mentions that need no chronology entry (``chronology: {ignore_years}``).
    ignore_years: frozenset[int] = frozenset()
    line_of: dict[str, int] = field(default_factory=dict)


#: Every key ``book.yaml`` accepts, with what it means.
BOOK_KEYS: dict[str, str] = {
    "title": "The book's title: cover, title page, metadata. Required.",
    "subtitle": "A subtitle under the title.",
    "authors": "Who made the booklet (editors, compilers): a name or a list of names.",
    "publisher": "The publisher named in the metadata and on the title page's verso.",
    "description": "One paragraph describing the booklet, for e-reader catalogues.",
    "language": "The book's language as a BCP 47 tag (en, fr, en-GB). Required.",
    "identifier": "A stable unique identifier, e.g. urn:uuid:…; keep it across editions. Required.",
    "date": "The edition's date (YYYY-MM-DD): printed, and both outputs' timestamp. Required.",
    "slug": "The output file name without extension (default: from the title).",
    "page_size": "A4 (default), A5 or Letter.",
    "page_references": "The print edition whose page numbers the EPUB's page list follows: "
    "handout (default: the PDF, at page_size) or booklet (the half-size --booklet). The other "
    "print edition says on its title page that its page numbers differ.",
    "source": "The documentary: title, kind, url, publisher, year, duration. Without a title, "
    "the editions name no source.",
    "introduction": "Markdown file (in manuscript/) that opens the book, e.g. summary.md.",
    "chapters": "The chapter plan: a list of {id, title, segments: [segment ids]}.",
    "limits": "Bounds on the PDF render: render_seconds (300), render_memory_mb (2048), "
    "render_processes (0: one per core).",
    "epub": "How the EPUB is made: page_list (true).",
    "chronology": "How the chronology is checked: ignore_years, the years the text mentions "
    "that need no entry.",
}
CHRONOLOGY_KEYS: dict[str, str] = {
    "ignore_years": "Years the segments mention that need no chronology entry (e.g. [1976]): "
    "`check` does not report them as missing.",
}
EPUB_KEYS: dict[str, str] = {
    "page_list": "The printed edition's page numbers in the EPUB: a page list and page-break "
    "markers where the PDF's pages begin (default true). false: no print page numbers, and an "
    "EPUB built alone need not lay the print edition out (a book with no printed edition).",
}
LIMIT_KEYS: dict[str, str] = {
    "render_seconds": "Seconds the PDF render may take before it is stopped (default 300).",
    "render_memory_mb": "MiB of memory each PDF render process may use (default 2048; at "
    "least 384).",
    "render_processes": "PDF render processes at once: the book's parts are laid out in "
    "parallel (default 0: one per core).",
    "max_megapixels": "Pixels an image may have, in millions (default 50): a larger one is "
    "refused before it is decoded.",
}
SOURCE_KEYS: dict[str, str] = {
    "title": "The documentary's title, printed as 'Drawn from …' (none printed if absent).",
    "kind": "What the source is (documentary, lecture, film).",
    "url": "Where the source can be watched, an http(s) address (never fetched): every "
    "timestamp the booklet shows links to that moment of it.",
    "publisher": "Who published or broadcast the source.",
    "year": "The year the source was published.",
    "duration": "The source's length as HH:MM:SS: the end of its last segment.",
    "time_link": "How a timestamp links into the film, overriding the rule of the URL's host "
    "(YouTube t=, Vimeo #t=…s, else #t=): e.g. '{url}?start={seconds}'; placeholders {url}, "
    "{seconds} and {hms} only.",
}
CHAPTER_KEYS: dict[str, str] = {
    "id": "The chapter's id, for file names and cross-references (default: from the title).",
    "title": "The chapter's title. Required.",
    "segments": "The ids of the segments the chapter gathers, in reading order. Required.",
    "key_terms": "Study aid: the terms the chapter teaches, as 'term: definition' pairs.",
    "questions": "Study aid: discussion questions for the chapter's end, a list.",
}


def _as_date(value: Any) -> dt.date:
    """The edition's date: a four-digit year (dcterms:modified), at most 2107 (a zip entry's)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    elif isinstance(value, str):
        value = dt.date.fromisoformat(value.strip())
    if not isinstance(value, dt.date):
        raise ValueError(f"'{value}' is not a date")
    if not 1000 <= value.year <= 2107:
        raise ValueError(f"{value.isoformat()} is outside the years 1000 to 2107")
    return value


def _as_year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1000 <= value <= 9999:
        raise ValueError(f"'{value}' is not a year")
    return value


def read_config(data: Any, path: Path) -> BookConfig:
    """Validate parsed ``book.yaml`` data; raise InputError listing every problem."""
    problems = Collector(path)
    if not isinstance(data, LineDict):
        raise InputError(
            Problem(path, 1, "book.yaml must be a mapping of keys to values", code="config")
        )
    problems.unknown_keys(data, BOOK_KEYS, "book.yaml")
    title = problems.text(data, "title", required=True)
    identifier = problems.text(data, "identifier", required=True)
    language = problems.text(data, "language", required=True)
    if language and not LANGUAGE_TAG.match(language):
        problems.add(data.line_of("language"), f"'{language}' is not a language tag", "use e.g. en")
    date = problems.checked(data, "date", _as_date, "write it as YYYY-MM-DD")
    if "date" not in data:
        problems.add(data.line, "'date' is required", "add 'date: YYYY-MM-DD'")
    authors_value = data.get("authors")
    authors: list[str] = []
    if isinstance(authors_value, str):
        authors = [authors_value.strip()]
    elif isinstance(authors_value, list):
        authors = [str(a).strip() for a in authors_value if str(a).strip()]
    elif authors_value is not None:
        problems.add(data.line_of("authors"), "'authors' must be a name or a list of names")
    page_size_text = problems.text(data, "page_size") or "A4"
    page_size = PAGE_SIZES.get(page_size_text.upper().replace(" ", "-"))
    if page_size is None:
        problems.add(
            data.line_of("page_size"),
            f"page_size '{page_size_text}' is not supported",
            "use A4, A5 or Letter",
        )
    slug = problems.text(data, "slug") or slugify(title or "book")
    if slugify(slug) != slug:
        problems.add(
            data.line_of("slug"),
            f"slug '{slug}' is not a plain file name",
            f"use e.g. '{slugify(slug)}'",
        )
    source = _read_source(data, problems)
    chapters = _read_chapters(data, problems)
    introduction = problems.text(data, "introduction")
    limits = _read_limits(data, problems)
    epub = _read_epub(data, problems)
    page_references = _read_page_references(data, problems)
    ignore_years = _read_ignore_years(data, problems)
    if problems.problems:
        raise InputError(*problems.problems)
    assert title and identifier and language and date and source is not None
    return BookConfig(
        path=path,
        title=title,
        subtitle=problems.text(data, "subtitle"),
        authors=authors,
        publisher=problems.text(data, "publisher"),
        description=problems.text(data, "description"),
        identifier=identifier,
        language=language,
        date=date,
        slug=slug,
        page_size=page_size or "A4",
        source=source,
        introduction=introduction,
        chapters=chapters,
        limits=limits,
        epub=epub,
        page_references=page_references,
        ignore_years=ignore_years,
        line_of=dict(data.key_lines),
    )


def _read_source(data: LineDict, problems: Collector) -> Source | None:
    value = data.get("source")
    if value is None:
        return Source()
    if not isinstance(value, LineDict):
        problems.add(
            data.line_of("source"),
            "'source' must be a mapping",
            "add 'source: {title: …}'",
        )
        return None
    problems.unknown_keys(value, SOURCE_KEYS, "source")
    title = problems.text(value, "title")
    duration = problems.checked(value, "duration", timecode_value, 'write it as "HH:MM:SS"')
    year = problems.checked(value, "year", _as_year)
    url = problems.text(value, "url")
    if url is not None and (fault := url_problem(url)):
        problems.add(
            value.line_of("url"),
            f"source url {fault}",
            "give the film's http:// or https:// address, or remove 'url'",
            "source-url",
        )
    time_link = problems.text(value, "time_link")
    if time_link is not None and (fault := template_problem(time_link)):
        problems.add(
            value.line_of("time_link"),
            f"time_link {fault}",
            "write e.g. '{url}?start={seconds}' (placeholders {url}, {seconds}, {hms})",
            "time-link",
        )
    elif time_link is not None and url is None:
        problems.add(
            value.line_of("time_link"),
            "time_link is given but source has no 'url' to link to",
            "add 'url: https://…' under source, or remove 'time_link'",
            "time-link",
        )
    return Source(
        title=title,
        kind=problems.text(value, "kind") or "documentary",
        url=url,
        publisher=problems.text(value, "publisher"),
        year=year,
        duration=duration,
        time_link=time_link,
    )


def _as_bounded(low: float, high: float, kind: type[int] | type[float]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not low <= value <= high:
            raise ValueError(f"'{value}' is not a number from {low:.0f} to {high:.0f}")
        return kind(value)

    return convert


def _section(
    data: LineDict, key: str, keys: dict[str, str], example: str, problems: Collector
) -> LineDict | None:
    """The mapping under ``key``, its unknown keys reported; None if absent or not one."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, LineDict):
        problems.add(data.line_of(key), f"'{key}' must be a mapping", f"e.g. '{example}'")
        return None
    problems.unknown_keys(value, keys, key)
    return value


def _read_limits(data: LineDict, problems: Collector) -> RenderLimits:
    example = "limits: {render_seconds: 300, render_memory_mb: 2048}"
    value = _section(data, "limits", LIMIT_KEYS, example, problems)
    if value is None:
        return RenderLimits()
    default = RenderLimits()
    seconds = problems.checked(value, "render_seconds", _as_bounded(1, 86400, float))
    memory = problems.checked(value, "render_memory_mb", _as_bounded(384, 1048576, int))
    processes = problems.checked(value, "render_processes", _as_bounded(0, 256, int))
    megapixels = problems.checked(value, "max_megapixels", _as_bounded(1, 1000, float))
    return RenderLimits(
        render_seconds=default.render_seconds if seconds is None else seconds,
        render_memory_mb=default.render_memory_mb if memory is None else memory,
        render_processes=default.render_processes if processes is None else processes,
        max_megapixels=default.max_megapixels if megapixels is None else megapixels,
    )


def _as_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"'{value}' is not true or false")
    return value


def _read_epub(data: LineDict, problems: Collector) -> EpubSettings:
    value = _section(data, "epub", EPUB_KEYS, "epub: {page_list: true}", problems)
    if value is None:
        return EpubSettings()
    page_list = problems.checked(value, "page_list", _as_bool, "write true or false")
    return EpubSettings(page_list=EpubSettings.page_list if page_list is None else page_list)


def _read_page_references(data: LineDict, problems: Collector) -> str:
    """Which print edition the page references follow (PAGE_REFERENCES; the first by default)."""
    value = data.get("page_references")
    if value is None:
        return PAGE_REFERENCES[0]
    text = str(value).strip().lower()
    if text not in PAGE_REFERENCES:
        problems.add(
            data.line_of("page_references"),
            f"page_references '{text}' is not a print edition",
            f"use {' or '.join(PAGE_REFERENCES)}",
        )
        return PAGE_REFERENCES[0]
    return text


def _as_years(value: Any) -> frozenset[int]:
    if not isinstance(value, list):
        raise ValueError("must be a list of years")
    return frozenset(_as_year(year) for year in value)


def _read_ignore_years(data: LineDict, problems: Collector) -> frozenset[int]:
    example = "chronology: {ignore_years: [1976]}"
    value = _section(data, "chronology", CHRONOLOGY_KEYS, example, problems)
    if value is None:
        return frozenset()
    years = problems.checked(value, "ignore_years", _as_years, "write e.g. [1976, 1980]")
    return years or frozenset()


def _read_chapters(data: LineDict, problems: Collector) -> list[ChapterPlan]:
    value = data.get("chapters")
    if not isinstance(value, LineList) or not value:
        problems.add(
            data.line_of("chapters"),
            "'chapters' must list at least one chapter",
            "add 'chapters: [{title: …, segments: [seg-01]}]'",
        )
        return []
    chapters: list[ChapterPlan] = []
    seen_ids: dict[str, int] = {}
    for index, item in enumerate(value):
        line = value.line_of(index)
        if not isinstance(item, LineDict):
            problems.add(line, "a chapter must be a mapping with title and segments")
            continue
        problems.unknown_keys(item, CHAPTER_KEYS, "a chapter")
        title = problems.text(item, "title", required=True) or f"Chapter {index + 1}"
        chapter_id = problems.text(item, "id") or slugify(title, f"chapter-{index + 1}")
        if bad := id_problem(problems.path, item.line_of("id"), "chapter", chapter_id):
            problems.add(bad.line, bad.message, bad.hint, bad.code)
        if chapter_id in seen_ids:
            problems.add(
                item.line_of("id"),
                f"chapter id '{chapter_id}' is used twice (first on line {seen_ids[chapter_id]})",
                "give each chapter its own id",
                "duplicate-id",
            )
        seen_ids.setdefault(chapter_id, line)
        segments = item.get("segments")
        if isinstance(segments, list) and not segments:
            problems.add(
                item.line_of("segments"),
                f"chapter '{title}' is empty",
                "list its segments ('segments: [seg-01]') or remove the chapter",
                "empty-chapter",
            )
        elif not isinstance(segments, list) or not all(isinstance(s, str) for s in segments):
            problems.add(
                item.line_of("segments"),
                f"chapter '{title}' must list its segments by id",
                "add 'segments: [seg-01, seg-02]'",
            )
            segments = []
        key_terms = _read_key_terms(item, problems)
        questions = item.get("questions") or []
        if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
            problems.add(
                item.line_of("questions"),
                "'questions' must be a list of questions",
                "write '- Why …?' items",
            )
            questions = []
        chapters.append(
            ChapterPlan(
                chapter_id, title, list(segments), line, key_terms, [q.strip() for q in questions]
            )
        )
    return chapters


def _read_key_terms(item: LineDict, problems: Collector) -> list[tuple[str, str]]:
    terms = item.get("key_terms")
    if terms is None:
        return []
    if not isinstance(terms, LineDict) or not all(
        isinstance(v, str) and v.strip() for v in terms.values()
    ):
        problems.add(
            item.line_of("key_terms"),
            "'key_terms' must map each term to its definition",
            "write 'Term: what it means'",
        )
        return []
    return [(term, definition.strip()) for term, definition in terms.items()]
