"""Markdown to HTML through pandoc: one pandoc process for every file that needs converting.

pandoc runs as a Lua interpreter (``pandoc lua convert.lua``) that reads and writes each file
on its own, so a file's HTML depends only on its own text (footnote numbers, heading ids) and
can be cached by content hash. Identifiers are prefixed per file, so files can share a page.
Raw HTML is not passed through and the reader is sandboxed (it can read no file).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from booktool import __version__
from booktool.errors import InputError, Problem, RenderError
from booktool.installed import tool_version

PANDOC_FROM = "markdown-raw_html-raw_attribute-raw_tex-tex_math_dollars-tex_math_single_backslash"
CONVERTER_SCRIPT = Path(__file__).parent / "convert.lua"
_PANDOC_LINE = re.compile(r"\(line (\d+), column (\d+)\)")


@dataclass(frozen=True)
class MarkdownSource:
    """A Markdown text, the file it came from, and the prefix for the ids in its HTML."""

    path: Path
    text: str
    first_line: int = 1
    id_prefix: str = ""

    @property
    def key(self) -> str:
        """A hash of everything the HTML depends on: the text, its prefix and the converter."""
        parts = json.dumps([converter_id(), self.id_prefix, self.text], ensure_ascii=False)
        return hashlib.sha256(parts.encode("utf-8")).hexdigest()


@functools.cache
def converter_id() -> str:
    """booktool's version, which pandoc (pypandoc-binary's copy), the reader and the script."""
    script = hashlib.sha256(CONVERTER_SCRIPT.read_bytes()).hexdigest()[:16]
    return f"booktool {__version__}; {tool_version('pypandoc')}; {PANDOC_FROM}; {script}"


def pandoc_path() -> str:
    """The pandoc binary shipped inside pypandoc-binary."""
    import pypandoc  # ~0.1 s: only when something is to be converted

    return str(pypandoc.get_pandoc_path())


def _run_pandoc(request: bytes) -> bytes:
    try:
        result = subprocess.run(
            [pandoc_path(), "lua", str(CONVERTER_SCRIPT)],
            input=request,
            capture_output=True,
            check=False,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(Problem(None, None, f"pandoc failed to run: {exc}")) from exc
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError(Problem(None, None, f"pandoc: {message[-1] if message else 'failed'}"))
    return result.stdout


def _reader_problem(source: MarkdownSource, error: str) -> Problem:
    lines = [line.strip() for line in error.strip().splitlines() if line.strip()]
    found = _PANDOC_LINE.search(error)
    line = source.first_line + int(found.group(1)) - 1 if found else None
    column = int(found.group(2)) if found else None
    message = " ".join(lines[:2]) if lines else "pandoc could not read this file"
    return Problem(
        source.path, line, f"pandoc: {message}", "fix the Markdown", column, "markdown-syntax"
    )


def convert_markdown(sources: Sequence[MarkdownSource]) -> dict[Path, str]:
    """HTML fragments for every source, by path, from one pandoc run (none if no sources)."""
    if not sources:
        return {}
    request = {
        "from": PANDOC_FROM,
        "docs": [{"text": s.text, "prefix": s.id_prefix} for s in sources],
    }
    reply = json.loads(_run_pandoc(json.dumps(request).encode("utf-8")))
    if not isinstance(reply, list) or len(reply) != len(sources):
        raise RenderError(Problem(None, None, "pandoc gave an unexpected answer"))
    html: dict[Path, str] = {}
    problems: list[Problem] = []
    for source, result in zip(sources, reply, strict=True):
        if "error" in result:
            problems.append(_reader_problem(source, str(result["error"])))
        else:
            html[source.path] = str(result["html"]).strip()
    if problems:
        raise InputError(*problems)
    return html


class FragmentStore(Protocol):
    """Where converted HTML is kept by key (the build cache)."""

    def fragment(self, key: str) -> str | None: ...

    def store_fragment(self, key: str, html: str) -> None: ...


@dataclass(frozen=True)
class Conversion:
    """Every source's HTML, and how many sources pandoc converted this time."""

    html: dict[Path, str]
    converted: int


def convert_cached(sources: Sequence[MarkdownSource], store: FragmentStore) -> Conversion:
    """HTML for every source: from ``store`` where it has it, the rest in one pandoc run."""
    html: dict[Path, str] = {}
    missing: list[MarkdownSource] = []
    for source in sources:
        cached = store.fragment(source.key)
        if cached is None:
            missing.append(source)
        else:
            html[source.path] = cached
    fresh = convert_markdown(missing)
    for source in missing:
        store.store_fragment(source.key, fresh[source.path])
    html.update(fresh)
    return Conversion({s.path: html[s.path] for s in sources}, len(missing))
