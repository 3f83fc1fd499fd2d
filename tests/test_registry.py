"""Editions as one registry: an edition is a class plus one registry line, and the CLI
(``--format``), the build cache, the stamp and ``--json`` take it from there."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from booktool.cache.folder import write_folder_atomic
from booktool.cache.seal import read_sealed
from booktool.editions.base import Edition, Made, PageCallback
from booktool.editions.registry import EDITIONS, EditionSpec, laid_out_formats

from .conftest import copy_project, run_cli

SLUG = "a-river-town"


class TextEdition(Edition):
    """A plain-text edition: the title, then each chapter's sections, their text unmarked."""

    format = "text"

    def text(self) -> str:
        view = self.view
        lines = [view.title, ""]
        for chapter in view.chapters:
            lines += [f"{chapter.number}. {chapter.title}", ""]
            for section in chapter.sections:
                lines += [section.title, ""]
        return "\n".join(lines)

    def documents(self) -> list[str]:
        return [self.text()]

    def make(self, on_page: PageCallback | None = None) -> Made:
        return Made(self.text().encode(), [])


class TextFolderEdition(TextEdition):
    """The same text as a folder: one file a chapter and an index."""

    format = "textdir"

    def make(self, on_page: PageCallback | None = None) -> Made:
        files = {"index.txt": self.view.title.encode()}
        for chapter in self.view.chapters:
            files[f"chapters/{chapter.number}.txt"] = chapter.title.encode()
        return Made(b"", [], files=files)


@pytest.fixture
def text_edition(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plain-text editions registered, one line each, for this test only."""
    monkeypatch.setitem(
        EDITIONS, "text", EditionSpec("text", f"{__name__}:TextEdition", "{slug}.txt")
    )
    monkeypatch.setitem(
        EDITIONS, "textdir", EditionSpec("textdir", f"{__name__}:TextFolderEdition", "{slug}-text/")
    )


def build_json(project: Path, *options: str) -> dict[str, object]:
    done = run_cli("build", str(project), "--json", *options)
    assert done.code == 0, done.err
    report: dict[str, object] = json.loads(done.out)
    return report


def test_an_edition_registered_in_one_line_is_built_cached_and_reported(
    tmp_path: Path, text_edition: None
) -> None:
    project = copy_project(tmp_path, "minimal")
    report = build_json(project, "--format", "text")
    assert report["ok"] and not report["up_to_date"]
    [output] = report["outputs"]  # type: ignore[misc]
    assert output["format"] == "text" and output["written"]
    target = project / "build" / f"{SLUG}.txt"
    assert output["path"].endswith(f"{SLUG}.txt") and output["size"] == target.stat().st_size
    text = target.read_text()
    assert text.startswith("A River Town\n") and "1. The Town and Its River" in text
    assert "The bridge" in text

    again = build_json(project, "--format", "text")  # answered by the stamp
    assert again["up_to_date"] and again["converted"] == 0
    segment = project / "manuscript" / "segments" / "seg-02.md"
    segment.touch()  # the stamp misses; the build cache finds the text edition current
    cached = build_json(project, "--format", "text")
    assert cached["up_to_date"] and "text" in cached["timings"]  # type: ignore[operator]
    manifest = json.loads(read_sealed(project / "build" / ".cache" / "manifest.json") or b"")
    assert set(manifest["outputs"]) == {"text"}

    segment.write_text(segment.read_text().replace("The bridge", "The iron bridge"))
    rebuilt = build_json(project, "--format", "text")
    assert not rebuilt["up_to_date"] and "The iron bridge" in target.read_text()


def test_the_registry_gives_the_cli_its_format_choices(
    text_edition: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        run_cli("build", "--help")
    shown = capsys.readouterr().out
    assert "{pdf,epub,html,booklet,web,text,textdir,all}" in shown and "--booklet" in shown
    assert "text" not in laid_out_formats(page_list=True)
    with pytest.raises(SystemExit) as refused:
        run_cli("build", "--format", "nothing")
    assert refused.value.code == 2 and "invalid choice" in capsys.readouterr().err


def test_a_folder_output_is_written_whole_and_kept_current(
    tmp_path: Path, text_edition: None
) -> None:
    project = copy_project(tmp_path, "minimal")
    report = build_json(project, "--format", "textdir")
    folder = project / "build" / f"{SLUG}-text"
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert files == ["chapters/1.txt", "index.txt"]
    [output] = report["outputs"]  # type: ignore[misc]
    assert output["written"] and output["size"] == len("A River Town") + len(
        "The Town and Its River"
    )
    (project / "manuscript" / "segments" / "seg-01.md").touch()
    assert build_json(project, "--format", "textdir")["up_to_date"]

    (folder / "index.txt").write_text("changed by hand")  # not what the build wrote
    assert not build_json(project, "--format", "textdir")["up_to_date"]
    assert (folder / "index.txt").read_text() == "A River Town"
    assert [p.name for p in folder.parent.iterdir() if p.name.startswith(".")] == [".cache"]


def test_a_folder_that_fails_to_write_leaves_the_last_one_in_place(tmp_path: Path) -> None:
    target = tmp_path / "out"
    write_folder_atomic(target, {"a.txt": b"first", "sub/b.txt": b"first"})
    with pytest.raises(ValueError, match="outside"):
        write_folder_atomic(target, {"a.txt": b"second", "../escape.txt": b"x"})
    assert (target / "a.txt").read_bytes() == b"first"
    assert sorted(os.listdir(tmp_path)) == ["out"]  # no temporary folder left
    write_folder_atomic(target, {"c.txt": b"third"})
    assert sorted(p.name for p in target.rglob("*")) == ["c.txt"]  # replaced whole
