"""Titles made of words from their own text: the book's from its first sentence's subject, the
chapters' and sections' from their most distinctive noun phrases, in Title Case, unique in the book.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from booktool.draft.framing import deframe_sentence
from booktool.draft.sentences import split_sentences
from booktool.draft.words import (
    FRAMING_WORDS,
    STOPWORDS,
    is_past_like,
    is_verb_like,
    stem,
    word_set,
)

MAX_TITLE = 60
_SMALL = word_set(
    "a an the and or nor but of in on at to for by with from as vs via into de van von der du da"
)
_COPULA = re.compile(
    r"^(?P<subject>.+?)\s+(?:was|is|were|are|has\s+been|had\s+been|refers\s+to|became|remains|"
    r"began|marked|represents|represented|stands|stood)\b(?P<rest>.*)$",
    re.DOTALL,
)
_TOKEN = re.compile(r"\d[\w,.]*|[^\W\d_](?:[\w’'-]*[^\W\d_])?|[^\s\w]")
_NUMBER_WORDS = word_set(
    """one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty
    hundred hundreds thousand thousands million millions billion billions first second third
    sixty seventy eighty ninety thirteen fourteen fifteen sixteen seventeen eighteen nineteen
    next last same following previous
    tens dozens fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth
    fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth thirtieth"""
)
_PHRASE_BREAK = STOPWORDS | FRAMING_WORDS | {"we", "us", "it", "there"}
_DETERMINERS = word_set("the a an of his her their its this these those")


def title_case(text: str) -> str:
    """Title Case keeping names and acronyms as written ("great plow-up" → "Great Plow-Up")."""
    words = text.split()
    result = []
    for index, word in enumerate(words):
        if index and word.lower() in _SMALL:
            result.append(word.lower())
        elif any(c.isupper() for c in word):
            result.append(word)
        else:
            parts = word.split("-")
            result.append(
                "-".join(
                    part if i and part in _SMALL else part[:1].upper() + part[1:]
                    for i, part in enumerate(parts)
                )
            )
    return " ".join(result)


def book_title(summary: str) -> tuple[str | None, str | None]:
    """(title, subtitle) from the first sentence: its subject, and what it was said to be."""
    sentences = split_sentences(summary)
    if not sentences:
        return None, None
    first = deframe_sentence(sentences[0]).text.rstrip(".")
    match = _COPULA.match(first)
    subject = match.group("subject") if match else re.split(r",|\s+(?:which|that|who)\b", first)[0]
    subject = subject.strip()
    if not subject or len(subject.split()) > 8 or len(subject) > MAX_TITLE:
        return None, None
    if subject.split()[0].lower() in {"it", "this", "they", "he", "she", "we", "there"}:
        return None, None
    subtitle = None
    if match:
        rest = re.split(
            r",|;|\s+but\s+|\s+(?:which|that|who|where|when)\s+|\s+and\s+(?:it|they|the)\b",
            match.group("rest"),
        )[0]
        rest = rest.strip()
        if len(rest) > MAX_TITLE:
            rest = whole_phrase(rest) or ""
        if 3 <= len(rest) <= MAX_TITLE and len(rest.split()) >= 2:
            subtitle = rest[:1].upper() + rest[1:]
    return title_case(subject), subtitle


_TOPIC_STOP = re.compile(
    r",(?!\d)|;|:|\s+(?:which|who|whom|whose|that|where|when|while|because|although|as|through|"
    r"during|after|before|until|from\s+which|in\s+which)\b|\s+\(|"
    r"\s+(?=(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\b|\d{4}\b|\d+(?:st|nd|rd|th)\b)",
)
_TRAILING_SMALL = re.compile(
    r"(?:\s+(?:of|and|or|in|on|at|to|for|by|with|from|the|a|an|around|about|since|until|"
    r"between|during|circa|c\.))+$",
    re.I,
)


def topic_title(phrase: str) -> str | None:
    """A section title from the noun phrase a video was said to discuss, cut where it is
    complete: before a relative clause, a participle or a comma ("The violent repression and
    mass deportation of individuals labeled as rightists, which …" → "The Violent Repression
    and Mass Deportation of Individuals"); None when nothing short and whole is left."""
    whole = whole_phrase(phrase)
    return title_case(whole) if whole else None


def whole_phrase(phrase: str) -> str | None:
    """The noun phrase at the head of ``phrase``, at most 60 characters and complete."""
    text = _TOPIC_STOP.split(phrase.strip().rstrip(".!?"), maxsplit=1)[0].strip()
    words = text.split()
    for index, word in enumerate(words[2:], start=2):
        bare = re.sub(r"[^\w-]|[\d_]", "", word)
        following = words[index + 1].lower() if index + 1 < len(words) else ""
        participle = bare.endswith("ing") and (not following or following in STOPWORDS)
        if bare.islower() and (is_verb_like(bare) or participle):
            words = words[:index]
            break
    text = _TRAILING_SMALL.sub("", " ".join(words))
    while len(text) > MAX_TITLE and " " in text:
        cut = max(text.rfind(" of "), text.rfind(" and "), text.rfind(" in "), text.rfind(" with "))
        if cut <= 0:
            return None
        text = _TRAILING_SMALL.sub("", text[:cut])
    content = [w for w in re.findall(r"[^\W\d_][\w'-]*", text) if w.lower() not in STOPWORDS]
    if not content or (len(content) < 2 and len(text.split()) < 3):
        return None
    if any(w.lower() in FRAMING_WORDS for w in content):
        return None
    # A clause, not a topic: a past tense anywhere ("Hubble helped …"), or a present tense at
    # the end ("Corals grow"); "The causes of the decline" is a topic.
    if any(is_past_like(w) for w in content if w.islower()) or (
        content[-1].islower() and is_verb_like(content[-1])
    ):
        return None
    return text


def candidate_phrases(text: str) -> list[tuple[list[str], int, bool]]:
    """Noun-phrase-like runs of content words: (words, sentence index, after a determiner)."""
    phrases = []
    for number, sentence in enumerate(split_sentences(text)):
        run: list[str] = []
        previous = ""
        determined = False
        tokens = [*_TOKEN.findall(sentence), "."]
        for position, token in enumerate(tokens):
            lowered = token.lower().replace("’", "'")
            bare = lowered[:-2] if lowered.endswith("'s") else lowered
            # A number word breaks a phrase unless it begins a name ("First World War").
            in_name = token[0].isupper() and tokens[position + 1][:1].isupper()
            breaks = (
                not token[0].isalpha()
                or (not in_name and any(p in _NUMBER_WORDS for p in bare.split("-")))
                or (previous == "to" and token[0].islower() and not run)
                or bare in _PHRASE_BREAK
                or lowered in _PHRASE_BREAK
                or is_verb_like(token)
                or (bare.endswith("ly") and len(bare) > 4)
                or (bare.endswith("ing") and not run and not token[0].isupper())
            )
            if not breaks and run and bare.endswith("ing") and token[0].islower():
                # "days installing corrective optics": a participle starts a new phrase.
                phrases.append((run[-4:], number, determined or run[0][0].isupper()))
                run, determined = [token], False
                previous = lowered
                continue
            if breaks:
                while (
                    run
                    and len(run) > 1
                    and (run[-1].lower().endswith(("'s", "’s", "ing")) and run[-1][0].islower())
                ):
                    run = run[:-1]
                if run:
                    phrases.append((run[-4:], number, determined or run[0][0].isupper()))
                run = []
            else:
                if run and token[0].islower() and run[-1][0].isupper() and len(run) > 1:
                    # "Terry Hughes warns": a lower-case word after a name is most often a verb.
                    phrases.append((run[-4:], number, True))
                    run = []
                    previous = lowered
                    continue
                if not run:
                    determined = previous in _DETERMINERS or previous.endswith("'s")
                run.append(token)
            previous = lowered
    return phrases


def _idf(documents: list[str]) -> dict[str, float]:
    frequency: Counter[str] = Counter()
    for document in documents:
        frequency.update({stem(w) for w in re.findall(r"[^\W\d_][\w'-]+", document)})
    total = len(documents)
    return {term: math.log((1 + total) / (1 + count)) + 1 for term, count in frequency.items()}


def _ranked(
    text: str,
    idf: dict[str, float],
    avoid: set[str],
    names: frozenset[str],
    parts: list[str] | None = None,
) -> list[tuple[str, float]]:
    counts: Counter[str] = Counter(stem(w) for w in re.findall(r"[^\W\d_][\w'-]+", text))
    # For a chapter: in how many of its segments each word is found (a chapter's title should
    # name what its segments share).
    spread: Counter[str] = Counter()
    for part in parts or []:
        spread.update({stem(w) for w in re.findall(r"[^\W\d_][\w'-]+", part)})
    scored: dict[str, float] = {}
    for words, sentence, determined in candidate_phrases(text):
        stems = [stem(w.lower().removesuffix("'s").removesuffix("’s")) for w in words]
        if sum(s in avoid for s in stems) >= min(2, len(stems)):
            continue
        weight = sum(
            idf.get(s, 1.0)
            * (1 + math.log(counts.get(s, 1) or 1))
            * (1 + 0.5 * max(0, spread.get(s, 1) - 1))
            for s in stems
        )
        weight *= 1 + 0.35 * (min(len(words), 3) - 1)
        weight *= 1.25 if sentence == 0 else 1.0
        weight *= 1.0 if determined else 0.5
        if len(words) == 1:
            weight *= 0.6  # one word rarely says what a part is about
        if names and any(name in " ".join(words).lower() for name in names):
            weight *= 0.35  # a topic reads better than a name as a title
        phrase = " ".join(words)
        if len(phrase) <= 40:
            scored[phrase] = max(scored.get(phrase, 0.0), weight)
    ranked = sorted(scored, key=lambda p: (-scored[p], p))
    return [(p, scored[p]) for p in ranked]


def make_titles(
    texts: list[str],
    used: set[str],
    avoid_words: str = "",
    names: frozenset[str] = frozenset(),
    preferred: list[str | None] | None = None,
    parts: list[list[str]] | None = None,
    avoid_each: list[str] | None = None,
) -> list[str]:
    """A title for each text, unique among ``used`` (which it extends).

    ``avoid_words``: words that say nothing here (the book's title); ``names``: lower-cased
    names of people, whose phrases weigh less; ``preferred``: a title to take for each text
    when it is still free (from ``topic_title``); ``parts``: a chapter's segments, to favour
    what they share; ``avoid_each``: more words to avoid for each text (its chapter's title).
    """
    idf = _idf(texts)
    avoid = {stem(w) for w in re.findall(r"[^\W\d_][\w'-]+", avoid_words)}
    titles = []
    for index, text in enumerate(texts):
        wanted = preferred[index] if preferred else None
        if wanted and wanted.lower() not in used:
            used.add(wanted.lower())
            titles.append(wanted)
            continue
        own_avoid = avoid | {
            stem(w) for w in re.findall(r"[^\W\d_][\w'-]+", avoid_each[index] if avoid_each else "")
        }
        ranked = _ranked(text, idf, own_avoid, names, parts[index] if parts else None)
        title = _choose(ranked, used) or _fallback(text, used, index)
        used.add(title.lower())
        titles.append(title)
    return titles


def _stems(phrase: str) -> set[str]:
    return {stem(w.lower().removesuffix("'s").removesuffix("’s")) for w in phrase.split()}


def _choose(ranked: list[tuple[str, float]], used: set[str]) -> str | None:
    options = []
    top = ranked[:8]
    for i, (first, score) in enumerate(top):
        for second, other in top[i + 1 :]:
            if other >= 0.6 * score and not _stems(first) & _stems(second):
                options.append(f"{first} and {second}")
        options.append(first)
    for option in options:
        title = title_case(option)
        if len(title) <= MAX_TITLE and title.lower() not in used:
            return title
    return None


def _fallback(text: str, used: set[str], index: int) -> str:
    """Any phrase of the text still free, then one with a year of the text ("Floods in 1931");
    "Part N" only for texts that say nothing another text has not said."""
    phrases = [title_case(" ".join(words)) for words, _, _ in candidate_phrases(text)]
    years = re.findall(r"\b(?:1\d{3}|20\d{2})s?\b", text)
    options = phrases + [f"{p} in {y}" for y in years for p in phrases]
    for title in options:
        if title.lower() not in used and len(title) <= MAX_TITLE:
            return title
    number = index + 1
    while f"part {number}" in used:
        number += 1
    return f"Part {number}"


#: The words (or, in a text without spaces, the characters) an opening title keeps.
OPENING_WORDS = 8
OPENING_CHARACTERS = 24
_CLAUSE_END = re.compile(r"[,;:、，；：()（）]")
_ENDS = ".!?。！？…\"'“”«»„「」『』 "


def opening_title(text: str, used: set[str] | None = None, language: str = "en") -> str | None:
    """A title in any language: the opening words of the first clause of ``text`` (in
    ``language``) with at least two words (at most :data:`OPENING_WORDS` words, or
    :data:`OPENING_CHARACTERS` characters of a text written without spaces), as written; a
    title already in ``used`` gets the next clause's. None if the text has no words. Adds the
    title chosen to ``used``."""
    used = used if used is not None else set()
    clauses = [
        clause.strip(_ENDS)
        for sentence in split_sentences(text, language)
        for clause in _CLAUSE_END.split(sentence)
    ]
    for clause in [c for c in clauses if len(c) > 1]:
        words = clause.split()
        spaced = len(words) > 1
        title = " ".join(words[:OPENING_WORDS]) if spaced else clause[:OPENING_CHARACTERS]
        title = title[:1].upper() + title[1:]
        if title.lower() not in used:
            used.add(title.lower())
            return title
    return None
