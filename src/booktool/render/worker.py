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
import hashlib
import itertools
import json
import logging
import os
import re
import select
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from booktool.editions.layouts import BASE_URL
from booktool.editions.pagemap import page_starts
from booktool.render.orphan import die_with_parent
from booktool.render.pdfactions import drop_unsafe_links
from booktool.render.pool import PAGE_MARK, READY_MARK, RenderJob, RenderResult

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
    A job's ``drop`` and another session's ``generation`` end kept layouts.
    """
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


def _lay_out(job: RenderJob) -> RenderResult:
    import weasyprint

    from booktool.editions.layouts import Layouts
    from booktool.render.fetcher import ConfinedFetcher

    layouts = Layouts(Path(job.project_layouts) if job.project_layouts else None)
    media = {href: Path(path).read_bytes() for href, path in job.media.items()}
    media.update({href: base64.b64decode(data) for href, data in job.generated.items()})
    fetcher = ConfinedFetcher(layouts, media)
    collect = _Collect()
    sheets = _sheets_of(layouts)
    with _logging(collect), _layout_context() as contexts, _kept_sheets(sheets, fetcher, collect):
        html = weasyprint.HTML(string=job.html, base_url=BASE_URL, url_fetcher=fetcher)
        document = html.render(pdf_variant=job.pdf_variant, font_config=sheets.font_config)
    starts = page_starts((page._page_box for page in document.pages), html.etree_element)
    anchors: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for name in page.anchors:
            anchors.setdefault(name, number)
    result = RenderResult(
        pages=len(document.pages), page_starts=[s.as_dict() for s in starts], anchors=anchors
    )
    context = contexts[0] if len(contexts) == 1 else None
    held = _Held(job.generation, job.html, html, document, context, fetcher, collect, result)
    return _kept(job, held, _finish(job, held, reused=False))


@dataclass
class _Sheet:
    """A linked style sheet as WeasyPrint parsed it, and what parsing it gave the document
    besides the sheet: counter styles, colour profiles, files served and refused, warnings."""

    css: Any
    counter_styles: dict[str, Any]
    color_profiles: dict[str, Any]
    served: list[str]
    refused: list[Any]
    log: list[str]


@dataclass
class _Sheets:
    """The linked style sheets a worker parsed for one set of layout files, and the font
    configuration that holds their fonts (its later documents use it, fonts loaded)."""

    font_config: Any
    by_url: dict[str, _Sheet | None] = field(default_factory=dict)


#: Kept style sheets by the layout files' names, sizes and times (the latest few: ``booktool
#: watch`` sees layouts change).
_SHEETS: dict[str, _Sheets] = {}
_KEPT_SHEETS = 4


def _sheets_of(layouts: Any) -> _Sheets:
    """The style sheets kept for these layout files (a new, empty entry if none)."""
    from weasyprint.text.fonts import FontConfiguration

    hasher = hashlib.sha256()
    for directory in layouts.directories:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                stat = path.stat()
                hasher.update(f"{path} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    key = hasher.hexdigest()
    if key not in _SHEETS:
        while len(_SHEETS) >= _KEPT_SHEETS:
            del _SHEETS[next(iter(_SHEETS))]
        _SHEETS[key] = _Sheets(FontConfiguration())
    return _SHEETS[key]


@contextlib.contextmanager
def _kept_sheets(sheets: _Sheets, fetcher: Any, collect: _Collect) -> Iterator[None]:
    """A document's linked style sheets (``print.css``) parsed once per worker.

    Every part of a book links the same sheets, and parsing them (and loading their fonts)
    took 0.03 s of the 0.05 s a part costs whatever its size. A linked sheet is parsed once,
    with page rules, layers, counter styles and colour profiles of its own, and given to the
    later documents with what it gave the first (its counter styles and colour profiles, the
    files served and refused, the warnings). WeasyPrint gives all of a document's sheets
    one list of page rules; each sheet's own applies the same declarations in the same order.
    A sheet with cascade layers is parsed with its document every time (their order is the
    document's). Inline ``<style>`` (each part's page and note numbers) is parsed every time.
    """
    import weasyprint.css

    original = weasyprint.css.CSS

    def css(*args: Any, **kwargs: Any) -> Any:
        url = kwargs.get("url")
        if not url or args:  # inline <style>: parsed with its document
            return original(*args, **kwargs)
        if url not in sheets.by_url:
            sheets.by_url[url] = _parse_alone(original, kwargs, fetcher, collect)
        kept = sheets.by_url[url]
        if kept is None:
            return original(*args, **kwargs)
        kwargs["counter_style"].update(kept.counter_styles)
        kwargs["color_profiles"].update(kept.color_profiles)
        fetcher.served.extend(kept.served)
        fetcher.refused.extend(r for r in kept.refused if r not in fetcher.refused)
        collect.messages.extend(m for m in kept.log if m not in collect.messages)
        return kept.css

    weasyprint.css.CSS = css
    try:
        yield
    finally:
        weasyprint.css.CSS = original


def _parse_alone(original: Any, kwargs: dict[str, Any], fetcher: Any, collect: Any) -> Any:
    """A linked sheet parsed with lists and tables of its own, and what it added to the
    fetcher's and the log's; None (parse it with each document) if it has cascade layers or
    fails to load."""
    served, refused, logged = len(fetcher.served), list(fetcher.refused), list(collect.messages)
    layers: list[Any] = []
    counter_styles: dict[str, Any] = {}
    color_profiles: dict[str, Any] = {}
    own = {
        "page_rules": [],
        "layers": layers,
        "counter_style": counter_styles,
        "color_profiles": color_profiles,
    }
    try:
        parsed = original(**{**kwargs, **own})
    except Exception:  # WeasyPrint reports it when the document parses it
        return None
    finally:  # what parsing it alone gave: the document's parse will give it again
        new_served = fetcher.served[served:]
        del fetcher.served[served:]
        new_refused = [r for r in fetcher.refused if r not in refused]
        fetcher.refused[:] = refused
        new_log = [m for m in collect.messages if m not in logged]
        collect.messages[:] = logged
    if layers:
        return None
    return _Sheet(parsed, counter_styles, color_profiles, new_served, new_refused, new_log)


def _kept(job: RenderJob, held: _Held, result: RenderResult) -> RenderResult:
    """``result``, with the token its layout is kept under if the job holds it and there is
    room (the kept layouts under half the child's memory limit)."""
    if not job.hold or _address_space() >= job.memory_mb * 2**20 // 2:
        return result  # not kept: its part will be laid out afresh if it is wanted again
    token = f"{os.getpid()}-{next(_TOKENS)}"
    _HELD[token] = held
    # The kept layouts are many objects that live on: out of the garbage collector's sight,
    # it does not walk them again at every collection (a 100x book: 8 s of 58).
    gc.freeze()
    _FROZEN[0] = True
    return replace(result, token=token)


#: The zlib level of the PDF's streams. pydyf (WeasyPrint's PDF writer) uses 9, which took
#: 0.75 s of a 10x book's 6.3 s of layout and writing, against 0.30 s at 6, for streams 1 %
#: smaller (measured on its 101 pages; 1 at 0.10 s made them 13 % larger).
COMPRESSION = 6


def _compress_at(level: int) -> None:
    """Make pydyf compress at ``level``: it calls ``zlib.compressobj(level=9)`` with no way to
    choose, so its module sees a zlib whose compressors take ``level`` instead."""
    import zlib

    import pydyf

    if getattr(pydyf.zlib, "level", None) == level:
        return  # done for an earlier write

    class _Zlib:
        error = zlib.error
        level = 0

        @staticmethod
        def compress(data: bytes, *_: Any) -> bytes:
            return zlib.compress(data, level)

        @staticmethod
        def compressobj(*_: Any, **__: Any) -> Any:
            return zlib.compressobj(level)

    _Zlib.level = level
    pydyf.zlib = _Zlib


def _font_records(fonts: dict[str, Any], subset: bool, options: dict[str, Any]) -> list[Any]:
    """What each font file the PDF embeds is cut from, as WeasyPrint writes it (one font
    stream per ``Font.hash``, subset to its fonts' glyphs): the PDF name, the file's SHA-256,
    the face, the glyph ids, and whether the subset is HarfBuzz's of those glyphs and nothing
    else, so that the join can cut one subset of every part's glyphs instead
    (:mod:`booktool.render.fontsubset`). Not so for bitmap, variable or colour fonts (WeasyPrint
    changes them after subsetting), fonts drawn in forms (embedded whole), fonts with missing
    glyphs (``.notdef`` outlines), PDF 1.4 (``CIDSet``), or without HarfBuzz's subsetter."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    harfbuzz_subsets = bool(harfbuzz_subset) and harfbuzz.hb_version_atleast(4, 1, 0)
    by_file: dict[str, list[Any]] = {}
    for font in fonts.values():
        by_file.setdefault(font.hash, []).append(font)
    records = []
    for same in by_file.values():
        font = same[0]
        glyphs = sorted({glyph for one in same for glyph in one.to_unicode})
        plain = not (
            font.bitmap
            or font.used_in_forms
            or any(one.missing for one in same)
            or "fvar" in font.tables
            or font.png
            or font.svg
            or font.colr
        )
        records.append(
            {
                "name": font.name.decode("latin-1"),
                "sha256": hashlib.sha256(font.file_content).hexdigest(),
                "index": font.index,
                "glyphs": glyphs,
                "hinting": bool(options["hinting"]),
                "joinable": plain
                and subset
                and harfbuzz_subsets
                and bool(glyphs)
                and str(options["pdf_version"]) > "1.4",
            }
        )
    return records


@contextlib.contextmanager
def _recording_fonts(records: list[Any]) -> Iterator[None]:
    """The embedded fonts' :func:`_font_records` of the PDFs written in the block."""
    import weasyprint.pdf

    original = weasyprint.pdf.build_fonts_dictionary

    def record(pdf: Any, fonts: Any, compress: Any, subset: Any, options: Any) -> Any:
        records.extend(_font_records(fonts, subset, options))  # before it subsets them
        return original(pdf, fonts, compress, subset, options)

    weasyprint.pdf.build_fonts_dictionary = record
    try:
        yield
    finally:
        weasyprint.pdf.build_fonts_dictionary = original


def _finish(job: RenderJob, held: _Held, *, reused: bool) -> RenderResult:
    """The held layout's result, its PDF written if the job asks for it."""
    fetcher, collect = held.fetcher, held.collect
    pdf = b""
    fonts: list[Any] = []
    if job.write and all(refusal.kind == "font" for refusal in fetcher.refused):
        _compress_at(COMPRESSION)
        # The fonts record the glyphs drawn; a layout written before (and renumbered since)
        # would otherwise subset the glyphs of its earlier numbers too.
        held.document.fonts = {}
        drop_unsafe_links(held.document)
        with _logging(collect), _recording_fonts(fonts):
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
def _layout_context() -> Iterator[list[Any]]:
    """The layout contexts of the documents WeasyPrint lays out in the block."""
    import weasyprint.document

    contexts: list[Any] = []
    original = weasyprint.document.layout_document

    def keep(html: Any, root_box: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        contexts.append(context)
        return original(html, root_box, context, *args, **kwargs)

    weasyprint.document.layout_document = keep
    try:
        yield contexts
    finally:
        weasyprint.document.layout_document = original


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
    except Exception as exc:  # a WeasyPrint bug on odd input: report it, do not hang
        return RenderResult(error={"kind": "crash", "message": f"{type(exc).__name__}: {exc}"})


#: The garbage collector's thresholds in a worker. A layout makes many short-lived objects:
#: with the default (700, 10, 10), a full collection walked the live layout every few hundred
#: thousand of them (six in the 10x book's parts, 8% of the render); collected young, they
#: rarely reach the old generation (the parts of the 10x book: 6% less time, 8 MB more).
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


def import_weasyprint() -> None:
    """Import WeasyPrint, its C declarations parsed ahead (:mod:`booktool.render.weasyffi`) and its
    C libraries found by their sonames alone (on Linux).

    WeasyPrint tries each library under several names (``libgobject-2.0-0``,
    ``gobject-2.0-0``, ``gobject-2.0``, ``libgobject-2.0.so.0`` …); cffi looks every name that
    fails up with :func:`ctypes.util.find_library`, which runs ``ldconfig -p`` and a compiler:
    0.2 s of the 0.5 s the import took. Without that search the sonames load at once. If a
    library is there under another name only, the import is done again with the search."""
    import ctypes.util

    import cffi

    from booktool.render.weasyffi import prebuilt

    declared = prebuilt()
    make = cffi.FFI

    def ffi() -> Any:  # WeasyPrint's text/ffi.py makes one FFI: the one parsed ahead
        return declared if sys._getframe(1).f_globals.get("__name__") == _FFI_MODULE else make()

    find = ctypes.util.find_library
    skip_search = sys.platform.startswith("linux")
    if declared is not None:
        cffi.FFI = ffi
    if skip_search:
        ctypes.util.find_library = lambda name: None
    try:
        import weasyprint
    except OSError:  # pragma: no cover - a library known by another name: search
        if not skip_search:
            raise  # the search was made: the same import would fail the same way
        for name in [n for n in sys.modules if n.partition(".")[0] == "weasyprint"]:
            del sys.modules[name]
        ctypes.util.find_library = find
        import weasyprint  # noqa: F401
    finally:
        cffi.FFI = make
        ctypes.util.find_library = find


#: The module of WeasyPrint that declares its C functions to cffi.
_FFI_MODULE = "weasyprint.text.ffi"


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
    of the 0.6 s a new interpreter takes to import it. True in the new worker, which then
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
    import_weasyprint()  # loaded once, for every job
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
