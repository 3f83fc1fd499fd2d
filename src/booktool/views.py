"""What the templates see: plain views built in Python from the book model.

Templates only loop and test; every label, anchor and file name is decided here, once, for
both editions.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from booktool.model import Book, Chapter, Section
from booktool.typography import smarten

PAGE_SIZES_CSS = {"A4": "A4", "A5": "A5", "Letter": "letter"}


@dataclass(frozen=True)
class SectionView:
    anchor: str
    title: str
    span_label: str | None
    body: Markup


@dataclass(frozen=True)
class ChapterView:
    anchor: str
    number: int
    label: str
    title: str
    file_name: str
    sections: list[SectionView]


@dataclass(frozen=True)
class BookView:
    title: str
    subtitle: str | None
    authors: str | None
    publisher: str | None
    description: str | None
    language: str
    identifier: str
    date_iso: str
    year: str
    source_line: str
    page_size: str
    introduction: SectionView | None
    chapters: list[ChapterView]


def section_anchor(section: Section) -> str:
    return f"s-{section.id}"


def chapter_anchor(chapter: Chapter) -> str:
    return f"ch-{chapter.id}"


def chapter_file(chapter: Chapter) -> str:
    return f"chapter-{chapter.number:02d}.xhtml"


def _section_view(section: Section) -> SectionView:
    return SectionView(
        anchor=section_anchor(section),
        title=smarten(section.title),
        span_label=section.span.label if section.span else None,
        # The body is pandoc's HTML, cleaned and re-serialised by htmlclean.
        body=Markup(section.html),
    )


def _source_line(book: Book) -> str:
    source = book.source
    parts = [smarten(source.title)]
    details = [d for d in (source.publisher, str(source.year) if source.year else None) if d]
    if details:
        parts.append(f"({', '.join(details)})")
    return " ".join(parts)


def _join_names(names: list[str]) -> str | None:
    if not names:
        return None
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def book_view(book: Book) -> BookView:
    """The view of the whole book that every template receives as ``book``."""
    return BookView(
        title=smarten(book.title),
        subtitle=smarten(book.subtitle) if book.subtitle else None,
        authors=_join_names(book.authors),
        publisher=book.publisher,
        description=book.description,
        language=book.language,
        identifier=book.identifier,
        date_iso=book.date.isoformat(),
        year=str(book.date.year),
        source_line=_source_line(book),
        page_size=PAGE_SIZES_CSS[book.page_size],
        introduction=_section_view(book.introduction) if book.introduction else None,
        chapters=[
            ChapterView(
                anchor=chapter_anchor(chapter),
                number=chapter.number,
                label=f"Chapter {chapter.number}",
                title=smarten(chapter.title),
                file_name=chapter_file(chapter),
                sections=[_section_view(s) for s in chapter.sections],
            )
            for chapter in book.chapters
        ],
    )
