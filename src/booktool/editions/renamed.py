"""A renamed book's old outputs: those booktool wrote under the former slug (the build cache's
manifest lists them), removed once the outputs under the new name are written.

The manifest is sealed to this machine, but what it may make booktool delete is bounded all the
same: only a file (or folder) in ``build/`` itself, named as an edition of the registry names
its output for a slug that is a plain file name, not a symlink, that holds exactly the bytes
booktool recorded, and that is not an output under the book's present name.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Collection
from pathlib import Path
from typing import NamedTuple

from booktool.cache.store import BuildCache, written_as
from booktool.editions.registry import EDITIONS
from booktool.source.text import slugify


class Former(NamedTuple):
    """An output written under an earlier slug."""

    format: str
    path: Path
    slug: str


def former_outputs(cache: BuildCache, build_dir: Path, slug: str) -> list[Former]:
    """The outputs the manifest records under another slug than ``slug`` that are still as
    booktool wrote them, in registry order."""
    present = {spec.target(build_dir, slug) for spec in EDITIONS.values()}
    found = []
    for name, spec in EDITIONS.items():
        record = cache.outputs.get(name)
        if record is None or not record.slug or record.slug == slug:
            continue
        if slugify(record.slug) != record.slug:  # not a plain file name: never a path
            continue
        target = spec.target(build_dir, record.slug)
        if target in present or target.parent != build_dir or target.is_symlink():
            continue
        if written_as(record, target):
            found.append(Former(name, target, record.slug))
    return found


def forget_former(cache: BuildCache, slug: str) -> None:
    """Drop the manifest's records of outputs written under another slug than ``slug``: those
    this build makes again are recorded anew, the others are gone (or no longer booktool's)."""
    for name, record in list(cache.outputs.items()):
        if record.slug and record.slug != slug:
            cache.forget(name)


def remove_outputs(former: Collection[Former]) -> list[Path]:
    """Remove ``former``'s files and folders; those removed (one that cannot be is left)."""
    removed = []
    for output in former:
        with contextlib.suppress(OSError):
            if output.path.is_dir():
                shutil.rmtree(output.path)
            else:
                output.path.unlink()
            removed.append(output.path)
    return removed
