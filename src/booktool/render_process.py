"""Rendering the PDF in a child process, under a wall-clock and a memory limit.

WeasyPrint can loop or grow without bound on pathological input (its own documentation says
so), and a native crash in Pango or HarfBuzz would take the build with it. So the print HTML is
laid out and written by ``python -m booktool.pdfrender`` in a child process: the job goes in as
JSON on stdin; a JSON header line and the PDF's bytes come back on stdout. The child limits its
own address space (``RLIMIT_AS``) before importing WeasyPrint; the parent kills it when the time
is up. The parent never imports WeasyPrint.
"""

from __future__ import annotations

import contextlib
import json
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from booktool.config import RenderLimits
from booktool.errors import Problem, RenderError

#: How the child announces each page it lays out, on a line of its stderr.
PAGE_MARK = "booktool-page "
#: How a serving child says WeasyPrint is loaded and it waits for jobs.
READY_MARK = "booktool-ready"


@dataclass(frozen=True)
class Refusal:
    """A URL the fetcher would not serve: ``kind`` is remote, missing, outside, font or svg."""

    url: str
    kind: str
    reason: str = ""
    path: str | None = None


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
    #: ``{"kind": "memory" | "depth" | "crash", "message": ...}`` if the render failed.
    error: dict[str, str] | None = None
    #: Where each page begins (:class:`booktool.pagemap.PageStart` fields).
    page_starts: list[dict[str, Any]] = field(default_factory=list)
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


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def _run(
    command: list[str], payload: bytes, seconds: float, on_page: Callable[[int], None] | None
) -> tuple[int, bytes, str] | None:
    """Run the child; its exit code, stdout and stderr, or None if it ran out of time.

    Pages announced on stderr are passed to ``on_page`` as they come.
    """
    child = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert child.stdin and child.stdout and child.stderr
    out: list[bytes] = []
    err: list[str] = []

    def read_out() -> None:
        assert child.stdout
        out.append(child.stdout.read())

    def read_err() -> None:
        assert child.stderr
        for raw in child.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if line.startswith(PAGE_MARK) and on_page is not None:
                on_page(int(line[len(PAGE_MARK) :]))
            elif not line.startswith(PAGE_MARK):
                err.append(line)

    readers = [threading.Thread(target=f, daemon=True) for f in (read_out, read_err)]
    for reader in readers:
        reader.start()
    try:
        child.stdin.write(payload)
        child.stdin.close()
    except BrokenPipeError:
        pass
    try:
        child.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
        return None
    finally:
        for reader in readers:
            reader.join(timeout=10)
    return child.returncode, b"".join(out), "\n".join(err)


class RenderWorker:
    """A render child that stays loaded between jobs, for ``booktool watch``.

    Jobs go in framed by their length; results come back the same way. A job that runs out of
    time kills the worker (the next build starts a new one); the memory limit holds for the
    worker's whole life.
    """

    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "booktool.pdfrender", "--serve", str(memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.ready = threading.Event()
        self.replies: queue.Queue[bytes | None] = queue.Queue()
        self.on_page: Callable[[int], None] | None = None
        self.err: list[str] = []
        for target in (self._read_out, self._read_err):
            threading.Thread(target=target, daemon=True).start()

    def _read_out(self) -> None:
        assert self.process.stdout
        while header := self.process.stdout.read(8):
            self.replies.put(self.process.stdout.read(int.from_bytes(header, "big")))
        self.replies.put(None)

    def _read_err(self) -> None:
        assert self.process.stderr
        for raw in self.process.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if line == READY_MARK:
                self.ready.set()
            elif line.startswith(PAGE_MARK):
                if self.on_page is not None:
                    self.on_page(int(line[len(PAGE_MARK) :]))
            else:
                self.err.append(line)
        self.ready.set()

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
        except BrokenPipeError:
            reply = None
        finally:
            self.on_page = None
        if reply is None:  # the worker died (a native crash, the memory limit)
            self.process.wait()
            return self.process.returncode or 1, b"", "\n".join(self.err)
        return 0, reply, "\n".join(self.err)

    def close(self) -> None:
        if self.alive:
            self.process.kill()
        self.process.wait()


_WARM: dict[str, RenderWorker] = {}


@contextlib.contextmanager
def warm_renderer(memory_mb: int) -> Iterator[RenderWorker]:
    """Keep a loaded render worker for every render in the block (``booktool watch``)."""
    worker = RenderWorker(memory_mb)
    _WARM["worker"] = worker
    try:
        yield worker
    finally:
        _WARM.pop("worker", worker).close()


@contextlib.contextmanager
def standby_renderer(memory_mb: int, wanted: bool) -> Iterator[None]:
    """If ``wanted``, a render child loads WeasyPrint now, while the build converts Markdown.

    Importing WeasyPrint costs about 0.9 s; started before pandoc runs, the child is ready when
    the print HTML is. It serves this build's render and is ended with the block. Inside
    :func:`warm_renderer` (``booktool watch``) the warm worker is used instead.
    """
    if not wanted or "worker" in _WARM:
        yield
        return
    with warm_renderer(memory_mb):
        yield


def _warm_worker(memory_mb: int) -> RenderWorker | None:
    """The warm worker for this memory limit, restarted if a failed job ended the last one."""
    worker = _WARM.get("worker")
    if worker is None:
        return None
    if not worker.alive or worker.memory_mb != memory_mb:
        worker.close()
        worker = _WARM["worker"] = RenderWorker(memory_mb)
    return worker


def render_in_child(
    job: RenderJob, limits: RenderLimits, on_page: Callable[[int], None] | None = None
) -> RenderResult:
    """Run the render in a child process; RenderError on a timeout, exhaustion or crash."""
    seconds = limits.render_seconds
    command = [sys.executable, "-P", "-m", "booktool.pdfrender"]
    payload = json.dumps(asdict(job)).encode("utf-8")
    worker = _warm_worker(limits.render_memory_mb)
    if worker is not None:
        ran = worker.run(payload, seconds, on_page)
    else:
        ran = _run(command, payload, seconds, on_page)
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
