"""Typography in the book's language: its quotation marks, and French spacing.

Two kinds of text get it. The manuscript's plain strings (titles, terms, captions …) have their
straight quotes made the language's (:meth:`Typography.smarten`). The sections' bodies are
cleaned XHTML fragments in which pandoc's quotations (``"…"``, ``'…'``) arrive as spans marked
by ``convert.lua``; :func:`set_typography` gives each the marks of the language it is written
in (an element's own ``lang`` wins over the book's) and spaces French text.

The marks are CLDR's (``main/<lang>/delimiters``; Babel does not carry them): a quotation
opens with the primary marks, a quotation inside one (written ``'…'``) with the alternate ones.
The apostrophe stays ’ in every language.

French spacing: a narrow no-break space (U+202F, the "espace fine insécable") before ; ! ? and
inside « » (as most French publishers set them today), a no-break space (U+00A0, the
Imprimerie nationale's "espace mot insécable") before :. A typed space there is replaced; one
is added where the text has none. Never inside code, preformatted text, keyboard or sample
output, or formulas; never in a URL, a time (10:30) or a timestamp (00:15:00), since the colon
or question mark there is not followed by a space; attributes are not touched.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from lxml import etree

from booktool.language.tags import catalogue_names

#: CLDR 45's delimiters: primary open, close; alternate open, close (by catalogue name).
QUOTATION_MARKS: dict[str, str] = {
    "en": "“”‘’",
    "ar": "”“’‘",
    "cs": "„“‚‘",
    "da": "“”‘’",
    "de": "„“‚‘",
    "de-CH": "«»‹›",
    "el": "«»“”",
    "es": "“”‘’",
    "fi": "””’’",
    "fr": "«»«»",
    "fr-CH": "«»‹›",
    "it": "«»“”",
    "ja": "「」『』",
    "ko": "“”‘’",
    "nb": "«»‘’",
    "nl": "‘’‘’",
    "pl": "„”«»",
    "pt": "“”‘’",
    "pt-PT": "«»“”",
    "ru": "«»„“",
    "sv": "””’’",
    "uk": "«»„“",
    "zh": "“”‘’",
    "zh-Hant": "「」『』",
    "zh-HK": "「」『』",
    "zh-TW": "「」『』",
}
_MARKS = {name.lower(): marks for name, marks in QUOTATION_MARKS.items()}
#: The marks of a language CLDR's table above does not name.
DEFAULT_MARKS = QUOTATION_MARKS["en"]
#: The languages spaced as French is (Swiss French sets no space before ; ! ?).
FRENCH = frozenset({"fr"})

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"
#: The spaces a writer may have typed where French wants its own.
_TYPED = "[ \t\n\u00a0\u202f\u2009]*"
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_STRAIGHT = re.compile(r"[\"']")
#: What may stand before an opening quote (anything else makes a straight quote a closing one).
_OPENS_AFTER = re.compile(r"[\s(\[{—–-]")
#: What may follow French punctuation that takes a space: a space, the text's end, or closing
#: punctuation (never a letter or a digit: ``10:30``, ``https://``, ``?q=``).
_BOUNDARY = r"(?=[\s»)\]}.,…'’”“]|$)"
_FRENCH_RULES = (
    (re.compile(rf"(?<=[^\s;:!?«]){_TYPED}([;!?]+){_BOUNDARY}"), NARROW_NBSP + r"\1"),
    (re.compile(rf"(?<=[^\s;:!?«]){_TYPED}(:){_BOUNDARY}"), NBSP + r"\1"),
    (re.compile(rf"«{_TYPED}(?=\S)"), "«" + NARROW_NBSP),
    (re.compile(rf"(?<=\S){_TYPED}»"), NARROW_NBSP + "»"),
)
#: The elements whose text is not prose: left as written.
PROTECTED = frozenset({"pre", "code", "kbd", "samp", "math", "script", "style", "var"})
#: The attribute convert.lua marks pandoc's quotations with: "double" or "single".
QUOTE_ATTRIBUTE = "data-booktool-quote"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Typography:
    """The quotation marks and spacing of one language."""

    language: str
    #: The primary quotation marks (open, close) and the alternate ones, for a quote inside one.
    primary: tuple[str, str]
    alternate: tuple[str, str]
    #: Whether the language spaces its high punctuation and guillemets as French does.
    french: bool = False

    @staticmethod
    @functools.cache
    def for_language(tag: str) -> Typography:
        """The typography of a BCP 47 tag (the most specific CLDR data for it)."""
        names = catalogue_names(tag or "en")
        marks = next((_MARKS[n.lower()] for n in names if n.lower() in _MARKS), DEFAULT_MARKS)
        french = names[-1] in FRENCH and not any(n.lower() == "fr-ch" for n in names)
        return Typography(tag, (marks[0], marks[1]), (marks[2], marks[3]), french)

    def marks(self, kind: str) -> tuple[str, str]:
        """The marks of a ``double`` (primary) or ``single`` (alternate) quotation."""
        return self.primary if kind == "double" else self.alternate

    def smarten(self, text: str) -> str:
        """The language's quotation marks and apostrophes in place of straight ones, and its
        spacing."""
        if "'" in text or '"' in text:
            text = self._quote(text)
        return self.space(text)

    def _quote(self, text: str) -> str:
        text = _APOSTROPHE.sub("’", text)
        out: list[str] = []
        singles = 0
        last = 0
        for match in _STRAIGHT.finditer(text):
            start = match.start()
            out.append(text[last:start])
            last = match.end()
            opening = start == 0 or _OPENS_AFTER.match(text, start - 1) is not None
            if match[0] == '"':
                out.append(self.primary[0] if opening else self.primary[1])
            elif opening:
                singles += 1
                out.append(self.alternate[0])
            elif singles:
                singles -= 1
                out.append(self.alternate[1])
            else:
                out.append("’")  # an apostrophe: the students' books, '60s
        out.append(text[last:])
        return "".join(out)

    def space(self, text: str, before: str = "", after: str = "") -> str:
        """``text`` spaced as the language wants (French only); ``before`` and ``after`` are
        the characters around it (it may be one text node of many)."""
        if not self.french or not any(c in text for c in ";:!?«»"):
            return text
        # The characters around are seen, never changed: only a non-space one is added, and
        # every rule consumes spaces after a non-space character or before one.
        before = before[-1:] if before[-1:].strip() else ""
        after = after[:1] if after[:1].strip() else ""
        padded = before + text + after
        for pattern, replacement in _FRENCH_RULES:
            padded = pattern.sub(replacement, padded)
        return padded[len(before) : len(padded) - len(after)]


def _language(element: etree._Element, default: str) -> str:
    """The language an element's text is written in: its own or its nearest ancestor's."""
    for node in (element, *element.iterancestors()):
        tag = node.get("lang") or node.get(XML_LANG)
        if tag:
            return tag
    return default


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _quotations(root: etree._Element, language: str) -> None:
    """Each quotation pandoc read made the marks of its language, its span removed."""
    found = [e for e in root.iter() if isinstance(e.tag, str) and e.get(QUOTE_ATTRIBUTE)]
    for span in found:
        opening, closing = Typography.for_language(_language(span, language)).marks(
            span.get(QUOTE_ATTRIBUTE, "double")
        )
        # convert.lua wrote the English marks as the span's first and last characters.
        if span.text:
            span.text = opening + span.text[1:]
        last = span[-1] if len(span) else None
        if last is not None and last.tail:
            last.tail = last.tail[:-1] + closing
        elif last is None and span.text:
            span.text = span.text[:-1] + closing
        _unwrap(span)


def _unwrap(element: etree._Element) -> None:
    """The element replaced by its text and children."""
    parent = element.getparent()
    assert parent is not None
    index = parent.index(element)
    text, tail = element.text or "", element.tail or ""
    children = list(element)
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        before = parent[index - 1]
        before.tail = (before.tail or "") + text
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    if children:
        children[-1].tail = (children[-1].tail or "") + tail
    elif index == 0:
        parent.text = (parent.text or "") + tail
    else:
        parent[index - 1].tail = (parent[index - 1].tail or "") + tail
    parent.remove(element)


@dataclass
class _Slot:
    """One run of text (an element's ``text`` or ``tail``), the language it is in, and
    whether it is prose (not code, preformatted text or a formula)."""

    element: etree._Element
    attribute: str
    language: str
    prose: bool

    @property
    def value(self) -> str:
        return getattr(self.element, self.attribute) or ""

    @value.setter
    def value(self, text: str) -> None:
        setattr(self.element, self.attribute, text)


def _ordered(root: etree._Element, language: str) -> list[_Slot]:
    """The text runs in document order: each element's text, its children's, then its tail."""
    slots: list[_Slot] = []

    def walk(element: etree._Element, language: str, prose: bool) -> None:
        language = element.get("lang") or element.get(XML_LANG) or language
        prose = prose and _local(element) not in PROTECTED
        slots.append(_Slot(element, "text", language, prose))
        for child in element:
            if isinstance(child.tag, str):
                walk(child, language, prose)
            slots.append(_Slot(child, "tail", language, prose))

    walk(root, language, True)
    return slots


def set_typography(root: etree._Element, language: str) -> None:
    """A fragment's quotations and spacing made those of the language each text is in
    (``language`` where no element says otherwise), in place."""
    _quotations(root, language)
    slots = _ordered(root, language)
    texts = [slot.value for slot in slots]
    # The first character of the next text that has one, for each run (one pass back).
    following = [""] * len(texts)
    for index in range(len(texts) - 2, -1, -1):
        following[index] = texts[index + 1][:1] or following[index + 1]
    before = ""
    for index, slot in enumerate(slots):
        text = texts[index]
        if text and slot.prose:
            typography = Typography.for_language(slot.language)
            if typography.french:
                text = typography.space(text, before, following[index])
                if text != texts[index]:
                    slot.value = text
        before = text[-1:] or before


def needs_typography(html: str, language: str) -> bool:
    """Whether a fragment has anything :func:`set_typography` would change."""
    return QUOTE_ATTRIBUTE in html or "lang=" in html or Typography.for_language(language).french
