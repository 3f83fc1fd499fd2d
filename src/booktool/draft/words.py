"""Word lists and the light stemmer the stages share."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]


def word_set(words: str) -> frozenset[str]:
    """The words of a whitespace-separated list."""
    return frozenset(words.split())


# Letters of any Latin script ("Michoacán", "Müller"): upper and lower case, for names.
UPPER = "A-ZÀ-ÖØ-Þ"
LOWER = "a-zß-öø-ÿ"
WORD = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W\d_])?")

STOPWORDS = word_set(
    """a about above across after again against all almost along also although always am among an
    and another any are around as at away back be because been before being below between both but
    by can could did do does doing down during each either else enough even ever every few for from
    further had has have having he her here hers herself him himself his how however i if in into is
    it its itself just least less like made make many may me might more most much must my myself
    near neither never no nor not now of off often on once one only onto or other others our ours
    ourselves out over own per perhaps quite rather same several shall she should since so some
    still such than that the their theirs them themselves then there these they this those though
    through thus to too toward towards under until up upon us very via was we were what whatever
    when where whether which while who whom whose why will with within without would yet you your
    yours also including despite instead later eventually whole part mostly many much
    become became becomes led lead leads caused cause causes use used using get got go went gone
    came come take took taken give gave given show showed shown see seen saw known called say said
    says tell told way ways time times thing things lot began begin begun beneath beside behind
    amid alongside past except whereas inside outside today far each"""
)

# Words of the summary site's framing that never belong in a title.
FRAMING_WORDS = word_set(
    """section sections video videos film documentary narrator excerpt clip segment viewer
    viewers footage transcript episode speaker presenter host"""
)

_IRREGULAR_VERBS = word_set(
    """went took became began led made saw found gave left brought thought told kept held fell rose
    grew knew met ran sent set built spent won lost paid said came got put stood wrote drove broke
    struck chose ate fled fought sought taught bought caught meant felt let hit cut shut spread
    threw drew flew swept wept slept dealt forbade forgave hung blew dug tore wore swore bore sank
    shot hid rang sang swam spun stuck stung swung bled fed sped shed lit slid crept knelt leapt
    rode strove woke froze stole spoke broke arose overcame forgot underwent withdrew slew laid
    heard sold fled bred read"""
)


# Verbs in the present tense that these summaries use after a subject ("Hughes warns").
_PRESENT_VERBS = word_set(
    """live lives grow grows stay stays depend depends describe describes feed feeds explain
    explains warn warns say says agree agrees crowd crowds need needs remain remains make makes
    become becomes seem seems help helps cause causes mean means come comes go goes take takes
    give gives keep keeps begin begins continue continues turn turns break breaks expel expels
    die dies kill kills reach reaches rise rises fall falls pass passes range ranges drown
    drowns build builds provide provides believe believes argue argues claim claims suggest
    suggests roam roams protect protects refill refills water waters lift lifts recalls
    remembers tells shows knows thinks wants tries hopes fears admits starve starves leave
    call calls"""
)


_ED_WORDS = word_set(
    """hundred red bed shed sled sacred naked wicked rugged kindred seabed riverbed hatred
    beloved aged learned"""
)
_EED_PAST = word_set("freed agreed decreed guaranteed disagreed refereed")


def is_past_like(word: str) -> bool:
    """A past tense or participle ("labeled", "went"), not a present tense."""
    lowered = word.lower()
    if lowered in _IRREGULAR_VERBS:
        return True
    if lowered in _ED_WORDS or (lowered.endswith("eed") and lowered not in _EED_PAST):
        return False  # "hundred", "sacred", "milkweed", "speed"
    return len(lowered) > 3 and lowered.endswith("ed")


def is_verb_like(word: str) -> bool:
    """A past-tense, participle or common present-tense look ("labeled", "went", "warns")."""
    return is_past_like(word) or (word.lower() in _PRESENT_VERBS and word[:1].islower())


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of a lower-cased word."""
    return str(_stemmer().stemWord(word.lower()))


def content_stems(text: str) -> list[str]:
    """Stems of the words of ``text`` that carry content (no stopwords, no framing words)."""
    stems = []
    for match in WORD.finditer(text):
        lowered = match.group(0).lower().replace("’", "'")
        if lowered.endswith("'s"):
            lowered = lowered[:-2]
        if len(lowered) < 3 or lowered in STOPWORDS or lowered in FRAMING_WORDS:
            continue
        stems.append(stem(lowered))
    return stems
