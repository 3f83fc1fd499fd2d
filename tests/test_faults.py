"""Fault injection: what a build does with a cache it cannot believe, a full or read-only disk,
another build at work, and leftovers of a killed one.

Each test damages a real build's files or file system and runs the real command again; the
outcome is the exact line booktool prints and the files left behind.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from .conftest import run_cli
from .hostile import write_project

CACHE = Path("build") / ".cache"


def _digests(project: Path) -> dict[str, str]:
    build = project / "build"
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in build.glob("*.*") if p.is_file()
    }


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The hostile corpus's base project, built once; the tests run in its folder."""
    project = write_project(tmp_path, {})
    monkeypatch.chdir(project)
    result = run_cli("build", ".")
    assert result.code == 0, result.err
    return project


def test_deeply_nested_json_in_the_cache_counts_as_damaged(built: Path) -> None:
    """JSON nested deeper than the parser's recursion limit is a damaged file, not a
    RecursionError on every build until someone deletes it."""
    before = _digests(built)
    deep = b"[" * 200_000 + b"]" * 200_000
    damaged = [p for p in (built / CACHE).rglob("*") if p.is_file()]
    assert {p.suffix for p in damaged} >= {".json", ".pack", ".pdf"}
    for path in damaged:
        path.write_bytes(deep + b"\n" + deep)
    for name in before:
        (built / "build" / name).unlink()
    result = run_cli("build", ".")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    assert _digests(built) == before
