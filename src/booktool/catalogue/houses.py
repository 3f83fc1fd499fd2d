"""The catalogue's house layouts a cluster worker has unpacked, kept by their content.

Every book of a catalogue carries the same house layouts; a worker unpacks them once, into a
folder named by the digest of their files, and builds the next book carrying the same files
against that folder. The folder's path then stays the same from book to book, as the house
folder of a local catalogue does, so Jinja's compiled templates (keyed by their file's path) are
found again rather than compiled for each book. Nothing is believed blindly: before a kept
folder is used its files are read and digested again, and a folder that no longer holds what
its name says is unpacked afresh. The folders live in one private folder per worker process
(``mkdtemp``, mode 0700), removed when the process ends; only the last few are kept.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from pathlib import Path

from booktool.cache.folder import folder_digest, read_folder

#: House layouts kept at once by a worker process (the latest used).
KEEP = 4


class HouseCache:
    """House layouts by the digest of their files, in a private folder of this process."""

    def __init__(self, keep: int = KEEP) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="booktool-houses-"))
        self.keep = keep
        #: Digests, the latest used last.
        self.order: list[str] = []
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.root, ignore_errors=True)

    def folder(self, files: dict[str, bytes]) -> Path:
        """A folder holding exactly ``files`` (paths relative to it): one kept from an earlier
        book if its files are still these, else written now."""
        digest = folder_digest(files)[1]
        path = self.root / digest
        if digest in self.order:
            self.order.remove(digest)
            found = read_folder(path) if path.is_dir() else None
            if found is None or folder_digest(found)[1] != digest:
                shutil.rmtree(path, ignore_errors=True)
        if not path.is_dir():
            self._write(path, files)
        self.order.append(digest)
        for old in self.order[: -self.keep]:
            shutil.rmtree(self.root / old, ignore_errors=True)
        del self.order[: -self.keep]
        return path

    def _write(self, path: Path, files: dict[str, bytes]) -> None:
        """Write ``files`` beside ``path``, then rename the folder into place."""
        temporary = Path(tempfile.mkdtemp(prefix=".writing-", dir=self.root))
        try:
            for name, data in files.items():
                target = temporary / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            os.replace(temporary, path)
        finally:
            shutil.rmtree(temporary, ignore_errors=True)

    def close(self) -> None:
        """Remove every kept folder now."""
        self._cleanup()
