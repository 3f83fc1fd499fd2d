"""Key terms the text itself defines or names, each with its defining phrase; never invented."""

from __future__ import annotations

import re

from booktool.draft.sentences import split_sentences
from booktool.draft.words import STOPWORDS, is_verb_like, word_set

_NAMING = re.compile(
    r"\b(?:(?:is|are|was|were)\s+)?(?:called|named|known\s+as|termed|dubbed|labell?ed\s+as|"
    r"labell?ed|referred\s+to\s+as|nicknamed|became\s+known\s+as|is\s+called|are\s+called)"
    r"\s+(?!for\b|on\b|off\b|upon\b|back\b|in\b|out\b|him\b|her\b|them\b|it\b)",
    re.IGNORECASE,
)
_KIND_OF = re.compile(
    r"(?P<term>\b[\w’'-]+(?:\s+[\w’'-]+){0,2}),\s+(?P<def>(?:a|an)\s+(?:kind|type|form|sort|species|"
    r"variety|class|group|family)\s+of\s+[^,.;]+)"
)
_WHICH_IS = re.compile(
    r"(?P<term>\b[\w’'-]+(?:\s+[\w’'-]+){0,2}),\s+(?:which|who)\s+(?:is|are|was|were)\s+"
    r"(?P<def>(?:a|an|the)\s+[^,.;]+)"
)
# "The Ogallala Aquifer, an underground reservoir …": only where the sentence opens with it, as
# "elk avoided the valleys, a change that …" is no definition of valleys.
_THE_X_A_Y = re.compile(
    r"^The\s+(?P<term>[\w’'-]+(?:\s+[\w’'-]+){0,2}),\s+"
    r"(?P<def>(?:a|an)\s+[a-z][^,.;]{5,90})"
)
# "The liquidators, the soldiers, miners and workers who cleaned up the site." A sentence that
# opens with a noun and an appositive defining it.
_OPENING_APPOSITIVE = re.compile(
    r"^The\s+(?P<term>[\w’'-]+(?:\s+[\w’'-]+){0,2}),\s+(?P<def>the\s+[a-z][^.;]{5,140}?"
    r"\b(?:who|that|which)\b[^.;]+)"
)
# "the idea of a trophic cascade, the chain of effects that …", "the practice of variolation,
# in which …"
_CONCEPT = re.compile(
    r"\b(?:idea|concept|notion|phenomenon|principle|theory|process|practice|method|technique|"
    r"procedure)\s+of\s+(?:a\s+|an\s+|the\s+)?"
    r"(?P<term>[a-z][\w’'-]*(?:\s+[a-z][\w’'-]*){0,2}),\s+"
    r"(?P<def>(?:the|a|an|in\s+which|by\s+which|whereby)\s+[^.;]{5,160})"
)
# "cowpox, a mild disease of cattle", "miasma, a poisonous air": an appositive whose head is a
# kind of thing.
_CATEGORY = re.compile(
    r"\b(?P<term>[a-z][\w-]+(?:\s+[a-z][\w-]+)?),\s+(?P<def>(?:a|an)\s+(?:[a-z-]+\s+){0,3}"
    r"(?:disease|illness|infection|virus|bacterium|parasite|species|plant|tree|animal|insect|"
    r"fish|bird|mineral|metal|gas|air|chemical|compound|substance|drug|device|machine|weapon|"
    r"technique|method|process|practice|tool|crop|structure|layer|rock|fuel|material|phenomenon)"
    r"\b[^,.;]{0,100})"
)
# "a change that scientists call the landscape of fear"
_THEY_CALL = re.compile(
    r"\b(?:that|which|what)\s+(?:[a-z]+\s+){1,3}?(?:call|calls|term|terms|dub|dubs|name|names|"
    r"refer\s+to\s+as|refers\s+to\s+as|describe\s+as|describes\s+as)\s+"
)
_QUOTED = re.compile(r"^[\"“](?P<term>[^\"”]{2,40})[\"”]")
_LINKING = word_set(
    """turn turns turned become becomes became grow grows grew get gets got go goes went stay
    stays stayed remain remains remained seem seems seemed look looks looked feel feels felt is
    are was were be been"""
)
_STOP_TERM = STOPWORDS | {"that", "which", "who", "because", "after", "before"}


def _term_after(text: str, article: bool = False) -> str | None:
    """The term right after "called"/"known as": a quoted phrase or up to four words.

    ``article``: "a"/"an" may open it ("which he called a quarantine"), as it may not after a
    passive ("he was called a hero").
    """
    quoted = _QUOTED.match(text)
    if quoted:
        return quoted.group("term").strip()
    words: list[str] = []
    for match in re.finditer(r"[^\W\d_][\w’'-]*|[,.;:()!?]", text[:80]):
        word = match.group(0)
        if not word[0].isalpha():
            break
        if not words and word.lower() in {"a", "an"}:
            if article:
                continue
            return None
        if not words and word.lower() == "the":
            continue
        capital = word[0].isupper()
        joiner = word.lower() in {"and", "of"} and re.match(r"\s+[a-z]", text[match.end() :])
        if words and not capital and not joiner and (word.lower() in _STOP_TERM or len(words) >= 4):
            break
        if not words and word.lower() in _STOP_TERM:
            return None
        if words and words[0][0].isupper() and not capital:
            break
        if words and not capital and is_verb_like(word):
            break
        words.append(word)
        if len(words) >= 4:
            break
    return " ".join(words) if words else None


def _clause(sentence: str, start: int, end: int) -> str:
    """The sentence, or for a long one the clause around ``start``–``end``."""
    if len(sentence) <= 200:
        return sentence.strip().rstrip(".")
    left = max(sentence.rfind(",", 0, start), sentence.rfind(";", 0, start))
    right_candidates = [i for i in (sentence.find(",", end), sentence.find(";", end)) if i != -1]
    right = min(right_candidates) if right_candidates else len(sentence)
    clause = sentence[left + 1 : right].strip().rstrip(".")
    clause = re.sub(r"^(?:and|but|while|which|where|with)\s+", "", clause, flags=re.IGNORECASE)
    return clause[:1].upper() + clause[1:] if clause else clause


def find_terms(text: str, exclude: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(term, defining phrase) pairs, in order, each term once; ``exclude``: lower-cased names."""
    found: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(term: str | None, definition: str) -> None:
        if not term:
            return
        term = term.strip(" .,'\"“”")
        key = term.lower()
        if len(term) < 3 or key in seen or key in STOPWORDS or key in exclude:
            return
        if not definition or definition.lower() == key:
            return
        seen.add(key)
        found.append((term, definition + "."))

    for sentence in split_sentences(text):
        for match in [*_NAMING.finditer(sentence), *_THEY_CALL.finditer(sentence)]:
            relative = re.search(
                r"\b(?:which|what|that)\s+(?:[a-z]+\s+){1,3}$", sentence[: match.start()]
            )
            term = _term_after(sentence[match.end() :], article=bool(relative))
            if term is None:
                continue
            term_end = sentence.find(term, match.end()) + len(term)
            if term.islower() and " " not in term and re.match(r"\s+of\b", sentence[term_end:]):
                continue  # "called the mother of Hubble": an epithet, not a term
            add(term, _clause(sentence, match.start(), term_end))
        for pattern in (_KIND_OF, _WHICH_IS, _THE_X_A_Y, _OPENING_APPOSITIVE, _CONCEPT, _CATEGORY):
            for match in pattern.finditer(sentence):
                words = match.group("term").split()
                before = sentence[: match.start("term")].split()[-1:] + words[:1]
                if any(w.lower() in _LINKING for w in before):
                    continue  # "turn white, a process …": an adjective, not a term
                while words and (
                    words[0].lower() in STOPWORDS
                    or is_verb_like(words[0])
                    or (words[0][0].islower() and len(words) > 2)
                ):
                    words = words[1:]
                if words and not all(w.lower() in STOPWORDS for w in words):
                    definition = match.group("def").strip()
                    add(" ".join(words), definition[:1].upper() + definition[1:])
    return found
