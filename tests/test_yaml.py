"""Reading YAML safely, with the line of every problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from booktool.errors import InputError
from booktool.yamlio import load_yaml

P = Path("book.yaml")


def test_values_keep_their_lines() -> None:
    data = load_yaml("a: 1\nb:\n  - x\n  - y\n", P)
    assert data == {"a": 1, "b": ["x", "y"]}
    assert data.line_of("b") == 2
    assert data["b"].line_of(1) == 4


def test_first_line_offsets_front_matter_lines() -> None:
    with pytest.raises(InputError, match=r"book\.yaml:5:"):
        load_yaml("a: 1\nb: c: d\n", P, first_line=4)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "a: 1\nb: 2\na: 3\n",
            r"book\.yaml:3:1: error\[yaml-duplicate-key\]: duplicate key 'a' \(first on line 1\)",
        ),
        (
            "a: &x [1]\nb: *x\n",
            r"book\.yaml:2:\d+: error\[yaml-syntax\]: YAML error: aliases \(\*name\) are not",
        ),
        (
            "a: !!python/object:os.system x\n",
            r"book\.yaml:1: error\[yaml-unsafe\]: unsupported YAML value",
        ),
        ("base: &b {x: 1}\nc:\n  <<: *b\n", r"aliases"),
        ("a: [1, 2\n", r"book\.yaml:2:1: error\[yaml-syntax\]: YAML error: expected ',' or ']'"),
    ],
)
def test_unsafe_or_ambiguous_yaml_is_refused(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_yaml(text, P)


def test_oversized_yaml_is_refused() -> None:
    with pytest.raises(InputError, match="larger than"):
        load_yaml("a: " + "x" * (3 * 1024 * 1024), P)
