"""The manuscript files a drafted booklet becomes: book.yaml, segments, apparatus, people.

:func:`draft_files` turns the engine's :class:`~booktool.draft.Draft` into the text of each
file, in the formats the loaders read (``source/``). Every file opens with a comment saying
booktool drafted it, from which source, and the review mark ``booktool check`` lists as a note
until the editor deletes it. Ids are made valid and unique here, whatever the engine proposes,
so that any summary the importer accepts gives a manuscript that loads.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import yaml

from booktool.draft import Draft, DraftChart, DraftEvent, DraftPerson, DraftQuantity, is_english
from booktool.source.chronology import parse_date
from booktool.source.drafted import REVIEW_MARK
from booktool.source.text import escape_markdown, slugify
from booktool.source.timecode import format_timecode
from booktool.source.yamlio import dump_yaml

#: Where the summary is kept, verbatim, inside the project.
SOURCE_COPY = "source.txt"
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Metadata:
    """What the book says about itself: drafted, or given on the command line."""

    title: str
    subtitle: str | None
    authors: list[str]
    language: str
    identifier: str
    date: str
    source_title: str | None = None
    source_url: str | None = None
    ignore_years: list[int] = field(default_factory=list)


def header(source_name: str, what: str) -> str:
    """The comment every drafted file opens with: who drafted it, from what, and the mark."""
    return (
        f"# Drafted by booktool import from {source_name} (kept verbatim as manuscript/"
        f"{SOURCE_COPY}): a first draft that wants an editor's review.\n"
        f"# {what}\n"
        f"{REVIEW_MARK}\n"
    )


def unique_id(wanted: str, used: set[str], fallback: str) -> str:
    """``wanted`` as a valid id (letters first) not yet in ``used``, which it joins."""
    base = slugify(wanted, fallback)[:40].rstrip("-") or fallback
    if not _ID.match(base):
        base = f"{fallback}-{base}"
    identifier, suffix = base, 2
    while identifier in used:
        identifier, suffix = f"{base}-{suffix}", suffix + 1
    used.add(identifier)
    return identifier


def _dump(data: object) -> str:
    """Block-style YAML whose innermost lists and mappings sit on one line each, as
    ``[seg-01, seg-02]`` and ``{label: …, value: 18, at: "00:35:00"}``: as editors write them."""
    return yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _front_matter(comment: str, data: dict[str, object], body: str) -> str:
    return f"---\n{comment}{dump_yaml(data)}---\n\n{body}"


def _markdown(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "\n\n".join(escape_markdown(" ".join(p.split())) for p in paragraphs) + "\n"


def segment_files(draft: Draft, source_name: str, lines: list[int]) -> dict[str, str]:
    """One Markdown file per segment; a chapter of one segment gives it the chapter's title,
    so that the edition prints that title once."""
    alone = {c.segment_ids[0]: c.title for c in draft.chapters if len(c.segment_ids) == 1}
    files = {}
    for index, segment in enumerate(draft.segments):
        following = draft.segments[index + 1].start if index + 1 < len(draft.segments) else None
        front: dict[str, object] = {
            "id": segment.id,
            # The loader wants a title: the segment's time, should the engine give none.
            "title": alone.get(segment.id, segment.title).strip()
            or f"From {format_timecode(segment.start)}",
            "start": format_timecode(segment.start),
            "end": format_timecode(following) if following is not None else None,
        }
        comment = header(
            source_name,
            f"Segment {index + 1}: the bullet on line {lines[index]} of {SOURCE_COPY}, the summary "
            "site's framing taken out.",
        )
        files[f"segments/{segment.id}.md"] = _front_matter(comment, front, _markdown(segment.text))
    return files


def introduction_file(draft: Draft, source_name: str) -> str:
    """``summary.md``: the summary's paragraphs, the summary site's framing taken out."""
    comment = header(source_name, "The introduction: the summary paragraph(s) before the bullets.")
    return _front_matter(comment, {"title": "Introduction"}, _markdown(draft.introduction))


def _placeholder(key: str, example: str) -> str:
    """A key the draft leaves out, commented out under its description."""
    from booktool.cli.keycomments import key_comment
    from booktool.source.config import BOOK_KEYS

    return "\n".join([*key_comment(BOOK_KEYS[key], 0), f"# {key}: {example}"]) + "\n"


def book_yaml(draft: Draft, meta: Metadata, source_name: str, introduction: bool) -> str:
    """``book.yaml``, each key under the comment ``booktool new`` writes for it too
    (:func:`booktool.cli.keycomments.comment_keys`)."""
    from booktool.cli.keycomments import comment_keys

    out = [
        header(source_name, "book.yaml: what the booklet is and how it is ordered."),
        "# Lines starting with # are comments. `booktool check` lints the whole manuscript;\n"
        "# `booktool build` makes build/<slug>.pdf and .epub. The titles, chapters and key terms\n"
        "# below are suggestions drawn from the summary's own words: rewrite them freely.\n\n",
        dump_yaml({"title": meta.title}),
    ]
    if meta.subtitle:
        out.append(dump_yaml({"subtitle": meta.subtitle}))
    if meta.authors:
        out.append(dump_yaml({"authors": meta.authors}))
    else:
        out.append(_placeholder("authors", "[Your Name]"))
    out += [
        dump_yaml({"language": meta.language}),
        dump_yaml({"identifier": meta.identifier}),
        dump_yaml({"date": dt.date.fromisoformat(meta.date)}),
        dump_yaml({"page_size": "A4"}),
        "\n# `duration` (HH:MM:SS) gives the last segment its end.\n",
    ]
    source = {
        key: value
        for key, value in (("title", meta.source_title), ("url", meta.source_url))
        if value
    }
    if source:
        out.append(dump_yaml({"source": source}))
    else:
        out.append(_placeholder("source", "{title: …, url: …, publisher: …, year: …, duration: …}"))
    if introduction:
        out.append("\nintroduction: summary.md\n")
    if meta.ignore_years:
        out.append(
            "\n# Years the segments mention for which booktool drafted no chronology entry:\n"
            "# add entries to chronology.yaml, or leave a year here if it needs none.\n"
        )
        out.append(_dump({"chronology": {"ignore_years": meta.ignore_years}}))
    out.append(
        "\n# Drafted: consecutive segments grouped by what they discuss. Every segment\n"
        "# is in exactly one chapter. key_terms: the terms the text itself defines or names,\n"
        "# each with its defining phrase as a draft definition. No discussion questions were\n"
        "# drafted: add 'questions: [...]' to a chapter to close it with some.\n"
        if is_english(meta.language)
        else "\n# Drafted: consecutive segments grouped by what they discuss. Every segment\n"
        f"# is in exactly one chapter. booktool's drafting rules read English and this text is\n"
        f"# '{meta.language}': each title is the opening words of its text, and no key terms\n"
        "# (their rules read English phrases such as 'known as'), no figures (tables and charts\n"
        "# of the numbers the text gives, which read English number words) and no discussion\n"
        "# questions were drafted. Add 'key_terms: {term: definition}' and 'questions: [...]' to\n"
        "# a chapter, and figures in figures.yaml, as you wish. Dates were read with the\n"
        "# language's month names.\n"
    )
    out.append("chapters:\n")
    used: set[str] = set()
    for chapter in draft.chapters:
        title = chapter.title.strip() or f"Segments {', '.join(chapter.segment_ids)}"
        entry = {"id": unique_id(chapter.id or title, used, "chapter"), "title": title}
        written = dump_yaml([entry])
        # Segment ids are plain words (seg-01): a flow list on one line reads as the plan.
        written += f"  segments: [{', '.join(chapter.segment_ids)}]\n"
        terms = {
            _capitalised(t.strip()): _capitalised(d.strip())
            for t, d in chapter.key_terms
            if t.strip() and d.strip()
        }
        if terms:
            written += "  " + dump_yaml({"key_terms": terms}).replace("\n", "\n  ").rstrip(" ")
        out.append(written)
    return comment_keys("".join(out))


def drafted_events(draft: Draft) -> list[DraftEvent]:
    """The drafted events the chronology's loader accepts (a date it reads, an event, a
    segment)."""
    events = []
    for event in draft.chronology:
        try:
            parse_date(event.date)
        except ValueError:
            continue
        if event.event.strip() and event.segment_ids:
            events.append(event)
    return events


def chronology_yaml(draft: Draft, source_name: str) -> str | None:
    """``chronology.yaml``: every dated statement as an entry; None if there is none."""
    used: set[str] = set()
    entries = []
    for event in drafted_events(draft):
        entries.append(
            {
                "id": unique_id(event.id, used, "event"),
                "date": event.date,
                "event": " ".join(event.event.split()),
                "segments": list(event.segment_ids),
            }
        )
    if not entries:
        return None
    comment = header(
        source_name,
        "The chronology: every dated statement of the segments, in date order when built.\n"
        "# date: 1958, 1958-08, 1958-08-29, 1950–1952, c. 1959 or 1950s. segments: where it is "
        "discussed.",
    )
    return comment + _dump(entries)


def _amount(value: float) -> str:
    for size, word in ((1e9, "billion"), (1e6, "million")):
        if value >= size and (value / size) * 100 == int((value / size) * 100):
            return f"{value / size:g} {word}"
    return f"{value:,.0f}" if value == int(value) else f"{value:,g}"


def _number(quantity: DraftQuantity) -> str:
    """The number as the table prints it: the text's own figures, or digits for words."""
    text = " ".join(quantity.number_text.split())
    if any(c.isdigit() for c in text):
        shown = text
    elif quantity.low is not None and quantity.high is not None:
        shown = f"{_amount(quantity.low)}–{_amount(quantity.high)} ({text})"
    elif quantity.value is not None:
        shown = f"{_amount(quantity.value)} ({text})"
    else:
        shown = text
    if quantity.unit == "%" and not shown.endswith("%") and "%" not in shown:
        shown += "%"
    if quantity.approximate and quantity.value is not None and quantity.low is None:
        shown = f"about {shown}"
    return shown


def _numbers_table(draft: Draft, title: str, used: set[str]) -> dict[str, object] | None:
    rows = [
        [
            (q.what[:1].upper() + q.what[1:]) if q.what else "—",
            _number(q),
            format_timecode(q.at_seconds),
        ]
        for q in draft.quantities
        if q.number_text.strip()
    ]
    if not rows:
        return None
    return {
        "id": unique_id("key-numbers", used, "figure"),
        "kind": "table",
        "title": f"{title} in numbers",
        "alt": f"A table of {len(rows)} numbers the summary states, each with what it counts "
        "and the moment of the documentary that gives it.",
        "source": "the summary of the documentary, at the timestamp in each row.",
        "columns": ["What", "Number", "Said at"],
        "rows": rows,
    }


def _chart(chart: DraftChart, used: set[str]) -> dict[str, object] | None:
    points = [(label, value, at) for label, value, at in chart.points if value >= 0]
    if len(points) < 2:
        return None
    described = "; ".join(f"{label}, {value:g}" for label, value, _ in points)
    return {
        "id": unique_id(chart.title, used, "chart"),
        "kind": "chart",
        "title": chart.title,
        "unit": chart.unit,
        "alt": f"Bar chart of {len(points)} values in {chart.unit}: {described}.",
        "source": "the summary of the documentary, at the timestamp given for each value.",
        "data": [
            {
                "label": label,
                "value": int(value) if value == int(value) else value,
                "at": format_timecode(at),
            }
            for label, value, at in points
        ],
    }


def figures_yaml(draft: Draft, title: str, source_name: str) -> str | None:
    """``figures.yaml``: the charts, then a table of the quantities; None if neither."""
    used: set[str] = set()
    figures = [c for c in (_chart(chart, used) for chart in draft.charts) if c is not None]
    table = _numbers_table(draft, title, used)
    figures += [table] if table else []
    if not figures:
        return None
    comment = header(
        source_name,
        "The figures appendix (Figure A.1, A.2 …): a bar chart where three or more quantities\n"
        "# measure the same thing, and a table of the numbers the summary states.",
    )
    return comment + _dump(figures)


def _people_entries(people: Iterable[DraftPerson]) -> list[tuple[DraftPerson, list[str]]]:
    """Each person with the variants no other entry claims (the loader refuses a shared one)."""
    names = {person.name for person in people}
    claimed: set[str] = set()
    kept = []
    for person in people:
        variants = []
        for variant in person.variants:
            if variant not in names and variant not in claimed and variant != person.name:
                claimed.add(variant)
                variants.append(variant)
        kept.append((person, variants))
    return kept


def people_yaml(draft: Draft, source_name: str) -> str | None:
    """``people.yaml``: the people named, their variants clustered; None if nobody is named."""
    people: list[DraftPerson] = []
    for person in draft.people:
        if all(person.name != other.name for other in people):
            people.append(person)
    if not people:
        return None
    out = [
        header(
            source_name,
            "The people the booklet names: the Who's Who appendix, in this order. variants:\n"
            "# other spellings met in the summary; `booktool check` flags them in the text and\n"
            "# `booktool check --fix` replaces them by the name. Add dates (e.g. 1898–1969).",
        )
    ]
    for person, variants in _people_entries(people):
        entry: dict[str, object] = {"name": person.name}
        if person.role:
            entry["role"] = person.role[:1].upper() + person.role[1:]
        if variants:
            entry["variants"] = variants
        if person.uncertain_spelling:
            spellings = ", ".join([person.name, *variants])
            out.append(
                f"# The summary spells this name several ways ({spellings}): the true spelling\n"
                "# cannot be known from the text. Check it, make it the name, keep the others as "
                "variants.\n"
            )
        out.append(_dump([entry]))
    return "".join(out)
