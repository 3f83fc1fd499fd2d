"""The chronology: historians' dates, ``chronology.yaml``, and dated statements in the text.

Dates are written as historians write them: ``1958``, ``1958-08``, ``1958-08-29``, a range
``1950–1952`` (or ``1950-1952``), ``c. 1959`` / ``circa 1959``, or a decade ``1950s``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from booktool.errors import Problem
from booktool.model.book import ChronologyEntry, HistoricalDate
from booktool.source.ids import id_problem
from booktool.source.schema import unknown_keys
from booktool.source.text import slugify
from booktool.source.yamlio import LineDict, LineList

ENTRY_KEYS = {
    "id": "The entry's id for cross-references, e.g. communes (default: from date and event).",
    "date": "1958, 1958-08, 1958-08-29, 1950–1952, c. 1959 or 1950s. Required.",
    "event": "What happened, in one sentence. Required.",
    "segments": "The ids of the segments that discuss it. Required.",
}
_YEAR = r"(1[5-9]\d\d|20\d\d)"
_DATE = re.compile(
    rf"^(?P<circa>(?:c\.|ca\.|circa|~)\s*)?(?P<y1>{_YEAR[1:-1]})(?:-(?P<m>\d\d)(?:-(?P<d>\d\d))?)?"
    rf"(?:\s*(?:–|—|-|to)\s*(?P<y2>{_YEAR[1:-1]}))?(?P<decade>s)?$",
    re.IGNORECASE,
)


def parse_date(value: Any) -> HistoricalDate:
    """A HistoricalDate from a YAML value; ValueError with what is wrong."""
    if isinstance(value, dt.date):
        return HistoricalDate((value.year, value.month, value.day), precision="day")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"'{value}' is not a date")
    text = str(value).strip()
    match = _DATE.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a date (use 1958, 1958-08, 1950–1952 or c. 1959)")
    year = int(match["y1"])
    month = int(match["m"]) if match["m"] else 0
    day = int(match["d"]) if match["d"] else 0
    if month and not 1 <= month <= 12:
        raise ValueError(f"'{text}': no month {month}")
    if day and not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise ValueError(f"'{text}': no day {day} in that month")
    circa = bool(match["circa"])
    if match["decade"]:
        if year % 10 or match["y2"] or month:
            raise ValueError(f"'{text}' is not a decade (use e.g. 1950s)")
        return HistoricalDate((year, 0, 0), (year + 9, 0, 0), "decade", circa)
    if match["y2"]:
        end = int(match["y2"])
        if end <= year or month:
            raise ValueError(f"'{text}': a range runs from an earlier year to a later one")
        return HistoricalDate((year, 0, 0), (end, 0, 0), "year", circa)
    precision = "day" if day else "month" if month else "year"
    return HistoricalDate((year, month, day), None, precision, circa)


def date_label(date: HistoricalDate) -> str:
    """How the date is printed: 1958, August 1958, 29 August 1958, 1950–1952, c. 1959, 1950s."""
    year, month, day = date.start
    if date.precision == "decade":
        label = f"{year}s"
    elif date.end is not None:
        label = f"{year}–{date.end[0]}"
    elif date.precision == "day":
        label = f"{day} {calendar.month_name[month]} {year}"
    elif date.precision == "month":
        label = f"{calendar.month_name[month]} {year}"
    else:
        label = str(year)
    return f"c. {label}" if date.circa else label


def read_chronology(
    data: Any, path: Path, segment_ids: set[str] | None, problems: list[Problem]
) -> list[ChronologyEntry]:
    """Checked chronology entries, in date order; problems are appended, not raised.

    Segment ids are checked against ``segment_ids`` unless it is None.
    """
    known = segment_ids
    if data is None:
        return []
    if not isinstance(data, LineList):
        problems.append(
            Problem(
                path,
                1,
                "chronology.yaml must be a list of entries",
                "write '- date: 1958' items",
                code="chronology",
            )
        )
        return []
    entries: list[ChronologyEntry] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data):
        line = data.line_of(index)
        if not isinstance(item, LineDict):
            problems.append(
                Problem(
                    path,
                    line,
                    "a chronology entry must be a mapping",
                    "give it date, event and segments",
                    code="chronology",
                )
            )
            continue
        entry = _read_entry(item, path, known, problems)
        if entry is None:
            continue
        if entry.id in seen:
            problems.append(
                Problem(
                    path,
                    item.line_of("id"),
                    f"chronology id '{entry.id}' is used twice (first on line {seen[entry.id]})",
                    "give each entry its own id",
                    code="duplicate-id",
                )
            )
            continue
        seen[entry.id] = line
        entries.append(entry)
    return sorted(entries, key=lambda e: (e.date.start, e.date.end or e.date.start))


def _read_entry(
    item: LineDict, path: Path, known: set[str] | None, problems: list[Problem]
) -> ChronologyEntry | None:
    before = len(problems)
    problems += unknown_keys(item, ENTRY_KEYS, "a chronology entry", path)
    date = None
    try:
        date = parse_date(item.get("date"))
    except ValueError as exc:
        problems.append(Problem(path, item.line_of("date"), str(exc), code="chronology-date"))
    event = item.get("event")
    if not isinstance(event, str) or not event.strip():
        problems.append(
            Problem(
                path,
                item.line_of("event"),
                "a chronology entry needs an 'event'",
                "say what happened",
                code="missing-key",
            )
        )
    segments = item.get("segments")
    if isinstance(segments, str):
        segments = [segments]
    if not isinstance(segments, list) or not segments:
        problems.append(
            Problem(
                path,
                item.line_of("segments"),
                "a chronology entry needs the 'segments' that discuss it",
                "add 'segments: [seg-01]'",
                code="missing-key",
            )
        )
        segments = []
    for seg_id in segments:
        if known is not None and seg_id not in known:
            problems.append(
                Problem(
                    path,
                    item.line_of("segments"),
                    f"segment '{seg_id}' does not exist",
                    f"segments: {', '.join(sorted(known))}",
                    code="unresolved-id",
                )
            )
    given = item.get("id")
    if given is not None and (bad := id_problem(path, item.line_of("id"), "chronology", given)):
        problems.append(bad)
    if len(problems) > before or date is None:
        return None
    assert isinstance(event, str)
    entry_id = str(item.get("id") or slugify(f"{date_label(date)} {event}")[:40].rstrip("-"))
    return ChronologyEntry(
        entry_id, date, date_label(date), event.strip(), [str(s) for s in segments]
    )


@dataclass(frozen=True)
class DatedStatement:
    """A sentence of a segment that mentions a date: a candidate chronology entry."""

    path: Path
    line: int
    segment_id: str
    date: str
    years: list[int]
    sentence: str


_MENTION = re.compile(
    rf"\b(?:between\s+{_YEAR}\s+and\s+{_YEAR}"
    rf"|(?:(?:in|from|until|since|by|after|before|of)\s+)?(?:the\s+)?"
    rf"(?:{_YEAR}\s*(?:–|—|-|to)\s*{_YEAR}|{_YEAR}s|{_YEAR}))\b",
    re.IGNORECASE,
)
_REFERENCE = re.compile(r"\[[^\]\n]*@[^\]\n]*\]")
_COUNTED = re.compile(r"\s+(?!was\b|has\b|as\b|is\b|does\b)(?:[a-z]+s|people|men|women)\b")
_SENTENCE = re.compile(r"[^.!?]*(?:[.!?]+|$)")
_FOUR_DIGITS = re.compile(r"\d{4}")


def _mention_years(text: str) -> tuple[str, list[int]]:
    years = [int(y) for y in re.findall(_YEAR, text)]
    if re.search(r"\d{4}s\b", text):
        return f"{years[0]}s", list(range(years[0], years[0] + 10))
    if len(years) == 2:
        return f"{years[0]}–{years[1]}", list(range(years[0], years[1] + 1))
    return str(years[0]), years


def dated_statements(
    segment_id: str, path: Path, text: str, first_line: int
) -> list[DatedStatement]:
    """Every sentence of ``text`` that mentions a year, a range or a decade."""
    found: list[DatedStatement] = []
    # Citations and cross-references ([@chr:harvest-1959]) name ids, not dates.
    text = _REFERENCE.sub(lambda m: " " * len(m.group(0)), text)
    for sentence_match in _SENTENCE.finditer(text):
        chunk = sentence_match.group(0)
        if not _FOUR_DIGITS.search(chunk):
            continue  # every mention holds a year: most sentences are passed over at once
        sentence = " ".join(chunk.split())
        for mention in _MENTION.finditer(chunk):
            if _COUNTED.match(chunk, mention.end()) and re.fullmatch(r"\d{4}", mention.group(0)):
                continue  # "2000 families": a count, not a year
            label, years = _mention_years(mention.group(0))
            offset = sentence_match.start() + mention.start()
            line = first_line + text.count("\n", 0, offset)
            found.append(DatedStatement(path, line, segment_id, label, years, sentence))
    return found


def years_covered(entries: Iterable[ChronologyEntry]) -> set[int]:
    """Every year some chronology entry covers."""
    return {year for entry in entries for year in entry.date.years}
