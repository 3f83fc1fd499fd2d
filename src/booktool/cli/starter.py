"""``booktool new``: a small, commented project that shows an editor every feature by example.

The files live in ``starter/`` beside this module; ``book.yaml`` gets a fresh identifier,
today's date and the comment that explains each key (:mod:`booktool.cli.keycomments`). An
existing manuscript is never overwritten.
"""

from __future__ import annotations

import datetime as dt
import string
import uuid
from pathlib import Path

from booktool.cache.output import write_atomic
from booktool.cli.keycomments import comment_keys
from booktool.errors import Problem, ProjectExistsError

STARTER = Path(__file__).parent / "starter"
#: Package data cannot hold dotfiles portably: these are renamed on the way out.
_RENAMED = {"gitignore": ".gitignore"}


def starter_files() -> list[Path]:
    """The starter's files, relative to its folder, in a fixed order."""
    return sorted(p.relative_to(STARTER) for p in STARTER.rglob("*") if p.is_file())


def create_project(directory: Path) -> list[Path]:
    """Write the starter project into ``directory``; the paths written."""
    if (directory / "manuscript").exists():
        raise ProjectExistsError(
            Problem(
                directory / "manuscript",
                None,
                "a manuscript is already there",
                "choose a new folder for the starter project",
                code="project-exists",
            )
        )
    values = {"identifier": f"urn:uuid:{uuid.uuid4()}", "date": dt.date.today().isoformat()}
    written = []
    for relative in starter_files():
        data = (STARTER / relative).read_bytes()
        if relative.name == "book.yaml":
            text = string.Template(data.decode("utf-8")).substitute(values)
            data = comment_keys(text).encode("utf-8")
        target = directory / relative.parent / _RENAMED.get(relative.name, relative.name)
        write_atomic(target, data)
        written.append(target)
    return written
