"""The child side of the PDF render: ``python -m booktool.pdfrender --serve MEMORY_MB``.

Limits its own address space, loads WeasyPrint, then reads :class:`~booktool.render_process.
RenderJob` after job as JSON framed by its length on stdin; lays each HTML out with WeasyPrint
through the confined fetcher and answers with a :class:`~booktool.render_process.RenderResult`
framed the same way on stdout. Anything WeasyPrint prints goes to stderr, so stdout carries
only the results.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import sys
from pathlib import Path

from booktool.layouts import BASE_URL
from booktool.pagemap import page_starts
from booktool.render_process import PAGE_MARK, READY_MARK, RenderJob, RenderResult

_NOTDEF = ".notdef glyph rendered"


class _Collect(logging.Handler):
    """Keeps WeasyPrint's warnings; missing glyphs are kept as code points."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.missing: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, str) and record.msg.startswith(_NOTDEF) and record.args:
            self.missing.add(int(record.args[-1]))  # type: ignore[index, call-overload]
            return
        message = record.getMessage()
        if message not in self.messages:
            self.messages.append(message)


_PAGE_STEP = re.compile(r"Creating layout - Page (\d+)")


class _Pages(logging.Handler):
    """Tells the parent each page as it is laid out (WeasyPrint's progress log), on stderr."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)

    def emit(self, record: logging.LogRecord) -> None:
        found = _PAGE_STEP.search(record.getMessage())
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


def render(job: RenderJob) -> RenderResult:
    """Lay out and write the PDF; what the fetcher refused is reported, not raised."""
    import weasyprint

    from booktool.fetcher import ConfinedFetcher
    from booktool.layouts import Layouts

    layouts = Layouts(Path(job.project_layouts) if job.project_layouts else None)
    media = {href: Path(path).read_bytes() for href, path in job.media.items()}
    media.update({href: base64.b64decode(data) for href, data in job.generated.items()})
    fetcher = ConfinedFetcher(layouts, media)
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    progress = logging.getLogger("weasyprint.progress")
    progress.addHandler(_Pages())
    progress.setLevel(logging.INFO)
    try:
        html = weasyprint.HTML(string=job.html, base_url=BASE_URL, url_fetcher=fetcher)
        document = html.render(pdf_variant=job.pdf_variant)
        starts = page_starts((page._page_box for page in document.pages), html.etree_element)
        anchors: dict[str, int] = {}
        for number, page in enumerate(document.pages, start=1):
            for name in page.anchors:
                anchors.setdefault(name, number)
        pdf = b""
        if job.write and all(refusal.kind == "font" for refusal in fetcher.refused):
            pdf = document.write_pdf(
                pdf_identifier=job.pdf_identifier.encode("ascii"), pdf_variant=job.pdf_variant
            )
    finally:
        logger.removeHandler(collect)
    return RenderResult(
        pages=len(document.pages),
        log=collect.messages,
        missing_glyphs=sorted(collect.missing),
        refused=[vars(refusal) for refusal in fetcher.refused],
        served=sorted(set(fetcher.served)),
        page_starts=[start.as_dict() for start in starts],
        anchors=anchors,
        pdf=pdf,
    )


def run_job(job: RenderJob) -> RenderResult:
    """One render; what goes wrong inside it is reported in the result, not raised."""
    try:
        return render(job)
    except MemoryError:
        return RenderResult(error={"kind": "memory", "message": "out of memory"})
    except RecursionError:
        return RenderResult(error={"kind": "depth", "message": "RecursionError"})
    except Exception as exc:  # a WeasyPrint bug on odd input: report it, do not hang
        return RenderResult(error={"kind": "crash", "message": f"{type(exc).__name__}: {exc}"})


def serve(memory_mb: int) -> int:
    """Stay loaded and run job after job (``booktool watch``): each framed by its length."""
    out, source = sys.stdout.buffer, sys.stdin.buffer
    sys.stdout = sys.stderr
    limit_memory(memory_mb)
    import weasyprint  # noqa: F401  (loaded once, for every job)

    sys.stderr.write(READY_MARK + "\n")
    sys.stderr.flush()
    while header := source.read(8):
        job = RenderJob(**json.loads(source.read(int.from_bytes(header, "big"))))
        reply = run_job(job).encode()
        out.write(len(reply).to_bytes(8, "big") + reply)
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(serve(int(sys.argv[2])))
