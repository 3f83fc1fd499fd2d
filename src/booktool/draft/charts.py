"""Quantities as draft rows, and a chart where three or more measure the same thing in one unit."""

from __future__ import annotations

import re

from booktool.draft.dates import find_dates
from booktool.draft.model import DraftChart, DraftQuantity
from booktool.draft.numbers import find_quantities
from booktool.draft.sentences import split_sentences
from booktool.draft.words import stem, word_set
from booktool.source.timecode import format_timecode

_DEATH = re.compile(
    r"\b(?:deaths?|dead|died|die|killed|toll|victims|casualties|perished|starv\w*)\b", re.I
)
_GENERIC = word_set(
    "number estimate estimates official figure toll death deaths dead victims lives casualties"
)


def draft_quantities(segments: list[tuple[int, str]]) -> list[tuple[DraftQuantity, str]]:
    """(quantity, its sentence) for every quantity of the (start second, text) segments."""
    found = []
    for start, text in segments:
        for sentence in split_sentences(text):
            dates = [(m.start, m.end) for m in find_dates(sentence)]
            for quantity in find_quantities(sentence, exclude=dates):
                number = quantity.number
                found.append(
                    (
                        DraftQuantity(
                            what=quantity.what,
                            number_text=number.text,
                            value=number.value,
                            low=number.low,
                            high=number.high,
                            unit=quantity.unit,
                            at_seconds=start,
                            approximate=number.approximate,
                        ),
                        sentence,
                    )
                )
    return found


def _measure(quantity: DraftQuantity, sentence: str) -> tuple[str, str]:
    """(what is measured, for grouping; its word, for the chart's unit)."""
    words = quantity.what.lower().split()
    at = sentence.find(quantity.number_text)
    just_before = sentence[max(0, at - 60) : at] if at >= 0 else ""
    generic = not words or set(words) <= _GENERIC or bool(set(words) & {"toll", "deaths"})
    if (generic and _DEATH.search(sentence)) or _DEATH.search(just_before):
        return "deaths", "deaths"
    if quantity.unit and quantity.unit != "%":
        return quantity.unit, quantity.unit
    if not words:
        return "", ""
    head = quantity.what.split()[-1]
    return stem(head.lower()), head


def _label(quantity: DraftQuantity, sentence: str, which: str) -> str:
    if which:
        return which
    at = sentence.find(quantity.number_text)
    before = sentence[max(0, at - 60) : at].lower() if at >= 0 else ""
    if "official" in before:
        return "Official estimate"
    if re.search(r"(?:as many as|up to|at most)\s*$", before):
        return "Upper estimate"
    if re.search(r"(?:at least|more than|over)\s*$", before):
        return "Lower bound"
    clause = re.split(r"[,;]", sentence[max(0, at - 60) : at] if at >= 0 else "")[-1]
    source = re.findall(r"(?<!^)\b[A-Z][a-z]+(?:\s+(?:of\s+)?[A-Z][a-z]+)*", clause.strip())
    if source:
        return str(source[-1])  # "the World Health Organization estimated that about 4,000"
    return "Estimate" if which == "" and _DEATH.search(sentence) else ""


def draft_charts(quantities: list[tuple[DraftQuantity, str]]) -> list[DraftChart]:
    """A chart per (measure, unit) with three or more different values."""
    groups: dict[tuple[str, str], list[tuple[str, float, int]]] = {}
    words: dict[tuple[str, str], str] = {}
    for quantity, sentence in quantities:
        key, word = _measure(quantity, sentence)
        if not key:
            continue
        unit = "%" if quantity.unit == "%" else ""
        values: list[tuple[float, str]] = []
        if quantity.value is not None:
            values.append((quantity.value, ""))
        elif quantity.low is not None and quantity.high is not None and not quantity.approximate:
            values += [(quantity.low, "Lowest estimate"), (quantity.high, "Highest estimate")]
        for value, which in values:
            label = (
                _label(quantity, sentence, which) or f"At {format_timecode(quantity.at_seconds)}"
            )
            groups.setdefault((key, unit), []).append((label, value, quantity.at_seconds))
            words.setdefault((key, unit), word)
    charts = []
    for (key, unit), points in groups.items():
        measure = words[key, unit]
        distinct: dict[float, tuple[str, float, int]] = {}
        for point in points:
            distinct.setdefault(point[1], point)
        if len(distinct) < 3:
            continue
        least = min(distinct)
        scale, scale_word = (1.0, "")
        if least >= 1e5:
            scale, scale_word = (1e6, "million")
        elif least >= 100:
            scale, scale_word = (1e3, "thousand")
        if unit == "%":
            scale, scale_word = 1.0, "%"
        chart_unit = " ".join(w for w in (scale_word, measure if unit != "%" else "") if w)
        labelled: list[tuple[str, float, int]] = []
        seen: set[str] = set()
        for label, value, at in sorted(distinct.values(), key=lambda p: p[1]):
            if label in seen:
                label = f"{label} ({format_timecode(at)})"
            seen.add(label)
            labelled.append((label, value / scale, at))
        title = (
            "Estimates of the death toll"
            if key == "deaths"
            else f"{measure.capitalize()}: figures given"
        )
        charts.append(DraftChart(title, chart_unit or measure, labelled))
    return charts
