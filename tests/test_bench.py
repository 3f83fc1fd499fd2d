"""The speed benchmark's inputs (bench/speed.py): cheap checks only; it is never run here."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path
from types import ModuleType

from booktool.cli.main import main
from tests.conftest import ROOTS

BENCH = Path(__file__).resolve().parent.parent / "bench" / "speed.py"


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("speed", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # for its dataclasses
    spec.loader.exec_module(module)
    return module


def test_a_generated_manuscript_is_valid_with_distinct_text_and_the_same_structure(
    tmp_path: Path,
) -> None:
    speed = load_bench()
    project = speed.generate(tmp_path / "project", 3, ROOTS / "basic")
    segments = project / "manuscript" / "segments"
    assert len(list(segments.glob("*.md"))) == 33
    bodies = [
        (segments / name).read_text().split("\n---\n", 1)[1]
        for name in ("seg-09.md", "seg-09-2.md", "seg-09-3.md")
    ]
    assert len(set(bodies)) == 3
    assert len(bodies[2].split()) == len(bodies[0].split()) + 2  # the same words, reordered
    out = io.StringIO()
    assert main(["check", str(project)], out=out, err=out) == 0, out.getvalue()
    markdown = speed.pandoc_markdown(project, tmp_path / "book.md").read_text()
    assert markdown.count("\n# ") == 1 + 3 * 6  # the introduction and every chapter


def test_a_ratio_run_by_run_pairs_the_runs_of_two_scenarios() -> None:
    speed = load_bench()
    fast = speed.Timed(seconds=[4.0, 4.4, 3.9])
    floor = speed.Timed(seconds=[6.0, 6.0, 6.5])
    assert speed.run_by_run(fast, floor, 0.65) == "0.67 (0.60–0.73), ≤ 0.65 in 1 of 3 runs"
