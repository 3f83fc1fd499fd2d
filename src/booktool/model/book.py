"""The format-free book model: what the booklet says, not how either edition shows it.

Bodies are HTML fragments (pandoc's conversion of the Markdown, cleaned); every edition renders
the same model through the shared layouts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from booktool.source.timecode import format_timecode


@dataclass(frozen=True)
class Source:
    """The documentary the booklet is drawn from; ``title`` is None if the editor gave none."""

    title: str | None = None
    kind: str = "documentary"
    url: str | None = None
    publisher: str | None = None
    year: int | None = None
    duration: int | None = None
    #: How a moment of the film is linked: a template of ``{url}``, ``{seconds}``, ``{hms}``
    #: (see :mod:`booktool.model.timelinks`); None for the rule of the URL's host.
    time_link: str | None = None


@dataclass(frozen=True)
class SourceSpan:
    """Where in the source a section comes from, in seconds; ``end`` is None if unknown."""

    start: int
    end: int | None = None

    @property
    def label(self) -> str:
        start = format_timecode(self.start)
        return f"{start}–{format_timecode(self.end)}" if self.end is not None else f"from {start}"


@dataclass(frozen=True)
class Section:
    """One section of a chapter, drawn from one segment of the source."""

    id: str
    title: str
    html: str
    source_path: Path
    span: SourceSpan | None = None
    #: Editorial notes on how the source was treated (e.g. a name's spelling normalised).
    editorial_notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class KeyTerm:
    """A term a chapter teaches, with its definition."""

    term: str
    definition: str


@dataclass(frozen=True)
class Chapter:
    """A numbered chapter: a titled group of sections."""

    id: str
    number: int
    title: str
    sections: list[Section]
    key_terms: list[KeyTerm] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)


@dataclass(frozen=True, order=True)
class HistoricalDate:
    """A date as historians write it: a year, a month, a day, a range, or circa."""

    start: tuple[int, int, int]
    end: tuple[int, int, int] | None = None
    precision: str = "year"  # year, month or day
    circa: bool = False

    @property
    def years(self) -> list[int]:
        """Every year the date covers."""
        last = self.end[0] if self.end else self.start[0]
        return list(range(self.start[0], last + 1))


@dataclass(frozen=True)
class ChronologyEntry:
    """An event in the chronology and the sections that discuss it."""

    id: str
    date: HistoricalDate
    label: str
    event: str
    section_ids: list[str]


@dataclass(frozen=True)
class DataPoint:
    """One bar of a chart: a label, a value and where the source gives it."""

    label: str
    value: float
    at: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Figure:
    """A numbered figure of the appendix: a chart, a table or an image."""

    id: str
    number: str
    kind: str  # chart, table or image
    title: str
    alt: str
    source: str
    unit: str = ""
    points: list[DataPoint] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    image: str | None = None  # a media href
    caption: str = ""
    credit: str = ""


@dataclass(frozen=True)
class Person:
    """Someone the booklet names, with the spellings met in the transcript."""

    name: str
    role: str = ""
    dates: str = ""
    variants: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Book:
    """The whole booklet."""

    title: str
    identifier: str
    language: str
    date: dt.date
    slug: str
    source: Source
    chapters: list[Chapter]
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    description: str | None = None
    page_size: str = "A4"
    #: Whether the e-book carries the printed edition's page numbers.
    page_list: bool = True
    #: Whether the e-book carries subsets of its fonts (book.yaml ``epub: {embed_fonts}``).
    embed_fonts: bool = False
    #: The print edition whose pages the page list follows: "handout" (the PDF) or "booklet".
    page_references: str = "handout"
    introduction: Section | None = None
    chronology: list[ChronologyEntry] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    #: The bibliography as rendered by pandoc's citeproc (an HTML fragment), if any.
    bibliography_html: str = ""
    #: The manuscript's files (images) that the editions carry, by href (``media/...``).
    media: dict[str, Path] = field(default_factory=dict)

    @property
    def sections(self) -> list[Section]:
        """Every section in reading order, the introduction first."""
        intro = [self.introduction] if self.introduction else []
        return intro + [s for chapter in self.chapters for s in chapter.sections]
