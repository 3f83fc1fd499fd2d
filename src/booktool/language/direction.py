"""The direction a book's language is written in, from its BCP 47 tag (CLDR's data, by Babel).

A right-to-left book (Arabic, Hebrew, Persian, Urdu, …) sets ``dir="rtl"`` on every document of
every edition, mirrors the print layout (print.css, web.css), imposes its booklet with the fold
on the right and lists its EPUB's pages right to left.
"""

from __future__ import annotations

from typing import Literal

from babel import Locale, UnknownLocaleError

Direction = Literal["ltr", "rtl"]

#: Scripts written right to left (ISO 15924), for a tag CLDR does not know as a locale
#: (``xx-Arab``): Arabic, Adlam, Imperial Aramaic, Avestan, Hebrew, Mandaic, Manichaean,
#: Mende Kikakui, N'Ko, Old South Arabian, Hanifi Rohingya, Samaritan, Syriac, Thaana, Yezidi.
RTL_SCRIPTS = frozenset(
    {"arab", "adlm", "armi", "avst", "hebr", "mand", "mani", "mend", "nkoo", "sarb", "rohg",
     "samr", "syrc", "thaa", "yezi"}
)  # fmt: skip


def text_direction(language: str) -> Direction:
    """``"rtl"`` when ``language`` (a BCP 47 tag: ``ar``, ``he-IL``, ``az-Arab``) is written
    right to left, else ``"ltr"``. A script subtag decides (``ar-Latn`` is left to right);
    without one, CLDR's data for the language (also for a tag CLDR does not know whole);
    a language neither knows is left to right."""
    subtags = language.replace("_", "-").split("-")
    for subtag in subtags[1:]:
        if len(subtag) == 1:  # an extension or private use: no script after it
            break
        if len(subtag) == 4 and subtag.isalpha():
            return "rtl" if subtag.lower() in RTL_SCRIPTS else "ltr"
    for tag in (language.replace("-", "_"), subtags[0]):
        try:
            locale = Locale.parse(tag)
        except (UnknownLocaleError, ValueError, TypeError):
            continue
        return "rtl" if locale.character_order == "right-to-left" else "ltr"
    return "ltr"
