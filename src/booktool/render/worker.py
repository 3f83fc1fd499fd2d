"""The child side of the PDF render: ``python -m booktool.render.worker --serve MEMORY_MB``.

Limits its own address space, loads WeasyPrint, then reads :class:`~booktool.render.pool.
RenderJob` after job as JSON framed by its length on stdin; lays each HTML out with WeasyPrint
through the confined fetcher and answers with a :class:`~booktool.render.pool.RenderResult`
framed the same way on stdout. Anything WeasyPrint prints goes to stderr, so stdout carries
only the results.
"""

from __future__ import annotations

import base64
import contextlib
import gc
import itertools
import json
import logging
import os
import select
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from booktool.editions.layouts import BASE_URL
from booktool.render.orphan import die_with_parent
from booktool.render.pdfactions import drop_unsafe_links
from booktool.render.pool import PAGE_MARK, READY_MARK, RenderJob, RenderResult
from booktool.render.weasyprint_patches import (
    PAGE_STEP,
    Unpatchable,
    compressed_at,
    forget_fonts,
    import_weasyprint,
    kept_sheets,
    layout_contexts,
    loaded_known,
    missing_code_point,
    page_boxes,
    page_starts,
    recording_fonts,
    require,
    sheets_of,
)


class _Collect(logging.Handler):
    """Keeps WeasyPrint's warnings; missing glyphs are kept as code points."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.missing: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        missing = missing_code_point(record)
        if missing is not None:
            self.missing.add(missing)
            return
        message = record.getMessage()
        if message not in self.messages:
            self.messages.append(message)


class _Pages(logging.Handler):
    """Tells the parent each page as it is laid out (WeasyPrint's progress log), on stderr."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)

    def emit(self, record: logging.LogRecord) -> None:
        found = PAGE_STEP.search(record.getMessage())
        if found:
            sys.stderr.write(f"{PAGE_MARK}{found.group(1)}\n")
            sys.stderr.flush()


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space; allocations beyond it fail (MemoryError)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX: no limit
        return
    limit = megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _address_space() -> int:
    """Bytes of address space this process uses (what its memory limit counts)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):  # pragma: no cover - not Linux: keep no layout
        return 2**62


@dataclass
class _Held:
    """A part laid out by a ``hold`` job, kept for the job that finishes it."""

    generation: str
    text: str
    html: Any
    document: Any
    #: WeasyPrint's layout context (its page states make the margin boxes again).
    context: Any
    fetcher: Any
    collect: _Collect
    result: RenderResult


#: Layouts kept for the jobs that will finish them, by token (this child's only).
_HELD: dict[str, _Held] = {}
#: Whether kept layouts were frozen out of the garbage collector's sight, and whether some
#: were dropped since (:func:`_tidy`).
_FROZEN = [False, False]
_TOKENS = itertools.count(1)


def render(job: RenderJob) -> RenderResult:
    """Lay out and write the PDF; what the fetcher refused is reported, not raised.

    A ``hold`` job keeps its layout (the result names it by ``token``) while the kept layouts
    take less than half the child's memory limit; a job that reuses a kept layout renumbers
    it (:mod:`booktool.render.renumber`) instead of laying its document out again, where its
    document differs from the kept one only in page numbers (and keeps it again if it holds).
    A job's ``drop`` and another session's ``generation`` end kept layouts. A job for the
    plain engine is rendered by :func:`render_plain`; any other needs a tested WeasyPrint.
    """
    if job.engine == "plain":
        return render_plain(job)
    require()
    stale = [t for t, held in _HELD.items() if held.generation != job.generation]
    for token in [*stale, *job.drop]:  # another session's, or no longer wanted
        if _HELD.pop(token, None) is not None:
            _FROZEN[1] = True
    held = _HELD.pop(job.reuse, None) if job.reuse else None
    if held is not None and held.context is not None:
        from booktool.render.renumber import renumber

        try:
            renumbered = renumber(
                held.document, held.context, held.html.etree_element, held.text, job.html
            )
        except Exception:  # WeasyPrint's internals not as expected: lay it out afresh
            renumbered = False
        if renumbered:
            held.text = job.html  # what the layout prints now
            return _kept(job, held, _finish(job, held, reused=True))
    return _lay_out(job)


def render_plain(job: RenderJob) -> RenderResult:
    """The plain engine: ``HTML(...).render()`` then ``write_pdf()`` on the whole document,
    with WeasyPrint's public API alone (the confined fetcher, its own fonts and sheets).

    The page map (where each page begins, for the EPUB's page list) needs the layout's boxes:
    it is read only from a tested WeasyPrint, and left empty otherwise."""
    import weasyprint

    fetcher, collect = _fetcher_of(job), _Collect()
    with _logging(collect):
        html = weasyprint.HTML(string=job.html, base_url=BASE_URL, url_fetcher=fetcher)
        document = html.render(pdf_variant=job.pdf_variant)
        pdf = b""
        if job.write and all(refusal.kind == "font" for refusal in fetcher.refused):
            drop_unsafe_links(document)
            pdf = document.write_pdf(
                pdf_identifier=job.pdf_identifier.encode("ascii"), pdf_variant=job.pdf_variant
            )
    starts = page_starts(page_boxes(document), html.etree_element) if loaded_known() else []
    return RenderResult(
        pages=len(document.pages),
        page_starts=[s.as_dict() for s in starts],
        anchors=anchors_of(document),
        log=list(collect.messages),
        missing_glyphs=sorted(collect.missing),
        refused=[vars(refusal) for refusal in fetcher.refused],
        served=sorted(set(fetcher.served)),
        pdf=pdf,
    )


def anchors_of(document: Any) -> dict[str, int]:
    """The page (from 1) where each anchor first appears (``Page.anchors``: public API)."""
    anchors: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for name in page.anchors:
            anchors.setdefault(name, number)
    return anchors


def _fetcher_of(job: RenderJob) -> Any:
    """The confined fetcher for a job: the layout chain, the manuscript's media, the charts."""
    from booktool.editions.layouts import Layouts
    from booktool.render.fetcher import ConfinedFetcher

    layouts = Layouts(
        Path(job.project_layouts) if job.project_layouts else None,
        house=Path(job.house_layouts) if job.house_layouts else None,
    )
    media = {href: Path(path).read_bytes() for href, path in job.media.items()}
    media.update({href: base64.b64decode(data) for href, data in job.generated.items()})
    return ConfinedFetcher(layouts, media)


def _lay_out(job: RenderJob) -> RenderResult:
    import weasyprint

    fetcher, collect = _fetcher_of(job), _Collect()
    sheets = sheets_of(fetcher.layouts)
    with _logging(collect), layout_contexts() as contexts, kept_sheets(sheets, fetcher, collect):
        html = weasyprint.HTML(string=job.html, base_url=BASE_URL, url_fetcher=fetcher)
        document = html.render(pdf_variant=job.pdf_variant, font_config=sheets.font_config)
    starts = page_starts(page_boxes(document), html.etree_element)
    result = RenderResult(
        pages=len(document.pages),
        page_starts=[s.as_dict() for s in starts],
        anchors=anchors_of(document),
    )
    context = contexts[0] if len(contexts) == 1 else None
    held = _Held(job.generation, job.html, html, document, context, fetcher, collect, result)
    return _kept(job, held, _finish(job, held, reused=False))


def _kept(job: RenderJob, held: _Held, result: RenderResult) -> RenderResult:
    """``result``, with the token its layout is kept under if the job holds it and there is
    room (the kept layouts under half the child's memory limit)."""
    if not job.hold or _address_space() >= job.memory_mb * 2**20 // 2:
        return result  # not kept: its part will be laid out afresh if it is wanted again
    token = f"{os.getpid()}-{next(_TOKENS)}"
    _HELD[token] = held
    # The kept layouts are many objects that live on: out of the garbage collector's sight,
    # it does not walk them again at every collection.
    gc.freeze()
    _FROZEN[0] = True
    return replace(result, token=token)


#: The zlib level of the PDF's streams in the fast engine (pydyf uses 9: much slower, for
#: streams barely smaller; see bench/RESULTS.md).
COMPRESSION = 6


def _finish(job: RenderJob, held: _Held, *, reused: bool) -> RenderResult:
    """The held layout's result, its PDF written if the job asks for it."""
    fetcher, collect = held.fetcher, held.collect
    pdf = b""
    fonts: list[Any] = []
    if job.write and all(refusal.kind == "font" for refusal in fetcher.refused):
        forget_fonts(held.document)
        drop_unsafe_links(held.document)
        with _logging(collect), compressed_at(COMPRESSION), recording_fonts(fonts):
            pdf = held.document.write_pdf(
                pdf_identifier=job.pdf_identifier.encode("ascii"), pdf_variant=job.pdf_variant
            )
    return replace(
        held.result,
        log=list(collect.messages),
        missing_glyphs=sorted(collect.missing),
        refused=[vars(refusal) for refusal in fetcher.refused],
        served=sorted(set(fetcher.served)),
        reused_layout=reused,
        fonts=fonts,
        pdf=pdf,
    )


@contextlib.contextmanager
def _logging(collect: _Collect) -> Iterator[None]:
    """WeasyPrint's warnings into ``collect``, its page progress to the parent."""
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    progress = logging.getLogger("weasyprint.progress")
    pages = _Pages()
    progress.addHandler(pages)
    progress.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(collect)
        progress.removeHandler(pages)


def run_job(job: RenderJob) -> RenderResult:
    """One render; what goes wrong inside it is reported in the result, not raised."""
    try:
        return render(job)
    except MemoryError:
        return RenderResult(error={"kind": "memory", "message": "out of memory"})
    except RecursionError:
        return RenderResult(error={"kind": "depth", "message": "RecursionError"})
    except Unpatchable as exc:
        return RenderResult(error={"kind": "unpatched", "message": str(exc)})
    except Exception as exc:  # a WeasyPrint bug on odd input, or a patch that failed
        # A failure of the fast engine is the build's cue to try the plain one.
        kind = "crash" if job.engine == "plain" else "fast-crash"
        return RenderResult(error={"kind": kind, "message": f"{type(exc).__name__}: {exc}"})


#: The garbage collector's thresholds in a worker. A layout makes many short-lived objects:
#: with the default (700, 10, 10), full collections walked the live layout again and again;
#: collected young, they rarely reach the old generation.
RENDER_GC = (10_000, 10, 10)

#: A document that loads nothing and draws text, bold and a border, tagged.
_WARM_UP = '<p style="border: 1px solid">booktool <b>warms</b> up: 1</p>'


def _warm_up() -> None:
    """One tiny render and write: WeasyPrint's first render of a process costs about 0.2 s
    more than the next (cffi's C types, Pango's and HarfBuzz's set-up). Paid here, while the
    build converts its Markdown, rather than in the first part's render."""
    import weasyprint

    with contextlib.suppress(Exception):  # a warm-up only: the jobs will say what is wrong
        weasyprint.HTML(string=_WARM_UP).write_pdf(pdf_variant="pdf/ua-1")


def _tidy() -> None:
    """Once no layout is kept, or the parent dropped some, what was frozen with them is
    collected again (after the reply: while the parent joins the parts, not in a render)."""
    if _FROZEN[0] and (not _HELD or _FROZEN[1]):
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        _FROZEN[0], _FROZEN[1] = bool(_HELD), False


def _read(fd: int, size: int) -> bytes:
    """``size`` bytes from ``fd`` (fewer at its end), unbuffered: nothing is read ahead that
    :func:`select.select` would then not see."""
    chunks: list[bytes] = []
    left = size
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _fork_sibling(control: socket.socket) -> bool | None:
    """Answer a fork request on ``control``: a worker with WeasyPrint loaded, in a fraction
    of the time a new interpreter takes to import it. True in the new worker, which then
    serves the pipes the request passed instead of this worker's; None once the build has
    closed the channel.

    The request passes the new worker's stdin, stdout and stderr, and names its temporary
    folder. It is forked twice, so that it is not this worker's child but the build's (the
    build's process is a child subreaper): the build waits for it and reads its exit status
    as for the first worker.
    """
    message, fds, _, _ = socket.recv_fds(control, 4096, 3)
    if len(fds) != 3:  # the build closed the channel
        for fd in fds:
            os.close(fd)
        return None
    middle = os.fork()
    if middle:
        for fd in fds:
            os.close(fd)
        os.waitpid(middle, 0)
        return False
    middle = os.getpid()  # in the middle process, fork() gave 0
    if os.fork():
        os._exit(0)  # the middle process: its child is orphaned, and taken up by the build
    while os.getppid() == middle:  # until the build is its parent (microseconds)
        time.sleep(0.0005)
    die_with_parent()  # a fork does not inherit the request
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    control.close()
    os.environ["TMPDIR"] = os.fsdecode(message)
    tempfile.tempdir = os.fsdecode(message) or None
    _HELD.clear()
    return True


def serve(memory_mb: int, control: socket.socket | None = None) -> int:
    """Stay loaded and run job after job (``booktool watch``): each framed by its length.

    With a ``control`` channel, the worker also forks siblings on request, between jobs.
    """
    out = sys.stdout.buffer
    sys.stdout = sys.stderr
    limit_memory(memory_mb)
    from booktool.render.engine import plain_requested

    import_weasyprint(patched=not plain_requested())  # loaded once, for every job
    _warm_up()
    gc.freeze()  # WeasyPrint's modules and caches: not walked again at every collection
    gc.set_threshold(*RENDER_GC)
    _ready()
    while True:
        if control is not None:
            readable, _, _ = select.select([0, control.fileno()], [], [])
            if control.fileno() in readable:
                forked = _fork_sibling(control)
                if forked is not False:  # the new worker, or no more requests
                    control = None
                if forked:
                    _ready()
                continue
        header = _read(0, 8)
        if len(header) < 8:
            return 0
        job = RenderJob(**json.loads(_read(0, int.from_bytes(header, "big"))))
        reply = run_job(job).encode()
        out.write(len(reply).to_bytes(8, "big") + reply)
        out.flush()
        _tidy()


def _ready() -> None:
    """Tell the build this worker waits for jobs, and its process id."""
    sys.stderr.write(f"{READY_MARK} {os.getpid()}\n")
    sys.stderr.flush()


def main(argv: list[str]) -> int:
    """``--serve MEMORY_MB [--control FD]``."""
    die_with_parent()
    control = socket.socket(fileno=int(argv[3])) if len(argv) > 3 else None
    return serve(int(argv[1]), control)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
