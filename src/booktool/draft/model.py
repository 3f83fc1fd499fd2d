"""What the drafting engine returns: plain dataclasses, free of any file format."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Pasted:
    """A pasted summary page once its clutter is taken out."""

    text: str
    url: str | None
    dropped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DraftSegment:
    """One bullet: ``text`` with the summary site's framing removed, ``source_text`` verbatim."""

    id: str
    start: int
    title: str
    text: str
    source_text: str


@dataclass(frozen=True)
class DraftChapter:
    """Consecutive segments on one topic, with the terms their text defines."""

    id: str
    title: str
    segment_ids: list[str]
    key_terms: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class DraftEvent:
    """A chronology entry; ``date`` as booktool writes it (1958-08, 1950–1952, 1950s, c. 1959)."""

    id: str
    date: str
    event: str
    segment_ids: list[str]


@dataclass(frozen=True)
class DraftQuantity:
    """A number the text states, with what it counts and where it is said."""

    what: str
    number_text: str
    value: float | None
    low: float | None
    high: float | None
    unit: str | None
    at_seconds: int
    approximate: bool = False


@dataclass(frozen=True)
class DraftChart:
    """Three or more quantities of the same thing in the same unit; values in ``unit``."""

    title: str
    unit: str
    points: list[tuple[str, float, int]]


@dataclass(frozen=True)
class DraftPerson:
    """A person named in the text, with the other spellings met for the same person."""

    name: str
    role: str | None
    variants: list[str]
    uncertain_spelling: bool
    segment_ids: list[str]


@dataclass(frozen=True)
class Draft:
    """A first draft of a study booklet, for an editor to revise."""

    title: str
    subtitle: str | None
    introduction: str
    segments: list[DraftSegment]
    chapters: list[DraftChapter]
    chronology: list[DraftEvent]
    quantities: list[DraftQuantity]
    charts: list[DraftChart]
    people: list[DraftPerson]
    notes: list[str]
