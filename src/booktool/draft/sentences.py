"""Sentence splitting that survives "D.C.", "No. 4", "2.5 million", "St. Louis", "Dr.", "U.S."."""

from __future__ import annotations

import re

from booktool.draft.words import word_set

# Abbreviations after which a full stop does not end a sentence (lower-cased, without the dot).
_ABBREVIATIONS = word_set(
    "mr mrs ms dr prof st mt no nos vs etc jr sr gen col capt lt sgt gov sen rep rev fr ft "
    "approx dept est fig inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec "
    "e.g i.e a.m p.m u.s u.k u.n d.c u.s.s.r"
)
# Words that begin a new sentence after an abbreviation such as "D.C." or "U.S.".
_STARTERS = word_set(
    "the a an in it its he she they this that these those there his her their we after "
    "before when while during however but and then by on at as for from with although "
    "despite meanwhile today later finally"
)
_CANDIDATE = re.compile(r"[.!?][\"'”’)\]]*\s+|[。！？][」』”’）]*\s*")


#: Languages that write an ordinal number with a full stop ("am 9. November"): there a full
#: stop after a number of one or two digits does not end a sentence.
ORDINAL_DOT = frozenset(
    [
        "de",
        "da",
        "nb",
        "nn",
        "no",
        "fi",
        "cs",
        "sk",
        "pl",
        "hu",
        "sl",
        "hr",
        "sr",
        "bs",
        "is",
        "et",
        "lv",
        "tr",
    ]
)
_ORDINAL = re.compile(r"(?:^|\s)\d{1,2}$")


def split_sentences(text: str, language: str = "en") -> list[str]:
    """The sentences of ``text`` (written in ``language``), each stripped, in order."""
    sentences: list[str] = []
    start = 0
    ordinals = language.replace("_", "-").split("-")[0].lower() in ORDINAL_DOT
    for match in _CANDIDATE.finditer(text):
        end = match.end()
        dot = match.start()
        if ordinals and text[dot] == "." and _ORDINAL.search(text[max(0, dot - 3) : dot]):
            continue
        if _is_boundary(text, dot, end):
            piece = text[start:end].strip()
            if piece:
                sentences.append(piece)
            start = end
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def _is_boundary(text: str, dot: int, after: int) -> bool:
    if text[dot] in "。！？":  # a CJK full stop ends its sentence, whatever follows
        return after < len(text)
    nxt = text[after : after + 1]
    if not nxt or not (nxt.isupper() or nxt.isdigit() or nxt in "\"“‘'("):
        return False
    if text[dot] != ".":
        return True
    word_match = re.search(r"([A-Za-z][A-Za-z.]*)$", text[:dot])
    if not word_match:
        return True
    word = word_match.group(1)
    lowered = word.lower()
    next_word = re.match(r"[A-Za-z]+", text[after:])
    next_lower = next_word.group(0).lower() if next_word else ""
    if lowered == "no" or lowered == "nos":
        return not nxt.isdigit()
    if len(word) == 1 and word.isupper():
        # An initial ("Franklin D. Roosevelt", "D. A. Henderson") — unless it ends a sentence
        # before a starter.
        if re.match(r"[A-Z]\.(?:\s|$)", text[after:]):
            return False
        return next_lower in _STARTERS
    if "." in word or lowered in {"u.s", "d.c"}:
        return next_lower in _STARTERS
    if lowered in _ABBREVIATIONS:
        return lowered in {"etc", "inc", "ltd", "co", "corp"} and next_lower in _STARTERS
    return True
