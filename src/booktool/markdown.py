"""Markdown to HTML through pandoc: one pandoc process for every file of a build.

Files are joined with marker paragraphs (a token that occurs in none of them), converted in one
call, and split again. Files whose footnote or link labels would clash are put in separate
batches, so joining never changes what a file means. Raw HTML passes through to
:mod:`booktool.htmlclean`, which keeps a safe subset; raw attributes and raw TeX are off, and
pandoc runs with ``--sandbox`` (it reads no file but its input).

Cross-references (``[@fig:id]``) become ``<span class="xref">`` through a Lua filter; other
citations are formatted by citeproc from the book's sources, whose bibliography comes back
as one more piece of the batch.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypandoc

from booktool.errors import Problem, RenderError

PANDOC_FROM = "markdown-raw_attribute-raw_tex-tex_math_dollars-tex_math_single_backslash"
FILTERS = Path(__file__).parent / "filters"
PANDOC_ARGS = (
    f"--lua-filter={FILTERS / 'crossref.lua'}",
    "--citeproc",
    "--to=html5",
    "--wrap=none",
    "--shift-heading-level-by=2",
    "--reference-location=block",
    "--sandbox",
)
_LABEL = re.compile(r"^ {0,3}\[(\^?[^\]\n]+)\]:", re.MULTILINE)


@dataclass(frozen=True)
class MarkdownSource:
    """A Markdown text and the file it came from."""

    path: Path
    text: str
    first_line: int = 1


def _labels(text: str) -> set[str]:
    return {label.lower() for label in _LABEL.findall(text)}


def plan_batches(sources: Sequence[MarkdownSource]) -> list[list[MarkdownSource]]:
    """Group sources so that no two in a batch define the same footnote or link label."""
    batches: list[tuple[list[MarkdownSource], set[str]]] = []
    for source in sources:
        labels = _labels(source.text)
        for batch, used in batches:
            if not labels & used:
                batch.append(source)
                used.update(labels)
                break
        else:
            batches.append(([source], set(labels)))
    return [batch for batch, _ in batches]


def _token(sources: Sequence[MarkdownSource]) -> str:
    digest = hashlib.sha256("".join(s.text for s in sources).encode()).hexdigest()[:16]
    token = f"BOOKTOOLSPLIT{digest}"
    while any(token in s.text for s in sources):
        token += "X"
    return token


def pandoc_path() -> str:
    """The pandoc binary shipped inside pypandoc-binary."""
    return str(pypandoc.get_pandoc_path())


def _run_pandoc(markdown: str, paths: Sequence[Path]) -> str:
    try:
        result = subprocess.run(
            [pandoc_path(), f"--from={PANDOC_FROM}", *PANDOC_ARGS],
            input=markdown.encode("utf-8"),
            capture_output=True,
            check=False,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(
            Problem(paths[0] if len(paths) == 1 else None, None, f"pandoc failed to run: {exc}")
        ) from exc
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError(
            Problem(
                paths[0] if len(paths) == 1 else None,
                None,
                f"pandoc: {message[-1] if message else 'failed'}",
            )
        )
    return result.stdout.decode("utf-8")


def _metadata(references: Sequence[dict[str, Any]], bibliography: bool) -> str:
    meta: dict[str, Any] = {"references": list(references), "nocite": "@*"}
    if not bibliography:
        meta["suppress-bibliography"] = True
    return f"---\n{json.dumps(meta, ensure_ascii=False)}\n---\n\n"


def _convert_batch(batch: Sequence[MarkdownSource], metadata: str) -> dict[Path, str] | None:
    token = _token(batch)
    parts = [metadata.rstrip("\n")]
    for index, source in enumerate(batch):
        parts.append(source.text.rstrip("\n"))
        parts.append(f"{token}{index}")
    html = _run_pandoc("\n\n".join(parts) + "\n", [s.path for s in batch])
    pieces = re.split(rf"<p>{token}(\d+)</p>\n?", html)
    numbers = pieces[1::2]
    if numbers != [str(i) for i in range(len(batch))]:
        return None
    return {source.path: pieces[2 * i].strip() for i, source in enumerate(batch)}


def convert_markdown(
    sources: Sequence[MarkdownSource],
    references: Sequence[dict[str, Any]] = (),
    bibliography_path: Path | None = None,
) -> dict[Path, str]:
    """HTML fragments for every source, by path, from as few pandoc runs as possible.

    With ``bibliography_path``, the bibliography of ``references`` comes back under that path.
    """
    html: dict[Path, str] = {}
    batches = plan_batches(sources)
    if bibliography_path is not None:
        refs = MarkdownSource(bibliography_path, "::: {#refs}\n:::\n")
        batches = [*batches[:-1], [*batches[-1], refs]] if batches else [[refs]]
    for batch in batches:
        has_refs = bibliography_path is not None and batch[-1].path == bibliography_path
        metadata = _metadata(references, has_refs)
        converted = _convert_batch(batch, metadata)
        if converted is None:
            # A file that swallows the marker (an unclosed fence or div) is converted alone.
            for source in batch:
                alone = _metadata(references, source.path == bibliography_path)
                html[source.path] = _run_pandoc(alone + source.text, [source.path]).strip()
        else:
            html.update(converted)
    return html
