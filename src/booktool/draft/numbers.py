"""Quantities the text states: numerals and spelled-out numbers, ranges, percentages, vague counts.

Years, dates, timestamps, reactor numbers ("No. 4") and names ("Apollo 11") are not quantities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from booktool.draft.words import STOPWORDS, WORD, is_verb_like, word_set

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_NUMBER_WORDS = [*_SMALL, *_TENS, "hundred", *_SCALES, "dozen"]
_NW = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_SPELLED = (
    rf"(?:(?:a|an)\s+(?=(?:hundred|thousand|million|billion|dozen)\b))?(?:{_NW})"
    rf"(?:(?:\s+|-|\s+and\s+(?:a\s+)?)(?:{_NW}|half)\b|\s+point(?:\s+(?:{'|'.join(_SMALL)}))+\b)*"
    r"(?![A-Za-z])"
)
_NUMERAL = r"\$?(?<![\d:.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d:]|,\d|s\b|'s\b|’s\b)"
_SCALE = r"(?:\s+(?:hundred|thousand|million|billion|trillion))?"
_PERCENT = r"(?:\s*%|\s+percent\b|\s+per\s+cent\b)?"
_ATOM = re.compile(
    rf"(?P<num>(?:{_NUMERAL}{_SCALE}|\b{_SPELLED}){_PERCENT})",
    re.IGNORECASE,
)
_VAGUE = re.compile(
    r"\b(?P<outer>hundreds|tens|dozens|thousands)\s+of\s+(?P<inner>thousands|millions|billions)\b",
    re.IGNORECASE,
)
_RANGE_JOIN = re.compile(r"^\s*(?:-|–|—|to|or|and)\s*$", re.IGNORECASE)
_HEDGES = re.compile(
    r"(?:around|about|approximately|roughly|nearly|almost|some|over|more\s+than|up\s+to|"
    r"as\s+many\s+as|at\s+least|an\s+estimated|estimated|close\s+to|just\s+under|under)\s+$",
    re.IGNORECASE,
)
UNITS = word_set(
    """tons tonnes ton tonne kilograms kilos pounds acres hectares miles kilometres kilometers km
    metres meters feet foot inches yards gallons litres liters barrels bushels dollars euros
    degrees square cubic kilowatts megawatts watts volts rems sieverts roentgens becquerels
    curies calories hours minutes days weeks months years metre meter kilometre kilometer mile
    inch ton kilogram pound gallon litre liter degree hour minute day week month year acre
    hectare micrometres micrometers millimetres millimeters centimetres centimeters
    light-years light-year"""
)
_OPENERS = word_set(
    "over about around nearly almost some roughly approximately exactly just only another "
    "more less fewer at least"
)
_MONTH_NAMES = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
_YEAR_BEFORE = re.compile(
    r"(?:\b(?:in|of|since|until|till|by|from|to|and|between|before|after|during|around|early|"
    r"late|mid|year|spring|summer|autumn|fall|winter|january|february|march|april|may|june|july|"
    r"august|september|october|november|december|c\.|circa)\s*|[-–(])$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Number:
    """One number as written, with its value; a range has ``low`` and ``high`` and no value."""

    start: int
    end: int
    text: str
    value: float | None
    low: float | None
    high: float | None
    percent: bool
    approximate: bool


@dataclass(frozen=True)
class Quantity:
    """A number with what it counts."""

    number: Number
    what: str
    unit: str | None


def parse_number_words(text: str) -> float | None:
    """The value of an English number in words ("two point five million" → 2500000.0)."""
    tokens = [t for t in re.split(r"[\s-]+", text.lower().strip()) if t and t != "and"]
    tokens = [
        t for i, t in enumerate(tokens) if not (t == "a" and tokens[i + 1 : i + 2] == ["half"])
    ]
    if not tokens:
        return None
    total = 0.0
    current = 0.0
    seen = False
    fraction_digits: list[int] | None = None
    for index, token in enumerate(tokens):
        if token in {"a", "an"} and index == 0:
            current = 1.0
            seen = True
            continue
        if fraction_digits is not None and token in _SMALL and _SMALL[token] < 10:
            fraction_digits.append(_SMALL[token])
            continue
        if fraction_digits is not None:
            current += float("0." + "".join(str(d) for d in fraction_digits))
            fraction_digits = None
        if token in _SMALL:
            current += _SMALL[token]
        elif token in _TENS:
            current += _TENS[token]
        elif token == "dozen":
            current = (current or 1.0) * 12
        elif token == "half":
            current += 0.5
        elif token == "hundred":
            current = (current or 1.0) * 100
        elif token in _SCALES:
            total += (current or 1.0) * _SCALES[token]
            current = 0.0
        elif token == "point" and seen:
            fraction_digits = []
            continue
        else:
            return None
        seen = True
    if fraction_digits == []:
        return None  # "two point": no digits after the point
    if fraction_digits:
        current += float("0." + "".join(str(d) for d in fraction_digits))
    return total + current if seen else None


def _atom_value(text: str) -> tuple[float | None, float | None, bool]:
    """(value, scale given, percent) of one number atom."""
    percent = bool(re.search(r"%|per\s*cent", text, re.IGNORECASE))
    body = re.sub(r"\s*(?:%|percent|per\s+cent)$", "", text.strip(), flags=re.IGNORECASE)
    body = body.lstrip("$")
    numeral = re.match(r"([\d,]+(?:\.\d+)?)(?:\s+(\w+))?$", body)
    scale: float | None = None
    if numeral:
        value = float(numeral.group(1).replace(",", ""))
        word = (numeral.group(2) or "").lower()
        if word:
            scale = 100.0 if word == "hundred" else _SCALES[word]
            value *= scale
        return value, scale, percent
    last = body.lower().split()[-1] if body.split() else ""
    if last in _SCALES:
        scale = _SCALES[last]
    return parse_number_words(body), scale, percent


def find_numbers(text: str, exclude: list[tuple[int, int]] | None = None) -> list[Number]:
    """The numbers of ``text`` that are quantities, ranges merged, outside the ``exclude`` spans."""
    spans = list(exclude or [])
    atoms: list[Number] = []
    for match in _VAGUE.finditer(text):
        outer = {"hundreds": 100.0, "tens": 10.0, "dozens": 12.0, "thousands": 1e3}
        inner = {"thousands": 1e3, "millions": 1e6, "billions": 1e9}
        low = outer[match.group("outer").lower()] * inner[match.group("inner").lower()]
        atoms.append(
            Number(match.start(), match.end(), match.group(0), None, low, low * 10, False, True)
        )
        spans.append((match.start(), match.end()))
    for match in _ATOM.finditer(text):
        start, end = match.span("num")
        raw = match.group("num").rstrip()
        end = start + len(raw)
        if any(start < b and a < end for a, b in spans):
            continue
        value, scale, percent = _atom_value(raw)
        if value is None or not _is_quantity(text, start, end, raw, value, scale, percent):
            continue
        hedge = bool(_HEDGES.search(text[max(0, start - 20) : start]))
        atoms.append(Number(start, end, raw, value, None, None, percent, hedge))
    atoms.sort(key=lambda n: n.start)
    return _merge_ranges(text, atoms)


def _is_quantity(
    text: str, start: int, end: int, raw: str, value: float, scale: float | None, percent: bool
) -> bool:
    before = text[max(0, start - 30) : start]
    after = text[end : end + 20]
    spelled = not re.match(r"\$?\d", raw)
    if percent or scale:
        return True
    if re.search(r"\b(?:no|nos|number|unit|reactor|block|page|chapter)\.?\s*$", before, re.I):
        return False
    if re.match(r"\s*(?:a\.m\.|p\.m\.|am\b|pm\b|o'clock)", after, re.IGNORECASE):
        return False
    if re.match(rf"\s*(?:of\s+)?{_MONTH_NAMES}\b", after) or re.search(
        rf"\b{_MONTH_NAMES}\s+$", before
    ):
        return False
    if re.search(r"[A-Za-z]-$", before) or re.match(r"0\d", raw):
        return False  # "V-2"; "06", a code or a name
    previous = re.search(r"(\S+)\s+$", before)
    # "Apollo 11", "Route 66": a number that is part of a name; but "Over 300 people".
    if (
        previous
        and not spelled
        and previous.group(1)[:1].isupper()
        and previous.group(1).lower() not in STOPWORDS | _OPENERS
    ):
        return False
    if spelled:
        return value >= 10
    if re.fullmatch(r"\d{4}", raw) and 1000 <= value <= 2099:
        return _year_used_as_count(before, after)
    return value >= 2 or bool(re.match(r"\s+[a-z]", after))


def _year_used_as_count(before: str, after: str) -> bool:
    """A four-digit number in the years' range counts something only before a plural noun."""
    if _YEAR_BEFORE.search(before.rstrip() + " " if before.endswith(" ") else before):
        return False
    word = re.match(r"\s+([a-z]+)", after)
    return bool(word and word.group(1).endswith("s") and word.group(1) not in STOPWORDS)


def _merge_ranges(text: str, atoms: list[Number]) -> list[Number]:
    merged: list[Number] = []
    index = 0
    while index < len(atoms):
        atom = atoms[index]
        if index + 1 < len(atoms) and atom.value is not None:
            nxt = atoms[index + 1]
            between = text[atom.end : nxt.start]
            opener = re.search(r"\b(between|from)\s+$", text[max(0, atom.start - 12) : atom.start])
            joins = _RANGE_JOIN.match(between) and nxt.value is not None
            if joins and (between.strip().lower() != "and" or opener):
                low, high = atom.value, nxt.value or 0.0
                _, scale, _ = _atom_value(nxt.text)
                _, own_scale, _ = _atom_value(atom.text)
                if scale and not own_scale and low < scale:
                    low *= scale
                merged.append(
                    Number(
                        atom.start,
                        nxt.end,
                        text[atom.start : nxt.end],
                        None,
                        low,
                        high,
                        atom.percent or nxt.percent,
                        atom.approximate or nxt.approximate,
                    )
                )
                index += 2
                continue
        merged.append(atom)
        index += 1
    return merged


def what_is_counted(text: str, number: Number) -> tuple[str, str | None]:
    """(what the number counts, its unit) from the words after it, else the words before it."""
    after = text[number.end :]
    unit: str | None = "%" if number.percent else None
    if number.text.startswith("$"):
        unit = "dollars"
    words = _phrase_after(after, allow_of=number.percent or number.approximate)
    if words:
        if words[0].lower() in UNITS and unit is None:
            unit = words[0].lower()
        return " ".join(words), unit
    return " ".join(_phrase_before(text[: number.start])), unit


def _phrase_after(after: str, allow_of: bool) -> list[str]:
    words: list[str] = []
    position = 0
    for match in WORD.finditer(after[:80]):
        gap = after[position : match.start()]
        if re.search(r"[^\s]", gap) and not (words == [] and gap.strip() in {"", "-"}):
            break
        word = match.group(0)
        lowered = word.lower()
        position = match.end()
        if not words and lowered == "of" and allow_of:
            continue
        if not words and lowered in {"the", "their", "its", "his", "her"} and allow_of:
            continue
        if lowered == "of" and words and (words[-1].lower() in UNITS or len(words) == 1):
            if words[-1].lower() in UNITS:
                words.append(word)
                continue
            break
        if lowered in STOPWORDS or is_verb_like(word) or lowered.endswith("ly"):
            break
        if lowered.endswith("ing") and words and words[-1].lower() != "of":
            break
        words.append(word)
        if len(words) >= 4 or (
            len(words) == 1 and lowered in UNITS and not _next_is_of(after, position)
        ):
            break
    while words and words[-1].lower() in {"of", "and"}:
        words.pop()
    return words


def _next_is_of(text: str, position: int) -> bool:
    return bool(re.match(r"\s+of\b", text[position:]))


def _phrase_before(before: str) -> list[str]:
    tail = re.split(r"[,;:.!?]", before)[-1]
    tokens = WORD.findall(tail)
    skip = {
        "of", "at", "around", "about", "approximately", "as", "many", "much", "to", "up",
        "some", "nearly", "over", "more", "than", "roughly", "almost", "estimated", "an",
        "be", "been", "was", "were", "is", "are", "reached", "putting", "put", "have", "could",
        "number", "the", "a", "from", "ranging", "between", "high", "low",
    }  # fmt: skip
    while tokens and (tokens[-1].lower() in skip or is_verb_like(tokens[-1])):
        tokens.pop()
    phrase: list[str] = []
    for token in reversed(tokens):
        if token.lower() in STOPWORDS or is_verb_like(token) or len(phrase) >= 3:
            break
        phrase.insert(0, token)
    return phrase


def find_quantities(text: str, exclude: list[tuple[int, int]] | None = None) -> list[Quantity]:
    """Every quantity of ``text`` with what it counts."""
    result = []
    for number in find_numbers(text, exclude):
        what, unit = what_is_counted(text, number)
        result.append(Quantity(number, what, unit))
    return result
