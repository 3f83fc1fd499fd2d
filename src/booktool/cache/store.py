"""The build cache under ``build/.cache/``: never in the manuscript, always safe to delete.

::

    build/.cache/
      manifest.json          what each output was made of: its inputs digest, the resources
                             it loaded, the file's own hash, size and pages
      pagemap.json           where each page of the last print layout begins, with the digest
                             and resources of the layout it came from (for the EPUB's page list)
      fragments.pack         pandoc's HTML for each Markdown text the last build used, keyed by
                             the hash of the text, its id prefix, booktool's and pandoc's
                             versions and the reader: a JSON line (each fragment's key, place
                             and checksum), then the fragments, one after another
      parts/<sha256>.pdf     one rendered part of the print edition (render/parts.py), keyed
                             by the hash of its document and of every file it may load; a JSON
                             line (what the render reported, the PDF's checksum) before the PDF
      cover.png              the EPUB's cover picture (editions/cover.py): a JSON line (the
                             hash of its inputs, the PNG's checksum) before the PNG; one
                             cover, the last build's
      numbers-<key>.json     the page numbers of the last print layout (where each part begins,
                             the page of each anchor): the prediction the next render starts from

A fragment is looked up by content, so an edited segment misses and every other one hits. The
fragments are one file, written once a build's conversion ends, not one file each (creating
files is what that would cost). An output is current when its inputs digest (see
:meth:`Edition.digest`) is the one recorded and the file or folder on disk is the one that was
written. Every file is sealed to this machine (:mod:`booktool.cache.seal`): one that is
damaged, or came from elsewhere, counts as absent.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from booktool import __version__
from booktool.cache.folder import folder_digest, read_folder
from booktool.cache.output import write_atomic
from booktool.cache.seal import read_sealed, seal, unseal, write_sealed

if TYPE_CHECKING:
    from booktool.editions.pagemap import PageStart

CACHE_DIR = ".cache"
MANIFEST_VERSION = 2


@dataclass(frozen=True)
class OutputRecord:
    """What the last build of one output was made of, and what it wrote."""

    digest: str
    resources: list[str]
    sha256: str
    size: int
    pages: int | None = None
    #: What making it warned about, as :meth:`Problem.to_record` data.
    warnings: list[dict[str, Any]] = field(default_factory=list)
    #: The book's slug it was written under (its file name), so that a renamed book's old
    #: outputs can be removed; empty in a manifest from before it was kept.
    slug: str = ""
    #: The files it wrote beside it in ``build/`` (the print HTML's style sheets and fonts).
    beside: list[str] = field(default_factory=list)


def file_digest(path: Path) -> str | None:
    """The sha256 of a file's bytes, or None if it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def written_as(record: OutputRecord, target: Path) -> bool:
    """Whether ``target`` (a file or a folder) holds the bytes ``record`` says were written."""
    if target.is_dir():
        files = read_folder(target)
        return files is not None and folder_digest(files)[1] == record.sha256
    try:
        if target.stat().st_size != record.size:
            return False
    except OSError:
        return False
    return file_digest(target) == record.sha256


class BuildCache:
    """Converted fragments by content hash and the record of each output, under ``build/``."""

    def __init__(self, build_dir: Path) -> None:
        self.directory = build_dir / CACHE_DIR
        self.fragments_path = self.directory / "fragments.pack"
        self._pack: dict[str, bytes] | None = None
        self.manifest_path = self.directory / "manifest.json"
        self.outputs: dict[str, OutputRecord] = self._load()
        #: The fragments this build used (from the cache or new), by key.
        self.used: dict[str, bytes] = {}
        self.parts = self.directory / "parts"
        self.parts_used: set[str] = set()

    def _load(self) -> dict[str, OutputRecord]:
        try:
            data: Any = json.loads(read_sealed(self.manifest_path) or b"null")
            if data.get("version") != MANIFEST_VERSION or data.get("booktool") != __version__:
                return {}
            return {name: OutputRecord(**record) for name, record in data["outputs"].items()}
        except (OSError, ValueError, RecursionError, TypeError, KeyError, AttributeError):
            return {}

    def fragment(self, key: str) -> str | None:
        """The HTML cached for a Markdown text's key, or None."""
        data = self.packed().get(key)
        if data is None:
            return None
        try:
            html = data.decode("utf-8")
        except UnicodeDecodeError:  # a checksum that fits bytes booktool did not write
            return None
        self.used[key] = data
        return html

    def has_fragment(self, key: str) -> bool:
        """Whether the cache holds HTML for ``key`` (unchecked: a guess, that costs nothing)."""
        return key in self.packed()

    def packed(self) -> dict[str, bytes]:
        """The last build's fragments by key, read on first use; a fragment whose checksum
        fails (damaged by hand) is left out, and converted again."""
        if self._pack is None:
            self._pack = {}
            try:
                data = self.fragments_path.read_bytes()
                mac, _, rest = data.partition(b"\n")
                head, _, body = rest.partition(b"\n")
                index: Any = json.loads(unseal(mac + b"\n" + head) or b"null")
                for key, start, size, checksum in index["fragments"]:
                    chunk = body[start : start + size]
                    if hashlib.sha256(chunk).hexdigest() == checksum:
                        self._pack[str(key)] = chunk
            except (OSError, ValueError, RecursionError, TypeError, KeyError):
                pass
        return self._pack

    def store_fragments(self, fragments: dict[str, str]) -> None:
        """Keep ``fragments`` (new HTML by key) with those this build used from the cache, in
        one file, for the next build; the fragments it did not use are dropped. Not written
        when that is what the file already holds."""
        for key, html in fragments.items():
            self.used[key] = html.encode("utf-8")
        if not fragments and self.used.keys() == self.packed().keys():
            return
        index, chunks, start = [], [], 0
        for key in sorted(self.used):
            chunk = self.used[key]
            index.append([key, start, len(chunk), hashlib.sha256(chunk).hexdigest()])
            chunks.append(chunk)
            start += len(chunk)
        head = json.dumps({"fragments": index}, separators=(",", ":")).encode()
        # Not synced to disk: a pack lost in a crash only means converting again. The index
        # is sealed, and holds each fragment's checksum.
        pack = b"\n".join([seal(head), b"".join(chunks)])
        write_atomic(self.fragments_path, pack, durable=False)

    def current(self, name: str, digest: str, target: Path) -> OutputRecord | None:
        """The record of ``name`` if it was made from ``digest`` and ``target`` (a file or a
        folder) is unchanged."""
        record = self.outputs.get(name)
        if record is None or record.digest != digest:
            return None
        return record if written_as(record, target) else None

    def forget(self, name: str) -> None:
        """Drop the record of ``name`` (its output is gone)."""
        self.outputs.pop(name, None)

    @property
    def page_map_path(self) -> Path:
        return self.directory / "pagemap.json"

    def page_map(self) -> tuple[str, list[str], list[PageStart]] | None:
        """The last print layout's page starts: its digest, resources and starts."""
        from booktool.editions.pagemap import PageStart  # lxml: not loaded before pandoc starts

        try:
            data: Any = json.loads(read_sealed(self.page_map_path) or b"null")
            if data.get("booktool") != __version__:
                return None
            starts = [PageStart(**fields) for fields in data["starts"]]
            return str(data["digest"]), [str(r) for r in data["resources"]], starts
        except (OSError, ValueError, RecursionError, TypeError, KeyError, AttributeError):
            return None

    def store_page_map(self, digest: str, resources: list[str], starts: list[PageStart]) -> None:
        data = {
            "booktool": __version__,
            "digest": digest,
            "resources": sorted(set(resources)),
            "starts": [start.as_dict() for start in starts],
        }
        write_sealed(self.page_map_path, (json.dumps(data, indent=1) + "\n").encode())

    def part(self, key: str) -> tuple[dict[str, Any], bytes] | None:
        """A rendered part: what its render reported and its PDF, or None."""
        try:
            stored = read_sealed(self.parts / f"{key}.pdf")
            if stored is None:
                return None  # absent, damaged, or not made here
            header, _, pdf = stored.partition(b"\n")
            data: Any = json.loads(header)
            if data.pop("sha256") != hashlib.sha256(pdf).hexdigest():
                return None  # damaged: render again
        except (OSError, ValueError, RecursionError, KeyError, AttributeError, TypeError):
            return None
        self.parts_used.add(key)
        return data, pdf

    def store_part(self, key: str, report: dict[str, Any], pdf: bytes) -> None:
        header = json.dumps({**report, "sha256": hashlib.sha256(pdf).hexdigest()})
        write_sealed(self.parts / f"{key}.pdf", header.encode() + b"\n" + pdf, durable=False)
        self.parts_used.add(key)

    def cover(self, key: str) -> bytes | None:
        """The cover picture (PNG) made from inputs hashed to ``key``; None if the cover kept
        is another's, or damaged."""
        try:
            stored = read_sealed(self.directory / "cover.png")
            if stored is None:
                return None
            header, _, png = stored.partition(b"\n")
            data: Any = json.loads(header)
            if data["key"] != key or data["sha256"] != hashlib.sha256(png).hexdigest():
                return None
            return png
        except (OSError, ValueError, RecursionError, KeyError, TypeError):
            return None

    def has_cover(self) -> bool:
        """Whether a cover picture is kept (unchecked: a guess, that costs nothing)."""
        return (self.directory / "cover.png").is_file()

    def store_cover(self, key: str, png: bytes) -> None:
        header = {"key": key, "sha256": hashlib.sha256(png).hexdigest()}
        write_sealed(self.directory / "cover.png", json.dumps(header).encode() + b"\n" + png)

    def numbers(self, key: str) -> dict[str, Any] | None:
        """The page numbers stored under ``key``, as plain data (see booktool.render.parts)."""
        try:
            data: Any = json.loads(read_sealed(self.directory / f"numbers-{key}.json") or b"null")
            return data if isinstance(data, dict) and data.get("booktool") == __version__ else None
        except (OSError, ValueError, RecursionError):
            return None

    def store_numbers(self, key: str, data: dict[str, Any]) -> None:
        text = json.dumps({**data, "booktool": __version__}, sort_keys=True)
        write_sealed(self.directory / f"numbers-{key}.json", text.encode(), durable=False)

    def remember(self, name: str, record: OutputRecord) -> None:
        self.outputs[name] = record

    def save(self) -> None:
        """Write the manifest (the fragments were written when the conversion ended)."""
        data = {
            "version": MANIFEST_VERSION,
            "booktool": __version__,
            "outputs": {name: asdict(record) for name, record in sorted(self.outputs.items())},
        }
        write_sealed(
            self.manifest_path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode()
        )
        old_fragments = self.directory / "html"  # one file a fragment, as earlier builds kept them
        if old_fragments.is_dir():
            shutil.rmtree(old_fragments, ignore_errors=True)
        if self.parts_used:  # parts were rendered or reused: the others are out of date
            for path in self.parts.glob("*.pdf"):
                if path.stem not in self.parts_used:
                    path.unlink(missing_ok=True)
