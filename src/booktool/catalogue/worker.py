"""What a Dask worker runs for a catalogue (:mod:`booktool.catalogue.cluster` is the client).

A task (:func:`build_sent`) unpacks one book into a fresh folder, builds it there with the same
limits and the same confined fetcher as a local build, and returns the built files and the
book's result as data. A worker process builds one book at a time and keeps, for its life,
what a local catalogue's worker process keeps: one render child with WeasyPrint loaded, and
the catalogue's house layouts (unpacked once, by their content:
:mod:`booktool.catalogue.houses`).

Both are made at the first book; a worker started with ``--preload booktool.catalogue.worker``
makes them as it starts (:func:`dask_setup`), so that a catalogue sent to a running cluster
does not wait for WeasyPrint to load. Such a worker also leaves out Dask's statistical
profiler, which samples the running task's stack every 10 ms for the dashboard: measured on
this booklet, it made every book cost about 7% more CPU (``bench/RESULTS.md``).

Every book is unpacked into the same folder of the process (emptied first), so that a
project's own templates have the same paths from book to book: Jinja's compiled templates
in the user's cache are kept by path, and a fresh folder for each book left one more file
there for every book the worker built.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
import weakref
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from booktool.catalogue.book import build_book
from booktool.catalogue.houses import HouseCache
from booktool.catalogue.transport import collect, unpack
from booktool.errors import Problem
from booktool.limits import RENDER_MEMORY_MB

#: One book at a time in a worker process: its render child serves them in turn.
_SERIAL = threading.Lock()
_KEPT: dict[str, Any] = {}
#: Seconds :func:`ready` waits for the render child to load WeasyPrint.
READY_SECONDS = 60


def warm() -> None:
    """Start what this process keeps for every book (once): the render child, loading
    WeasyPrint, the build's own modules, and the house layouts' cache."""
    with _SERIAL:
        _warm()


def _warm() -> None:
    if "renderer" in _KEPT:
        return
    from booktool.render.pool import one_book_at_a_time

    renderer = one_book_at_a_time(RENDER_MEMORY_MB)
    _KEPT["pool"] = renderer.__enter__()  # kept for the worker's life: WeasyPrint loaded once
    _KEPT["renderer"] = renderer
    _KEPT["houses"] = HouseCache()
    _KEPT["books"] = BookFolder()
    import booktool.build  # noqa: F401 - loaded while the render child loads WeasyPrint


def ready(seconds: float = READY_SECONDS) -> bool:
    """Warm this process and wait until its render child has loaded WeasyPrint (for
    ``client.run``); whether it is ready."""
    warm()
    _KEPT["pool"].wait_ready(seconds)
    return all(worker.ready.is_set() for worker in _KEPT["pool"].workers)


#: Dask's periodic callbacks of its statistical profiler (``Worker.periodic_callbacks``).
PROFILER_CALLBACKS = ("profile", "profile-cycle")


def dask_setup(worker: object) -> None:
    """Dask's hook for ``--preload booktool.catalogue.worker``: leave out the worker's
    statistical profiler (its callbacks are started after this hook) and warm the worker as
    it starts."""
    callbacks = getattr(worker, "periodic_callbacks", {})
    for name in PROFILER_CALLBACKS:
        callback = callbacks.pop(name, None)
        if callback is not None:
            callback.stop()
    warm()


class BookFolder:
    """The one folder a worker process unpacks its books into, one after another: a private
    folder of the process (``mkdtemp``, mode 0700), emptied before each book and after it."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="booktool-books-"))
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.root, ignore_errors=True)

    @contextlib.contextmanager
    def fresh(self) -> Iterator[Path]:
        """An empty folder for one book, at the same path as the last one's (a fresh one if
        the last could not be removed), emptied again when the book is done."""
        folder = self.root / "book"
        shutil.rmtree(folder, ignore_errors=True)
        try:
            folder.mkdir()
        except FileExistsError:  # what could not be removed is never built from
            folder = Path(tempfile.mkdtemp(prefix="book-", dir=self.root))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def build_sent(
    archive: bytes, formats: tuple[str, ...], strict: bool, name: str, env: dict[str, str]
) -> dict[str, Any]:
    """The task a cluster worker runs: unpack the book into a fresh folder, build it there,
    and return its result (problems named relative to the project) and its built files."""
    with _SERIAL:
        _warm()
        with _KEPT["books"].fresh() as folder:
            project, house = unpack(archive, folder, _KEPT["houses"])
            result = build_book(project, house, formats, strict, env)
            result = replace(
                result,
                name=name,
                errors=[_relative(p, folder, house) for p in result.errors],
                warnings=[_relative(p, folder, house) for p in result.warnings],
                trace="",
            )
            files = (
                {} if result.failed else collect(project, [str(o["path"]) for o in result.outputs])
            )
    return {"result": result, "files": files}


def _relative(problem: Problem, folder: Path, house: Path | None) -> Problem:
    """A problem named by its path in the unpacked folder (``project/…``) or in the house
    layouts (``house/…``)."""
    if problem.path is None:
        return problem
    path = problem.path.resolve()
    if house is not None and path.is_relative_to(house.resolve()):
        return replace(problem, path=Path("house") / path.relative_to(house.resolve()))
    if path.is_relative_to(folder.resolve()):
        return replace(problem, path=path.relative_to(folder.resolve()))
    return problem
