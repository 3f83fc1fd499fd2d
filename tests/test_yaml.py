"""Reading YAML safely, with the line of every problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from booktool.errors import InputError
from booktool.source import yamlio
from booktool.source.yamlio import LineDict, LineList, load_yaml

from .conftest import ROOTS

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


def _lines(data: object) -> object:
    """The data with the line of every mapping, key, list and item, to compare loads."""
    if isinstance(data, LineDict):
        return (data.line, {k: (data.line_of(k), _lines(v)) for k, v in data.items()})
    if isinstance(data, LineList):
        return (data.line, [(data.line_of(i), _lines(v)) for i, v in enumerate(data)])
    return (type(data).__name__, data)


def test_libyaml_and_pyyaml_give_the_same_data_and_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where PyYAML has libyaml, it composes the files (about ten times faster); the data and
    every line are what PyYAML's own composer gives, for every YAML file of the booklet and
    the segments' front matter, and libyaml is really used."""
    assert yamlio._C_LOADER is not None  # PyYAML's wheels carry libyaml
    texts = [
        (path, path.read_text()) for path in sorted((ROOTS / "basic" / "manuscript").glob("*.yaml"))
    ]
    for path in sorted((ROOTS / "basic" / "manuscript" / "segments").glob("*.md")):
        texts.append((path, path.read_text().split("---\n")[1]))
    texts.append((P, "a: 2020-01-02\nb: [1, 1.5, true, null, ~, 'x']\nc: {d: e}\n"))
    fast = [_lines(load_yaml(text, path, 3)) for path, text in texts]
    assert all(yamlio._fast_node(text) is not None for _, text in texts)
    monkeypatch.setattr(yamlio, "_C_LOADER", None)
    assert [_lines(load_yaml(text, path, 3)) for path, text in texts] == fast


def test_a_billion_laughs_is_refused_at_once() -> None:
    """libyaml composes an alias as the node of its anchor: a node reached twice is an alias,
    refused before anything walks the tree (PyYAML then says where)."""
    laughs = "a: &a [x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(20)
    )
    assert yamlio._fast_node(laughs) is None
    with pytest.raises(InputError, match=r"book\.yaml:2:\d+: .*aliases"):
        load_yaml(laughs, P)
