"""Checks of booktool's speed choices, run by ``make bench`` (not by ``make test``): they pin
how the fast path does its work, not what it writes, so they may change with the engine.

- the workers compress page streams at zlib level 6 (pydyf's default is 9);
- a cold build renumbers the parts it laid out on a guess instead of laying them out again,
  and so does a watched rebuild whose edit moves the later pages on.
"""

from __future__ import annotations

import contextlib
import shutil
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from booktool.build import build
from booktool.editions.pdf import PdfEdition
from booktool.limits import RenderLimits
from booktool.render.pool import render_processes, warm_renderer
from booktool.source.project import Project

ROOT = Path(__file__).resolve().parent.parent / "tests" / "roots" / "basic"


def copy_root(target: Path) -> Path:
    for folder in ("manuscript", "layouts"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


def tripled(target: Path) -> Path:
    """The basic test root at 3 times its size (front matter, chapters, back matter: parts)."""
    from speed import generate  # bench/speed.py, beside this file

    return Path(generate(target / "project", 3, ROOT))


@contextlib.contextmanager
def editions_laid_out() -> Iterator[list[PdfEdition]]:
    """Every print edition the builds in the block lay out, in order."""
    seen: list[PdfEdition] = []
    original = PdfEdition.laid_out

    def laid_out(self: PdfEdition, *args: Any, **kwargs: Any) -> Any:
        seen.append(self)
        return original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PdfEdition, "laid_out", laid_out)
        yield seen


def test_page_streams_are_compressed_at_level_6(tmp_path: Path) -> None:
    """Level 9 takes 2.5 times as long for streams 1 % smaller: each page's content stream is
    exactly zlib's level-6 output."""
    project = copy_root(tmp_path)
    build(Project.open(project), ("pdf",))
    with pikepdf.open(next((project / "build").glob("*.pdf"))) as pdf:
        for page in pdf.pages:
            contents = page.obj.Contents
            raw, decoded = contents.read_raw_bytes(), contents.read_bytes()
            assert raw == zlib.compress(decoded, 6)
            assert raw != zlib.compress(decoded, 9)


def test_a_cold_build_renumbers_parts_instead_of_laying_them_out_twice(tmp_path: Path) -> None:
    project = tripled(tmp_path)
    with editions_laid_out() as seen:
        build(Project.open(project), ("pdf",))
        assert seen[-1].reused_layouts >= len(seen[-1].parts.parts) // 2
        for path in (project / "build").rglob("*"):  # keep only the page numbers
            if path.is_file() and not path.name.startswith("numbers-"):
                path.unlink()
        build(Project.open(project), ("pdf",))
        assert seen[-1].reused_layouts == 0  # laid out once, with the known numbers


def test_a_watched_edit_that_moves_later_pages_renumbers_their_kept_layouts(
    tmp_path: Path,
) -> None:
    project = tripled(tmp_path)
    longer = " ".join(["A sentence the editor added, long enough to move the pages on."] * 40)
    limits = RenderLimits()
    with editions_laid_out() as seen:
        with warm_renderer(limits.render_memory_mb, render_processes(limits)):
            build(Project.open(project), ("pdf",))
            segment = project / "manuscript" / "segments" / "seg-01.md"
            segment.write_text(segment.read_text() + f"\n{longer}\n")
            build(Project.open(project), ("pdf",))
        assert seen[-1].reused_layouts >= len(seen[-1].parts.parts) // 2
