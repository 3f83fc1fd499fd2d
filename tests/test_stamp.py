"""A no-op ``booktool build`` decided from the inputs' file states, without loading the build's
stages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from booktool.cache import stamp
from tests.conftest import copy_project

PROBE = """
import io, sys
from pathlib import Path
from booktool.cli.main import main
out, err = io.StringIO(), io.StringIO()
code = main(["build", sys.argv[1], *sys.argv[2:]], out=out, err=err)
import json
print(json.dumps([code, "booktool.stages" in sys.modules, out.getvalue() + err.getvalue()]))
"""


def run(project: Path, *options: str, env: dict[str, str] | None = None) -> tuple[bool, str]:
    """Build through the CLI in a fresh interpreter: whether the build module was loaded, and
    what was printed."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(project), *options],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    code, loaded, printed = json.loads(done.stdout.strip().splitlines()[-1])
    assert code == 0, done.stdout + done.stderr
    return bool(loaded), str(printed)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = copy_project(tmp_path_factory.mktemp("stamp") / "project", "minimal")
    loaded, printed = run(built, "--format", "epub")
    assert loaded and "wrote" in printed
    return built


def test_a_second_build_with_nothing_changed_does_not_load_the_build(project: Path) -> None:
    loaded, printed = run(project, "--format", "epub")
    assert not loaded
    assert "up to date: " in printed and "build/a-river-town.epub" in printed


def test_any_change_to_inputs_outputs_or_options_takes_the_full_path(project: Path) -> None:
    segment = project / "manuscript" / "segments" / "seg-02.md"
    segment.touch()  # same content, new time: the full path finds it up to date by content
    loaded, printed = run(project, "--format", "epub")
    assert loaded and "up to date" in printed
    assert not run(project, "--format", "epub")[0]

    segment.write_text(segment.read_text() + "\nA new sentence.\n")
    loaded, printed = run(project, "--format", "epub")
    assert loaded and "wrote " in printed

    (project / "layouts").mkdir(exist_ok=True)  # the minimal root has none
    (project / "layouts" / "extra.css").write_text("p { color: black; }\n")
    assert run(project, "--format", "epub")[0]
    assert not run(project, "--format", "epub")[0]

    (project / "build" / "a-river-town.epub").unlink()
    loaded, printed = run(project, "--format", "epub")
    assert loaded and "wrote" in printed

    assert run(project, "--format", "epub", "--strict")[0]  # other options
    assert run(project, "--format", "epub", env={"SOURCE_DATE_EPOCH": "1700000000"})[0]


def test_the_json_report_of_a_no_op_says_every_output_is_up_to_date(project: Path) -> None:
    run(project, "--format", "epub")
    loaded, printed = run(project, "--format", "epub", "--json")
    assert not loaded
    report = json.loads(printed)
    assert report["ok"] and report["up_to_date"] and report["converted"] == 0
    assert [o["written"] for o in report["outputs"]] == [False]
    assert report["outputs"][0]["path"].endswith("a-river-town.epub")


LIBRARY = """
import json, sys
from pathlib import Path
from booktool.build import build
from booktool.source.project import Project
report = build(Project.open(Path(sys.argv[1])), ("epub",))
print(json.dumps([report.up_to_date, "booktool.stages" in sys.modules, report.as_dict()]))
"""


def test_a_library_caller_of_build_gets_the_no_op_too(tmp_path: Path) -> None:
    """The stamp is a stage of build(), not of the CLI: a second build() with nothing changed
    answers from it, without loading the build's stages, and reports what the first wrote."""
    project = copy_project(tmp_path / "project", "minimal")

    def library_build() -> tuple[bool, bool, dict[str, object]]:
        done = subprocess.run(
            [sys.executable, "-c", LIBRARY, str(project)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        up_to_date, loaded, report = json.loads(done.stdout.strip().splitlines()[-1])
        return bool(up_to_date), bool(loaded), report

    first = library_build()
    assert not first[0] and first[1]
    up_to_date, loaded, report = library_build()
    assert up_to_date and not loaded
    assert report["outputs"] == [{**o, "written": False} for o in first[2]["outputs"]]  # type: ignore[attr-defined]
    assert list(report["timings"]) == ["stamp"]  # type: ignore[call-overload]


def test_build_starts_a_render_worker_early_when_it_will_lay_pages_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """build() itself starts the early render worker (WeasyPrint loads while the manuscript
    does) for a PDF, and not for an EPUB whose book has no printed page list."""
    from booktool.build import build
    from booktool.render import pool
    from booktool.source.project import Project

    started: list[int] = []
    early = pool.early_renderer

    def spying(memory_mb: int) -> object:
        started.append(memory_mb)
        return early(memory_mb)

    monkeypatch.setattr(pool, "early_renderer", spying)
    project = copy_project(tmp_path / "project", "minimal")
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text() + "epub:\n  page_list: false\n")
    build(Project.open(project), ("epub",))
    assert started == []
    report = build(Project.open(project), ("pdf",))
    assert len(started) == 1 and [o.format for o in report.outputs] == ["pdf"]


def test_booktool_s_modules_are_read_once_a_process_and_its_layouts_at_every_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = tmp_path / "booktool"
    (code / "layouts").mkdir(parents=True)
    (code / "build.py").write_text("one", "utf-8")
    (code / "layouts" / "print.css").write_text("one", "utf-8")
    monkeypatch.setattr(stamp, "CODE", code)
    first = stamp.inputs_state(tmp_path / "project", [])
    (code / "layouts" / "print.css").write_text("two!", "utf-8")
    second = stamp.inputs_state(tmp_path / "project", [])
    assert second != first  # a built-in layout is read at each build: its change is seen
    (code / "build.py").write_text("changed", "utf-8")
    # A module changed on disk is not what this process runs: the next process sees it.
    assert stamp.inputs_state(tmp_path / "project", []) == second
