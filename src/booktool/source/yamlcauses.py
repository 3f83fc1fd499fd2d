"""What a YAML syntax error most likely means, for the errors editors make by hand.

PyYAML names the symptom where the parser stopped ("mapping values are not allowed here");
from that and the raw lines, this names the cause and the line that holds it: a tab in the
indentation, a key without a space after its colon, an unquoted ``: `` in a value, or a line
indented deeper or shallower than its siblings. None when the text shows none of them (the
caller then reports PyYAML's own words).
"""

from __future__ import annotations

import re
from typing import NamedTuple

#: ``key:value``: a plain key, a colon, no space, then a value (not ``http://``: a URL).
_NO_SPACE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w.-]*):(?!//)(\S.*)$")
#: ``key: value``, the value plain (not quoted, not a flow collection).
_KEY_VALUE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w.-]*):\s+([^\s\"'\[{|>#&*!].*)$")


class Cause(NamedTuple):
    """The cause of a YAML error: its line (0-based in the text), column (1-based or None),
    what is wrong and what to do."""

    line: int
    column: int | None
    message: str
    hint: str


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _previous(lines: list[str], index: int) -> int | None:
    """The index of the last line before ``index`` that holds YAML (not blank, not a comment)."""
    for before in range(index - 1, -1, -1):
        stripped = lines[before].strip()
        if stripped and not stripped.startswith("#"):
            return before
    return None


def _spaces(count: int) -> str:
    return "1 space" if count == 1 else f"{count} spaces"


def yaml_cause(
    text: str, problem: str, line: int, column: int, context: int | None
) -> Cause | None:
    """The cause of the error PyYAML reported as ``problem`` at ``line``/``column`` (0-based),
    the construct it was reading having begun on line ``context``; None if none is seen."""
    lines = text.split("\n")
    if not 0 <= line < len(lines):
        return None
    # A tab in the indentation, on the line the parser stopped at or one before it.
    for index in range(line, -1, -1):
        lead = lines[index][: len(lines[index]) - len(lines[index].lstrip(" \t"))]
        if "\t" in lead:
            return Cause(
                index,
                lead.index("\t") + 1,
                "a tab in the indentation",
                "indent with spaces: YAML does not allow tabs",
            )
    # `key:value`: on the line the parser began reading, or the one before where it stopped.
    suspects = [i for i in (context, _previous(lines, line), line) if i is not None]
    for index in suspects:
        if (found := _NO_SPACE.match(lines[index])) is not None:
            lead, key, value = found.groups()
            return Cause(
                index,
                len(lead) + len(key) + 2,
                f"no space after the colon in '{key}:{value}'",
                f"write '{key}: {value}'",
            )
    here = lines[line]
    before = _previous(lines, line)
    if "mapping values are not allowed" in problem:
        found = _KEY_VALUE.match(here)
        if found is not None and column > len(found.group(1)) + len(found.group(2)):
            lead, key, value = found.groups()
            quoted = value.rstrip().replace('"', '\\"')
            return Cause(
                line,
                column + 1,
                f"the value of '{key}' holds a colon and a space, which YAML reads as a key",
                f'put the value in quotes: {key}: "{quoted}"',
            )
        if before is not None and _indent(here) > _key_column(lines[before]):
            return _indentation(lines, line, before, "deeper")
    if "expected <block end>" in problem and before is not None:
        return _indentation(lines, line, before, "")
    return None


def _key_column(line: str) -> int:
    """Where a line's key begins: after its indentation and any list dashes (``- id: a``)."""
    return len(re.match(r"^[ ]*(?:-[ ]+)*", line).group())  # type: ignore[union-attr]


def _indentation(lines: list[str], line: int, before: int, how: str) -> Cause:
    item = lines[line].lstrip(" ")
    if item.startswith("-"):  # a list item lines up with the items (their dashes) before it
        what, here, width = "list item", _indent(lines[line]), _indent(lines[before])
    else:  # a key lines up with the keys before it, a list item's first key among them
        what, here, width = (
            f"'{item.split(':', 1)[0]}'",
            _indent(lines[line]),
            _key_column(lines[before]),
        )
    how = how or ("deeper" if here > width else "less deep")
    return Cause(
        line,
        here + 1,
        f"{what} is indented {how} than the line before ({_spaces(here)}, not {_spaces(width)})",
        "indent it as the keys or items it belongs with",
    )
