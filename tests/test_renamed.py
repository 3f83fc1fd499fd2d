"""A renamed book: the outputs booktool wrote under the old name are removed, said in one line;
nothing else is ever removed, whatever the build cache's manifest says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from booktool.cache.seal import read_sealed, write_sealed

from .conftest import copy_project, run_cli


def _rename(project: Path, old: str, new: str) -> None:
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text().replace(f"title: {old}\n", f"title: {new}\n", 1))


def test_a_renamed_book_removes_its_old_outputs_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_project(tmp_path, root="minimal")
    monkeypatch.chdir(project)
    first = run_cli("build", ".", "--booklet")
    assert first.code == 0, first.err
    old = ["build/a-river-town.pdf", "build/a-river-town.epub", "build/a-river-town-booklet.pdf"]
    assert all(Path(name).is_file() for name in old)
    Path("build/notes.txt").write_text("the editor's own file")

    _rename(project, "A River Town", "A Town on a River")
    second = run_cli("build", ".")  # no --booklet: the old booklet goes all the same
    assert second.code == 0, second.err
    removed = [line for line in second.out.splitlines() if line.startswith("removed")]
    assert removed == [f"removed {', '.join(old)} (the book is now a-town-on-a-river)"]
    assert not any(Path(name).exists() for name in old)
    assert Path("build/a-town-on-a-river.pdf").is_file()
    assert Path("build/a-town-on-a-river.epub").is_file()
    assert Path("build/notes.txt").read_text() == "the editor's own file"

    # Back to the first name, with --json: the removed files are listed.
    _rename(project, "A Town on a River", "A River Town")
    third = run_cli("build", ".", "--json")
    assert third.code == 0, third.err
    summary = json.loads(third.out)
    assert summary["removed"] == ["build/a-town-on-a-river.pdf", "build/a-town-on-a-river.epub"]
    assert sorted(p.name for p in Path("build").iterdir() if not p.name.startswith(".")) == [
        "a-river-town.epub",
        "a-river-town.pdf",
        "notes.txt",
    ]


def test_a_changed_or_forged_manifest_removes_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An old output the editor changed is kept; a manifest sealed with this machine's key (the
    worst case) that names a slug with a path in it, or an output it did not write, deletes
    nothing."""
    project = copy_project(tmp_path, root="minimal")
    monkeypatch.chdir(project)
    assert run_cli("build", ".").code == 0
    manifest = Path("build/.cache/manifest.json")
    data = json.loads(read_sealed(manifest) or b"null")
    victim = tmp_path / "victim.pdf"
    victim.write_bytes(Path("build/a-river-town.pdf").read_bytes())  # same bytes as recorded
    data["outputs"]["pdf"]["slug"] = "../victim"
    data["outputs"]["html"] = {**data["outputs"]["epub"], "slug": "notes"}
    Path("build/notes.html").write_text("not booktool's")
    write_sealed(manifest, json.dumps(data).encode())
    epub = Path("build/a-river-town.epub")
    epub.write_bytes(epub.read_bytes() + b"\n")  # changed by hand since booktool wrote it

    _rename(project, "A River Town", "Another Town")
    result = run_cli("build", ".", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["removed"] == []
    assert victim.is_file()
    assert Path("build/notes.html").read_text() == "not booktool's"
    assert epub.is_file()  # changed since it was written: the editor's now
