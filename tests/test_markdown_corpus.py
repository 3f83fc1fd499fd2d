"""A sample of real-world Markdown (tests/roots/markdown): how much of what pandoc reads reaches
each edition, measured as bench/markdown_corpus.py measures outside corpora: the share of
pandoc's own plain text's word 4-grams found in the edition's text (issue 21: at least 0.97
overall and 0.95 in every segment), with EPUBCheck clean and every warning at a line."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from booktool.convert.markdown import pandoc_path

from .conftest import run_cli
from .outputs import run_epubcheck

ROOT = Path(__file__).parent / "roots" / "markdown"
MEASURE = Path(__file__).resolve().parent.parent / "bench" / "markdown_corpus.py"
HEADS = {"Introduction", "Prose and Lists", "Tables, Formulas and Notes", "Sources and Notes"}


def measure() -> ModuleType:
    spec = importlib.util.spec_from_file_location("markdown_corpus", MEASURE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    project = tmp_path_factory.mktemp("corpus") / "markdown"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns("build"))
    result = run_cli("build", str(project))
    assert result.code == 0, result.err
    return project, result.err


def _shares(project: Path, text: str) -> dict[str, float]:
    segments = sorted((project / "manuscript" / "segments").glob("*.md"))
    shares: dict[str, float] = measure().coverage(text, segments, pandoc_path())
    assert len(shares) == 4
    return shares


def test_the_pdf_keeps_what_pandoc_reads(corpus: tuple[Path, str]) -> None:
    project, _ = corpus
    shares = _shares(project, measure().pdf_text(next((project / "build").glob("*.pdf")), HEADS))
    assert min(shares.values()) >= 0.95, shares
    assert sum(shares.values()) / len(shares) >= 0.97, shares


def test_the_epub_keeps_what_pandoc_reads(corpus: tuple[Path, str]) -> None:
    project, _ = corpus
    shares = _shares(project, measure().epub_text(next((project / "build").glob("*.epub"))))
    assert min(shares.values()) >= 0.95, shares
    assert sum(shares.values()) / len(shares) >= 0.97, shares


def test_the_measure_sees_what_is_lost(corpus: tuple[Path, str]) -> None:
    """A PDF missing one segment's text scores that segment near zero."""
    project, _ = corpus
    text = measure().pdf_text(next((project / "build").glob("*.pdf")), HEADS)
    readings = text.split("\nNOTEBREAK\n")  # the PDF read in two orders
    assert len(readings) == 2
    cuts = []
    for reading in readings:
        # Each title stands in the contents, in the body, then in the sourcing notes.
        start = [m.start() for m in re.finditer("Lists of every kind", reading)][1]
        end = [m.start() for m in re.finditer("Tables and code", reading)][1]
        cuts.append(reading[:start] + reading[end:])
    shares = _shares(project, "\nNOTEBREAK\n".join(cuts))
    assert shares["seg-02"] < 0.2 and shares["seg-01"] >= 0.95


def test_the_corpus_epub_passes_epubcheck(corpus: tuple[Path, str]) -> None:
    report = run_epubcheck(next((corpus[0] / "build").glob("*.epub")))
    checker = report["checker"]
    assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0), [
        m["message"] for m in report["messages"]
    ]


def test_every_warning_names_its_file_and_line(corpus: tuple[Path, str]) -> None:
    project, err = corpus
    for line in err.splitlines():
        if "warning[" in line:
            assert re.match(rf"{re.escape(str(project))}/\S+:\d+: warning\[", line), line
