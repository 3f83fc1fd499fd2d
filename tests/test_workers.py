"""Render workers started ahead of need: one before the manuscript is read (``booktool build``),
taken over by the build when it will lay pages out, ended when it will not."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from booktool.errors import RenderError
from booktool.limits import RenderLimits
from booktool.render.pool import (
    _WARM,
    RenderJob,
    RenderPool,
    RenderResult,
    _Forked,
    early_renderer,
    render_jobs,
    render_processes,
    standby_renderer,
)
from tests.conftest import copy_project, run_cli


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
    project = copy_project(tmp_path / "book")
    assert run_cli("build", str(project), "--format", "pdf").code == 0
    segment = project / "manuscript" / "segments" / "seg-05.md"
    segment.write_text(segment.read_text() + "\nOne more sentence.\n")
    assert run_cli("build", str(project), "--format", "pdf").code == 0
    assert list(scratch.iterdir()) == []


def _payload(job: RenderJob) -> bytes:
    return json.dumps(dataclasses.asdict(job)).encode()


def _pages(pool: RenderPool, html: str) -> list[int]:
    """The page counts two jobs of ``html`` give, one on each worker."""
    job = RenderJob(html, None, {}, {}, "0" * 32, pool.memory_mb)
    ran = pool.run([_payload(job), _payload(job)], 60, None, pins=[0, 1])
    assert all(r is not None and r[0] == 0 for r in ran), ran
    return [RenderResult.decode(r[1]).pages for r in ran if r is not None]


def test_the_first_worker_forks_the_others_and_each_is_waited_for() -> None:
    """Workers after the first are forked by it once it has loaded WeasyPrint (one import
    for the pool, not one each); they are the build's children all the same, so their exit
    status is read (a killed one's signal), and none outlives the pool."""
    pool = RenderPool(RenderLimits().render_memory_mb, 2)
    try:
        pool.wait_ready(60)
        first, forked = pool.workers
        assert isinstance(forked.process, _Forked) and forked.process.pid is not None
        assert forked.process.pid != first.process.pid
        pages = _pages(pool, '<p style="break-after: page">a</p><p>b</p>')
        assert pages == [2, 2]
        os.kill(forked.process.pid, signal.SIGKILL)
        assert forked.process.wait() == -signal.SIGKILL and not forked.alive
        job = RenderJob("<p>c</p>", None, {}, {}, "0" * 32, pool.memory_mb)
        ran = forked.run(_payload(job), 60, None)
        assert ran is not None and ran[0] == -signal.SIGKILL  # reported as the signal it was
        forked.restart()  # a new interpreter in its place
        assert _pages(pool, "<p>d</p>") == [1, 1]
        pids = [worker.process.pid for worker in pool.workers]
    finally:
        pool.close()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_worker_whose_source_ended_before_forking_it_reports_that() -> None:
    """If the first worker ends before it forks a sibling, the sibling never runs: its job
    fails as a dead worker's (the render restarts it), and nothing waits for ever."""
    pool = RenderPool(RenderLimits().render_memory_mb, 1)
    try:
        pool.grow(2)  # asked while the first still loads WeasyPrint
        source, orphan = pool.workers
        assert isinstance(orphan.process, _Forked)
        source.process.kill()
        source.process.wait()
        job = RenderJob("<p>e</p>", None, {}, {}, "0" * 32, pool.memory_mb)
        ran = orphan.run(_payload(job), 60, None)
        assert ran is not None and ran[0] != 0 and not orphan.alive
    finally:
        pool.close()


def test_workers_load_the_libraries_a_plain_import_of_weasyprint_loads() -> None:
    """The workers import WeasyPrint with its C libraries found by their sonames (no
    ``find_library`` search): the same libraries as a plain import, HarfBuzz's subsetter
    among them where the system has it, and ``find_library`` restored after."""
    probe = (
        "import ctypes.util, sys\n"
        "find = ctypes.util.find_library\n"
        "if sys.argv[1] == 'worker':\n"
        "    from booktool.render.worker import import_weasyprint\n"
        "    import_weasyprint()\n"
        "import weasyprint.text.ffi as f\n"
        "names = 'gobject pango harfbuzz harfbuzz_subset harfbuzz_vector fontconfig pangoft2'\n"
        "loaded = [getattr(f, n) is not None for n in names.split()]\n"
        "print(loaded, ctypes.util.find_library is find)\n"
    )
    seen = [
        subprocess.run(
            [sys.executable, "-c", probe, how], capture_output=True, text=True, check=True
        ).stdout
        for how in ("worker", "plain")
    ]
    assert seen[0] == seen[1] and seen[0].startswith("[True, True, True"), seen
    assert seen[0].strip().endswith("True")


DECLARED = """
import hashlib, sys
from pathlib import Path
import booktool.render.worker as render, booktool.render.weasyffi as weasyffi
real = weasyffi.prebuilt
weasyffi.prebuilt = (lambda: real(Path(sys.argv[1]))) if sys.argv[1] != "-" else (lambda: None)
render.import_weasyprint()
import weasyprint
from weasyprint.text.ffi import ffi
html = "<h1>Title</h1><p>Text, <b>bold</b>, <i>office ﬁ</i>: 1958–1962.</p>" * 30
pdf = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
print(type(ffi).__name__, hashlib.sha256(pdf).hexdigest())
"""


def test_weasyprint_declarations_parsed_ahead_give_the_same_pdf(tmp_path: Path) -> None:
    """A render worker's WeasyPrint takes its C declarations as ``make bytecode`` parsed them
    ahead, if from the installed WeasyPrint's file: the same PDF bytes as cffi's own parse.
    A parse made from another file is not used."""
    from booktool.render.weasyffi import compile_ahead, prebuilt

    compiled = tmp_path / "weasyprint_ffi.py"
    assert compile_ahead(compiled)
    runs = [
        subprocess.run(
            [sys.executable, "-c", DECLARED, str(path)], capture_output=True, text=True, check=True
        ).stdout.split()
        for path in (compiled, "-")
    ]
    assert runs[0][0] == "_Declared" and runs[1][0] == "FFI"
    assert runs[0][1] == runs[1][1]
    stale = tmp_path / "stale.py"
    stale.write_text(compiled.read_text().replace("SOURCE_SHA256 = '", "SOURCE_SHA256 = '0", 1))
    assert prebuilt(stale) is None and prebuilt(tmp_path / "missing.py") is None
    assert prebuilt(compiled) is not None
