"""Dates the text states, written as booktool writes them: 1958, 1958-08, 1958-08-29, 1950–1952,
1950s, c. 1959.

Relative spans ("for 50 years", "in three years"), counts ("1,000", "100 million") and timestamps
are not dates; a four-digit number before a plural noun ("1500 workers") is a count.

The rules are written for English. In another language, days and months are read with that
language's month names (CLDR's, through Babel: "14 avril 1935", "14. April 1935", "14 de abril
de 1935", "14 апреля 1935"), and dates written with 年月日 ("1935年4月14日") in any language;
the English words around years ("between", "from … to", "circa") are not looked for.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
for _unit, _value in list(_ORDINALS.items())[:9]:
    _ORDINALS[f"twenty-{_unit}"] = 20 + _value
    _ORDINALS[f"twenty {_unit}"] = 20 + _value
_ORDINALS["thirty-first"] = _ORDINALS["thirty first"] = 31

_MONTH = (
    r"(?P<month>(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
)
_ORD = "|".join(sorted(_ORDINALS, key=len, reverse=True))
_DAY = rf"(?P<day>\d{{1,2}}(?:st|nd|rd|th)?|{_ORD})"
_YEAR = r"(?P<year>1\d{3}|20\d{2})(?![\d:]|,\d|s\b|'s\b)"
_Y = r"(?<![\d,.:$])"
_FULL_MDY = re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_Y}{_YEAR}", re.IGNORECASE)
_FULL_DMY = re.compile(rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_Y}{_YEAR}", re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+(?:of\s+)?{_Y}{_YEAR}", re.IGNORECASE)
_RANGE = re.compile(
    rf"(?:\b(?:between)\s+{_Y}(?P<a>1\d{{3}}|20\d{{2}})\s+and\s+(?P<b>1\d{{3}}|20\d{{2}})\b|"
    rf"\b(?:from)\s+{_Y}(?P<c>1\d{{3}}|20\d{{2}})\s+(?:to|until|till|through|and)\s+"
    rf"(?P<d>1\d{{3}}|20\d{{2}})\b|"
    rf"{_Y}\b(?P<e>1\d{{3}}|20\d{{2}})\s*(?:–|—|-|to)\s*(?P<f>1\d{{3}}|20\d{{2}}|\d{{2}})(?![\d:]|,\d))",
    re.IGNORECASE,
)
_DECADE = re.compile(
    r"\b(?:the\s+)?(?:(?:early|mid|late)[-\s]+)?(?P<decade>1\d{2}0|20\d0)'?s\b", re.I
)
_CIRCA = re.compile(
    rf"\b(?:c\.|ca\.|circa|around|about|approximately|roughly)\s+(?:the\s+year\s+)?{_Y}{_YEAR}",
    re.I,
)
_BARE_YEAR = re.compile(rf"{_Y}\b{_YEAR}")
_NOT_A_YEAR_AFTER = re.compile(
    r"\s*(?:%|percent|per\s+cent|hundred|thousand|million|billion|"
    r"(?!years?\b|times\b)[a-z]+s\b(?<!was)(?<!has)(?<!is))",
    re.IGNORECASE,
)


_CJK_DATE = re.compile(
    r"(?<!\d)(?P<year>1\d{3}|20\d{2})\s*[年년]\s*(?:(?P<month>1[0-2]|0?[1-9])\s*[月월]"
    r"(?:\s*(?P<day>3[01]|[12]\d|0?[1-9])\s*[日일])?)?"
)


def _english(language: str) -> bool:
    return language.replace("_", "-").split("-")[0].lower() == "en"


@functools.cache
def _local_patterns(
    language: str,
) -> tuple[dict[str, int], re.Pattern[str], re.Pattern[str]] | None:
    """The month names of ``language`` (lower-cased, CLDR's, in every form Babel gives), and
    the patterns of a day-month-year and a month-year date that use them; None for English
    (its own rules read it) or a language CLDR does not know."""
    if _english(language):
        return None
    from babel import Locale, UnknownLocaleError
    from babel.dates import get_month_names

    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None
    months: dict[str, int] = {}
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for number, name in get_month_names(width, context, locale).items():
                name = name.lower().rstrip(".")
                if name and not any(c.isdigit() for c in name):
                    months.setdefault(name, number)
    if not months:
        return None
    names = "|".join(re.escape(name) for name in sorted(months, key=len, reverse=True))
    month = rf"(?P<month>{names})\.?"
    # "14 avril 1935", "1er mai", "14. April 1935", "14 de abril de 1935", "14 апреля 1935 г."
    day = r"(?P<day>3[01]|[12]\d|0?[1-9])(?:er|\.|º|°)?"
    full = re.compile(rf"(?<!\w){day}\s+(?:de\s+)?{month}\s+(?:de\s+)?{_Y}{_YEAR}", re.I)
    month_year = re.compile(rf"(?<!\w){month}\s+(?:de\s+)?{_Y}{_YEAR}", re.I)
    return months, full, month_year


@dataclass(frozen=True)
class DateMention:
    """A date in the text: its span, and the date as booktool writes it."""

    start: int
    end: int
    date: str

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Year, month, day for ordering (0 where the date does not say)."""
        return date_sort_key(self.date)


def date_sort_key(date: str) -> tuple[int, int, int]:
    """(year, month, day) of a date written as booktool writes it."""
    found = re.search(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", date)
    if not found:
        return (0, 0, 0)
    return (int(found.group(1)), int(found.group(2) or 0), int(found.group(3) or 0))


def _day(text: str) -> int | None:
    lowered = text.lower()
    if lowered in _ORDINALS:
        return _ORDINALS[lowered]
    digits = re.match(r"\d+", lowered)
    return int(digits.group(0)) if digits else None


def _month(text: str) -> int:
    return _MONTHS[text.lower().rstrip(".")]


def find_dates(text: str, language: str = "en") -> list[DateMention]:
    """Every date of ``text`` (written in ``language``), the most precise reading first wins
    its span, in text order."""
    found: list[DateMention] = []

    def free(start: int, end: int) -> bool:
        return not any(start < m.end and m.start < end for m in found)

    for match in _CJK_DATE.finditer(text):
        parts = [match.group("year"), match.group("month"), match.group("day")]
        date = "-".join(f"{int(part):02d}" for part in parts if part)
        found.append(DateMention(match.start(), match.end(), date))
    local = _local_patterns(language)
    if local is not None:
        months, full, month_year = local
        for pattern in (full, month_year):
            for match in pattern.finditer(text):
                if not free(*match.span()):
                    continue
                month = months[match.group("month").lower()]
                day = match.groupdict().get("day")
                date = f"{match.group('year')}-{month:02d}" + (f"-{int(day):02d}" if day else "")
                found.append(DateMention(match.start(), match.end(), date))
    english = _english(language)
    for pattern in (_FULL_MDY, _FULL_DMY) if english else ():
        for match in pattern.finditer(text):
            day = _day(match.group("day"))
            if day is None or not 1 <= day <= 31 or not free(*match.span()):
                continue
            date = f"{match.group('year')}-{_month(match.group('month')):02d}-{day:02d}"
            found.append(DateMention(match.start(), match.end(), date))
    for match in _MONTH_YEAR.finditer(text) if english else ():
        if match.group("month").lower().rstrip(".") == "may" and not re.match(
            r"May\b", match.group(0)
        ):
            continue
        if free(*match.span()):
            date = f"{match.group('year')}-{_month(match.group('month')):02d}"
            found.append(DateMention(match.start(), match.end(), date))
    for match in _RANGE.finditer(text):
        first = match.group("a") or match.group("c") or match.group("e")
        second = match.group("b") or match.group("d") or match.group("f")
        if len(second) == 2:
            second = first[:2] + second
        if int(second) <= int(first) or int(second) - int(first) > 200:
            continue
        if free(*match.span()):
            found.append(DateMention(match.start(), match.end(), f"{first}–{second}"))
    for match in _DECADE.finditer(text):
        if free(*match.span()):
            found.append(DateMention(match.start(), match.end(), f"{match.group('decade')}s"))
    for match in _CIRCA.finditer(text) if english else ():
        if free(*match.span()):
            found.append(DateMention(match.start(), match.end(), f"c. {match.group('year')}"))
    for match in _BARE_YEAR.finditer(text):
        if not free(*match.span()):
            continue
        if _NOT_A_YEAR_AFTER.match(text, match.end()) and not _year_cue_before(text, match.start()):
            continue
        if english and _part_of_name(text, match.start()):
            continue
        found.append(DateMention(match.start(), match.end(), match.group("year")))
    return sorted(found, key=lambda m: m.start)


def _year_cue_before(text: str, start: int) -> bool:
    before = text[max(0, start - 12) : start].lower()
    return bool(re.search(r"\b(?:in|since|until|till|by|from|before|after|during|of)\s+$", before))


def _part_of_name(text: str, start: int) -> bool:
    """ "Reef 2050", "Apollo 1969": a number right after a capitalised word inside a sentence."""
    previous = re.search(
        r"(?:^|(?<=[.!?]\s)|(?P<inner>\S))\s*(?P<word>[A-Za-z]+)\s+$", text[:start]
    )
    if not previous or not previous.group("word")[0].isupper() or not previous.group("inner"):
        return False
    return previous.group("word").lower() not in _MONTHS and previous.group("word") not in {
        "In",
        "By",
        "Until",
        "Since",
        "From",
        "After",
        "Before",
        "During",
        "Between",
        "Of",
    }
