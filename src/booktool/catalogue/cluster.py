"""Running a catalogue's books on a Dask distributed cluster (``--scheduler``).

The client (this process) decides what is up to date from each project's stamp, as a local
build does, and sends every other book as one task carrying the project's files
(:mod:`booktool.catalogue.transport`); a worker builds it in a fresh folder of its own, with the
same limits and the same confined fetcher as a local build, and returns the built files and the
book's result as data (:mod:`booktool.catalogue.worker`); the client writes the files
atomically into the project's ``build/`` and stores its stamp, so the next run, local or not,
finds the book up to date.

A book the input makes fail is a result like any other, reported at once, never retried. A task
whose worker dies is started again on another worker by the scheduler (how many times is the
scheduler's ``distributed.scheduler.allowed-failures``; booktool's tests set it to 1), and a
task that raised (not the input's fault) is retried once (``retries=1``); a book that fails
twice is reported as failed, and nothing of it is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from booktool.catalogue.book import (
    FAILED,
    BookResult,
    build_environment,
    crashed,
    current_result,
)
from booktool.catalogue.local import Ended, Started
from booktool.catalogue.transport import pack, write_back
from booktool.catalogue.worker import build_sent
from booktool.errors import BooktoolError, InputError, Problem

#: The environment variable that names the scheduler when ``--scheduler`` does not.
SCHEDULER_ENV = "BOOKTOOL_SCHEDULER"
#: Seconds to wait for the scheduler to answer.
CONNECT_SECONDS = 20
#: Books in flight: this many per thread of the cluster when the command starts, and at least
#: :data:`MIN_WINDOW`.
WINDOW_PER_THREAD = 2
MIN_WINDOW = 8


def run_cluster(
    address: str,
    projects: Sequence[Path],
    house: Path | None,
    formats: Sequence[str],
    strict: bool,
    started: Started,
    ended: Ended,
) -> list[BookResult]:
    """Build every project on the cluster at ``address``; each result in the order of
    ``projects``."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise InputError(
            Problem(
                None,
                None,
                "--scheduler needs dask and distributed, which are not installed",
                "install them: pip install 'booktool[cluster]'",
                code="cluster-missing",
            )
        ) from exc
    try:
        client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(
            Problem(
                None,
                None,
                f"cannot reach the Dask scheduler at {address} ({type(exc).__name__})",
                f"start one ('dask scheduler'), or check --scheduler and {SCHEDULER_ENV}",
                code="scheduler",
            )
        ) from exc
    found: dict[Path, BookResult] = {}
    with client:
        # At most a window of books in flight: an archive waits in the scheduler's memory until
        # its task runs, so books are sent as others come back, not all at once.
        threads = sum(client.nthreads().values())  # type: ignore[no-untyped-call]
        window = max(MIN_WINDOW, WINDOW_PER_THREAD * threads)
        waiting = iter(projects)
        sent: dict[Any, tuple[Path, dict[str, object]]] = {}
        done = as_completed(loop=client.loop)  # type: ignore[no-untyped-call]

        def send_next() -> None:
            """Send the next book that is not up to date (answering those that are)."""
            for root in waiting:
                inputs, current = current_result(root, house, formats, strict)
                if current is not None:
                    found[root] = current
                    started(root.name)
                    ended(current)
                    continue
                try:
                    archive = pack(root, house)
                except BooktoolError as exc:
                    found[root] = BookResult(root.name, FAILED, errors=exc.problems)
                    started(root.name)
                    ended(found[root])
                    continue
                future = client.submit(
                    build_sent,
                    archive,
                    tuple(formats),
                    strict,
                    root.name,
                    build_environment(),
                    key=f"booktool-book-{root.name}-{uuid.uuid4().hex[:12]}",
                    retries=1,
                    pure=False,
                )
                sent[future] = (root, inputs)
                done.add(future)  # type: ignore[no-untyped-call]
                started(root.name)
                return

        for _ in range(window):
            send_next()
        for future in done:
            root, inputs = sent.pop(future)
            try:
                reply = future.result()
            except Exception as exc:  # the worker died twice, or the task raised twice
                found[root] = _lost(root, exc)
            else:
                found[root] = _receive(root, house, reply, inputs)
            future.release()
            ended(found[root])
            send_next()
    return [found[root] for root in projects]


def _receive(
    root: Path, house: Path | None, reply: dict[str, Any], inputs: dict[str, object]
) -> BookResult:
    """Write what a worker built into the project's ``build/`` (its lock held) and store the
    stamp; the book's result, its problems named by their paths here."""
    from booktool.cache import stamp
    from booktool.cache.lock import build_lock

    result: BookResult = reply["result"]
    result = replace(
        result,
        errors=[_rebased(p, root, house) for p in result.errors],
        warnings=[_rebased(p, root, house) for p in result.warnings],
    )
    if result.failed:
        return result
    paths = [str(o["path"]) for o in result.outputs]
    try:
        with build_lock(root / "build", wait=True, say=lambda line: None):
            write_back(root, reply["files"], paths)
            record = {
                "outputs": [
                    [o["format"], str(root / str(o["path"])), o["size"], o["pages"]]
                    for o in result.outputs
                ],
                "warnings": [w.to_record() for w in result.warnings],
            }
            stamp.store(root / "build", inputs, [root / p for p in paths], record)
    except (OSError, ValueError, BooktoolError) as exc:
        return crashed(root.name, root, exc, result.seconds)
    return result


def _rebased(problem: Problem, root: Path, house: Path | None) -> Problem:
    """A problem a worker found, named by its path here (in the project, or the house
    layouts)."""
    if problem.path is None or problem.path.is_absolute() or not problem.path.parts:
        return problem
    first, rest = problem.path.parts[0], Path(*problem.path.parts[1:])
    if first == "house" and house is not None:
        return replace(problem, path=house / rest)
    return replace(problem, path=root / rest) if first == "project" else problem


def _lost(root: Path, exc: BaseException) -> BookResult:
    problem = Problem(
        root / "manuscript",
        None,
        f"the book failed twice on the cluster ({type(exc).__name__}: {exc})".replace("\n", " "),
        "build it alone with 'booktool build' to see why",
        code="worker-lost",
    )
    return BookResult(root.name, FAILED, errors=[problem], attempts=2)
