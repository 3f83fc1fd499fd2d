"""Incremental builds from build/.cache: what is skipped, what is redone, same bytes either way."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import booktool.convert.markdown
from booktool.cli.main import main
from booktool.convert.markdown import MarkdownSource, PandocRuns
from booktool.editions.layouts import BUILTIN_LAYOUTS

from .conftest import copy_project, run_cli

SLUG = "the-great-leap-forward"


def stamps(project: Path) -> dict[str, int]:
    """Each output's modification time: changes only if the file is rewritten."""
    return {p.name: p.stat().st_mtime_ns for p in (project / "build").glob(f"{SLUG}.*")}


def contents(project: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (project / "build").glob(f"{SLUG}.*")}


@pytest.fixture
def built(tmp_path: Path) -> Path:
    project = copy_project(tmp_path / "p")
    assert run_cli("build", str(project)).code == 0
    return project


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The file names of every batch handed to pandoc (the real converter, counted)."""
    calls: list[list[str]] = []
    real = booktool.convert.markdown.PandocRuns

    def counting(sources: list[MarkdownSource], references: Any = ()) -> PandocRuns:
        if sources:
            calls.append([s.path.name for s in sources])
        return real(sources, references)

    monkeypatch.setattr(booktool.convert.markdown, "PandocRuns", counting)
    return calls


def test_a_rebuild_with_nothing_changed_is_up_to_date_and_rewrites_nothing(
    built: Path, conversions: list[list[str]]
) -> None:
    before = stamps(built)
    result = run_cli("build", str(built))
    assert result.code == 0
    assert f"up to date: {built}/build/{SLUG}.pdf, {built}/build/{SLUG}.epub" in result.out
    assert "wrote" not in result.out
    assert conversions == []
    assert stamps(built) == before


def test_a_no_op_rebuild_does_not_import_weasyprint(built: Path) -> None:
    script = (
        "import sys\n"
        "from booktool.cli.main import main\n"
        f"code = main(['build', {str(built)!r}])\n"
        "print('weasyprint imported:', 'weasyprint' in sys.modules)\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    assert "weasyprint imported: False" in result.stdout
    # The same interpreter does import it when the PDF has to be made.
    (built / "build" / f"{SLUG}.pdf").unlink()
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert "wrote" in result.stdout
    assert "weasyprint imported: False" in result.stdout  # the PDF renders in a child process


def test_one_edited_segment_is_the_only_file_converted_and_both_outputs_are_rewritten(
    built: Path, conversions: list[list[str]]
) -> None:
    segment = built / "manuscript" / "segments" / "seg-05.md"
    segment.write_text(segment.read_text() + "\nOne more *sentence*.\n")
    before = contents(built)
    result = run_cli("build", str(built), "--json")
    assert result.code == 0
    assert conversions == [["seg-05.md"]]
    summary = json.loads(result.out)
    assert summary["converted"] == 1
    assert summary["up_to_date"] is False
    assert {o["format"]: o["written"] for o in summary["outputs"]} == {"pdf": True, "epub": True}
    after = contents(built)
    assert all(after[name] != before[name] for name in before)


def test_a_cached_rebuild_gives_the_bytes_of_a_cold_build(built: Path, tmp_path: Path) -> None:
    segment = built / "manuscript" / "segments" / "seg-02.md"
    segment.write_text(segment.read_text().replace("Stalin", "Joseph Stalin") + "\nNote.[^n]\n")
    segment.write_text(segment.read_text() + "\n[^n]: A footnote added later.\n")
    assert run_cli("build", str(built)).code == 0
    cold = tmp_path / "cold"
    shutil.copytree(built / "manuscript", cold / "manuscript")
    shutil.copytree(built / "layouts", cold / "layouts")
    assert run_cli("build", str(cold)).code == 0
    assert contents(built) == contents(cold)


def test_each_output_is_rewritten_only_when_its_own_inputs_change(built: Path) -> None:
    layouts = built / "layouts"
    before = stamps(built)
    (layouts / "epub.css").write_text(
        (BUILTIN_LAYOUTS / "epub.css").read_text() + "\n.segment { margin-top: 1em; }\n"
    )
    result = run_cli("build", str(built))
    assert f"wrote {built}/build/{SLUG}.epub" in result.out
    assert f"unchanged: {built}/build/{SLUG}.pdf" in result.out
    after = stamps(built)
    assert after[f"{SLUG}.pdf"] == before[f"{SLUG}.pdf"]
    assert after[f"{SLUG}.epub"] != before[f"{SLUG}.epub"]

    (layouts / "print.css").write_text(
        (BUILTIN_LAYOUTS / "print.css").read_text() + "\nh1 { letter-spacing: 0.01em; }\n"
    )
    result = run_cli("build", str(built))
    assert f"wrote {built}/build/{SLUG}.pdf" in result.out
    assert f"unchanged: {built}/build/{SLUG}.epub" in result.out
    assert stamps(built)[f"{SLUG}.epub"] == after[f"{SLUG}.epub"]


def test_an_output_changed_or_removed_in_build_is_made_again(built: Path) -> None:
    good = contents(built)
    (built / "build" / f"{SLUG}.epub").write_bytes(b"not an epub")
    (built / "build" / f"{SLUG}.pdf").unlink()
    result = run_cli("build", str(built))
    assert result.code == 0
    assert contents(built) == good


def test_a_corrupt_cache_is_ignored(built: Path) -> None:
    good = contents(built)
    cache = built / "build" / ".cache"
    (cache / "manifest.json").write_text("{not json")
    # Two fragments of the pack damaged in place: one blanked, one edited.
    pack = bytearray((cache / "fragments.pack").read_bytes())
    sealed = pack.index(b"\n") + 1  # the index's seal, then the index, then the fragments
    head = pack.index(b"\n", sealed) + 1
    index = json.loads(pack[sealed : head - 1])["fragments"]
    damaged = [
        (start, size) for _, start, size, _ in index if b"<p>" in pack[head + start :][:size]
    ]
    first, second = damaged[:2]
    pack[head + first[0] : head + first[0] + first[1]] = b" " * first[1]
    at = pack.index(b"<p>", head + second[0])
    pack[at : at + 3] = b"<q>"
    (cache / "fragments.pack").write_bytes(bytes(pack))
    result = run_cli("build", str(built), "--json")
    assert result.code == 0
    assert json.loads(result.out)["converted"] == 2
    assert contents(built) == good
    # The pack was written again, whole: a file that is not one counts as empty.
    (built / "manuscript" / "summary.md").write_text(
        (built / "manuscript" / "summary.md").read_text() + "\nOne more line.\n"
    )
    assert json.loads(run_cli("build", str(built), "--json").out)["converted"] == 1
    (cache / "fragments.pack").write_bytes(b"not a pack\n<p>x</p>")
    rebuilt = json.loads(run_cli("build", str(built), "--json", "--format", "epub").out)
    assert rebuilt["converted"] == len(index)  # every Markdown file, and the bibliography


def test_a_failed_rebuild_keeps_outputs_and_the_next_good_one_is_right(
    built: Path, tmp_path: Path
) -> None:
    good = contents(built)
    segment = built / "manuscript" / "segments" / "seg-07.md"
    text = segment.read_text()
    segment.write_text(text.replace("title:", "title: [broken"))
    assert run_cli("build", str(built)).code == 1
    assert contents(built) == good
    segment.write_text(text + "\nAdded after the failure.\n")
    assert run_cli("build", str(built)).code == 0
    cold = copy_project(tmp_path / "cold")
    (cold / "manuscript" / "segments" / "seg-07.md").write_text(segment.read_text())
    assert run_cli("build", str(cold)).code == 0
    assert contents(built) == contents(cold)


def test_json_summary(built: Path) -> None:
    result = run_cli("build", str(built), "--json")
    assert result.code == 0
    summary = json.loads(result.out)
    assert summary["ok"] is True and summary["up_to_date"] is True
    pdf = next(o for o in summary["outputs"] if o["format"] == "pdf")
    assert pdf["path"].endswith(f"{SLUG}.pdf") and pdf["pages"] >= 5 and pdf["size"] > 10_000
    assert set(summary["timings"]) == {"stamp"}  # no input changed: decided by file states
    assert summary["warnings"] == []
    (built / "manuscript" / "summary.md").touch()  # a new time: the build decides by content
    touched = json.loads(run_cli("build", str(built), "--json").out)
    assert touched["up_to_date"] is True
    assert set(touched["timings"]) == {"load", "check", "convert", "pdf", "epub", "write"}
    (built / "manuscript" / "book.yaml").write_text("title: [\n")
    failed = run_cli("build", str(built), "--json")
    assert failed.code == 1
    report = json.loads(failed.out)
    assert report["ok"] is False and report["errors"][0]["code"] == "yaml-syntax"
    assert report["errors"][0]["line"] == 2 and report["errors"][0]["column"] is not None


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_each_stage_is_shown_with_its_time_and_pdf_pages(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    out, err = Terminal(), io.StringIO()
    assert main(["build", str(project)], out=out, err=err) == 0
    shown = out.getvalue()
    # What stays on screen: each line as left after its last clear (the PDF lays out while
    # the EPUB is made, so their live lines share a row until each one finishes).
    final = [line.rsplit("\r\x1b[K", 1)[-1] for line in shown.split("\n")]
    for stage in ("load", "check", "convert", "pdf", "epub", "write"):
        assert any(line.startswith(f"  {stage} ") and "…" not in line for line in final), stage
    assert "laying out page 9" in shown
    assert "12 of 13 files through pandoc" not in shown and "13 of 13 files" in shown
    quiet = Terminal()
    assert main(["build", str(project), "--quiet"], out=quiet, err=io.StringIO()) == 0
    assert quiet.getvalue().splitlines()[0].startswith("up to date: ")
    assert "\r" not in quiet.getvalue()


def test_built_in_templates_compiled_ahead_are_loaded_while_current(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``make bytecode`` compiles the built-in templates: a build with an empty cache loads
    them; a project's own template, or a built-in one whose source changed, is compiled (into
    the build's cache, never into the compiled-ahead folder)."""
    import jinja2

    import booktool.editions.layouts

    builtin = tmp_path / "builtin"
    shutil.copytree(booktool.editions.layouts.BUILTIN_LAYOUTS, builtin)
    ahead = tmp_path / "ahead"
    monkeypatch.setattr(booktool.editions.layouts, "BUILTIN_LAYOUTS", builtin)
    monkeypatch.setattr(booktool.editions.layouts, "COMPILED_BUILTIN", ahead)
    templates = [p.name for p in builtin.iterdir() if p.suffix in (".html", ".xhtml", ".svg")]
    assert booktool.editions.layouts.compile_builtin() == len(templates) > 10
    written = {p.name: p.read_bytes() for p in ahead.iterdir()}
    assert len(written) == len(templates)

    compiled: list[str | None] = []
    real = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None, *a: Any) -> Any:
        compiled.append(name)
        return real(self, source, name, *a)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    own = tmp_path / "layouts"
    own.mkdir()
    (own / "_cover.html").write_text("<p>{{ cover.title }}</p>\n", "utf-8")
    people = builtin / "_people.html"
    people.write_text(people.read_text("utf-8") + "{# changed #}\n", "utf-8")
    layouts = booktool.editions.layouts.Layouts(own, tmp_path / "cache")
    for name in ("_section.html", "print.html", "epub-chapter.xhtml", "_cover.html"):
        layouts.env.get_template(name)
    assert compiled == ["_cover.html"]  # the rest, and what they include, loaded as compiled
    layouts.env.get_template("_people.html")
    assert compiled == ["_cover.html", "_people.html"]
    assert len(list((tmp_path / "cache").iterdir())) == 2
    assert {p.name: p.read_bytes() for p in ahead.iterdir()} == written
    assert booktool.editions.layouts.compile_builtin() == len(templates)  # compiles what changed
    assert compiled[2:] == ["_people.html"]
    now = {p.name: p.read_bytes() for p in ahead.iterdir()}
    assert now.keys() == written.keys()
    assert len([name for name in now if now[name] != written[name]]) == 1
