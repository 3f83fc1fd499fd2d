"""`booktool check`: every finding with its code and file:line, --strict, --fix, and build's use."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from booktool.checks import LOAD_CODES, RULES

from .conftest import copy_project, run_cli

SLUG = "the-great-leap-forward"
PEOPLE = """\
# The people the booklet names.
- name: Liu Shaoqi
  variants: [Liu Xiaoxi, Liu Xiao Qi, Lu Xiaoqi]
  dates: 1898–1969
  role: Chairman of the People's Republic of China, 1959–1968
- name: Peng Dehuai
  variants: Peng Teh-huai
"""


def manuscript_state(project: Path) -> dict[str, tuple[bytes, int]]:
    """Every manuscript file's bytes and modification time."""
    return {
        str(p.relative_to(project)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted((project / "manuscript").rglob("*"))
        if p.is_file()
    }


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def lines(text: str) -> list[str]:
    return text.strip().splitlines()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "p")


def test_the_repo_manuscript_is_clean_even_under_strict(project: Path) -> None:
    result = run_cli("check", str(project))
    assert result.code == 0, result.err
    assert lines(result.err) == []
    assert run_cli("check", str(project), "--strict").code == 0


def test_a_year_missing_from_the_chronology_is_a_warning(project: Path) -> None:
    segment = project / "manuscript" / "segments" / "seg-04.md"
    edit(segment, "Thousands of communes", "In 1964, thousands of communes")
    result = run_cli("check", str(project))
    assert result.code == 0
    assert lines(result.err) == [
        f"{segment}:8: warning[chronology-missing-year]: 1964 is mentioned but not in the "
        "chronology; add an entry to manuscript/chronology.yaml (booktool chronology --suggest "
        "lists candidates), or list the year in book.yaml's 'chronology: {ignore_years: [...]}' "
        "if it needs none"
    ]
    assert run_cli("check", str(project), "--strict").code == 1
    book = project / "manuscript" / "book.yaml"
    edit(
        book,
        "introduction: summary.md",
        "introduction: summary.md\nchronology:\n  ignore_years: [1964]",
    )
    result = run_cli("check", str(project), "--strict")
    assert (result.code, lines(result.err)) == (0, [])
    suggested = run_cli("chronology", str(project), "--suggest").out
    assert "1964 [in chronology]" in suggested


def test_ignore_years_must_be_a_list_of_years(project: Path) -> None:
    book = project / "manuscript" / "book.yaml"
    edit(
        book,
        "introduction: summary.md",
        "introduction: summary.md\nchronology:\n  ignore_years: 1964",
    )
    result = run_cli("check", str(project))
    assert result.code == 1
    assert lines(result.err) == [
        f"{book}:19: error[config]: 'ignore_years': must be a list of years; "
        "write e.g. [1976, 1980]"
    ]


def test_unresolved_references_are_errors_with_line_and_column(project: Path) -> None:
    segment = project / "manuscript" / "segments" / "seg-05.md"
    edit(segment, "[@chr:harvest-1959]", "[@chr:harvest-1960]")
    result = run_cli("check", str(project))
    assert result.code == 1
    [line] = lines(result.err)
    assert re.match(
        rf"{re.escape(str(segment))}:\d+:\d+: error\[unresolved-reference\]: \[@chr:harvest-1960\] "
        r"names a chronology entry that does not exist; known: chr:anti-rightist, ",
        line,
    )


def test_timestamps_overlapping_past_the_source_and_out_of_order(project: Path) -> None:
    segments = project / "manuscript" / "segments"
    edit(segments / "seg-01.md", "end: 00:05:00", "end: 00:06:30")  # seg-02 starts at 00:05:00
    edit(project / "manuscript" / "book.yaml", "kind: documentary", 'duration: "00:52:00"')
    edit(segments / "seg-11.md", "start: 00:50:00", 'start: 00:50:00\nend: "00:53:00"')
    edit(project / "manuscript" / "book.yaml", "[seg-04, seg-05]", "[seg-05, seg-04]")
    result = run_cli("check", str(project))
    assert result.code == 1
    found = lines(result.err)
    assert found == [
        f"{segments}/seg-01.md:5: error[segment-overlap]: ends at 00:06:30, after 'seg-02' "
        "starts (00:05:00); end it at 00:05:00 or drop 'end'",
        f"{segments}/seg-04.md:4: warning[segment-order]: 'seg-04' starts at 00:15:00, before "
        "'seg-05' (00:20:00), which precedes it in the chapter plan; reorder the segments in "
        "book.yaml or fix the start time",
        f"{segments}/seg-11.md:5: error[segment-past-duration]: end 00:53:00 is past the end "
        "of the source (00:52:00); fix the time, or source.duration in book.yaml",
    ]
    assert "2 errors, 1 warnings" in result.out


def test_build_runs_the_check_first_and_keeps_the_last_good_outputs(project: Path) -> None:
    assert run_cli("build", str(project), "--format", "epub").code == 0
    epub = project / "build" / f"{SLUG}.epub"
    before = epub.read_bytes()
    edit(project / "manuscript" / "segments" / "seg-01.md", "end: 00:05:00", "end: 00:06:30")
    result = run_cli("build", str(project), "--format", "epub")
    assert result.code == 1
    assert lines(result.err) == [
        f"{project}/manuscript/segments/seg-01.md:5: error[segment-overlap]: ends at 00:06:30, "
        "after 'seg-02' starts (00:05:00); end it at 00:05:00 or drop 'end'",
    ]
    assert "Traceback" not in result.err
    assert epub.read_bytes() == before


def test_pandoc_started_before_a_failed_check_is_stopped_and_reaped(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pandoc converts while the manuscript is checked: when the check fails, the build
    reports only the check's error, and no pandoc process outlives it."""
    import subprocess

    import booktool.convert.markdown

    started: list[subprocess.Popen[bytes]] = []
    real_popen = subprocess.Popen

    def keeping(args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        process = real_popen(args, **kwargs)
        started.append(process)
        return process

    monkeypatch.setattr(booktool.convert.markdown.subprocess, "Popen", keeping)
    edit(project / "manuscript" / "segments" / "seg-01.md", "end: 00:05:00", "end: 00:06:30")
    result = run_cli("build", str(project), "--format", "epub")
    assert result.code == 1
    assert [line.split(": ")[1] for line in lines(result.err)] == ["error[segment-overlap]"]
    assert started and all(process.returncode is not None for process in started)
    assert not (project / "build" / ".cache" / "fragments.pack").exists()  # nothing kept


def test_build_prints_warnings_and_strict_makes_them_fatal(project: Path) -> None:
    segment = project / "manuscript" / "segments" / "seg-04.md"
    edit(segment, "Thousands of communes", "In 1964, thousands of communes")
    result = run_cli("build", str(project), "--format", "html")
    assert result.code == 0
    assert "warning[chronology-missing-year]" in result.err
    result = run_cli("build", str(project), "--format", "html", "--strict")
    assert result.code == 1
    assert lines(result.err)[-1] == (
        "error[strict]: 1 warnings and --strict; fix them, or build without --strict"
    )


def test_name_variants_are_found_and_fixed_in_place(project: Path) -> None:
    manuscript = project / "manuscript"
    (manuscript / "people.yaml").write_text(PEOPLE)
    seg09 = manuscript / "segments" / "seg-09.md"
    edit(seg09, "Liu Shaoqi, who became", "Liu Xiaoxi, who became")
    seg03 = manuscript / "segments" / "seg-03.md"
    # CRLF line ends and a BOM are kept by --fix; a name split over two spaces is still found.
    seg03.write_bytes(
        b"\xef\xbb\xbf"
        + (seg03.read_text() + "\nLiu  Xiao Qi and Lu Xiaoqi argued; Liu Shaoqier is no name.\n")
        .replace("\n", "\r\n")
        .encode()
    )
    intro = manuscript / "summary.md"
    edit(intro, "a young historian", "a young historian (who met Lu Xiaoqi's family)")
    before = manuscript_state(project)

    result = run_cli("check", str(project))
    assert result.code == 0  # warnings only
    seg03_lines = seg03.read_bytes().decode("utf-8-sig").split("\r\n")
    n03 = next(i for i, t in enumerate(seg03_lines, 1) if t.startswith("Liu  Xiao Qi"))
    n09 = next(i for i, t in enumerate(seg09.read_text().split("\n"), 1) if "Liu Xiaoxi, who" in t)
    intro_lines = intro.read_text().split("\n")
    n_intro = next(i for i, t in enumerate(intro_lines, 1) if "Lu Xiaoqi" in t)
    col_intro = intro_lines[n_intro - 1].index("Lu Xiaoqi") + 1
    people = f"{project}/manuscript/people.yaml:2"
    variants = [line for line in lines(result.err) if "name-variant" in line]
    assert variants == [
        f"{seg03}:{n03}:1: warning[name-variant]: 'Liu  Xiao Qi' is a variant spelling of "
        f"'Liu Shaoqi' ({people}); write 'Liu Shaoqi' (booktool check --fix does)",
        f"{seg03}:{n03}:18: warning[name-variant]: 'Lu Xiaoqi' is a variant spelling of "
        f"'Liu Shaoqi' ({people}); write 'Liu Shaoqi' (booktool check --fix does)",
        f"{seg09}:{n09}:1: warning[name-variant]: 'Liu Xiaoxi' is a variant spelling of "
        f"'Liu Shaoqi' ({people}); write 'Liu Shaoqi' (booktool check --fix does)",
        f"{intro}:{n_intro}:{col_intro}: warning[name-variant]: 'Lu Xiaoqi' is a variant "
        f"spelling of 'Liu Shaoqi' ({people}); write 'Liu Shaoqi' (booktool check --fix does)",
    ]
    assert "(4 fixable with --fix)" in result.out
    assert manuscript_state(project) == before  # check alone never writes
    assert run_cli("build", str(project), "--format", "html").code == 0
    assert manuscript_state(project) == before  # nor does build

    expected03 = seg03.read_bytes().replace(
        b"Liu  Xiao Qi and Lu Xiaoqi argued", b"Liu Shaoqi and Liu Shaoqi argued"
    )
    expected09 = seg09.read_bytes().replace(b"Liu Xiaoxi, who", b"Liu Shaoqi, who")  # quoted: kept
    fixed = run_cli("check", str(project), "--fix")
    assert fixed.code == 0
    assert "fixed 4 in 3 files" in fixed.out
    assert "name-variant" not in fixed.err
    assert seg03.read_bytes() == expected03  # BOM, CRLF and 'Liu Shaoqier' untouched
    assert seg09.read_bytes() == expected09
    after = manuscript_state(project)
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {
        "manuscript/segments/seg-03.md",
        "manuscript/segments/seg-09.md",
        "manuscript/summary.md",
    }


def test_people_yaml_problems_are_collected(project: Path) -> None:
    people = project / "manuscript" / "people.yaml"
    people.write_text(
        "- name: Liu Shaoqi\n  variant: [Liu Xiaoxi]\n"
        "- name: Liu Shaoqi\n"
        "- name: Deng Xiaoping\n  variants: [Lu Xiaoqi, Deng Xiaoping]\n"
        "- role: nobody\n"
    )
    result = run_cli("check", str(project))
    assert result.code == 1
    assert lines(result.err) == [
        f"{people}:2: error[unknown-key]: unknown key 'variant' in a person; "
        "did you mean 'variants'?",
        f"{people}:3: error[duplicate-id]: 'Liu Shaoqi' is listed twice (first on line 1); "
        "keep one entry per person",
        f"{people}:5: error[people]: variant 'Deng Xiaoping' of 'Deng Xiaoping' is also a "
        "canonical name; a spelling may belong to one person only",
        f"{people}:6: error[missing-key]: 'name' is required; add 'name: …'",
    ]
    people.write_text("- name: Liu Shaoqi\n  variants: [Liu Xiaoxi\n")
    result = run_cli("check", str(project))
    assert re.fullmatch(
        rf"{people}:3:1: error\[yaml-syntax\]: YAML error: .*; fix the YAML syntax\n", result.err
    )


def test_unknown_front_matter_key_suggests_the_right_one(project: Path) -> None:
    segment = project / "manuscript" / "segments" / "seg-02.md"
    edit(segment, "title:", "titel:")
    result = run_cli("check", str(project))
    assert f"{segment}:3: error[unknown-key]: unknown front matter key 'titel'; did you mean " in (
        result.err
    )


def test_empty_chapters_and_duplicate_chapter_ids(project: Path) -> None:
    book = project / "manuscript" / "book.yaml"
    edit(book, "  segments: [seg-11]", "  segments: []")
    edit(book, "- id: reckoning", "- id: famine")
    result = run_cli("check", str(project))
    assert result.code == 1
    found = lines(result.err)
    assert any(
        re.fullmatch(rf"{book}:\d+: error\[duplicate-id\]: chapter id 'famine' is used twice.*", x)
        for x in found
    ), found
    assert any(
        re.fullmatch(
            rf"{book}:\d+: error\[empty-chapter\]: chapter 'Tombstone and the Duty of Memory' "
            r"is empty; list its segments .*",
            x,
        )
        for x in found
    ), found


def test_a_file_that_is_not_utf8_is_named_with_line_column_and_byte(project: Path) -> None:
    segment = project / "manuscript" / "segments" / "seg-04.md"
    data = segment.read_bytes()
    offset = data.index(b"\n", data.index(b"\n---\n") + 5) + 1 + 4  # 5th byte of the body's line 2
    segment.write_bytes(data[:offset] + b"\xe9" + data[offset + 1 :])
    line = data.count(b"\n", 0, offset) + 1
    result = run_cli("build", str(project))
    assert result.code == 1
    assert result.err == (
        f"{segment}:{line}:5: error[not-utf8]: not UTF-8 (byte {offset}: 0xe9); "
        "save the file as UTF-8\n"
    )


def test_bom_and_crlf_are_accepted_silently_and_change_nothing(
    project: Path, repo_build: Path
) -> None:
    for path in (project / "manuscript").rglob("*.*"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    result = run_cli("build", str(project), "--format", "epub")
    assert result.code == 0
    assert "error" not in result.err
    built = (project / "build" / f"{SLUG}.epub").read_bytes()
    assert built == (repo_build / "build" / f"{SLUG}.epub").read_bytes()


def test_template_errors_in_project_layouts_are_found_by_check_with_their_line(
    project: Path,
) -> None:
    template = project / "layouts" / "_section.html"
    template.write_text("<section>\n{{ section.title }\n</section>\n")
    result = run_cli("check", str(project))
    assert result.code == 1
    assert re.match(
        rf"{template}:2: error\[template-syntax\]: template error: .*; fix the template\n",
        result.err,
    )


def test_template_errors_at_render_time_name_the_template_and_line(project: Path) -> None:
    template = project / "layouts" / "_section.html"
    template.write_text("<section>\n{{ section.title }}\n{{ section.speaker.name }}\n</section>\n")
    result = run_cli("build", str(project), "--format", "html")
    assert result.code == 1
    assert re.search(
        rf"^{template}:3: error\[template-error\]: template error: .*has no attribute 'speaker'",
        result.err,
        re.MULTILINE,
    )


def test_rules_are_listed_with_their_codes() -> None:
    result = run_cli("check", "--rules")
    assert result.code == 0
    for rule in RULES:
        assert re.search(rf"^{rule.code} +{rule.severity} +\w", result.out, re.MULTILINE)
    for code in LOAD_CODES:
        assert re.search(rf"^{code} +error +\w", result.out, re.MULTILINE)
    assert len({rule.code for rule in RULES} | set(LOAD_CODES)) == len(RULES) + len(LOAD_CODES)


def test_drafted_files_are_notes_that_never_fail_and_one_deleted_line_reviews(
    project: Path,
) -> None:
    from booktool.source.drafted import REVIEW_MARK

    manuscript = project / "manuscript"
    chronology, segment = manuscript / "chronology.yaml", manuscript / "segments" / "seg-02.md"
    chronology.write_text(f"# Drafted.\n{REVIEW_MARK}\n" + chronology.read_text())
    edit(segment, "---\n", f"---\n{REVIEW_MARK}\n")
    result = run_cli("check", str(project), "--strict")
    assert result.code == 0
    hint = "drafted by booktool import, not yet reviewed; review it, then delete this line"
    assert lines(result.err) == [
        f"{chronology}:2: note[draft-unreviewed]: {hint}",
        f"{segment}:2: note[draft-unreviewed]: {hint}",
    ]
    assert result.out == "no problems found, 2 notes\n"
    built = run_cli("build", str(project), "--format", "html", "--strict")
    assert built.code == 0 and "draft-unreviewed" not in built.err
    edit(chronology, f"{REVIEW_MARK}\n", "")
    result = run_cli("check", str(project))
    assert lines(result.err) == [f"{segment}:2: note[draft-unreviewed]: {hint}"]
