"""What the templates see: plain views built in Python from the book model.

Templates only loop and test; every label, anchor, link and file name is decided here, once,
for both editions. An edition supplies how it links (``href``) and how a section's HTML is
finished for it (``finish``: notes and cross-references).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from markupsafe import Markup

from booktool.language.direction import Direction, text_direction
from booktool.model.book import Book, Chapter, ChronologyEntry, Figure, KeyTerm, Section
from booktool.model.charts import ChartView, chart_href, chart_view
from booktool.model.qrcodes import qr_data_uri
from booktool.model.timelinks import MOMENT_COLUMNS, CellView, FilmLinks, MomentView
from booktool.model.xrefs import chapter_file
from booktool.source.text import slugify
from booktool.source.timecode import format_timecode

if TYPE_CHECKING:
    from booktool.language.words import Words

PAGE_SIZES_CSS = {"A4": "A4", "A5": "A5", "Letter": "letter"}
CHRONOLOGY_FILE = "chronology.xhtml"
FIGURES_FILE = "figures.xhtml"
LOF_FILE = "figures-list.xhtml"
PEOPLE_FILE = "people.xhtml"
SOURCES_FILE = "sources.xhtml"
INTRODUCTION_FILE = "introduction.xhtml"


class Linking(Protocol):
    """What an edition decides: how it links, and how it finishes a section's HTML."""

    def href(self, file: str, anchor: str) -> str: ...

    def finish(self, html: str) -> str: ...

    @property
    def page_references(self) -> bool:
        """Whether the edition is printed: its chapters open with a QR code of the film."""
        ...


@dataclass(frozen=True)
class LinkView:
    href: str
    text: str
    #: Where the film shows what the link's target summarises (with ``source.url`` only).
    moment: MomentView | None = None


@dataclass(frozen=True)
class SectionView:
    anchor: str
    title: str
    span_label: str | None
    body: Markup
    href: str
    #: False for a chapter's only section titled as the chapter: its title is not repeated.
    heading: bool = True
    #: The id of the heading that names the section (the chapter's, when it has none of its own).
    labelled_by: str = ""
    #: The film at the span's start (with ``source.url`` only).
    span_href: str | None = None


@dataclass(frozen=True)
class ChapterView:
    anchor: str
    number: int
    label: str
    title: str
    file_name: str
    href: str
    sections: list[SectionView]
    key_terms: list[KeyTerm]
    questions: list[str]
    #: The chapter's first moment in the film (with ``source.url`` only).
    moment: MomentView | None = None
    #: A QR code of that moment, as an SVG ``data:`` URI (the printed editions only).
    qr: str | None = None
    #: The QR code's text alternative.
    qr_alt: str = ""

    @property
    def listed_sections(self) -> list[SectionView]:
        """The sections with a heading of their own: those the contents list."""
        return [section for section in self.sections if section.heading]


@dataclass(frozen=True)
class ChronologyView:
    anchor: str
    label: str
    event: str
    sections: list[LinkView]
    #: False for the second and later events of the same date, printed under one heading.
    first_of_date: bool = True


@dataclass(frozen=True)
class FigureView:
    anchor: str
    label: str
    title: str
    alt: str
    source: str
    kind: str
    href: str
    image: str | None = None
    chart: ChartView | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[list[CellView]] = field(default_factory=list)
    caption: str = ""
    credit: str = ""
    #: "Source: … . Image: …" under the figure.
    source_line: str = ""
    #: The caption of a chart's data table.
    data_caption: str = ""
    #: "Figure A.1: Its title", as a chart's own title gives it.
    heading: str = ""


@dataclass(frozen=True)
class PersonView:
    anchor: str
    name: str
    dates: str
    role: str


@dataclass(frozen=True)
class SourcedSection:
    title: str
    span_label: str
    href: str
    notes: list[str]
    #: The film at the span's start (with ``source.url`` only).
    span_href: str | None = None


@dataclass(frozen=True)
class SourcedChapter:
    label: str
    title: str
    sections: list[SourcedSection]
    #: "Chapter 1: Its title", as the sourcing notes head it.
    heading: str = ""


@dataclass(frozen=True)
class PartView:
    """A part of the back matter: its anchor, title and EPUB file."""

    anchor: str
    title: str
    file_name: str
    href: str
    template: str
    #: A numbered part's label and name apart ("Appendix A", "Figures"), if it is numbered.
    label: str = ""
    name: str = ""


@dataclass(frozen=True)
class PluralForm:
    """One form of a counted message (``category``: CLDR's one, few, other ...), ``{count}``
    left for the page's script to fill in."""

    category: str
    text: str


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
    #: The source as printed after "Drawn from", or None when book.yaml names no source title.
    source_line: str | None
    #: The source in running prose: its title, or "the documentary" (its kind) without one.
    source_name: str
    #: The title page's and cover's line naming the source ("Drawn from …"), or None.
    drawn_from: str | None
    #: The first paragraph of the sourcing notes.
    sources_intro: str
    #: What print.html's page references print after the reference (CSS ``content``): the
    #: words before the page number, the number, the words after it.
    page_reference_css: Markup
    #: The search page's "N sections found", in each form the language counts with.
    search_found: list[PluralForm]
    page_size: str
    introduction: SectionView | None
    chapters: list[ChapterView]
    chronology: list[ChronologyView]
    figures: list[FigureView]
    people: list[PersonView]
    sourcing: list[SourcedChapter]
    bibliography: Markup
    parts: dict[str, PartView]
    #: A line for a print edition's title page when its page numbers are not those the
    #: page references follow (book.yaml's ``page_references``), else None.
    page_note: str | None = None
    #: "rtl" for a language written right to left (language/direction.py), else "ltr".
    direction: Direction = "ltr"

    @property
    def back_matter(self) -> list[PartView]:
        return list(self.parts.values())


def _section_view(
    section: Section,
    file: str,
    link: Linking,
    film: FilmLinks,
    words: Words,
    chapter_heading: str | None = None,
) -> SectionView:
    """``chapter_heading``: the id of the chapter's heading, if the section repeats its title."""
    smarten = words.typography.smarten
    anchor = f"s-{section.id}"
    return SectionView(
        anchor=anchor,
        title=smarten(section.title),
        span_label=section.span.label if section.span else None,
        # The body is pandoc's HTML, cleaned and re-serialised, finished by the edition.
        body=Markup(link.finish(section.html)),
        href=link.href(file, anchor),
        heading=chapter_heading is None,
        labelled_by=chapter_heading or f"{anchor}-title",
        span_href=film.href(section.span.start) if section.span else None,
    )


def _same_title(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _chapter_view(chapter: Chapter, link: Linking, film: FilmLinks, words: Words) -> ChapterView:
    smarten = words.typography.smarten
    file = chapter_file(chapter.number)
    anchor = f"ch-{chapter.id}"
    # A chapter of one section titled as the chapter prints its title once.
    only = chapter.sections[0] if len(chapter.sections) == 1 else None
    repeated = f"{anchor}-title" if only and _same_title(only.title, chapter.title) else None
    start = next((s.span.start for s in chapter.sections if s.span), None)
    moment = film.moment(start)
    return ChapterView(
        anchor=anchor,
        number=chapter.number,
        label=words("chapter", number=chapter.number),
        title=smarten(chapter.title),
        file_name=file,
        href=link.href(file, anchor),
        sections=[_section_view(s, file, link, film, words, repeated) for s in chapter.sections],
        key_terms=[KeyTerm(smarten(k.term), smarten(k.definition)) for k in chapter.key_terms],
        questions=[smarten(q) for q in chapter.questions],
        moment=moment,
        qr=qr_data_uri(moment.href) if moment and link.page_references else None,
        qr_alt=words("qr_alt", time=moment.label) if moment else "",
    )


def _source_line(book: Book, words: Words) -> str | None:
    smarten = words.typography.smarten
    source = book.source
    if source.title is None:
        return None
    parts = [smarten(source.title)]
    details = [d for d in (source.publisher, str(source.year) if source.year else None) if d]
    if details:
        parts.append(f"({', '.join(details)})")
    return " ".join(parts)


def _chronology(
    entries: list[ChronologyEntry],
    chapters: list[ChapterView],
    book: Book,
    film: FilmLinks,
    words: Words,
) -> list[ChronologyView]:
    smarten = words.typography.smarten
    sections = {s.anchor: s for c in chapters for s in c.sections}
    starts = {f"s-{s.id}": s.span.start for s in book.sections if s.span}
    views: list[ChronologyView] = []
    for entry in entries:
        links = [
            LinkView(
                sections[f"s-{sid}"].href,
                sections[f"s-{sid}"].title,
                film.moment(starts.get(f"s-{sid}")),
            )
            for sid in entry.section_ids
            if f"s-{sid}" in sections
        ]
        label = words.date(entry.date)
        first = not views or views[-1].label != label
        views.append(ChronologyView(f"chr-{entry.id}", label, smarten(entry.event), links, first))
    return views


def _figure_view(figure: Figure, link: Linking, film: FilmLinks, words: Words) -> FigureView:
    smarten = words.typography.smarten
    anchor = f"fig-{figure.id}"
    columns = [smarten(column) for column in figure.columns]
    timed = [column.strip().casefold() in MOMENT_COLUMNS for column in figure.columns]
    rows = [
        [
            film.cell(cell) if index < len(timed) and timed[index] else CellView(smarten(cell))
            for index, cell in enumerate(row)
        ]
        for row in figure.rows
    ]
    if figure.kind == "chart":
        value = words("value_unit", unit=figure.unit) if figure.unit else words("value")
        columns = [words("measure"), value, words("said_at")]
        rows = [
            [
                CellView(smarten(p.label)),
                CellView(words.number(p.value)),
                film.cell(format_timecode(p.at)) if p.at is not None else CellView("—"),
            ]
            for p in figure.points
        ]
    return FigureView(
        anchor=anchor,
        label=words("figure", number=figure.number),
        title=smarten(figure.title),
        alt=figure.alt,
        source=smarten(figure.source),
        source_line=_figure_source(figure, words),
        kind=figure.kind,
        href=link.href(FIGURES_FILE, anchor),
        # A chart is a file in print; a screen edition draws it inline, in the reader's colours.
        image=(chart_href(figure) if link.page_references else None)
        if figure.kind == "chart"
        else figure.image,
        chart=chart_view(figure, words) if figure.kind == "chart" else None,
        columns=columns,
        rows=rows,
        caption=smarten(figure.caption),
        credit=figure.credit,
        data_caption=words("chart_data", figure=words("figure", number=figure.number)),
        heading=words(
            "labelled_title",
            label=words("figure", number=figure.number),
            title=smarten(figure.title),
        ),
    )


def _figure_source(figure: Figure, words: Words) -> str:
    line = words("figure_source", source=words.typography.smarten(figure.source))
    if figure.credit:
        line += words("sentence_end") + " " + words("image_credit", credit=figure.credit)
    return line


def _sourcing(chapters: list[ChapterView], book: Book, words: Words) -> list[SourcedChapter]:
    """Each chapter's sections with their spans (linked to the film as the sections' are)."""
    smarten = words.typography.smarten
    notes = {f"s-{s.id}": s.editorial_notes for s in book.sections}
    return [
        SourcedChapter(
            chapter.label,
            chapter.title,
            [
                SourcedSection(
                    s.title,
                    s.span_label or "",
                    s.href,
                    [smarten(n) for n in notes.get(s.anchor, [])],
                    s.span_href,
                )
                for s in chapter.sections
            ],
            words("labelled_title", label=chapter.label, title=chapter.title),
        )
        for chapter in chapters
    ]


def _parts(book: Book, link: Linking, words: Words) -> dict[str, PartView]:
    figures = words("labelled_title", label=words("appendix", letter="A"), title=words("figures"))
    wanted = {
        "chronology": (words("chronology"), CHRONOLOGY_FILE, bool(book.chronology)),
        "figures": (figures, FIGURES_FILE, bool(book.figures)),
        "people": (words("people"), PEOPLE_FILE, bool(book.people)),
        "sources": (words("sources"), SOURCES_FILE, True),
    }
    parts = {
        key: PartView(key, title, file, link.href(file, key), f"_{key}.html")
        for key, (title, file, present) in wanted.items()
        if present
    }
    if "figures" in parts:
        appendix = words("appendix", letter="A")
        parts["figures"] = replace(parts["figures"], label=appendix, name=words("figures"))
    return parts


def book_view(book: Book, link: Linking, words: Words, page_note: str | None = None) -> BookView:
    """The view of the whole book that every template receives as ``book``."""
    smarten = words.typography.smarten
    film = FilmLinks(book.source, smarten)
    introduction = (
        _section_view(book.introduction, INTRODUCTION_FILE, link, film, words)
        if book.introduction
        else None
    )
    chapters = [_chapter_view(chapter, link, film, words) for chapter in book.chapters]
    source_line = _source_line(book, words)
    kind = book.source.kind
    named = words("the_source") if kind == "documentary" else words("the_source_kind", kind=kind)
    source_name = source_line or named
    return BookView(
        title=smarten(book.title),
        subtitle=smarten(book.subtitle) if book.subtitle else None,
        authors=words.names(book.authors) if book.authors else None,
        publisher=book.publisher,
        description=book.description,
        language=book.language,
        identifier=book.identifier,
        date_iso=book.date.isoformat(),
        year=str(book.date.year),
        source_line=source_line,
        source_name=source_name,
        drawn_from=words("drawn_from", source=source_line) if source_line else None,
        sources_intro=words("sources_intro", source=source_name),
        page_reference_css=Markup(
            f"{css_string(words('page_reference'))} attr(data-page)"
            + (f" {css_string(after)}" if (after := words("page_reference_after")) else "")
        ),
        search_found=[PluralForm(c, t) for c, t in words.forms("search_found").items()],
        page_size=PAGE_SIZES_CSS[book.page_size],
        introduction=introduction,
        chapters=chapters,
        chronology=_chronology(book.chronology, chapters, book, film, words),
        figures=[_figure_view(f, link, film, words) for f in book.figures],
        # A name in a script with no ASCII letters (Нил Армстронг, 尼尔·阿姆斯特朗) has no slug:
        # its place in the list is its anchor.
        people=[
            PersonView(f"person-{slugify(p.name, str(n))}", p.name, p.dates, smarten(p.role))
            for n, p in enumerate(book.people, 1)
        ],
        sourcing=_sourcing(chapters, book, words),
        # citeproc's bibliography, cleaned like every other fragment.
        bibliography=Markup(book.bibliography_html),
        parts=_parts(book, link, words),
        page_note=page_note,
        direction=text_direction(book.language),
    )


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string, safe inside a ``<style>`` element."""
    escaped = "".join(
        f"\\{ord(c):x} " if c in '"\\<>&' or ord(c) < 0x20 or c == "\u00a0" else c for c in text
    )
    return f'"{escaped}"'
