"""A no-op rebuild without loading the build: the state of every input, as ``make`` compares.

After a successful build, ``booktool build`` keeps a stamp in ``build/.cache/``: for every
file under ``manuscript/`` and ``layouts/`` its size, modification and change times and inode
(the state taken *before* the build read them, so a file edited during the build counts as
changed), the same for the outputs it wrote or found current, and what booktool's code and
installed packages are (booktool's own source files, the site-packages folder, the
interpreter). When the next build with the same options finds every one of them as recorded,
nothing can have changed: it reports what the last build made, now current, without importing
the build's stages, its templates or any renderer. Anything else
(a changed, added or removed file, other options, another booktool) takes the full path, whose
cache decides by content. Only the standard library is imported here.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
import sysconfig
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import booktool
from booktool.cache.seal import read_sealed, write_sealed

STAMP_VERSION = 2


def _state(path: str) -> list[int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


def _tree(folder: Path, leave_out: frozenset[str] = frozenset()) -> dict[str, list[int] | None]:
    """Every file and folder under ``folder`` (Python's bytecode caches, and the folders
    named in ``leave_out`` directly under it, left out)."""
    found: dict[str, list[int] | None] = {str(folder): _state(str(folder))}
    for root, directories, files in os.walk(folder):
        directories[:] = sorted(
            d
            for d in directories
            if d != "__pycache__" and not (root == str(folder) and d in leave_out)
        )
        for name in sorted(files + directories):
            path = os.path.join(root, name)
            found[path] = _state(path)
    return found


def inputs_state(
    root: Path, options: Iterable[str], house: Path | None = None
) -> dict[str, object]:
    """Everything a build's result depends on, as cheap file states and settings (with a
    catalogue's ``house`` layouts, if the project is part of one: a change there rebuilds)."""
    code = CODE
    found: dict[str, object] = {
        "version": STAMP_VERSION,
        "options": list(options),
        "epoch": os.environ.get("SOURCE_DATE_EPOCH"),
        "python": sys.executable,
        "packages": _state(sysconfig.get_path("purelib")),
        "booktool": {**_code_state(code), **_tree(code / "layouts")},
        "manuscript": _tree(root / "manuscript"),
        "layouts": _tree(root / "layouts"),
    }
    if house is not None:
        found["house"] = _tree(house)
    return found


#: booktool's own files: its modules and its built-in layouts.
CODE = Path(booktool.__file__).parent


@functools.cache
def _code_state(code: Path) -> dict[str, list[int] | None]:
    """booktool's own modules' states, read once per process: the code a process runs is the
    code it loaded (a later change is seen by the next process). A catalogue's client checks
    thousands of stamps with it. The built-in layouts, read at each build, are not in it."""
    return _tree(code, frozenset({"layouts"}))


def stamp_path(build_dir: Path) -> Path:
    return build_dir / ".cache" / "stamp.json"


def _outputs(paths: Iterable[Path]) -> dict[str, list[int] | None]:
    """The outputs' states: a file's own, every file of a folder output."""
    found: dict[str, list[int] | None] = {}
    for path in paths:
        found |= _tree(path) if path.is_dir() else {str(path): _state(str(path))}
    return found


def store(
    build_dir: Path, inputs: dict[str, object], outputs: Iterable[Path], report: dict[str, Any]
) -> None:
    """Keep the pre-build ``inputs``, the outputs' states now, and what a no-op rebuild
    reports (:meth:`booktool.build.BuildReport.to_record`)."""
    data = {"inputs": inputs, "outputs": _outputs(outputs), "report": report}
    try:
        write_sealed(stamp_path(build_dir), json.dumps(data).encode(), durable=False)
    except OSError:  # the outputs are written; without a stamp, the cache decides next time
        forget(build_dir)


def unchanged(build_dir: Path, inputs: dict[str, object]) -> dict[str, Any] | None:
    """What a no-op rebuild reports, if nothing the last build depended on has changed since;
    else None."""
    try:
        data = json.loads(read_sealed(stamp_path(build_dir)) or b"null")
        if data["inputs"] != json.loads(json.dumps(inputs)):
            return None
        if any(_state(path) != state for path, state in data["outputs"].items()):
            return None
        report: dict[str, Any] = data["report"]
        return report
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None


def forget(build_dir: Path) -> None:
    """Drop the stamp (a failed build: the next one takes the full path)."""
    with contextlib.suppress(OSError):  # build/ a file, or read-only: no stamp to trust
        stamp_path(build_dir).unlink(missing_ok=True)
