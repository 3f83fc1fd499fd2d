"""Language tags (BCP 47, as book.yaml writes them): the catalogues they may use, their locale."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel import Locale

#: Chinese written in traditional characters: the Simplified catalogue (``zh``) is not theirs.
_TRADITIONAL = {"hant", "tw", "hk", "mo"}
#: booktool's English is British ("summarises"); a tag with a region keeps its own.
_ENGLISH = ("en", "GB")


def catalogue_names(tag: str) -> list[str]:
    """The catalogue names for ``tag``, the most specific first: ``pt-BR`` → pt-BR, pt;
    ``zh-Hant-TW`` → zh-Hant-TW, zh-Hant (never the Simplified ``zh``)."""
    parts = tag.replace("_", "-").split("-")
    parts[0] = parts[0].lower()
    names = ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]
    if parts[0] == "zh" and _TRADITIONAL & {p.lower() for p in parts[1:]}:
        names.remove("zh")
    return names


@functools.cache
def cldr_locale(tag: str) -> Locale:
    """The CLDR locale of ``tag`` (British English for a bare ``en``; the language alone, or
    British English, where CLDR does not know the tag)."""
    from babel import Locale, UnknownLocaleError

    names = catalogue_names(tag)
    if names[-1] == "en" and len(names) == 1:
        return Locale(*_ENGLISH)
    for name in names:
        try:
            return Locale.parse(name, sep="-")
        except (ValueError, UnknownLocaleError):
            continue
    return Locale(*_ENGLISH)
