"""The build cache under ``build/.cache/``: never in the manuscript, always safe to delete.

::

    build/.cache/
      manifest.json          what each output was made of: its inputs digest, the resources
                             it loaded, the file's own hash, size and pages
      pagemap.json           where each page of the last print layout begins, with the digest
                             and resources of the layout it came from (for the EPUB's page list)
      html/<sha256>.html     pandoc's HTML for one Markdown text, keyed by the hash of the text,
                             its id prefix, booktool's and pandoc's versions and the reader;
                             its first line is the checksum of the rest
      parts/<sha256>.pdf     one rendered part of the print edition (see booktool.parts), keyed
                             by the hash of its document and of every file it may load; a JSON
                             line (what the render reported, the PDF's checksum) before the PDF
      numbers-<key>.json     the page numbers of the last print layout (where each part begins,
                             the page of each anchor): the prediction the next render starts from

A fragment is looked up by content, so an edited segment misses and every other one hits. An
output is current when its inputs digest (see :meth:`HtmlEdition.digest`) is the one recorded
and the file on disk is the one that was written. A corrupt or foreign manifest counts as empty.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from booktool import __version__
from booktool.output import write_atomic

if TYPE_CHECKING:
    from booktool.pagemap import PageStart

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


def file_digest(path: Path) -> str | None:
    """The sha256 of a file's bytes, or None if it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class BuildCache:
    """Converted fragments by content hash and the record of each output, under ``build/``."""

    def __init__(self, build_dir: Path) -> None:
        self.directory = build_dir / CACHE_DIR
        self.fragments = self.directory / "html"
        self.manifest_path = self.directory / "manifest.json"
        self.outputs: dict[str, OutputRecord] = self._load()
        self.used: set[str] = set()
        self.parts = self.directory / "parts"
        self.parts_used: set[str] = set()

    def _load(self) -> dict[str, OutputRecord]:
        try:
            data: Any = json.loads(self.manifest_path.read_text("utf-8"))
            if data.get("version") != MANIFEST_VERSION or data.get("booktool") != __version__:
                return {}
            return {name: OutputRecord(**record) for name, record in data["outputs"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return {}

    def fragment(self, key: str) -> str | None:
        """The HTML cached for a Markdown text's key, or None."""
        try:
            stored = (self.fragments / f"{key}.html").read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        checksum, _, html = stored.partition("\n")
        if checksum != hashlib.sha256(html.encode("utf-8")).hexdigest():
            return None  # damaged by hand: convert again
        self.used.add(key)
        return html

    def store_fragment(self, key: str, html: str) -> None:
        """Keep ``html`` under ``key``, after a line with its own checksum."""
        checksum = hashlib.sha256(html.encode("utf-8")).hexdigest()
        data = f"{checksum}\n{html}".encode()
        write_atomic(self.fragments / f"{key}.html", data, durable=False)  # checksummed
        self.used.add(key)

    def current(self, name: str, digest: str, target: Path) -> OutputRecord | None:
        """The record of ``name`` if it was made from ``digest`` and ``target`` is unchanged."""
        record = self.outputs.get(name)
        if record is None or record.digest != digest:
            return None
        try:
            if target.stat().st_size != record.size:
                return None
        except OSError:
            return None
        return record if file_digest(target) == record.sha256 else None

    @property
    def page_map_path(self) -> Path:
        return self.directory / "pagemap.json"

    def page_map(self) -> tuple[str, list[str], list[PageStart]] | None:
        """The last print layout's page starts: its digest, resources and starts."""
        from booktool.pagemap import PageStart  # lxml: not loaded before pandoc starts

        try:
            data: Any = json.loads(self.page_map_path.read_text("utf-8"))
            if data.get("booktool") != __version__:
                return None
            starts = [PageStart(**fields) for fields in data["starts"]]
            return str(data["digest"]), [str(r) for r in data["resources"]], starts
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None

    def store_page_map(self, digest: str, resources: list[str], starts: list[PageStart]) -> None:
        data = {
            "booktool": __version__,
            "digest": digest,
            "resources": sorted(set(resources)),
            "starts": [start.as_dict() for start in starts],
        }
        write_atomic(self.page_map_path, (json.dumps(data, indent=1) + "\n").encode())

    def part(self, key: str) -> tuple[dict[str, Any], bytes] | None:
        """A rendered part: what its render reported and its PDF, or None."""
        try:
            stored = (self.parts / f"{key}.pdf").read_bytes()
            header, _, pdf = stored.partition(b"\n")
            data: Any = json.loads(header)
            if data.pop("sha256") != hashlib.sha256(pdf).hexdigest():
                return None  # damaged: render again
        except (OSError, ValueError, KeyError, AttributeError, TypeError):
            return None
        self.parts_used.add(key)
        return data, pdf

    def store_part(self, key: str, report: dict[str, Any], pdf: bytes) -> None:
        header = json.dumps({**report, "sha256": hashlib.sha256(pdf).hexdigest()})
        write_atomic(self.parts / f"{key}.pdf", header.encode() + b"\n" + pdf, durable=False)
        self.parts_used.add(key)

    def numbers(self, key: str) -> dict[str, Any] | None:
        """The page numbers stored under ``key``, as plain data (see booktool.parts)."""
        try:
            data: Any = json.loads((self.directory / f"numbers-{key}.json").read_text("utf-8"))
            return data if isinstance(data, dict) and data.get("booktool") == __version__ else None
        except (OSError, ValueError):
            return None

    def store_numbers(self, key: str, data: dict[str, Any]) -> None:
        text = json.dumps({**data, "booktool": __version__}, sort_keys=True)
        write_atomic(self.directory / f"numbers-{key}.json", text.encode(), durable=False)

    def remember(self, name: str, record: OutputRecord) -> None:
        self.outputs[name] = record

    def save(self) -> None:
        """Write the manifest, and drop fragments this build did not use."""
        data = {
            "version": MANIFEST_VERSION,
            "booktool": __version__,
            "outputs": {name: asdict(record) for name, record in sorted(self.outputs.items())},
        }
        write_atomic(
            self.manifest_path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode()
        )
        if self.fragments.is_dir():
            for path in self.fragments.glob("*.html"):
                if path.stem not in self.used:
                    path.unlink(missing_ok=True)
        if self.parts_used:  # parts were rendered or reused: the others are out of date
            for path in self.parts.glob("*.pdf"):
                if path.stem not in self.parts_used:
                    path.unlink(missing_ok=True)
