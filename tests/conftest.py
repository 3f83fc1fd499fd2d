"""Shared fixtures: the test roots' booklet built once per session, and project helpers."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from booktool.cli.main import main

REPO = Path(__file__).resolve().parent.parent
#: Sample projects that exist for the tests (see roots/README.md).
ROOTS = Path(__file__).resolve().parent / "roots"
SEED = Path(__file__).resolve().parent / "fixtures" / "seed-000_fd7ad028365281d0.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*argv: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return Run(code, out.getvalue(), err.getvalue())


def copy_project(target: Path, root: str = "basic") -> Path:
    """A copy of the test root ``root`` (its manuscript and layouts, if any) at ``target``."""
    for folder in ("manuscript", "layouts"):
        if (ROOTS / root / folder).is_dir():
            shutil.copytree(ROOTS / root / folder, target / folder)
    return target


#: The name branches written before the test roots still use.


@pytest.fixture(scope="session", autouse=True)
def _temporary_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Temporary files of the tests and of the processes they start go under pytest's own
    folder (which keeps the last three sessions'), not into the system's."""
    scratch = tmp_path_factory.mktemp("tmp")
    saved = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"], tempfile.tempdir = str(scratch), str(scratch)
    yield
    if saved[0] is None:
        del os.environ["TMPDIR"]
    else:
        os.environ["TMPDIR"] = saved[0]
    tempfile.tempdir = saved[1]


@pytest.fixture(scope="session")
def repo_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The basic root's booklet, built once into a temporary copy; returns the project folder."""
    project = copy_project(tmp_path_factory.mktemp("repo"))
    result = run_cli("build", str(project))
    assert result.code == 0, result.err
    return project


@pytest.fixture(scope="session")
def repo_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The basic root's print HTML (``--format html``), built once in its own copy."""
    project = copy_project(tmp_path_factory.mktemp("repo-html"))
    result = run_cli("build", str(project), "--format", "html")
    assert result.code == 0, result.err
    return project / "build" / "the-great-leap-forward.html"


@pytest.fixture(scope="session")
def repo_pdf(repo_build: Path) -> Path:
    return repo_build / "build" / "the-great-leap-forward.pdf"


@pytest.fixture(scope="session")
def repo_epub(repo_build: Path) -> Path:
    return repo_build / "build" / "the-great-leap-forward.epub"


@pytest.fixture(scope="session")
def repo_plain_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The basic root's booklet built with the plain engine (``--engine plain``: WeasyPrint's
    public API alone), once; returns the project folder."""
    project = copy_project(tmp_path_factory.mktemp("repo-plain"))
    result = run_cli("build", str(project), "--engine", "plain")
    assert result.code == 0, result.err
    assert "warning" not in result.err, result.err
    return project
