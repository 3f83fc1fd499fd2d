"""`booktool import`: every accepted form of the summary text, and every refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from booktool.cli.importer import parse_summary, suggest_title
from booktool.errors import InputError
from booktool.source.manuscript import read_markdown_file
from booktool.source.yamlio import load_yaml

from .conftest import SEED, run_cli


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_seed_imports_eleven_segments_with_ends_from_the_next_start(tmp_path: Path) -> None:
    result = run_cli("import", str(SEED), str(tmp_path / "book"))
    assert result.code == 0, result.err
    assert "imported 11 segments" in result.out
    segments = sorted((tmp_path / "book" / "manuscript" / "segments").glob("*.md"))
    assert len(segments) == 11
    metas = [read_markdown_file(p).meta for p in segments]
    assert [m["id"] for m in metas] == [f"seg-{n:02d}" for n in range(1, 12)]
    assert metas[0]["start"] == "00:00:00" and metas[0]["end"] == "00:05:00"
    assert metas[9]["end"] == "00:50:00"
    assert metas[10]["start"] == "00:50:00" and metas[10]["end"] is None
    assert all(m["title"] for m in metas)
    body = read_markdown_file(segments[1]).body
    assert "Mao went to Moscow to ask Stalin" in body
    book_path = tmp_path / "book" / "manuscript" / "book.yaml"
    book = load_yaml(book_path.read_text(), book_path)
    assert book["language"] == "en"
    assert book["identifier"].startswith("urn:uuid:")
    assert [c["segments"] for c in book["chapters"]] == [[m["id"]] for m in metas]
    summary = read_markdown_file(tmp_path / "book" / "manuscript" / "summary.md")
    assert summary.body.lstrip().startswith("The Great Leap Forward was Mao")


def test_imported_seed_builds_both_editions(tmp_path: Path) -> None:
    assert run_cli("import", str(SEED), str(tmp_path)).code == 0
    result = run_cli("build", str(tmp_path))
    assert result.code == 0, result.err
    assert (tmp_path / "build" / "seed-000-fd7ad028365281d0.pdf").stat().st_size > 10_000
    assert (tmp_path / "build" / "seed-000-fd7ad028365281d0.epub").stat().st_size > 5_000


@pytest.mark.parametrize(
    ("line", "seconds"),
    [
        ("• 0:00:10 a", 10),
        ("• 00:01:05 a", 65),
        ("• 01:05 a", 65),
        ("• 1:02:03 a", 3723),
        ("• 12:00:00 a", 43200),
        ("- 00:02:00 a", 120),
        ("* 00:02:00 a", 120),
        ("1. 00:02:00 a", 120),
        ("12) 00:02:00 a", 120),
        ("  •   00:02:00 — a", 120),
    ],
)
def test_accepted_bullets_and_times(line: str, seconds: int) -> None:
    parsed = parse_summary(f"Summary.\n\n{line}\n".encode(), Path("s.txt"))
    assert [s.start for s in parsed.segments] == [seconds]
    assert parsed.segments[0].text == "a"
    assert parsed.summary == "Summary."


def test_times_past_one_hour_keep_order() -> None:
    text = "S.\n• 59:00 a\n• 1:00:00 b\n• 1:05:30 c\n• 10:00:00 d\n"
    parsed = parse_summary(text.encode(), Path("s.txt"))
    assert [s.start for s in parsed.segments] == [3540, 3600, 3930, 36000]


def test_crlf_bom_and_continuation_lines() -> None:
    data = (
        "\ufeffSummary line one\r\nline two.\r\n\r\n"
        "• 00:00:00 first\r\ncontinued\r\n• 00:05:00 second\r\n"
    )
    parsed = parse_summary(data.encode("utf-8"), Path("s.txt"))
    assert parsed.summary == "Summary line one\nline two."
    assert [s.text for s in parsed.segments] == ["first continued", "second"]


def test_markdown_special_characters_survive_the_build(tmp_path: Path) -> None:
    text = (
        "Intro with *stars* and_underscores_.\n• 00:00:00 A [bracket] <b>tag</b> # and 1962. done\n"
    )
    source = write(tmp_path / "s.txt", text)
    assert run_cli("import", str(source), str(tmp_path / "p")).code == 0
    assert run_cli("build", str(tmp_path / "p"), "--format", "html").code == 0
    html = next((tmp_path / "p" / "build").glob("*.html")).read_text()
    assert "A [bracket] &lt;b&gt;tag&lt;/b&gt; # and 1962. done" in html
    assert "Intro with *stars* and_underscores_." in html


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("Just a summary.\n", "no segments found", None),
        ("", "no segments found", None),
        ("S.\n• 00:05:00 a\n• 00:01:00 b\n", "comes before the previous segment's 00:05:00", 3),
        ("S.\n• 00:05:00 a\n• 00:05:00 b\n", "repeats the previous segment's 00:05:00", 3),
        ("S.\n• 00:05:00 a\n• no time here\n", "a bullet without a timestamp", 3),
        ("S.\n• 00:61:00 a\n", "minutes must be below 60", 2),
        ("S.\n• 00:00:00\n", "a segment has no text", 2),
    ],
)
def test_refusals_name_file_and_line(
    tmp_path: Path, text: str, message: str, line: int | None
) -> None:
    source = write(tmp_path / "summary.txt", text)
    result = run_cli("import", str(source), str(tmp_path / "out"))
    assert result.code == 1
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    where = f"summary.txt:{line}: " if line else "summary.txt: "
    assert where in lines[0] and message in lines[0]
    assert "Traceback" not in result.err
    assert not (tmp_path / "out" / "manuscript").exists()


def test_non_utf8_names_the_byte(tmp_path: Path) -> None:
    source = write(tmp_path / "s.txt", b"Summary \xff.\n\xe2\x80\xa2 00:00:00 a\n")
    with pytest.raises(InputError, match=r"not UTF-8 \(byte 8\)"):
        parse_summary(source.read_bytes(), source)


def test_existing_manuscript_is_refused_without_force(tmp_path: Path) -> None:
    source = write(tmp_path / "s.txt", "S.\n• 00:00:00 a\n• 00:01:00 b\n• 00:02:00 c\n")
    assert run_cli("import", str(source), str(tmp_path / "p")).code == 0
    book = tmp_path / "p" / "manuscript" / "book.yaml"
    before = book.read_bytes()
    result = run_cli("import", str(source), str(tmp_path / "p"))
    assert result.code == 1
    assert "already holds a manuscript; use --force" in result.err
    assert book.read_bytes() == before
    shorter = write(tmp_path / "t.txt", "S.\n• 00:00:00 only one\n")
    assert run_cli("import", "--force", str(shorter), str(tmp_path / "p")).code == 0
    segments = sorted((tmp_path / "p" / "manuscript" / "segments").glob("*.md"))
    assert [p.name for p in segments] == ["seg-01.md"]


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    source = write(tmp_path / "s.txt", "no segments\n")
    result = run_cli("--debug", "import", str(source), str(tmp_path / "p"))
    assert result.code == 1
    assert "Traceback" in result.err and "no segments found" in result.err


def test_suggested_titles_drop_the_summariser_boilerplate() -> None:
    assert (
        suggest_title("In this section, we see how Mao went to Moscow to ask Stalin for help.")
        == "Mao went to Moscow to ask Stalin for…"
    )
    assert (
        suggest_title("In this section of the video, the devastating effects of it.")
        == "The devastating effects of it"
    )
    assert suggest_title("") == "Untitled segment"
