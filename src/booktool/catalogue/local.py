"""Running a catalogue's books on this machine: one book per core at once, in a process pool.

Books are the unit of parallel work: each worker process builds one book after another with
one render child of its own (:func:`booktool.render.pool.one_book_at_a_time`), not a render
pool per book, so the machine runs as many renderers as it has cores. A catalogue of one book,
or ``--jobs 1``, is built here, book after book, each as ``booktool build`` builds it. A
worker process that dies (a native crash, the out-of-memory killer) takes the books it held
with it: they are started once more in a fresh pool, then reported as failed.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from booktool.catalogue.book import (
    FAILED,
    BookResult,
    build_book,
    build_environment,
    current_result,
)
from booktool.errors import Problem
from booktool.limits import RENDER_MEMORY_MB

#: Called as a book starts (its name) and as it ends (its result).
Started = Callable[[str], None]
Ended = Callable[[BookResult], None]


def default_jobs() -> int:
    """Books at once: one per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run_local(
    projects: Sequence[Path],
    house: Path | None,
    formats: Sequence[str],
    strict: bool,
    jobs: int,
    started: Started,
    ended: Ended,
) -> list[BookResult]:
    """Build every project; each result in the order of ``projects``. A book whose stamp says
    it is up to date is answered here, without a worker."""
    found: dict[Path, BookResult] = {}
    todo = []
    for root in projects:
        current = current_result(root, house, formats, strict)[1]
        if current is None:
            todo.append(root)
        else:
            found[root] = current
            started(root.name)
            ended(current)
    if jobs <= 1 or len(todo) <= 1:
        for root in todo:
            started(root.name)
            found[root] = build_book(root, house, formats, strict)
            ended(found[root])
        return [found[root] for root in projects]
    for attempt in (1, 2):
        workers = min(jobs, len(todo))
        lost = _run_pool(todo, house, formats, strict, workers, started, ended, found, attempt)
        for root in lost:
            if attempt == 2:
                found[root] = _lost(root, attempt)
                ended(found[root])
        todo = lost
        if not todo:
            break
    return [found[root] for root in projects]


def _run_pool(
    projects: Sequence[Path],
    house: Path | None,
    formats: Sequence[str],
    strict: bool,
    workers: int,
    started: Started,
    ended: Ended,
    found: dict[Path, BookResult],
    attempt: int,
) -> list[Path]:
    """Run the books in a fresh pool (its ``attempt``); the books whose worker process died."""
    context = multiprocessing.get_context("forkserver")
    lost: list[Path] = []
    with _quiet_tracker():
        pool = cf.ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker)
    try:
        env = build_environment()  # the pool's processes may have started with another
        futures = {
            pool.submit(build_book, root, house, formats, strict, env): root for root in projects
        }
        announced: set[Path] = set()
        pending = set(futures)
        while pending:
            done, pending = cf.wait(pending, timeout=0.2, return_when=cf.FIRST_COMPLETED)
            for future in futures:
                if future.running() and futures[future] not in announced:
                    announced.add(futures[future])
                    started(futures[future].name)
            for future in done:
                root = futures[future]
                if root not in announced:
                    announced.add(root)
                    started(root.name)
                try:
                    found[root] = future.result()
                except BrokenProcessPool:
                    lost.append(root)
                    continue
                found[root].attempts = attempt
                ended(found[root])
    except BaseException:  # Ctrl-C, SIGTERM: the books being built are abandoned at once
        _stop(pool)
        raise
    pool.shutdown(wait=True)
    return lost


@contextlib.contextmanager
def _quiet_tracker() -> Iterator[None]:
    """Start multiprocessing's resource tracker (if this pool is the first to need it) told not
    to warn of the pool's semaphores: an interrupted command ends without releasing them (the
    process ends at once), and the tracker, which then releases them, would print a warning
    after the command's one line."""
    saved = os.environ.get("PYTHONWARNINGS")
    quiet = "ignore:resource_tracker:UserWarning"
    os.environ["PYTHONWARNINGS"] = f"{saved},{quiet}" if saved else quiet
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("PYTHONWARNINGS", None)
        else:
            os.environ["PYTHONWARNINGS"] = saved


def _stop(pool: cf.ProcessPoolExecutor) -> None:
    """End the pool's processes now (each one's render child ends with it), not after the
    books they are building: the standard library offers no call for it before Python 3.14,
    so its own table of the processes it started is read."""
    processes = dict(getattr(pool, "_processes", None) or {})
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes.values():
        process.kill()
    for process in processes.values():
        process.join(5)
    pool.shutdown(wait=True)  # quick now that its processes have ended


def _lost(root: Path, attempts: int) -> BookResult:
    problem = Problem(
        root / "manuscript",
        None,
        f"the process building this book died, {attempts} times",
        "build it alone with 'booktool build' to see why (its memory limit, a crash)",
        code="worker-lost",
    )
    return BookResult(root.name, FAILED, errors=[problem], attempts=attempts)


_KEPT: list[object] = []


def _start_worker() -> None:
    """A worker process's start: its render child, loading WeasyPrint while the first book's
    manuscript is read; ended when the process ends."""
    from multiprocessing import util

    from booktool.render.pool import close_all, one_book_at_a_time

    renderer = one_book_at_a_time(RENDER_MEMORY_MB)
    renderer.__enter__()
    _KEPT.append(renderer)  # kept open for every book this process builds
    util.Finalize(None, close_all, exitpriority=10)
