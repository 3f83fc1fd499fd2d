"""The plain engine (WeasyPrint's public API alone) against the fast one, and the fallback to
it: an untested WeasyPrint, or a fast engine that fails, gives a correct PDF and one warning."""

from __future__ import annotations

import collections
from pathlib import Path

import pikepdf
import pytest

from booktool.render import weasyprint_patches
from tests import test_apparatus
from tests.conftest import copy_project, run_cli
from tests.outputs import pdf_pages
from tests.test_page_list import check_pages_match
from tests.test_pdfmerge import links, outline, struct_elements, texts

PDF = "build/the-great-leap-forward.pdf"
EPUB = "build/the-great-leap-forward.epub"


def structure(path: Path) -> collections.Counter[str]:
    """How many structure elements of each type the PDF's tags hold."""
    with pikepdf.open(path) as pdf:
        assert pdf.Root.MarkInfo.Marked
        return collections.Counter(str(element.S) for element in struct_elements(pdf))


def link_targets(path: Path) -> list[list[tuple[tuple[float, ...], object]]]:
    with pikepdf.open(path) as pdf:
        return links(pdf)


def same_book(fast: Path, plain: Path) -> None:
    """The same pages, text on each page, outline, links (where and to which page) and tags."""
    fast_data, plain_data = fast.read_bytes(), plain.read_bytes()
    assert texts(plain_data) == texts(fast_data)
    assert outline(plain_data) == outline(fast_data)
    assert link_targets(plain) == link_targets(fast)
    assert structure(plain) == structure(fast)


def test_the_plain_engine_makes_the_fast_engines_book(
    repo_build: Path, repo_plain_build: Path
) -> None:
    same_book(repo_build / PDF, repo_plain_build / PDF)
    assert len(texts((repo_build / PDF).read_bytes())) > 10


def test_the_plain_engines_page_numbers_and_page_map(repo_plain_build: Path) -> None:
    """Cross-references print the pages their targets fall on, and the EPUB's page list
    (from the plain layout's page map) marks where each PDF page begins."""
    test_apparatus.test_cross_reference_page_numbers_match_where_targets_fall(
        pdf_pages(repo_plain_build / PDF)
    )
    assert check_pages_match(repo_plain_build / PDF, repo_plain_build / EPUB) > 10


def test_an_untested_weasyprint_falls_back_with_one_warning(
    tmp_path: Path, repo_build: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gate reads WeasyPrint's version from its source: another one than the fast engine
    was tested on gives the plain engine's PDF, correct, and one warning line."""
    monkeypatch.setattr(weasyprint_patches, "installed_version", lambda: "71.0")
    project = copy_project(tmp_path)
    result = run_cli("build", str(project), "--format", "pdf", "--quiet")
    assert result.code == 0, result.err
    warnings = result.err.splitlines()
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith("warning[render-fallback]: WeasyPrint 71.0 is not one")
    same_book(repo_build / PDF, project / PDF)


def test_a_failing_fast_engine_falls_back_with_one_warning(
    tmp_path: Path, repo_build: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception inside the fast engine (here its join meets a PDF it does not know) is
    not a crash: the plain engine makes the PDF, with one warning line."""
    from booktool.editions import pdf as print_edition

    def broken(*_: object, **__: object) -> bytes:
        raise KeyError("/StructTreeRoot")

    monkeypatch.setattr(print_edition, "merge_parts", broken)
    project = copy_project(tmp_path)
    result = run_cli("build", str(project), "--format", "pdf", "--quiet")
    assert result.code == 0, result.err
    warnings = result.err.splitlines()
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith("warning[render-fallback]: the fast engine failed (KeyError")
    same_book(repo_build / PDF, project / PDF)


def test_an_unknown_engine_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOKTOOL_ENGINE", "turbo")
    project = copy_project(tmp_path)
    result = run_cli("build", str(project), "--format", "pdf")
    assert result.code == 1
    assert result.err.splitlines() == [
        "error[config]: unknown engine 'turbo' in BOOKTOOL_ENGINE; use fast or plain"
    ]
