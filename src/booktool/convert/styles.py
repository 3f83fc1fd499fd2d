"""Inline styles in raw HTML, checked where they are written.

WeasyPrint drops a declaration it cannot read with a warning of its own ("Ignored `color:
bluish` at 1:1, invalid value."), which names neither the Markdown file nor its line: by then
the style is one attribute among thousands. So each declaration of a ``style`` attribute is
read here, while the cleaner still knows its file and line, with the same parser (tinycss2) and
the same validator as WeasyPrint's; what it would ignore is removed with a warning.

The validator is WeasyPrint's own (``weasyprint.css.validation``, not a public API): where a
WeasyPrint release moves it, nothing is checked here and WeasyPrint's warning (without a line)
is what the user gets, as before. Nothing is ever kept that WeasyPrint would refuse.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import tinycss2  # type: ignore[import-untyped]


class Declaration(NamedTuple):
    """One declaration of a style attribute: as written, and whether WeasyPrint reads it."""

    text: str
    valid: bool


def declarations(style: str) -> list[Declaration]:
    """The declarations of an inline ``style``, each as written and whether it is valid.

    Empty if WeasyPrint's validator cannot be reached (everything is then left to WeasyPrint).
    """
    validate = _validator()
    if validate is None:
        return []
    found = []
    for node in tinycss2.parse_blocks_contents(style, skip_whitespace=True, skip_comments=True):
        text = tinycss2.serialize([node]).strip().rstrip(";").strip()
        if node.type != "declaration":
            found.append(Declaration(text, False))
            continue
        with _quiet():
            valid = bool(list(validate("", [node])))
        found.append(Declaration(text, valid))
    return found


def _validator() -> Callable[[str, Iterable[Any]], Iterator[Any]] | None:
    try:
        from weasyprint.css.validation import preprocess_declarations
    except ImportError:
        return None
    return preprocess_declarations  # type: ignore[no-any-return]


@contextmanager
def _quiet() -> Iterator[None]:
    """WeasyPrint's own warning for a declaration checked here is not repeated."""
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
