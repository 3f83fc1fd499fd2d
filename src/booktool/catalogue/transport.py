"""A project's files carried to a cluster worker, and its built files carried back.

A worker shares no file system with the client: a book's task carries its inputs as one tar
archive (``project/manuscript/``, ``project/layouts/`` and the catalogue's ``house/``
layouts; never ``build/``), capped in size and number of files; links are refused, since what
a link leads to is outside what was sent. The worker unpacks it into a fresh folder, checking
every member again (a regular file or folder, inside that folder), and sends back the built
files by their path under the project; the client writes each one atomically into the
project's own ``build/``.
"""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from booktool.cache.output import write_atomic
from booktool.catalogue.houses import HouseCache
from booktool.errors import InputError, Problem
from booktool.limits import MAX_SENT_BYTES, MAX_SENT_FILE_BYTES, MAX_SENT_FILES

#: What of a project a worker needs: its inputs, as the stamp counts them.
SENT_FOLDERS = ("manuscript", "layouts")


def _refused(path: Path, message: str, hint: str) -> InputError:
    return InputError(Problem(path, None, message, hint, code="too-large-to-send"))


def pack(root: Path, house: Path | None) -> bytes:
    """The project's inputs (and the house layouts) as a tar archive."""
    members: list[tuple[str, Path]] = []
    for folder in SENT_FOLDERS:
        members += _files(root / folder, f"project/{folder}")
    if house is not None:
        members += _files(house, "house")
    if len(members) > MAX_SENT_FILES:
        raise _refused(
            root, f"the project has more than {MAX_SENT_FILES} files", "remove unused files"
        )
    buffer = io.BytesIO()
    total = 0
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, path in members:
            size = path.stat().st_size
            total += size
            if size > MAX_SENT_FILE_BYTES:
                raise _refused(
                    path,
                    f"the file is over the {MAX_SENT_FILE_BYTES // 1048576} MiB a book may send",
                    "shrink it",
                )
            if total > MAX_SENT_BYTES:
                raise _refused(
                    root,
                    f"the project's files are over {MAX_SENT_BYTES // 1048576} MiB",
                    "shrink its images",
                )
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = size, 0o644, 0
            with path.open("rb") as handle:
                archive.addfile(info, handle)
    return buffer.getvalue()


def _files(folder: Path, prefix: str) -> list[tuple[str, Path]]:
    """Every file under ``folder`` by its name in the archive; a link is refused."""
    if folder.is_symlink():
        raise _linked(folder)
    if not folder.is_dir():
        return []
    found: list[tuple[str, Path]] = []
    for top, directories, files in os.walk(folder):
        directories.sort()
        for name in sorted(files + directories):
            path = Path(top, name)
            if path.is_symlink():
                raise _linked(path)
            if path.is_file():
                found.append((f"{prefix}/{path.relative_to(folder).as_posix()}", path))
    return found


def _linked(path: Path) -> InputError:
    return InputError(
        Problem(
            path,
            None,
            "a link cannot be sent to a cluster worker",
            "copy the file into the project instead of linking to it",
            code="outside-project",
        )
    )


def unpack(data: bytes, into: Path, houses: HouseCache | None = None) -> tuple[Path, Path | None]:
    """Unpack an archive :func:`pack` made into the empty folder ``into``: the project's
    folder and the house layouts' (None if none were sent). Every member is checked first:
    a regular file or a folder, under ``project/`` or ``house/``, within the caps. With
    ``houses`` (a cluster worker's), the house layouts' folder is the one kept there for
    exactly these files, instead of one under ``into``."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        members = archive.getmembers()
        if len(members) > MAX_SENT_FILES:
            raise ValueError("too many files in a book's archive")
        total = 0
        for member in members:
            parts = PurePosixPath(member.name).parts
            if (
                not (member.isfile() or member.isdir())
                or member.name.startswith("/")
                or ".." in parts
                or not parts
                or parts[0] not in ("project", "house")
                or member.size > MAX_SENT_FILE_BYTES
            ):
                raise ValueError(f"refused member of a book's archive: {member.name!r}")
            total += member.size
            if total > MAX_SENT_BYTES:
                raise ValueError("a book's archive is too large")
        if houses is None:
            archive.extractall(into, members=members, filter="data")
        else:
            ours = [m for m in members if PurePosixPath(m.name).parts[0] == "project"]
            archive.extractall(into, members=ours, filter="data")
            kept = _house_files(archive, members)
    project = into / "project"
    project.mkdir(exist_ok=True)
    if houses is not None:
        return project, houses.folder(kept) if kept else None
    house = into / "house"
    return project, house if house.is_dir() else None


def _house_files(archive: tarfile.TarFile, members: list[tarfile.TarInfo]) -> dict[str, bytes]:
    """The house layouts' files in the archive (its members checked), by their path in the
    house folder."""
    files: dict[str, bytes] = {}
    for member in members:
        parts = PurePosixPath(member.name).parts
        if parts[0] != "house" or not member.isfile() or len(parts) < 2:
            continue
        handle = archive.extractfile(member)
        if handle is None:  # pragma: no cover - a regular file always has its data
            raise ValueError(f"unreadable member of a book's archive: {member.name!r}")
        files[PurePosixPath(*parts[1:]).as_posix()] = handle.read()
    return files


def collect(root: Path, outputs: Iterable[str]) -> dict[str, bytes]:
    """The built files of ``outputs`` (paths under ``root``, each a file or a folder), by
    their path under ``root``."""
    files: dict[str, bytes] = {}
    for output in outputs:
        path = root / output
        paths = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for each in paths:
            files[each.relative_to(root).as_posix()] = each.read_bytes()
    return files


def write_back(root: Path, files: dict[str, bytes], outputs: Iterable[str]) -> None:
    """Write the built ``files`` into the project at ``root``: each under ``build/`` only, a
    file atomically, a folder output whole (written beside it, then renamed into place)."""
    build_dir = root / "build"
    for output in outputs:
        name = PurePosixPath(output)
        if name.parts[:1] != ("build",) or ".." in name.parts or len(name.parts) != 2:
            raise ValueError(f"a worker sent an output outside build/: {output!r}")
        mine = {k: v for k, v in files.items() if k == output or k.startswith(output + "/")}
        target = root / output
        if list(mine) == [output]:
            write_atomic(target, mine[output])
            continue
        build_dir.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=build_dir))
        try:
            for key, data in mine.items():
                inner = PurePosixPath(key).relative_to(output)
                if ".." in inner.parts:
                    raise ValueError(f"a worker sent a path outside its output: {key!r}")
                path = temporary / inner
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            old = build_dir / f".{target.name}.old"
            if target.exists():
                shutil.rmtree(old, ignore_errors=True)
                os.replace(target, old)
            os.replace(temporary, target)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(temporary, ignore_errors=True)
