"""The user's cache folders (``~/.cache/booktool/NAME``) stay within their limits: the least
recently used files go first, at most once an hour per folder, and what is removed is made
again by the next build that needs it."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from booktool.cache import usercache
from booktool.editions.layouts import Layouts, user_template_cache
from tests.conftest import copy_project, run_cli


def _files(folder: Path, sizes: dict[str, int], ages: dict[str, float]) -> None:
    """Files of ``sizes`` bytes, last used ``ages`` seconds ago."""
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for name, size in sizes.items():
        path = folder / name
        path.write_bytes(b"x" * size)
        os.utime(path, (now - ages[name], now - ages[name]))


def test_tidy_removes_the_least_recently_used_until_the_limit(tmp_path: Path) -> None:
    folder = tmp_path / "covers"
    _files(folder, {"a": 400, "b": 300, "c": 200, "d": 100}, {"a": 40, "b": 10, "c": 30, "d": 5})
    (folder / "sub").mkdir()  # not a file: left alone
    assert usercache.tidy(folder, 450) == 2  # a (the oldest), then c
    assert sorted(p.name for p in folder.iterdir()) == ["b", "d", "sub"]
    assert usercache.tidy(folder, 450) == 0


def test_a_file_read_is_used_and_kept(tmp_path: Path) -> None:
    folder = tmp_path / "covers"
    _files(folder, {"old": 100, "new": 100}, {"old": 100, "new": 10})
    assert usercache.read(folder / "old", b"x") == b"x" * 100  # used now: the newest
    usercache.tidy(folder, 150)
    assert [p.name for p in folder.iterdir()] == ["old"]


def test_a_write_tidies_its_folder_at_most_once_an_hour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "covers"
    monkeypatch.setitem(usercache.LIMITS, "covers", 1000)
    _files(folder, {f"old-{n}": 400 for n in range(5)}, {f"old-{n}": 100 + n for n in range(5)})
    usercache.keep(folder / "new.png", b"y" * 300)
    # The oldest went until 1000 bytes were left; the new file stays.
    assert sorted(p.name for p in folder.iterdir() if p.name != usercache.TIDIED) == [
        "new.png",
        "old-0",
    ]
    _files(folder, {"more": 2000}, {"more": 5000})
    usercache.keep(folder / "newer.png", b"z")
    assert (folder / "more").exists()  # tidied less than an hour ago: not yet
    marker = folder / usercache.TIDIED
    os.utime(marker, (time.time() - usercache.TIDY_EVERY - 1,) * 2)
    usercache.keep(folder / "newest.png", b"z")
    assert not (folder / "more").exists()


def test_compiled_templates_are_tidied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setitem(usercache.LIMITS, "templates", 20_000)
    templates = user_template_cache()
    assert templates is not None
    stale = {f"__jinja2_stale{n}.cache": 8_000 for n in range(6)}
    _files(templates, stale, {name: 86_400 - n for n, name in enumerate(stale)})
    project = copy_project(tmp_path / "book", "minimal")
    (project / "layouts").mkdir()
    (project / "layouts" / "_title_page.html").write_text(
        '{% extends "builtin/_title_page.html" %}', "utf-8"
    )
    assert run_cli("build", str(project), "--format", "pdf", "--quiet").code == 0
    left = {p.name for p in templates.iterdir()}
    # The first template compiled tidied the folder: the stale files went, oldest first.
    assert left & set(stale) <= {"__jinja2_stale5.cache", "__jinja2_stale4.cache"}
    # The project's template, compiled, is kept.
    env = Layouts(project / "layouts", templates).env
    assert env.loader is not None and env.bytecode_cache is not None
    filename = env.loader.get_source(env, "_title_page.html")[1]
    key = env.bytecode_cache.get_cache_key("_title_page.html", filename)
    compiled = templates / f"__jinja2_{key}.cache"
    assert compiled.name in left
    # Loaded from the cache, it is marked used.
    os.utime(compiled, (1, 1))
    Layouts(project / "layouts", templates).env.get_template("_title_page.html")
    assert compiled.stat().st_mtime > time.time() - 60
