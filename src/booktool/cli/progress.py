"""Timing a build's stages and showing them: live on a terminal, nothing otherwise.

:class:`Progress` times every stage (the timings go into the build report and ``--json``)
and tells a :class:`Display`: :class:`TerminalDisplay` writes one line per stage with its time
and counts pages while the PDF is laid out; the default shows nothing, and the CLI prints plain
result lines instead.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from booktool.errors import counted


class Display:
    """Receives a build's events; this base shows nothing."""

    #: Whether :meth:`page` is wanted (following pages costs a log handler in WeasyPrint).
    shows_pages = False

    def started(self, stage: str) -> None:
        """A stage has begun."""

    def page(self, stage: str, number: int) -> None:
        """A paginated stage has laid out page ``number``."""

    def finished(self, stage: str, seconds: float, note: str) -> None:
        """A stage has ended after ``seconds``; ``note`` says what it did, if anything."""


class Stage:
    """A running stage: what it did can be noted for the display (``2 of 12 converted``)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.note = ""


class Progress:
    """Times each stage of a build and reports it to a display."""

    def __init__(self, display: Display | None = None) -> None:
        self.display = display or Display()
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[Stage]:
        stage = Stage(name)
        self.display.started(name)
        started = time.perf_counter()
        try:
            yield stage
        finally:
            seconds = time.perf_counter() - started
            self.timings[name] = self.timings.get(name, 0.0) + seconds
            self.display.finished(name, seconds, stage.note)

    def page_counter(self, stage: str) -> _PageCounter | None:
        """A callback for each page laid out in ``stage``, if the display shows pages."""
        return _PageCounter(self.display, stage) if self.display.shows_pages else None


class _PageCounter:
    def __init__(self, display: Display, stage: str) -> None:
        self.display = display
        self.stage = stage

    def __call__(self, number: int) -> None:
        self.display.page(self.stage, number)


def format_seconds(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def format_size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1048576:.1f} MB"


def wrote_line(path: str, size: int, pages: int | None) -> str:
    """``wrote build/x.pdf (9 pages, 51 KB)``."""
    count = f"{counted(pages, 'page')}, " if pages is not None else ""
    return f"wrote {path} ({count}{format_size(size)})"


class TerminalDisplay(Display):
    """One line per stage with its time; the PDF stage counts its pages as they are laid out.

    The PDF stage runs beside the others (its pages come from a reader thread), so each event
    takes a lock and first clears the live line another stage may have left.
    """

    shows_pages = True

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.live = False
        self.lock = threading.Lock()

    def _clear(self) -> None:
        if self.live:
            self.out.write("\r\x1b[K")
            self.live = False

    def started(self, stage: str) -> None:
        with self.lock:
            self._clear()
            self.out.write(f"  {stage:<8} …")
            self.out.flush()
            self.live = True

    def page(self, stage: str, number: int) -> None:
        with self.lock:
            self._clear()
            self.out.write(f"  {stage:<8} laying out page {number} …")
            self.out.flush()
            self.live = True

    def finished(self, stage: str, seconds: float, note: str) -> None:
        with self.lock:
            self._clear()
            detail = f"  {note}" if note else ""
            self.out.write(f"  {stage:<8} {format_seconds(seconds):>8}{detail}\n")
            self.out.flush()
