"""`booktool import`: every accepted form of the summary text, and every refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from booktool.cli.importer import parse_summary
from booktool.errors import InputError
from booktool.source.drafted import REVIEW_MARK
from booktool.source.manuscript import read_markdown_file
from booktool.source.yamlio import load_yaml

from .conftest import SEED, run_cli
from .outputs import pdf_pages, run_epubcheck, squash


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_seed_imports_eleven_segments_with_ends_from_the_next_start(tmp_path: Path) -> None:
    result = run_cli("import", str(SEED), str(tmp_path / "book"))
    assert result.code == 0, result.err
    assert "imported 11 segments" in result.out
    manuscript = tmp_path / "book" / "manuscript"
    segments = sorted((manuscript / "segments").glob("*.md"))
    assert len(segments) == 11
    metas = [read_markdown_file(p).meta for p in segments]
    assert [m["id"] for m in metas] == [f"seg-{n:02d}" for n in range(1, 12)]
    assert metas[0]["start"] == "00:00:00" and metas[0]["end"] == "00:05:00"
    assert metas[9]["end"] == "00:50:00"
    assert metas[10]["start"] == "00:50:00" and metas[10]["end"] is None
    assert all(m["title"] and "…" not in m["title"] for m in metas)
    body = read_markdown_file(segments[1]).body
    assert body.lstrip().startswith("Mao went to Moscow to ask Stalin")  # the framing is gone
    assert (manuscript / "source.txt").read_bytes() == SEED.read_bytes()  # kept verbatim
    book_path = manuscript / "book.yaml"
    book = load_yaml(book_path.read_text(), book_path)
    assert book["title"] == "The Great Leap Forward"
    assert book["language"] == "en"
    assert book["identifier"].startswith("urn:uuid:")
    assert "authors" not in book and "source" not in book  # no placeholders
    plan = [c["segments"] for c in book["chapters"]]
    assert 3 <= len(plan) <= 6
    assert [s for chapter in plan for s in chapter] == [m["id"] for m in metas]
    assert len({c["id"] for c in book["chapters"]}) == len(plan)
    assert not any("questions" in chapter for chapter in book["chapters"])  # none invented
    summary = read_markdown_file(manuscript / "summary.md")
    assert summary.body.lstrip().startswith("The Great Leap Forward was Mao")
    people_path = manuscript / "people.yaml"
    people = load_yaml(people_path.read_text(), people_path)
    liu = [p for p in people if "Liu Xiaoxi" in [p["name"], *p.get("variants", [])]]
    assert len(liu) == 1
    assert {liu[0]["name"], *liu[0]["variants"]} == {"Liu Xiaoxi", "Liu Xiao Qi", "Lu Xiaoqi"}
    assert "the true spelling" in people_path.read_text()  # the editor is told, in a comment
    assert "Great Leap Forward" not in [p["name"] for p in people]


def test_every_drafted_file_says_so_and_check_lists_it_as_a_note(tmp_path: Path) -> None:
    assert run_cli("import", str(SEED), str(tmp_path)).code == 0
    manuscript = tmp_path / "manuscript"
    drafted = sorted(p for p in manuscript.rglob("*") if p.suffix in (".md", ".yaml"))
    assert len(drafted) == 11 + 5  # segments, summary.md, book, chronology, figures, people
    for path in drafted:
        text = path.read_text()
        head = text.removeprefix("---\n").splitlines()
        assert head[0].startswith(f"# Drafted by booktool import from {SEED.name}"), path
        assert REVIEW_MARK in text.splitlines()[:6], path
    result = run_cli("check", str(tmp_path))
    assert result.code == 0
    notes = [line for line in result.err.splitlines() if "note[draft-unreviewed]" in line]
    assert sorted(line.split(":")[0] for line in notes) == sorted(str(p) for p in drafted)
    assert "warning[chronology-missing-year]" not in result.err  # the draft covers its years
    assert ", 16 notes" in result.out
    segment = manuscript / "segments" / "seg-03.md"
    segment.write_text(segment.read_text().replace(REVIEW_MARK + "\n", ""))  # one edit
    again = run_cli("check", str(tmp_path))
    assert str(segment) not in again.err and ", 15 notes" in again.out


def test_imported_seed_builds_a_study_booklet(tmp_path: Path) -> None:
    assert run_cli("import", str(SEED), str(tmp_path)).code == 0
    result = run_cli("build", str(tmp_path))
    assert result.code == 0, result.err
    book = load_yaml((tmp_path / "manuscript" / "book.yaml").read_text(), Path("book.yaml"))
    pdf = tmp_path / "build" / "the-great-leap-forward.pdf"
    pages = pdf_pages(pdf)
    text = squash("".join(pages))
    # No page holds a scrap of text and nothing else (the old import's one-segment chapters:
    # 15 pages for 900 words). Cover, title page, and short lists (figures, who's who) that
    # begin on a page of their own are short by design.
    scraps = [
        (number, page[:60])
        for number, page in enumerate(pages[2:], start=3)
        if len(" ".join(page.split())) < 300
        and not page.startswith(("List of Figures", "Who’s Who"))
    ]
    assert scraps == []
    for chapter in book["chapters"]:
        assert squash(chapter["title"]) in text
        for term in chapter.get("key_terms", {}):
            assert squash(term) in text
    assert any(chapter.get("key_terms") for chapter in book["chapters"])
    for heading in ("Chronology", "Appendix A", "Who’s Who", "Estimates of the death toll"):
        assert squash(heading) in text, heading
    assert squash("in numbers") in text and squash("Said at") in text
    for placeholder in ("Drawn from", "Untitled", "Your Name"):
        assert squash(placeholder) not in text, placeholder
    report = run_epubcheck(tmp_path / "build" / "the-great-leap-forward.epub")
    messages = [f"{m['ID']} {m['severity']}: {m['message']}" for m in report["messages"]]
    checker = report["checker"]
    assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0), messages


def test_overrides_replace_the_draft_and_are_printed(tmp_path: Path) -> None:
    result = run_cli(
        "import",
        str(SEED),
        str(tmp_path),
        "--title",
        "Famine",
        "--subtitle",
        "A Study Guide",
        "--author",
        "Ann Editor",
        "--author",
        "Bo Writer",
        "--source-title",
        "China's Great Famine",
        "--source-url",
        "https://example.org/film",
    )
    assert result.code == 0, result.err
    book = load_yaml((tmp_path / "manuscript" / "book.yaml").read_text(), Path("book.yaml"))
    assert (book["title"], book["subtitle"]) == ("Famine", "A Study Guide")
    assert book["authors"] == ["Ann Editor", "Bo Writer"]
    assert book["source"] == {"title": "China's Great Famine", "url": "https://example.org/film"}
    assert run_cli("build", str(tmp_path), "--format", "html").code == 0
    html = (tmp_path / "build" / "famine.html").read_text()
    assert "Drawn from China’s Great Famine" in html and "Ann Editor and Bo Writer" in html


CLUTTERED = """\
Summary of "Rivers of Ice: The Glaciers of the Alps"
https://www.example.com/watch?v=abc123
AI generated summary - may contain errors
00:00:00 - 00:40:00

The Glaciers of the Alps have lost half their ice since 1850. In this video, scientists explain why.

• 00:00 In this section, the video explains that the Rhone Glacier has retreated by 1.4
kilometres since 1856.
• 12:00 In this section, we see how glaciologist Anna Berg measures the ice every summer.
• 25:00 Finally, the video describes how the summer of 2022 melted more ice than any year before.
"""


def test_pasted_page_clutter_is_dropped_with_notes_and_the_url_kept(tmp_path: Path) -> None:
    source = write(tmp_path / "glaciers.txt", CLUTTERED)
    result = run_cli("import", str(source), str(tmp_path / "p"))
    assert result.code == 0, result.err
    noted = [line for line in result.err.splitlines() if "note[import]" in line]
    for dropped in ('Summary of "Rivers of Ice', "AI generated summary", "00:00:00 - 00:40:00"):
        assert any(dropped in line for line in noted), dropped
    manuscript = tmp_path / "p" / "manuscript"
    book = load_yaml((manuscript / "book.yaml").read_text(), Path("book.yaml"))
    assert book["source"] == {"url": "https://www.example.com/watch?v=abc123"}
    intro = (manuscript / "summary.md").read_text()
    assert "Summary of" not in intro and "AI generated" not in intro and "00:40:00" not in intro
    assert "The Glaciers of the Alps have lost half their ice since 1850." in intro
    assert run_cli("build", str(tmp_path / "p"), "--format", "html").code == 0
    # The clutter's lines are blanked, not removed: an error still names the file's own line.
    bad = write(tmp_path / "bad.txt", CLUTTERED.replace("• 25:00", "• 11:00"))
    refused = run_cli("import", str(bad), str(tmp_path / "q"))
    assert refused.code == 1
    assert "bad.txt:11: error[timestamp-order]" in refused.err


def test_imports_are_byte_identical_with_a_fixed_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    for name in ("a", "b"):
        assert run_cli("import", str(SEED), str(tmp_path / name)).code == 0

    def files(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    first = files(tmp_path / "a")
    assert first == files(tmp_path / "b")
    assert b"date: 2026-01-01\n" in first["manuscript/book.yaml"]


def test_a_140_segment_summary_gets_unique_ids_and_builds(tmp_path: Path) -> None:
    topics = ["harbour", "railway", "glacier", "famine", "canal", "reef", "drought"]
    lines = ["The Long History was told in a documentary of many parts.", ""]
    for n in range(140):
        minutes, seconds = divmod(n * 50, 60)
        time = (
            f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"
            if minutes >= 60
            else (f"{minutes}:{seconds:02d}")
        )
        topic = topics[n % len(topics)]
        lines.append(
            f"• {time} In this section, the video explains the {topic} of part {n + 1}, "
            f"where {n + 2} thousand workers built it in {1800 + n}."
        )
    source = write(tmp_path / "long.txt", "\n".join(lines) + "\n")
    result = run_cli("import", str(source), str(tmp_path / "p"))
    assert result.code == 0, result.err
    manuscript = tmp_path / "p" / "manuscript"
    book = load_yaml((manuscript / "book.yaml").read_text(), Path("book.yaml"))
    ids = [c["id"] for c in book["chapters"]]
    assert len(ids) == len(set(ids))
    assert len(list((manuscript / "segments").glob("*.md"))) == 140
    built = run_cli("build", str(tmp_path / "p"), "--format", "html")
    assert built.code == 0, built.err
    assert "error" not in built.err


#: The draft engine's sample summaries, but great-leap.txt: the seed, built above.
SUMMARIES = [
    path
    for path in sorted((Path(__file__).parent / "roots" / "summaries").glob("*.txt"))
    if path.read_bytes().replace(b"\r", b"") != SEED.read_bytes().replace(b"\r", b"")
]


@pytest.mark.parametrize("summary", SUMMARIES, ids=[p.stem for p in SUMMARIES])
def test_sample_summaries_import_and_build_cleanly(summary: Path, tmp_path: Path) -> None:
    assert run_cli("import", str(summary), str(tmp_path)).code == 0
    result = run_cli("build", str(tmp_path))
    assert result.code == 0, result.err
    assert "warning[chronology-missing-year]" not in result.err
    book = load_yaml((tmp_path / "manuscript" / "book.yaml").read_text(), Path("book.yaml"))
    text = squash("".join(pdf_pages(next((tmp_path / "build").glob("*.pdf")))))
    assert all(squash(chapter["title"]) in text for chapter in book["chapters"])
    assert squash("Chronology") in text
    figures = (tmp_path / "manuscript" / "figures.yaml").read_text()
    if "kind: chart" in figures:
        chart = load_yaml(figures, Path("figures.yaml"))[0]
        assert squash(f"Figure A.1 {chart['title']}") in text
    assert squash("Drawn from") not in text
    report = run_epubcheck(next((tmp_path / "build").glob("*.epub")))
    messages = [f"{m['ID']} {m['severity']}: {m['message']}" for m in report["messages"]]
    checker = report["checker"]
    assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0), messages


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
    # What the seed's import drafted and this one does not (figures, people, chronology
    # naming seg-02 …) is removed, not left to name segments that are gone.
    assert run_cli("import", "--force", str(SEED), str(tmp_path / "p")).code == 0
    assert run_cli("import", "--force", str(shorter), str(tmp_path / "p")).code == 0
    manuscript = tmp_path / "p" / "manuscript"
    assert not (manuscript / "figures.yaml").exists()
    assert (manuscript / "source.txt").read_bytes() == shorter.read_bytes()
    assert run_cli("check", str(tmp_path / "p")).code == 0


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    source = write(tmp_path / "s.txt", "no segments\n")
    result = run_cli("--debug", "import", str(source), str(tmp_path / "p"))
    assert result.code == 1
    assert "Traceback" in result.err and "no segments found" in result.err
