"""Property-based tests: no input makes the importer or the front-matter reader crash.

Whatever the bytes, the result is a parsed value or a BooktoolError (one line per problem),
never another exception.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booktool.cli.importer import parse_summary
from booktool.errors import BooktoolError
from booktool.source.manuscript import read_markdown_file
from booktool.source.yamlio import load_yaml

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_times = st.from_regex(r"\A\d{1,3}:\d{1,2}(:\d{1,3})?\Z", fullmatch=True)
_bullets = st.sampled_from(["•", "-", "*", "1.", "2)", "‣", "", "  •"])
_words = st.text(st.characters(blacklist_categories=["Cs"]), max_size=30)
_line = st.one_of(
    st.builds(lambda b, t, w: f"{b} {t} {w}", _bullets, _times, _words),
    _words,
    st.sampled_from(["", "\ufeff", "\r", "---", "\t• 00:00:00", "• 99:99:99 x"]),
)
_summary = st.lists(_line, max_size=20).map("\n".join)

_yaml_values = st.sampled_from(
    [
        "seg-01",
        "00:05:00",
        "'00:05:00'",
        "[a, b]",
        "{a: 1}",
        "&x 1",
        "*x",
        "!!python/object:os.system x",
        "!!binary aGk=",
        "2026-01-01",
        "~",
        "|\n  text",
        "'unterminated",
        "- a\n- b",
        "? complex\n: key",
        "!!set {a}",
        "1e999",
        "0x1F",
        "\t",
    ]
)
_keys = st.sampled_from(["id", "title", "start", "end", "x", "id", "<<", "? a", "- id", ""])
_front_line = st.builds(lambda k, v: f"{k}: {v}", _keys, _yaml_values) | _words
_front = st.lists(_front_line, max_size=8).map("\n".join)
_markdown = st.builds(
    lambda opening, front, closing, body: f"{opening}{front}\n{closing}{body}",
    st.sampled_from(["---\n", "--- \n", "---", "", "\ufeff---\n", "---\r\n"]),
    _front,
    st.sampled_from(["---\n", "...\n", "", "--\n", "---"]),
    _words,
)


@SETTINGS
@given(st.binary(max_size=400))
def test_parse_summary_survives_any_bytes(data: bytes) -> None:
    with contextlib.suppress(BooktoolError):
        parse_summary(data, Path("summary.txt"))


@SETTINGS
@given(_summary)
def test_parse_summary_survives_summary_like_text(text: str) -> None:
    try:
        result = parse_summary(text.encode("utf-8", "surrogatepass"), Path("summary.txt"))
    except BooktoolError:
        return
    starts = [segment.start for segment in result.segments]
    assert starts == sorted(set(starts))


@SETTINGS
@given(st.one_of(_markdown, st.binary(max_size=300)))
def test_read_markdown_file_survives_any_file(content: str | bytes) -> None:
    data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "seg.md"
        path.write_bytes(data)
        with contextlib.suppress(BooktoolError):
            read_markdown_file(path)


@SETTINGS
@given(st.one_of(_front, st.text(max_size=200)))
def test_load_yaml_survives_any_text(text: str) -> None:
    with contextlib.suppress(BooktoolError):
        load_yaml(text, Path("book.yaml"))
