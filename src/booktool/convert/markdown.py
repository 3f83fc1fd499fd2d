"""Markdown to HTML through pandoc: one pandoc run for the files that need converting (one
per core for a large book).

pandoc runs as a Lua interpreter (``pandoc lua convert.lua``) that reads and writes each file
on its own, so a file's HTML depends only on its own text (footnote numbers, heading ids) and
can be cached by content hash. Identifiers are prefixed per file, so files can share a page.
The reader is sandboxed (it can read no file); raw HTML passes through to
:mod:`booktool.convert.htmlclean`, which keeps a safe subset; raw attributes and raw TeX are off.

Cross-references (``[@fig:id]``) become ``<span class="xref">``; other citations are formatted
by citeproc from the book's sources, and the bibliography comes back from the same run.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import queue
import re
import subprocess
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from booktool import __version__
from booktool.cache.installed import tool_version
from booktool.errors import InputError, Problem, RenderError

PANDOC_FROM = "markdown-raw_attribute-raw_tex"
CONVERTER_SCRIPT = Path(__file__).parent / "convert.lua"
#: pandoc's user data folder while convert.lua writes (see the script).
PANDOC_DATA = Path(__file__).parent / "pandoc-data"
_PANDOC_LINE = re.compile(r"\(line (\d+), column (\d+)\)")


@dataclass(frozen=True)
class MarkdownSource:
    """A Markdown text, the file it came from, and the prefix for the ids in its HTML."""

    path: Path
    text: str
    first_line: int = 1
    id_prefix: str = ""
    #: A digest of the references its citations are formatted from (see references_digest).
    references: str = ""
    #: True for the one pseudo-source whose HTML is the bibliography of the references.
    bibliography: bool = False

    @property
    def key(self) -> str:
        """A hash of all the HTML depends on: text, prefix, references and the converter."""
        parts = json.dumps(
            [converter_id(), self.id_prefix, self.references, self.bibliography, self.text],
            ensure_ascii=False,
        )
        return hashlib.sha256(parts.encode("utf-8")).hexdigest()


def references_digest(references: Sequence[dict[str, Any]]) -> str:
    """A short digest of the bibliography's CSL items, for cache keys."""
    text = json.dumps(list(references), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@functools.cache
def converter_id() -> str:
    """booktool's version, which pandoc (pypandoc-binary's copy), the reader and the script."""
    script = hashlib.sha256(CONVERTER_SCRIPT.read_bytes()).hexdigest()[:16]
    return f"booktool {__version__}; {tool_version('pypandoc')}; {PANDOC_FROM}; {script}"


@functools.cache
def pandoc_path() -> str:
    """The pandoc binary shipped inside pypandoc-binary: found where that package keeps it,
    without importing pypandoc (which loads urllib and looks for other pandocs); pypandoc's own
    search if it is not there."""
    spec = importlib.util.find_spec("pypandoc")
    for folder in spec.submodule_search_locations or [] if spec else []:
        for name in ("pandoc", "pandoc.exe"):
            bundled = Path(folder) / "files" / name
            if bundled.is_file() and os.access(bundled, os.X_OK):
                return str(bundled)
    import pypandoc

    return str(pypandoc.get_pandoc_path())


class _Pandoc:
    """One ``pandoc lua convert.lua`` process, started at once, talked to in a thread."""

    def __init__(self, request: bytes, ended: queue.SimpleQueue[_Pandoc]) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.output: tuple[bytes, bytes] | None = None
        self.failure: BaseException | None = None
        self.cancelled = False
        self.ended = ended
        self.thread = threading.Thread(target=self._run, args=(request,), daemon=True)
        self.thread.start()

    def _run(self, request: bytes) -> None:
        try:
            self._communicate(request)
        finally:
            self.ended.put(self)

    def _communicate(self, request: bytes) -> None:
        try:
            self.process = subprocess.Popen(
                [pandoc_path(), "lua", str(CONVERTER_SCRIPT)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            if self.cancelled:
                self.process.kill()
            self.output = self.process.communicate(request, timeout=120)
        except subprocess.TimeoutExpired as exc:
            assert self.process is not None
            self.process.kill()
            self.process.communicate()
            self.failure = exc
        except (OSError, ValueError) as exc:
            self.failure = exc

    def reply(self) -> bytes:
        """pandoc's answer, once it has ended."""
        self.thread.join()
        if self.output is None or self.process is None:
            raise RenderError(
                Problem(None, None, f"pandoc failed to run: {self.failure}", code="pandoc")
            )
        if self.process.returncode != 0:
            message = self.output[1].decode("utf-8", "replace").strip().splitlines()
            raise RenderError(
                Problem(
                    None, None, f"pandoc: {message[-1] if message else 'failed'}", code="pandoc"
                )
            )
        return self.output[0]

    def cancel(self) -> None:
        """Stop the process if it still runs, and wait for it."""
        self.cancelled = True
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        self.thread.join()


def _reader_problem(source: MarkdownSource, error: str) -> Problem:
    lines = [line.strip() for line in error.strip().splitlines() if line.strip()]
    found = _PANDOC_LINE.search(error)
    line = source.first_line + int(found.group(1)) - 1 if found else None
    column = int(found.group(2)) if found else None
    message = " ".join(lines[:2]) if lines else "pandoc could not read this file"
    return Problem(
        source.path, line, f"pandoc: {message}", "fix the Markdown", column, code="markdown-syntax"
    )


class PandocRuns:
    """pandoc converting some sources, started: one process per run of :func:`batches`.

    Citations are formatted from ``references``; a source marked ``bibliography`` gets the
    bibliography of all of them. Each source is converted on its own, so a large batch is
    shared among pandoc processes at once, one per core: the HTML is the same either way.
    """

    def __init__(
        self, sources: Sequence[MarkdownSource], references: Sequence[dict[str, Any]] = ()
    ) -> None:
        self.documents = [s for s in sources if not s.bibliography]
        #: The bibliography's source, if it is wanted (and there are references to list).
        self.bibliography = next((s for s in sources if s.bibliography), None)
        self.bibliography_html = self.bibliography is not None and bool(references)
        keys = {str(item.get("id", "")) for item in references}
        self.runs = batches(self.documents, keys, self.bibliography_html) if sources else []
        requests = [
            {
                "from": PANDOC_FROM,
                "references": list(references),
                "bibliography": self.bibliography_html and index == 0,
                "data": str(PANDOC_DATA),
                "docs": [{"text": s.text, "prefix": s.id_prefix} for s in run],
            }
            for index, run in enumerate(self.runs)
        ]
        self.ended: queue.SimpleQueue[_Pandoc] = queue.SimpleQueue()
        self.processes = [_Pandoc(json.dumps(r).encode("utf-8"), self.ended) for r in requests]

    def answers(self) -> Iterator[tuple[dict[Path, str], dict[Path, Problem]]]:
        """Each run's answers as soon as its process ends: the HTML of its sources by path, and
        the problem pandoc had with each source it could not read."""
        if self.bibliography is not None and not self.bibliography_html:
            yield {self.bibliography.path: ""}, {}  # no references to list
        for _ in self.processes:
            process = self.ended.get()
            index = self.processes.index(process)
            reply = json.loads(process.reply())
            ordered = list(self.runs[index])
            if index == 0 and self.bibliography_html and self.bibliography is not None:
                ordered.append(self.bibliography)  # the first run's answer ends with it
            if not isinstance(reply, list) or len(reply) != len(ordered):
                raise RenderError(
                    Problem(None, None, "pandoc gave an unexpected answer", code="pandoc")
                )
            html: dict[Path, str] = {}
            problems: dict[Path, Problem] = {}
            for source, result in zip(ordered, reply, strict=True):
                if "error" in result:
                    problems[source.path] = _reader_problem(source, str(result["error"]))
                else:
                    html[source.path] = str(result["html"]).strip()
            yield html, problems

    def result(self, each: Callable[[dict[Path, str]], None] | None = None) -> dict[Path, str]:
        """HTML fragments for every source, by path, once pandoc has ended; ``each`` is given
        each run's as soon as its process ends, while the others may still run."""
        html: dict[Path, str] = {}
        problems: dict[Path, Problem] = {}
        for answered, failed in self.answers():
            if each is not None:
                each(answered)
            html.update(answered)
            problems.update(failed)
        if problems:
            raise InputError(*[problems[s.path] for s in self.documents if s.path in problems])
        return html

    def cancel(self) -> None:
        """Stop the processes still running (the build stopped before it needed them)."""
        for process in self.processes:
            process.cancel()


def convert_markdown(
    sources: Sequence[MarkdownSource], references: Sequence[dict[str, Any]] = ()
) -> dict[Path, str]:
    """HTML fragments for every source, by path, from pandoc (none if no sources)."""
    return PandocRuns(sources, references).result()


#: Markdown characters below which one pandoc process converts everything: a second process
#: costs more to start than it saves on a small book.
BATCH_CHARACTERS = 40_000
#: One citeproc pass (setting up its style and the references, formatting its documents)
#: counted as this many Markdown characters of work for the process that runs it.
CITEPROC_CHARACTERS = 40_000
#: A citation's key in pandoc's Markdown: ``@key`` or ``@{key}``, not inside a word.
_CITATION = re.compile(r"(?<![\w@])@\{?([\w][\w:.#$%&+?<>~/-]*)")


def cites(text: str, keys: Collection[str]) -> bool:
    """Whether a Markdown text cites one of ``keys`` (a guess, which only decides which pandoc
    process converts it: a cross-reference or an e-mail address is not a citation)."""
    return any(match.group(1).rstrip(":.#$%&+?<>~/-") in keys for match in _CITATION.finditer(text))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def batches(
    documents: Sequence[MarkdownSource], keys: Collection[str] = (), bibliography: bool = False
) -> list[list[MarkdownSource]]:
    """The documents in as many runs of about equal work as there are cores (one run below
    :data:`BATCH_CHARACTERS` a core); always at least one run.

    The documents that cite one of ``keys`` go first in the first run, which also makes the
    bibliography if asked: citeproc is then set up once, not once a run. The rest follow in
    their order.
    """
    citing: list[MarkdownSource] = []
    others: list[MarkdownSource] = []
    for source in documents:
        (citing if keys and cites(source.text, keys) else others).append(source)
    citeproc = CITEPROC_CHARACTERS if citing or (bibliography and bool(keys)) else 0
    done = citeproc + sum(len(source.text) for source in citing)
    total = done + sum(len(source.text) for source in others)
    count = max(1, min(_cores(), total // BATCH_CHARACTERS, len(documents)))
    runs: list[list[MarkdownSource]] = [list(citing)] + [[] for _ in range(count - 1)]
    for source in others:
        runs[min(count - 1, done * count // max(1, total))].append(source)
        done += len(source.text)
    return [run for run in runs if run] or [[]]


class FragmentStore(Protocol):
    """Where converted HTML is kept by key (the build cache)."""

    def fragment(self, key: str) -> str | None: ...

    def store_fragments(self, fragments: dict[str, str]) -> None: ...


@dataclass(frozen=True)
class Conversion:
    """Every source's HTML, and how many sources pandoc converted this time."""

    html: dict[Path, str]
    converted: int


class PendingConversion:
    """HTML for every source: from a store where it has it, the rest being converted by pandoc
    (started when this is made, so that other work can go on meanwhile)."""

    def __init__(
        self,
        sources: Sequence[MarkdownSource],
        store: FragmentStore,
        references: Sequence[dict[str, Any]] = (),
    ) -> None:
        self.sources, self.store = sources, store
        self.html: dict[Path, str] = {}
        self.missing: list[MarkdownSource] = []
        for source in sources:
            cached = store.fragment(source.key)
            if cached is None:
                self.missing.append(source)
            else:
                self.html[source.path] = cached
        self.runs = PandocRuns(self.missing, references)

    def result(self) -> Conversion:
        """Every source's HTML. pandoc's is stored for the next build once every process has
        ended, with what the store gave, in one write; also when a source failed (the others
        are not converted again)."""
        converted: dict[Path, str] = {}
        try:
            self.runs.result(converted.update)
        finally:
            keys = {source.path: source.key for source in self.missing}
            self.store.store_fragments({keys[path]: html for path, html in converted.items()})
        self.html.update(converted)
        return Conversion({s.path: self.html[s.path] for s in self.sources}, len(self.missing))


@contextlib.contextmanager
def converting(
    sources: Sequence[MarkdownSource],
    store: FragmentStore,
    references: Sequence[dict[str, Any]] = (),
) -> Iterator[PendingConversion]:
    """A conversion started for the block; pandoc is stopped if the block ends before it."""
    pending = PendingConversion(sources, store, references)
    try:
        yield pending
    finally:
        pending.runs.cancel()
