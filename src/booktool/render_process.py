"""Rendering the PDF in a child process, under a wall-clock and a memory limit.

WeasyPrint can loop or grow without bound on pathological input (its own documentation says
so), and a native crash in Pango or HarfBuzz would take the build with it. So the print HTML is
laid out and written by ``python -m booktool.pdfrender`` in a child process: the job goes in as
JSON on stdin; a JSON header line and the PDF's bytes come back on stdout. The child limits its
own address space (``RLIMIT_AS``) before importing WeasyPrint; the parent kills it when the time
is up. The parent never imports WeasyPrint.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from typing import Any

from booktool.config import RenderLimits
from booktool.errors import Problem, RenderError

#: Documents are rendered against this reserved host, which cannot resolve; only the confined
#: fetcher answers for it (see :mod:`booktool.fetcher`).
BASE_URL = "https://booktool.invalid/"


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
    #: ``{"kind": "memory" | "depth" | "crash", "message": ...}`` if the render failed.
    error: dict[str, str] | None = None
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


def render_in_child(job: RenderJob, limits: RenderLimits) -> RenderResult:
    """Run the render in a child process; RenderError on a timeout, exhaustion or crash."""
    seconds = limits.render_seconds
    command = [sys.executable, "-P", "-m", "booktool.pdfrender"]
    payload = json.dumps(asdict(job)).encode("utf-8")
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as child:
        try:
            out, err = child.communicate(payload, timeout=seconds)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise RenderError(
                Problem(
                    None,
                    None,
                    f"the PDF did not finish rendering within {seconds:g} s",
                    "raise limits.render_seconds in book.yaml, or look for a runaway table "
                    "or nesting in the manuscript",
                    code="render-timeout",
                )
            ) from None
    memory = limits.render_memory_mb
    if child.returncode == 0 and out:
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
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        how = (
            f"was stopped by {_signal_name(child.returncode)}"
            if child.returncode < 0
            else f"exited with code {child.returncode}"
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
