"""``booktool watch``: rebuild on save, in one warm process, and keep going after a failure.

The watcher polls the modification times and sizes of the files under ``manuscript/`` and
``layouts/`` (no extra dependency, works on every file system), waits until a change has
settled (editors save in several steps), then builds in-process: WeasyPrint, once imported,
stays loaded, and the build cache makes every rebuild incremental. A failed build prints its
one-line errors and the watcher waits for the next change.
"""

from __future__ import annotations

import contextlib
import threading
import time
import traceback
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TextIO

from booktool.build import build
from booktool.cache.lock import build_lock
from booktool.cli.progress import format_seconds, wrote_line
from booktool.editions.registry import Output, laid_out_formats
from booktool.errors import BooktoolError, Problem, counted, display_path
from booktool.limits import RenderLimits
from booktool.options import PrintOptions
from booktool.render.pool import RenderPool, render_processes, warm_renderer
from booktool.source.manuscript import load_manuscript
from booktool.source.project import Project

Snapshot = dict[str, tuple[int, int]]
#: Files editors and tools leave beside the real ones while saving.
_IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".part")


def snapshot(folders: Sequence[Path]) -> Snapshot:
    """Each watched file's modification time and size, by path."""
    state: Snapshot = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            name = path.name
            if name.startswith((".", "#")) or name.endswith(_IGNORED_SUFFIXES):
                continue
            try:
                stat = path.stat()
            except OSError:
                continue
            if path.is_file():
                state[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return state


def warning_changes(previous: Sequence[str], current: Sequence[str]) -> tuple[list[str], list[str]]:
    """The warnings of ``current`` that ``previous`` did not have, and those it had that
    ``current`` has not, each in order."""
    before, now = set(previous), set(current)
    return [w for w in current if w not in before], [w for w in previous if w not in now]


class Watcher:
    """Builds once, then again after every settled change, until stopped."""

    def __init__(
        self,
        project: Project,
        formats: Sequence[str],
        out: TextIO,
        err: TextIO,
        *,
        strict: bool = False,
        interval: float = 0.3,
        settle: float = 0.3,
        debug: bool = False,
        options: PrintOptions | None = None,
        wait: bool = True,
    ) -> None:
        self.project = project
        self.formats = tuple(formats)
        self.out = out
        self.err = err
        self.strict = strict
        self.interval = interval
        self.settle = settle
        self.debug = debug
        #: The print options (``--pdf-variant``, ``--bleed``, ``--marks``) of every build.
        self.options = options
        #: Whether a build waits for another one running in the same build/ (``--no-wait``).
        self.wait = wait
        self.stop = threading.Event()
        #: The last build's warnings, as printed: a rebuild prints only what changed.
        self.warnings: list[str] | None = None
        #: The one-line errors of the last build (none if it succeeded).
        self.errors: list[str] = []
        #: The outputs of the last successful build.
        self.outputs: list[Output] = []

    def say(self, stream: TextIO, text: str) -> None:
        stream.write(text + "\n")
        stream.flush()

    def folders(self) -> list[Path]:
        return [self.project.manuscript, self.project.layouts]

    def renderer(self) -> contextlib.AbstractContextManager[RenderPool | None]:
        """Render workers with WeasyPrint loaded for the whole watch, if PDFs are built."""
        if not set(self.formats) & set(laid_out_formats(page_list=False)):
            return contextlib.nullcontext()
        limits = RenderLimits()
        with contextlib.suppress(BooktoolError):  # the first build will say what is wrong
            limits = load_manuscript(self.project).config.limits
        return warm_renderer(limits.render_memory_mb, render_processes(limits))

    def warm_up(self, pool: RenderPool | None) -> None:
        """Wait until the workers have WeasyPrint loaded, so that no rebuild pays for it."""
        if pool is not None:
            started = time.perf_counter()
            pool.wait_ready(120)
            took = format_seconds(time.perf_counter() - started)
            self.say(self.out, f"loaded WeasyPrint in {took}")

    def build_once(self) -> bool:
        started = time.perf_counter()
        try:
            say = partial(self.say, self.err)
            with build_lock(self.project.build_dir, wait=self.wait, say=say):
                report = build(self.project, self.formats, strict=self.strict, options=self.options)
        except BooktoolError as exc:
            self.report_warnings(exc.warnings)
            self.errors = [problem.format() for problem in exc.problems]
            for line in self.errors:
                self.say(self.err, line)
            self.say(self.out, "build failed; waiting for the next change")
            return False
        except Exception as exc:  # a bug must not end the session: report it, keep watching
            if self.debug:
                traceback.print_exc(file=self.err)
            self.errors = [f"error[internal]: {type(exc).__name__}: {exc}"]
            self.say(self.err, self.errors[0])
            self.say(self.out, "build failed; waiting for the next change")
            return False
        self.errors, self.outputs = [], report.outputs
        self.report_warnings(report.warnings)
        written = [o for o in report.outputs if o.written]
        for output in written:
            self.say(self.out, wrote_line(display_path(output.path), output.size, output.pages))
        if (removed := report.removed_line()) is not None:
            self.say(self.out, removed)
        took = format_seconds(time.perf_counter() - started)
        self.say(self.out, f"up to date ({took})" if not written else f"built in {took}")
        return True

    def report_warnings(self, warnings: Sequence[Problem]) -> None:
        """The first build's warnings; then those that are new since the last build, those
        gone (``gone: …``), and a count of the rest, so that a save does not reprint them all."""
        lines = list(dict.fromkeys(w.format("warning") for w in warnings))
        previous, self.warnings = self.warnings, lines
        if previous is None:
            for line in lines:
                self.say(self.err, line)
            return
        new, gone = warning_changes(previous, lines)
        for line in new:
            self.say(self.err, line)
        for line in gone:
            self.say(self.err, f"gone: {line}")
        if unchanged := len(lines) - len(new):
            self.say(self.err, f"({counted(unchanged, 'warning')} unchanged)")

    def on_first_build(self) -> None:
        """Called once the first build is done, before watching begins (nothing here)."""

    def wait_for_change(self, before: Snapshot) -> Snapshot | None:
        """The next settled state that differs from ``before``; None once stopped."""
        while not self.stop.wait(self.interval):
            now = snapshot(self.folders())
            if now == before:
                continue
            # Wait for quiet: the state must hold still for `settle` seconds.
            while not self.stop.wait(self.settle):
                later = snapshot(self.folders())
                if later == now:
                    return now
                now = later
        return None

    def run(self) -> int:
        """Watch until interrupted (Ctrl-C) or :attr:`stop` is set; exit code 0."""
        try:
            with self.renderer() as worker:
                self.warm_up(worker)
                state = snapshot(self.folders())
                self.build_once()
                self.on_first_build()
                where = ", ".join(display_path(f) for f in self.folders() if f.is_dir())
                self.say(self.out, f"watching {where} (Ctrl-C to stop)")
                while True:
                    changed = self.wait_for_change(state)
                    if changed is None:
                        return 0
                    state = changed
                    self.build_once()
        except KeyboardInterrupt:
            self.say(self.out, "stopped")
            return 0
