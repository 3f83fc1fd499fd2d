"""Drafting a study booklet from a documentary's machine-made summary.

``draft_booklet`` names every stage; each stage is a module of its own and testable alone. The
engine is format-free: plain strings and tuples in, the dataclasses of ``model`` out.
"""

from __future__ import annotations

import re

from booktool.draft.chapters import split_chapters
from booktool.draft.charts import draft_charts, draft_quantities
from booktool.draft.chronology import build_chronology
from booktool.draft.clutter import clean_pasted
from booktool.draft.framing import deframe_sentence, deframe_text
from booktool.draft.model import (
    Draft,
    DraftChapter,
    DraftChart,
    DraftEvent,
    DraftPerson,
    DraftQuantity,
    DraftSegment,
    Pasted,
)
from booktool.draft.people import find_people
from booktool.draft.sentences import split_sentences
from booktool.draft.terms import find_terms
from booktool.draft.titles import book_title, make_titles, opening_title, topic_title
from booktool.draft.words import content_stems
from booktool.source.text import slugify

__all__ = [
    "Draft",
    "DraftChapter",
    "DraftChart",
    "DraftEvent",
    "DraftPerson",
    "DraftQuantity",
    "DraftSegment",
    "Pasted",
    "clean_pasted",
    "draft_booklet",
    "is_english",
]


def is_english(language: str) -> bool:
    """Whether ``language`` (a BCP 47 tag) is English, the language the drafting rules read."""
    return language.replace("_", "-").split("-")[0].lower() == "en"


def draft_booklet(summary: str, segments: list[tuple[int, str]], language: str = "en") -> Draft:
    """A first draft of the whole booklet from the summary and its (start second, text) bullets.

    The rules that read phrases (titles, key terms, numbers in words) are written for English.
    In another language the titles are the opening words of the text, and no key terms, number
    tables or charts are drafted; dates are read with the language's month names.
    """
    notes: list[str] = []
    english = is_english(language)
    if not english:
        notes.append(
            f"The drafting rules are written for English; the text is '{language}': titles are "
            "the text's opening words, and no key terms, number tables or charts were drafted."
        )
    # The page's clutter, then the site's framing.
    pasted = clean_pasted(summary)
    notes += [f"Dropped from the pasted page: {line}" for line in pasted.dropped]
    if pasted.url:
        notes.append(f"Source URL found in the pasted page: {pasted.url}")
    introduction = deframe_text(pasted.text)
    ids = _segment_ids(len(segments))
    cleaned = [_clean_segment(text, notes, ids[i]) for i, (_, text) in enumerate(segments)]
    texts = [text for text, _ in cleaned]
    topics = [topic_title(topic) if topic else None for _, topic in cleaned]
    # The book's title, the people (whose names titles avoid), chapters, then every title.
    title, subtitle = (
        book_title(pasted.text) if english else (opening_title(pasted.text, None, language), None)
    )
    if title is None and not english:  # no summary: the first segment's opening words
        title = opening_title(" ".join(texts), None, language)
    if title is None:
        title = "Study Booklet"
        notes.append("No title could be read from the summary's first sentence: give one.")
    people = _people(introduction, texts, ids, notes)
    names = frozenset(n.lower() for p in people for n in [p.name, *p.variants])
    roles = frozenset(p.role.lower() for p in people if p.role)
    groups = split_chapters([content_stems(text) for text in texts])
    used: set[str] = {title.lower()}
    chapter_texts = [" ".join(texts[i] for i in group) for group in groups]
    chapter_parts = [[texts[i] for i in group] for group in groups]
    if not english:
        chapter_titles = [
            opening_title(parts[0], used, language) or f"{n + 1}"
            for n, parts in enumerate(chapter_parts)
        ]
    else:
        chapter_titles = make_titles(chapter_texts, used, title, names | roles, parts=chapter_parts)
    chapter_of = {i: chapter_titles[n] for n, group in enumerate(groups) for i in group}
    if not english:
        section_titles = [
            opening_title(text, used, language) or f"{i + 1}" for i, text in enumerate(texts)
        ]
    else:
        section_titles = make_titles(
            texts,
            used,
            title,
            names | roles,
            preferred=topics,
            avoid_each=[chapter_of[i] for i in range(len(texts))],
        )
    draft_segments = [
        DraftSegment(ids[i], start, section_titles[i], texts[i], source)
        for i, (start, source) in enumerate(segments)
    ]
    # What the text states: key terms per chapter, dated statements, numbers.
    chapters = _chapters(groups, chapter_titles, ids, texts, names if english else None)
    chronology = build_chronology(list(zip(ids, texts, strict=True)), language)
    found = (
        draft_quantities([(start, texts[i]) for i, (start, _) in enumerate(segments)])
        if english
        else []
    )
    quantities = [quantity for quantity, _ in found]
    charts = draft_charts(found)
    return Draft(
        title=title,
        subtitle=subtitle,
        introduction=introduction,
        segments=draft_segments,
        chapters=chapters,
        chronology=chronology,
        quantities=quantities,
        charts=charts,
        people=people,
        notes=notes,
    )


def _segment_ids(count: int) -> list[str]:
    width = max(2, len(str(count)))
    return [f"seg-{n:0{width}d}" for n in range(1, count + 1)]


def _clean_segment(text: str, notes: list[str], segment_id: str) -> tuple[str, str | None]:
    """The segment's text without framing, and the topic its first framed sentence named."""
    kept: list[str] = []
    topic = None
    for sentence in split_sentences(text):
        result = deframe_sentence(sentence)
        if result.fragment:
            notes.append(f"{segment_id}: a framing sentence was kept as a phrase: {result.text}")
        if result.topic and topic is None and not kept:
            topic = result.text
        if result.text:
            kept.append(result.text)
    if not kept:
        notes.append(f"{segment_id}: nothing but framing was left; the verbatim text is kept.")
        return re.sub(r"\s+", " ", text).strip(), None
    return " ".join(kept), topic


def _chapters(
    groups: list[list[int]],
    titles: list[str],
    ids: list[str],
    texts: list[str],
    names: frozenset[str] | None,
) -> list[DraftChapter]:
    """The chapters with the terms their text defines (none looked for without ``names``: the
    text is not English)."""
    chapters = []
    used_ids: set[str] = set()
    used_terms: set[str] = set()
    for group, title in zip(groups, titles, strict=True):
        base = slugify(" ".join(title.split(" and ")[0].split()[:4]), fallback="chapter")
        identifier, suffix = base, 2
        while identifier in used_ids or identifier.startswith("seg-"):
            identifier, suffix = f"{base}-{suffix}", suffix + 1
        used_ids.add(identifier)
        terms = []
        for index in group if names is not None else ():
            for term, definition in find_terms(texts[index], names or frozenset()):
                if term.lower() not in used_terms:
                    used_terms.add(term.lower())
                    terms.append((term, definition))
        chapters.append(DraftChapter(identifier, title, [ids[i] for i in group], terms))
    return chapters


def _people(
    introduction: str, texts: list[str], ids: list[str], notes: list[str]
) -> list[DraftPerson]:
    people = []
    for person in find_people([(-1, introduction), *enumerate(texts)]):
        if person.uncertain_spelling:
            spellings = ", ".join([person.name, *person.variants])
            notes.append(
                f"{person.name}: the text spells this person several ways ({spellings}); "
                "the true spelling cannot be known from the text."
            )
        people.append(
            DraftPerson(
                name=person.name,
                role=person.role,
                variants=person.variants,
                uncertain_spelling=person.uncertain_spelling,
                segment_ids=[ids[i] for i in person.segments],
            )
        )
    return people
