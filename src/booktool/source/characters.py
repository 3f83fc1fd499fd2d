"""Characters no XML document can hold, found before they reach pandoc or lxml.

XML 1.0 refuses the C0 controls but tab and line ends, lone surrogates and the noncharacters
U+FFFE and U+FFFF: typed, escaped in YAML (``"\\a"``) or written as a character reference
(``&#xFFFE;``, which pandoc decodes), each would end the build in lxml instead of a line
naming the file.
"""

from __future__ import annotations

import re
from pathlib import Path

from booktool.errors import Problem

_TYPED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_REFERENCE = re.compile(r"&#(?:[xX]([0-9A-Fa-f]{1,8})|([0-9]{1,10}));")
HINT = "remove it"


def _is_xml_char(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def describe(code: int) -> str:
    """``U+FFFE (a noncharacter)``: the character and what kind it is."""
    kind = (
        "a control character"
        if code < 0x20
        else "a surrogate"
        if 0xD800 <= code <= 0xDFFF
        else "not a Unicode character"
        if code > 0x10FFFF
        else "a noncharacter"
    )
    return f"U+{code:04X} ({kind})"


def typed_character(text: str) -> str | None:
    """The first character of ``text`` that no document can hold, or None."""
    match = _TYPED.search(text)
    return match.group() if match else None


def character_problem(path: Path, text: str, first_line: int = 1) -> Problem | None:
    """An error at the first such character in ``text``, typed or as a reference; or None."""
    found: tuple[int, str] | None = None
    typed = _TYPED.search(text)
    if typed:
        found = (typed.start(), f"{describe(ord(typed.group()))} cannot be in a book")
    for match in _REFERENCE.finditer(text, 0, typed.start() if typed else len(text)):
        code = int(match[1], 16) if match[1] else int(match[2])
        if not _is_xml_char(code):
            found = (
                match.start(),
                f"'{match.group()}' is {describe(code)}, which cannot be in a book",
            )
            break
    if found is None:
        return None
    offset, message = found
    line_start = text.rfind("\n", 0, offset) + 1
    line = text.count("\n", 0, offset) + first_line
    return Problem(path, line, message, HINT, offset - line_start + 1, code="bad-character")
