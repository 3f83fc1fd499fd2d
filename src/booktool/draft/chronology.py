"""The chronology draft: one entry per dated statement, with the most precise date it gives."""

from __future__ import annotations

import re

from booktool.draft.dates import date_sort_key, find_dates
from booktool.draft.model import DraftEvent
from booktool.draft.sentences import split_sentences
from booktool.draft.words import STOPWORDS
from booktool.source.text import slugify

MAX_EVENT = 240


def trim_event(sentence: str, start: int) -> str:
    """The sentence, or for a long one the clause holding the date at ``start``."""
    if len(sentence) <= MAX_EVENT:
        return sentence
    pieces = [m for m in re.finditer(r"[^;]+?(?:;|,\s+(?:but|while|although|and)\s+|$)", sentence)]
    for piece in pieces:
        if piece.start() <= start < piece.end():
            clause = re.sub(r"(?:;|,\s+(?:but|while|although|and)\s+)$", "", piece.group(0)).strip()
            clause = re.sub(r"^(?:but|while|although|and)\s+", "", clause)
            return clause[:1].upper() + clause[1:].rstrip(".") + "."
    return sentence


def build_chronology(segments: list[tuple[str, str]], language: str = "en") -> list[DraftEvent]:
    """Entries from (segment id, framing-free text) pairs in ``language``, in date order, ids
    unique."""
    entries: list[tuple[str, str, list[str]]] = []
    for segment_id, text in segments:
        for sentence in split_sentences(text, language):
            for mention in find_dates(sentence, language):
                event = trim_event(sentence, mention.start)
                for date, known, ids in entries:
                    if date == mention.date and known == event:
                        if segment_id not in ids:
                            ids.append(segment_id)
                        break
                else:
                    entries.append((mention.date, event, [segment_id]))
    entries.sort(key=lambda e: date_sort_key(e[0]))
    used: set[str] = set()
    events = []
    for date, event, ids in entries:
        words = [w for w in re.findall(r"[^\W\d_]+", event) if w.lower() not in STOPWORDS][:3]
        base = slugify(f"{date.replace('c. ', 'c')} {' '.join(words)}", fallback="event")[:40]
        base = base.rstrip("-")
        identifier, suffix = base, 2
        while identifier in used:
            identifier, suffix = f"{base}-{suffix}", suffix + 1
        used.add(identifier)
        events.append(DraftEvent(identifier, date, event, ids))
    return events
