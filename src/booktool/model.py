"""The format-free book model: what the booklet says, not how either edition shows it.

Bodies are HTML fragments (pandoc's conversion of the Markdown, cleaned); every edition renders
the same model through the shared layouts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from booktool.timecode import format_timecode


@dataclass(frozen=True)
class Source:
    """The documentary the booklet is drawn from."""

    title: str
    kind: str = "documentary"
    url: str | None = None
    publisher: str | None = None
    year: int | None = None
    duration: int | None = None


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


@dataclass(frozen=True)
class Chapter:
    """A numbered chapter: a titled group of sections."""

    id: str
    number: int
    title: str
    sections: list[Section]


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
    introduction: Section | None = None

    @property
    def sections(self) -> list[Section]:
        """Every section in reading order, the introduction first."""
        intro = [self.introduction] if self.introduction else []
        return intro + [s for chapter in self.chapters for s in chapter.sections]
