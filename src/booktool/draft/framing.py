"""The summary site's framing ("In this section, the video explains that …") taken out of sentences.

The rules remove only words that talk about the video; every other word is the source's. A
sentence that is nothing but framing ("In this section, the impact of X is explored.") keeps its
subject as a short sentence, so no fact is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from booktool.draft.sentences import split_sentences

_MEDIUM = (
    r"(?:video|film|documentary|excerpt|section|narrator|speaker|clip|segment|host|presenter|"
    r"episode|part|portion|footage|transcript|program|programme|lecture|talk|chapter|"
    r"presentation)"
)
_LEAD = (
    r"(?:(?:finally|lastly|next|then|also|additionally|furthermore|moreover|overall|here|now|"
    r"first|firstly),?\s+)?"
)
_INTRO = (
    r"(?:(?:in|throughout|during|at\s+the\s+(?:start|end|beginning)\s+of|towards?\s+the\s+end\s+of)"
    r"\s+(?:this|the)\s+(?:(?:final|last|next|first|opening|closing|following|second|third)\s+)?"
    rf"{_MEDIUM}(?:\s+of\s+(?:the|this)\s+{_MEDIUM})?\s*,?\s*)"
)
_VERB = (
    r"(?:also\s+|then\s+|further\s+|briefly\s+|first\s+|now\s+)?"
    r"(?:explains|describes|discusses|shows|reveals|highlights|details|explores|examines|"
    r"elaborates\s+(?:on|upon)|delves\s+into|introduces|covers|notes|mentions|states|says|recounts|"
    r"tells(?:\s+us)?|presents|focuses\s+on|talks\s+about|touches\s+(?:on|upon)|looks\s+at|"
    r"goes\s+on\s+to\s+(?:explain|describe|discuss|show)|"
    r"continues\s+(?:to\s+(?:explain|describe|discuss|show)|with|by\s+(?:explaining|describing))|"
    r"begins\s+(?:by\s+(?:explaining|describing|discussing|introducing)|with)|"
    r"concludes\s+(?:by\s+(?:explaining|describing|discussing|noting)|with)|"
    r"provides\s+(?:an?\s+)?(?:overview|account|look|glimpse)\s+(?:of|at|into)|"
    r"emphasi[sz]es|underlines|points\s+out|illustrates|depicts|documents|portrays|features|"
    r"chronicles|traces|outlines|sheds\s+light\s+on|investigates|considers|addresses|"
    r"is\s+about|deals\s+with|cent(?:er|re)s\s+on|turns\s+to|"
    r"(?:opens|begins|starts|ends|closes|concludes|wraps\s+up|kicks\s+off)\s+with|reflects\s+on|"
    r"takes\s+us\s+(?:to|through|into|inside)|brings\s+us\s+to|walks\s+us\s+through|"
    r"moves\s+on\s+to|shifts\s+(?:its\s+focus\s+)?to|returns\s+to|takes\s+a\s+(?:closer\s+)?look\s+at|"
    r"dives\s+into|showcases|recaps|summari[sz]es|highlights|examines|revisits|profiles|"
    r"follows|interviews|introduces\s+us\s+to|gives\s+an?\s+(?:overview|account)\s+of)"
)
_SUBJECT = rf"(?:the|this)\s+{_MEDIUM}\s+{_VERB}"
_WE = (
    r"(?:we|viewers|the\s+viewer|the\s+audience)\s+(?:also\s+|then\s+|now\s+)?"
    r"(?:see|learn|hear|find\s+out|discover|are\s+shown|are\s+told|get\s+to\s+see|witness|"
    r"follow|meet)(?:\s+(?:about|of))?"
)
_IT = (
    r"it\s+is\s+(?:also\s+)?(?:revealed|explained|shown|noted|mentioned|described|stated|"
    r"highlighted|discussed|suggested|pointed\s+out|emphasi[sz]ed)\s+that"
)
# "that" and "how" go with the framing ("explains how X did Y" → "X did Y"); "what", "why" …
# stay, as the sentence needs them ("covers what happened" → "What happened …").
_CONJ = r"(?P<conj>\s+(?:that|how|the\s+fact\s+that)(?=\s))?"
_FRAME = re.compile(
    rf"^(?P<lead>{_LEAD})(?P<intro>{_INTRO})?(?P<frame>(?:{_SUBJECT}|{_WE}){_CONJ}\s+|{_IT}\s+)?",
    re.IGNORECASE,
)
_PASSIVE = re.compile(
    r"^(?P<x>.+?)\s+(?:is|are|was|were)\s+(?:also\s+|then\s+|further\s+)?"
    r"(?:explored|examined|discussed|highlighted|described|detailed|covered|presented|shown|"
    r"depicted|addressed|analy[sz]ed|investigated|revealed|recounted|documented|illustrated|"
    r"emphasi[sz]ed|introduced|outlined|touched\s+(?:on|upon)|looked\s+at)"
    r"(?P<rest>\s+(?:through|in|by|via|using|with|from)\s+.+?)?(?P<end>[.!?]*)$",
    re.IGNORECASE | re.DOTALL,
)
_MID = [
    # "…, and the narrator explains that the districts still protect the land."
    (
        re.compile(
            rf"\b(?:the|this)\s+{_MEDIUM}\s+(?:also\s+|then\s+)?(?:explains|notes|says|adds|"
            r"mentions|points\s+out|describes|reveals|shows|suggests|argues|claims|follows|"
            r"traces|tells|recounts|examines|explores|details)\s+"
            r"(?:that|how)\s+",
            re.I,
        ),
        "",
    ),
    (
        re.compile(
            rf",?\s+(?:as\s+)?(?:the|this)\s+{_MEDIUM}\s+(?:explains|notes|says|shows|describes|reveals)(?=[,.])",
            re.I,
        ),
        "",
    ),
    (re.compile(rf"\s+(?:in|throughout)\s+(?:this|the)\s+{_MEDIUM}(?=[\s,.;])", re.I), ""),
    (
        re.compile(
            rf"\b(which|what)\s+(?:the|this)\s+{_MEDIUM}\s+(?:calls|terms|describes\s+as|refers\s+to\s+as)\b",
            re.I,
        ),
        r"\1 is called",
    ),
    (re.compile(rf"\b(?:the|this)\s+{_MEDIUM}\s+(?:calls|terms)\s+", re.I), "what is called "),
    (re.compile(r",\s*,"), ","),
]


@dataclass(frozen=True)
class Deframed:
    """A sentence without its framing; ``fragment`` when only the framed subject was left.

    ``topic``: what is left is what the video was said to discuss ("The video describes the
    siege of Caffa." → "The siege of Caffa."), a noun phrase that can title its section.
    """

    text: str
    changed: bool
    fragment: bool
    topic: bool = False


def deframe_sentence(sentence: str) -> Deframed:
    """``sentence`` with the video's framing removed and its start repaired."""
    original = sentence.strip()
    text = original
    fragment = False
    match = _FRAME.match(text)
    had_intro = False
    topic = False
    if match and (match.group("intro") or match.group("frame")):
        had_intro = bool(match.group("intro"))
        text = text[match.end() :]
        topic = bool(match.group("frame")) and not match.group("conj")
        topic = topic and not match.group("frame").lower().startswith("it ")
        if not match.group("frame"):
            # "In this section, the video explains …" may follow after the intro.
            again = _FRAME.match(text)
            if again and again.group("frame"):
                text = text[again.end() :]
                topic = not again.group("conj") and not again.group("frame").lower().startswith(
                    "it "
                )
    topic = topic and not re.match(r"(?:it|they|he|she|we|this|that|there)\b", text, re.I)
    for pattern, replacement in _MID:
        text = pattern.sub(replacement, text)
    passive = _PASSIVE.match(text)
    if passive and (had_intro or not passive.group("rest")) and _looks_framed(original):
        rest = passive.group("rest") or ""
        text = passive.group("x") + ("," + rest if rest else "") + "."
        fragment = topic = True
    text = text.strip()
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    if text and text[-1] not in ".!?\"”'’)»。！？」』）":
        text += "."
    if not re.search(r"[^\W_]", text):  # no letter or digit, in any script
        text = ""
    return Deframed(text=text, changed=text != original, fragment=fragment, topic=topic)


def _looks_framed(sentence: str) -> bool:
    """A passive ("X is explored") frames only when it ends the sentence or follows an intro."""
    return bool(
        re.match(_INTRO, sentence, re.IGNORECASE)
        or re.search(r"\b(?:is|are|was|were)\s+(?:also\s+)?\w+(?:ed|wn)\s*[.!?]*$", sentence)
    )


def deframe_text(text: str) -> str:
    """A paragraph with every sentence deframed; sentences that were nothing but framing go."""
    kept = [deframe_sentence(sentence).text for sentence in split_sentences(text)]
    return " ".join(sentence for sentence in kept if sentence)
