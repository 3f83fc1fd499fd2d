"""Render workers started ahead of need: one before the manuscript is read (``booktool build``),
taken over by the build when it will lay pages out, ended when it will not."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest

from booktool.config import RenderLimits
from booktool.errors import RenderError
from booktool.render_process import (
    _WARM,
    RenderJob,
    early_renderer,
    render_jobs,
    render_processes,
    standby_renderer,
)
from tests.conftest import copy_repo_project, run_cli


def test_the_early_worker_becomes_one_of_the_builds_workers() -> None:
    limits = RenderLimits()
    with early_renderer(limits.render_memory_mb):
        early = _WARM["early"]
        first = early.workers[0]
        with standby_renderer(limits, 2):
            pool = _WARM["pool"]
            assert pool is early and pool.workers[0] is first
            assert len(pool.workers) == min(2, render_processes(limits))
            assert first.alive
        assert "pool" not in _WARM and "early" not in _WARM
    assert not first.alive  # ended with the build


def test_the_early_worker_is_ended_when_the_build_lays_nothing_out() -> None:
    limits = RenderLimits()
    with early_renderer(limits.render_memory_mb):
        first = _WARM["early"].workers[0]
        with standby_renderer(limits, 0):
            assert not first.alive and "pool" not in _WARM


def test_the_early_worker_is_ended_when_the_book_sets_other_limits() -> None:
    with early_renderer(RenderLimits().render_memory_mb):
        first = _WARM["early"].workers[0]
        other = RenderLimits(render_memory_mb=3000)
        with standby_renderer(other, 1):
            pool = _WARM["pool"]
            assert not first.alive and pool.memory_mb == 3000 and pool.workers[0].alive


def test_a_render_of_several_rounds_keeps_to_one_time_limit() -> None:
    """The rounds of one render (laid out, renumbered, laid out again) share
    ``limits.render_seconds``: a round that starts after the render's deadline stops it."""
    limits = RenderLimits(render_seconds=30)
    job = RenderJob("<p>late</p>", None, {}, {}, "0" * 32, limits.render_memory_mb)
    assert render_jobs([job], limits)[0].pages == 1
    with pytest.raises(RenderError) as raised:
        render_jobs([job], limits, deadline=time.monotonic() - 1)
    assert raised.value.problems[0].code == "render-timeout"


def test_builds_leave_no_temporary_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """WeasyPrint copies a document's fonts into a temporary folder it removes only when its
    font configuration is collected: never, in a worker that is killed with the layout still
    alive (a rebuild after an edit left one such folder of 2.5 MB a time). Each worker's
    temporary files go into a folder the build removes."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setenv("TMPDIR", str(scratch))  # the workers' own
    project = copy_repo_project(tmp_path / "book")
    assert run_cli("build", str(project), "--format", "pdf").code == 0
    segment = project / "manuscript" / "segments" / "seg-05.md"
    segment.write_text(segment.read_text() + "\nOne more sentence.\n")
    assert run_cli("build", str(project), "--format", "pdf").code == 0
    assert list(scratch.iterdir()) == []
