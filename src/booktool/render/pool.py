"""Rendering the PDF in child processes, under a wall-clock and a memory limit.

WeasyPrint can loop or grow without bound on pathological input (its own documentation says
so), and a native crash in Pango or HarfBuzz would take the build with it. So the print HTML's
parts (:mod:`booktool.render.parts`) are laid out and written by render children (``python -m
booktool.render.worker --serve``), one per core, each taking job after job: a job goes in as JSON
framed by its length; a JSON header line and the PDF's bytes come back the same way. Each
child limits its own address space (``RLIMIT_AS``) before importing WeasyPrint; the parent kills
the children when the time is up. The parent never imports WeasyPrint: the first child does,
and forks the others (they inherit its limit), so a pool pays for one import, not one per core.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from booktool.editions import registry
from booktool.errors import Problem, RenderError
from booktool.limits import RenderLimits
from booktool.render.orphan import parent_env
from booktool.render.protocol import Refusal

#: How the child announces each page it lays out, on a line of its stderr.
PAGE_MARK = "booktool-page "
#: A worker with nothing left to do takes a job pinned to another only if that one has more
#: than this many still to run (a job laid out afresh costs about three renumbered ones).
STEAL_AFTER = 3
#: How a serving child says WeasyPrint is loaded and it waits for jobs.
READY_MARK = "booktool-ready"


@dataclass(frozen=True)
class RenderJob:
    """What the child needs: the print HTML and what its fetcher may serve."""

    html: str
    project_layouts: str | None
    #: Manuscript files by href, as paths the child reads.
    media: dict[str, str]
    #: Files booktool drew (charts) by href, base64-encoded.
    generated: dict[str, str]
    pdf_identifier: str
    memory_mb: int
    #: WeasyPrint's PDF variant: "pdf/ua-1" (tagged, the default) or "pdf/a-3b".
    pdf_variant: str | None = None
    #: False: lay the pages out for their page map, but write no PDF.
    write: bool = True
    #: Keep the layout in the child for a later job to finish (the result's ``token``).
    hold: bool = False
    #: The ``token`` of a kept layout of this document with other page numbers: renumbered
    #: in place (:mod:`booktool.render.renumber`) where it can be, else laid out afresh. The job
    #: must go to the child that keeps it.
    reuse: str | None = None
    #: The pool's session the job is part of: a child drops the layouts kept for another.
    generation: str = ""
    #: Kept layouts the parent no longer wants: the child drops them.
    drop: list[str] = field(default_factory=list)
    #: "fast" (WeasyPrint's internals patched, a tested version only) or "plain" (public API).
    engine: str = "fast"
    #: The catalogue's house layouts, between the project's and the built-in ones.
    house_layouts: str | None = None


@dataclass
class RenderResult:
    """What the child reports back (every field plain JSON data, plus the PDF's bytes)."""

    pages: int = 0
    #: WeasyPrint's warnings, as logged.
    log: list[str] = field(default_factory=list)
    #: Code points drawn with .notdef: no font could draw them.
    missing_glyphs: list[int] = field(default_factory=list)
    #: What the fetcher refused, as :class:`Refusal` fields.
    refused: list[dict[str, Any]] = field(default_factory=list)
    #: The names it served (layout files, media), for the build cache's digest.
    served: list[str] = field(default_factory=list)
    #: ``{"kind": "memory" | "depth" | "crash" | "fast-crash" | "unpatched", "message": ...}``
    #: if the render failed (the last two: the fast engine could not render it).
    error: dict[str, str] | None = None
    #: Where each page begins (:class:`booktool.editions.pagemap.PageStart` fields).
    page_starts: list[dict[str, Any]] = field(default_factory=list)
    #: The page (from 1, within this job's document) where each id first appears.
    anchors: dict[str, int] = field(default_factory=dict)
    #: The kept layout's name, for a ``hold`` job.
    token: str | None = None
    #: True when a kept layout was renumbered instead of laid out again.
    reused_layout: bool = False
    #: What each embedded font is cut from (see ``weasyprint_patches.font_records``), for the join.
    fonts: list[dict[str, Any]] = field(default_factory=list)
    #: Which worker of the pool ran the job (set by the parent, not the child).
    worker: int = -1
    pdf: bytes = b""

    @property
    def refusals(self) -> list[Refusal]:
        return [Refusal(**fields) for fields in self.refused]

    def encode(self) -> bytes:
        header = {k: v for k, v in asdict(self).items() if k != "pdf"}
        return json.dumps(header).encode("utf-8") + b"\n" + self.pdf

    @classmethod
    def decode(cls, data: bytes) -> RenderResult:
        header, _, pdf = data.partition(b"\n")
        return cls(**json.loads(header), pdf=pdf)


class FastEngineFailed(Exception):
    """The fast engine could not render a job (an untested WeasyPrint, or an exception inside
    a patched step): the build makes that PDF with the plain engine instead."""


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


@functools.cache
def _child_subreaper() -> bool:
    """Make this process the parent of the processes its children orphan (Linux's
    ``PR_SET_CHILD_SUBREAPER``), so that it waits for a worker forked by another worker as
    for its own children. False where that is not available: workers are then started anew."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return False


_PR_SET_CHILD_SUBREAPER = 36


class _Forked:
    """A worker forked by another (:func:`booktool.render.worker._fork_sibling`), with the pipes
    and the process calls of a :class:`subprocess.Popen` that the worker uses. Its process id
    comes with its ready line; it is then this process's child (a subreaper)."""

    def __init__(self, control: socket.socket, scratch: str) -> None:
        ends = [os.pipe() for _ in range(3)]  # stdin, stdout, stderr
        theirs = [ends[0][0], ends[1][1], ends[2][1]]
        try:
            socket.send_fds(control, [os.fsencode(scratch)], theirs)
        except OSError:
            for fd in (ends[0][1], ends[1][0], ends[2][0]):
                os.close(fd)
            raise
        finally:
            for fd in theirs:  # the new worker's now (the message holds them)
                os.close(fd)
        self.stdin = open(ends[0][1], "wb")  # noqa: SIM115 (closed by kill)
        self.stdout = open(ends[1][0], "rb")  # noqa: SIM115 (read to its end by a thread)
        self.stderr = open(ends[2][0], "rb")  # noqa: SIM115
        self.pid: int | None = None
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and self.pid is not None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # pragma: no cover - not ours after all
                self.returncode = 1
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        if self.pid is not None and self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            self.stdin.close()  # one not forked yet ends as soon as it reads

    def wait(self) -> int:
        if self.returncode is None:
            if self.pid is None:  # never forked (its source ended first), or not yet
                self.returncode = 1
            else:
                try:
                    _, status = os.waitpid(self.pid, 0)
                    self.returncode = os.waitstatus_to_exitcode(status)
                except ChildProcessError:  # pragma: no cover - already waited for
                    self.returncode = 1
        return self.returncode


class RenderWorker:
    """A render child that stays loaded between jobs: a build's parts, or ``booktool watch``'s
    builds.

    Jobs go in framed by their length; results come back the same way. A job that runs out of
    time kills the worker (the next job restarts it); the memory limit holds for the worker's
    whole life. A worker made with a ``source`` is forked by that one once it has loaded
    WeasyPrint (a new interpreter importing it costs much more), where it can be.
    """

    def __init__(self, memory_mb: int, source: RenderWorker | None = None) -> None:
        self.memory_mb = memory_mb
        self.on_page: Callable[[int], None] | None = None
        self.err: list[str] = []
        #: The channel this worker takes fork requests on (None: it forks no sibling).
        self.control: socket.socket | None = None
        self._start(source)

    def _start(self, source: RenderWorker | None = None) -> None:
        # The child's temporary files (WeasyPrint copies each document's fonts into one) go
        # into a folder of ours that :meth:`close` removes: a child that is killed, or that
        # keeps layouts until it ends, cleans nothing up itself.
        _LIVE.add(self)
        self.scratch = tempfile.mkdtemp(prefix="booktool-render-")
        _SCRATCH.add(self.scratch)
        try:
            self.process: subprocess.Popen[bytes] | _Forked = self._forked(source) or self._spawn()
        except BaseException:  # Ctrl-C or SIGTERM before the child ran: no folder left
            shutil.rmtree(self.scratch, ignore_errors=True)
            _LIVE.discard(self)
            raise
        self.ready = threading.Event()
        self.replies: queue.Queue[bytes | None] = queue.Queue()
        # Each reader keeps its own child's pipes, queue and event: a restarted worker's old
        # readers cannot answer for the new child.
        process = self.process
        out, err = process.stdout, process.stderr
        threading.Thread(target=self._read_out, args=(out, self.replies), daemon=True).start()
        threading.Thread(
            target=self._read_err, args=(err, self.ready, process), daemon=True
        ).start()

    def _spawn(self) -> subprocess.Popen[bytes]:
        """A new interpreter that loads WeasyPrint, with a channel for fork requests."""
        argv = [
            sys.executable,
            "-P",
            "-m",
            "booktool.render.worker",
            "--serve",
            str(self.memory_mb),
        ]
        theirs = None
        if _child_subreaper():
            self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            argv += ["--control", str(theirs.fileno())]
        try:
            return subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env={**os.environ, "TMPDIR": self.scratch, **parent_env()},
                pass_fds=(theirs.fileno(),) if theirs else (),
            )
        finally:
            if theirs is not None:
                theirs.close()

    def _forked(self, source: RenderWorker | None) -> _Forked | None:
        """This worker forked by ``source``, if that one takes fork requests."""
        if source is None or source.control is None or not source.alive:
            return None
        try:
            return _Forked(source.control, self.scratch)
        except OSError:  # the source has ended
            return None

    @staticmethod
    def _read_out(stream: Any, replies: queue.Queue[bytes | None]) -> None:
        while header := stream.read(8):
            replies.put(stream.read(int.from_bytes(header, "big")))
        replies.put(None)

    def _read_err(
        self, stream: Any, ready: threading.Event, process: subprocess.Popen[bytes] | _Forked
    ) -> None:
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if line.startswith(READY_MARK):
                pid = line[len(READY_MARK) :].strip()
                if isinstance(process, _Forked) and pid.isdigit():
                    process.pid = int(pid)
                ready.set()
            elif line.startswith(PAGE_MARK):
                if self.on_page is not None:
                    self.on_page(int(line[len(PAGE_MARK) :]))
            else:
                self.err.append(line)
        if isinstance(process, _Forked) and process.pid is None:
            process.returncode = 1  # never forked: its source ended first
        ready.set()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def run(
        self, payload: bytes, seconds: float, on_page: Callable[[int], None] | None
    ) -> tuple[int, bytes, str] | None:
        """Like a one-shot child: exit code, stdout, stderr; None if it ran out of time."""
        assert self.process.stdin
        self.on_page, self.err = on_page, []
        try:
            self.process.stdin.write(len(payload).to_bytes(8, "big") + payload)
            self.process.stdin.flush()
            reply = self.replies.get(timeout=seconds)
        except queue.Empty:
            self.close()
            return None
        except (BrokenPipeError, ValueError):  # ended (ValueError: its stdin closed)
            reply = None
        finally:
            self.on_page = None
        if reply is None:  # the worker died (a native crash, the memory limit)
            self.process.wait()
            return self.process.returncode or 1, b"", "\n".join(self.err)
        return 0, reply, "\n".join(self.err)

    def restart(self) -> None:
        """A new child in place of one that a failed job ended."""
        self.close()
        self._start()

    def close(self) -> None:
        _LIVE.discard(self)
        if self.control is not None:
            self.control.close()  # it forks no more
            self.control = None
        if self.alive:
            self.process.kill()
        self.process.wait()
        shutil.rmtree(self.scratch, ignore_errors=True)
        if not os.path.exists(self.scratch):
            _SCRATCH.discard(self.scratch)


#: The workers' folders not removed yet (:func:`close_all` removes them).
_SCRATCH: set[str] = set()
#: Every worker started and not closed yet: what an interrupted build still stops, if the
#: interruption came before a pool held it (a worker that had just started).
_LIVE: weakref.WeakSet[RenderWorker] = weakref.WeakSet()


def close_all() -> None:
    """Stop every worker still running and remove its folder (Ctrl-C, SIGTERM, SIGHUP): also
    a sibling forked for a worker that had not yet said who it is (this process is its
    subreaper, so it is a child here), which could still be writing into its folder."""
    for worker in list(_LIVE):
        worker.close()
    for pid in _children():
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    for folder in sorted(_SCRATCH):
        shutil.rmtree(folder, ignore_errors=True)
    _SCRATCH.clear()


def _children() -> list[int]:
    """This process's children (Linux; none elsewhere)."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir("/proc/self/task"):
            with contextlib.suppress(OSError, ValueError):
                found += [
                    int(pid) for pid in Path(f"/proc/self/task/{task}/children").read_text().split()
                ]
    return found


def render_processes(limits: RenderLimits) -> int:
    """How many render children run at once: ``limits.render_processes``, or one per core."""
    if limits.render_processes:
        return limits.render_processes
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class RenderPool:
    """Render workers that run jobs at once, one each; started now, loading WeasyPrint."""

    def __init__(self, memory_mb: int, size: int) -> None:
        self.memory_mb = memory_mb
        first = RenderWorker(memory_mb)
        self.workers = [first] + [RenderWorker(memory_mb, first) for _ in range(size - 1)]
        self.ran_on: list[int] = []
        #: This pool's session: its workers drop layouts kept for another.
        self.generation = os.urandom(16).hex()
        #: Whether the pool outlives a build (``booktool watch``): then every part's layout
        #: is kept, for a later build to renumber (:attr:`kept`).
        self.lasting = False
        #: Layouts the workers keep, by a key of the document laid out (its numbers' digit
        #: shape): the token, the worker and the document.
        self.kept: dict[str, tuple[str, int, str]] = {}
        #: Tokens of kept layouts no longer wanted, to send with the next jobs.
        self.dropped: list[str] = []

    def grow(self, size: int) -> None:
        """Start workers until there are ``size``."""
        while len(self.workers) < size:
            self.workers.append(RenderWorker(self.memory_mb, self.workers[0]))

    def wait_ready(self, seconds: float) -> None:
        for worker in self.workers:
            worker.ready.wait(timeout=seconds)

    def run(
        self,
        payloads: list[bytes],
        seconds: float,
        on_page: Callable[[int], None] | None,
        pins: list[int | None] | None = None,
        weights: list[float] | None = None,
    ) -> list[tuple[int, bytes, str] | None]:
        """Every job's exit code, reply and stderr, as one worker would give them.

        The jobs are shared among the workers, the longest first (by ``weights``, else by
        size), except that a job pinned to a worker (``pins``) runs on that one, after the
        shared jobs it takes (or, once another worker has nothing left and it still has many,
        there: laid out afresh). None for a job that ran out of time (its worker is killed,
        and so are the others: the render is over). :attr:`ran_on` says which worker ran
        each job.
        """
        deadline = time.monotonic() + seconds
        ran: list[tuple[int, bytes, str] | None] = [None] * len(payloads)
        self.ran_on = [-1] * len(payloads)
        pinned: list[list[int]] = [[] for _ in self.workers]
        todo: queue.SimpleQueue[int] = queue.SimpleQueue()
        cost = weights or [float(len(payload)) for payload in payloads]
        for index in sorted(range(len(payloads)), key=lambda i: -cost[i]):
            pin = pins[index] if pins else None
            if pin is not None and 0 <= pin < len(self.workers):
                pinned[pin].append(index)
            else:
                todo.put(index)
        laid_out = [0]
        lock = threading.Lock()

        def count(_page: int) -> None:
            with lock:
                laid_out[0] += 1
                if on_page is not None:
                    on_page(laid_out[0])

        def serve(number: int, worker: RenderWorker) -> None:
            mine = pinned[number]
            while True:
                try:  # the shared jobs first: whole renders, longer than a pinned one
                    index = todo.get_nowait()
                except queue.Empty:
                    taken = mine.pop(0) if mine else _steal(number)
                    if taken is None:
                        return
                    index = taken
                if not worker.alive:
                    worker.restart()
                left = deadline - time.monotonic()
                self.ran_on[index] = number
                ran[index] = worker.run(payloads[index], left, count) if left > 0 else None
                if ran[index] is None:
                    self.close()
                    return

        def _steal(thief: int) -> int | None:
            """The last job pinned to a worker that has more than :data:`STEAL_AFTER` still to
            run: run here without the layout it would reuse (laid out afresh: the same bytes;
            about three times a renumbered part's work), so that a worker held up by a long
            job does not leave this one idle."""
            for other in sorted(range(len(pinned)), key=lambda n: -len(pinned[n])):
                if other != thief and len(pinned[other]) > STEAL_AFTER:
                    with contextlib.suppress(IndexError):
                        return pinned[other].pop()
            return None

        busy = [n for n in range(len(self.workers)) if pinned[n]]
        idle = [n for n in range(len(self.workers)) if not pinned[n]]
        threads = [
            threading.Thread(target=serve, args=(n, self.workers[n]), daemon=True)
            for n in busy + idle[: max(0, len(payloads) - len(busy))]
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return ran

    def close(self) -> None:
        for worker in self.workers:
            worker.close()


_WARM: dict[str, RenderPool] = {}


@contextlib.contextmanager
def warm_renderer(
    memory_mb: int, processes: int, pool: RenderPool | None = None
) -> Iterator[RenderPool]:
    """Keep loaded render workers for every render in the block (``booktool watch``): a new
    pool of ``processes``, or ``pool`` grown to that many."""
    if pool is None:
        pool = RenderPool(memory_mb, processes)
        pool.lasting = True
    else:
        pool.grow(processes)
    _WARM["pool"] = pool
    try:
        yield pool
    finally:
        _WARM.pop("pool", pool).close()


@contextlib.contextmanager
def one_book_at_a_time(memory_mb: int) -> Iterator[RenderPool]:
    """One render worker kept loaded for every book this process builds, one after another
    (a catalogue's worker process): books are then the unit of parallel work, so a book is
    rendered by this one child instead of a pool of one per core (which, a pool per book
    running at once, would start several times as many renderers as there are cores), and
    WeasyPrint is loaded once per process, not once per book. The child keeps the limits a
    build's own workers have (time, memory, the confined fetcher); a book whose
    ``render_memory_mb`` is not ``memory_mb`` gets workers of its own, as any build does."""
    with warm_renderer(memory_mb, 1, RenderPool(memory_mb, 1)) as pool:
        yield pool


def laid_out_formats(page_list: bool) -> tuple[str, ...]:
    """The formats whose build lays the print edition out, in render workers (the registry's)."""
    return registry.laid_out_formats(page_list)


@contextlib.contextmanager
def early_renderer(memory_mb: int) -> Iterator[None]:
    """Start one render worker now, before the build reads the manuscript (``booktool build``,
    once it is not a no-op): it loads WeasyPrint while the manuscript is read and checked.
    :func:`standby_renderer` takes it over if the book's limits are these and the build will
    lay pages out; else it is ended, at the latest with the block."""
    if "pool" in _WARM or "early" in _WARM:
        yield
        return
    _WARM["early"] = RenderPool(memory_mb, 1)
    try:
        yield
    finally:
        early = _WARM.pop("early", None)
        if early is not None:
            early.close()


@contextlib.contextmanager
def standby_renderer(limits: RenderLimits, wanted: int) -> Iterator[None]:
    """Start ``wanted`` render workers (at most one per core) now, loading WeasyPrint while the
    build converts Markdown; none if ``wanted`` is 0.

    Importing WeasyPrint is slow; started before pandoc runs, the workers are ready
    when the print HTML is. They serve this build's renders and are ended with the block.
    Inside :func:`warm_renderer` (``booktool watch``) the warm workers are used instead; a
    worker :func:`early_renderer` started is one of them, if its memory limit is the book's.
    """
    early = _WARM.pop("early", None)
    if early is not None and (not wanted or early.memory_mb != limits.render_memory_mb):
        early.close()
        early = None
    if not wanted or "pool" in _WARM:
        yield
        return
    from booktool.render.engine import plain_requested

    # The plain engine lays the book out as one document, in one child.
    size = 1 if plain_requested() else min(wanted, render_processes(limits))
    with warm_renderer(
        limits.render_memory_mb, size, early or RenderPool(limits.render_memory_mb, 1)
    ):
        yield


def keeps_layouts(limits: RenderLimits) -> bool:
    """Whether render workers stay loaded for the rest of the build (so that a layout kept by
    a ``hold`` job is still there for the job that finishes it)."""
    return kept_by(limits) is not None


def kept_by(limits: RenderLimits) -> RenderPool | None:
    """The pool that serves this build's renders and can keep their layouts, if any."""
    pool = _WARM.get("pool")
    return pool if pool is not None and pool.memory_mb == limits.render_memory_mb else None


def render_jobs(
    jobs: list[RenderJob],
    limits: RenderLimits,
    on_page: Callable[[int], None] | None = None,
    pins: list[int | None] | None = None,
    weights: list[float] | None = None,
    deadline: float | None = None,
) -> list[RenderResult]:
    """Run the jobs in render children, at once as far as there are workers; each result
    (with the ``worker`` that ran it), or RenderError on a timeout, exhaustion or crash (the
    first, in job order). ``pins`` names the worker a job must run on (one that keeps the
    layout it reuses); ``weights``, how long each job will take, for the longest to go first;
    ``deadline`` (``time.monotonic()``), when the render that these jobs are a round of must
    be over (else ``limits.render_seconds`` from now)."""
    payloads = [json.dumps(asdict(job)).encode("utf-8") for job in jobs]
    left = limits.render_seconds if deadline is None else deadline - time.monotonic()
    if left <= 0:
        return [_result(None, limits)]  # the render's time is up
    pool = _WARM.get("pool")
    if pool is not None and keeps_layouts(limits):
        ran = pool.run(payloads, left, on_page, pins, weights)
        ran_on = pool.ran_on
    else:
        fresh = RenderPool(limits.render_memory_mb, min(len(jobs), render_processes(limits)))
        try:
            ran = fresh.run(payloads, left, on_page, None, weights)
            ran_on = [-1] * len(jobs)  # gone with the pool
        finally:
            fresh.close()
    if None in ran:  # out of time: the other jobs were stopped with it
        return [_result(None, limits)]
    return [replace(_result(one, limits), worker=on) for one, on in zip(ran, ran_on, strict=True)]


def _result(ran: tuple[int, bytes, str] | None, limits: RenderLimits) -> RenderResult:
    """One job's result; RenderError if it ran out of time or memory, or crashed."""
    seconds = limits.render_seconds
    if ran is None:
        raise RenderError(
            Problem(
                None,
                None,
                f"the PDF did not finish rendering within {seconds:g} s",
                "raise limits.render_seconds in book.yaml, or look for a runaway table "
                "or nesting in the manuscript",
                code="render-timeout",
            )
        )
    returncode, out, err = ran
    memory = limits.render_memory_mb
    if returncode == 0 and out:
        result = RenderResult.decode(out)
        if result.error is None:
            return result
        if result.error["kind"] == "memory":
            raise RenderError(
                Problem(
                    None,
                    None,
                    f"the PDF render ran out of memory (limit {memory} MiB)",
                    "raise limits.render_memory_mb in book.yaml, or shrink huge images and tables",
                    code="render-memory",
                )
            )
        if result.error["kind"] in ("fast-crash", "unpatched"):
            raise FastEngineFailed(result.error["message"])
        if result.error["kind"] == "depth":
            raise RenderError(
                Problem(
                    None,
                    None,
                    "the PDF layout nests too deeply for WeasyPrint",
                    "flatten deeply nested quotes, lists or tables, or nesting in the layouts",
                    code="too-deep",
                )
            )
        detail = result.error["message"]
    else:
        last = err.strip().splitlines()[-1:] or ["no output"]
        how = (
            f"was stopped by {_signal_name(returncode)}"
            if returncode < 0
            else f"exited with code {returncode}"
        )
        detail = f"{how} ({last[0][:200]})"
    raise RenderError(
        Problem(
            None,
            None,
            f"the PDF renderer failed: {detail}",
            f"it may have run out of memory (limit {memory} MiB); run with --debug, "
            "or simplify the manuscript part it stopped on",
            code="render-crash",
        )
    )
