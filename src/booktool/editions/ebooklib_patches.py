"""Every use booktool makes of ebooklib's internals, in one place, and the public path beside it.

ebooklib has no option for ``xml:lang`` on the package element, for the navigation document's
markup, or for the zip entries' times. Its writer's private steps (``_write_opf_file``,
``_get_nav``, ``_write_*``) are overridden only on the versions they were tested on
(:data:`TESTED`); elsewhere, or if they fail, the package is written by ``epub.write_epub``
(public) and its OPF and nav are finished in the zip afterwards, to the same bytes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import quoteattr

from ebooklib import epub
from lxml import etree

from booktool.cache.installed import declared_version

#: The ebooklib versions the overridden writer steps were tested on (tests/test_epub.py writes
#: the package both ways and compares the bytes).
TESTED = frozenset({"0.20.0"})
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_CONTAINER = "META-INF/container.xml"
_OPF_NS = {"opf": "http://www.idpf.org/2007/opf"}
_ROOTFILE = "{urn:oasis:names:tc:opendocument:xmlns:container}rootfile"

#: What booktool does to the navigation document ebooklib makes: its bytes in, bytes out.
NavFinisher = Callable[[bytes], bytes]


def installed_version() -> str | None:
    """The installed ebooklib's version, read from its source without importing it again."""
    return declared_version("ebooklib")


def known() -> bool:
    """Whether the installed ebooklib is one the overridden writer steps were tested on."""
    return installed_version() in TESTED


class FixedTimeZip(zipfile.ZipFile):
    """A ZipFile whose entries all carry one timestamp and plain permissions."""

    date_time: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)

    def writestr(
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: Any,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.date_time)
            info.compress_type = compress_type if compress_type is not None else self.compression
            info.external_attr = 0o644 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)


def _options(moment: dt.datetime) -> dict[str, Any]:
    return {"raise_exceptions": True, "mtime": moment, "epub2_guide": True, "epub3_landmark": True}


def _zip_for(target: Any, moment: dt.datetime) -> FixedTimeZip:
    """The package's zip: fixed times (the book's date), the ``mimetype`` entry first."""
    zip_time = max(moment, dt.datetime(1980, 1, 1, tzinfo=dt.UTC))
    out = FixedTimeZip(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9)
    out.date_time = zip_time.timetuple()[:6]
    out.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
    return out


class _Writer(epub.EpubWriter):  # type: ignore[misc]
    """ebooklib's writer with xml:lang on the package, the nav finished, fixed zip entries.

    Reason: ebooklib offers no hook for any of the three; these private steps are its 0.20
    ones (``write``'s order, ``_write_opf_file(root)``, ``_get_nav(item) -> bytes``)."""

    def __init__(
        self,
        target: io.BytesIO,
        book: epub.EpubBook,
        language: str,
        moment: dt.datetime,
        finish_nav: NavFinisher,
    ) -> None:
        super().__init__(target, book, _options(moment))
        self.language = language
        self.moment = moment
        self.finish_nav = finish_nav

    def write(self) -> None:
        self.out = _zip_for(self.file_name, self.moment)
        self._write_container()
        self._write_opf()
        self._write_items()
        self.out.close()

    def _write_opf_file(self, root: Any) -> None:
        root.set(XML_LANG, self.language)
        super()._write_opf_file(root)

    def _get_nav(self, item: Any) -> bytes:
        return self.finish_nav(super()._get_nav(item))


def write_package(
    package: epub.EpubBook, language: str, moment: dt.datetime, finish_nav: NavFinisher
) -> bytes:
    """The EPUB's bytes: through the overridden writer on a tested ebooklib, else (or if it
    fails) through ``epub.write_epub`` and :func:`finished`. OSError and ValueError are the
    writer's own failures, raised either way."""
    if known():
        target = io.BytesIO()
        writer = _Writer(target, package, language, moment, finish_nav)
        writer.process()
        try:
            writer.write()
            return target.getvalue()
        except (OSError, ValueError):
            raise
        except Exception:  # a private step not as tested: the public path below
            with contextlib.suppress(Exception):
                writer.out.close()
    written = io.BytesIO()
    epub.write_epub(written, package, _options(moment) | {"compresslevel": 1})
    return finished(written.getvalue(), language, moment, finish_nav)


_PACKAGE_START = re.compile(rb"<package\b[^>]*?(?=/?>)")


def _with_language(content: bytes, opf: etree._Element, language: str) -> bytes:
    """The OPF with ``xml:lang`` last on its package element, the rest byte for byte (a
    parsed tree written again would close empty elements otherwise than ebooklib does)."""
    start = _PACKAGE_START.search(content)
    if start is None or XML_LANG in opf.attrib:
        opf.set(XML_LANG, language)
        return bytes(etree.tostring(opf, encoding="utf-8", xml_declaration=True))
    attribute = f" xml:lang={quoteattr(language)}".encode()
    return content[: start.end()] + attribute + content[start.end() :]


def finished(data: bytes, language: str, moment: dt.datetime, finish_nav: NavFinisher) -> bytes:
    """A package ``epub.write_epub`` wrote, made what the overridden writer writes: its
    entries in the same order with fixed times, ``xml:lang`` on the OPF's package element,
    the navigation document finished."""
    target = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, _zip_for(target, moment) as out:
        container = etree.fromstring(source.read(_CONTAINER))
        rootfile = container.find(f".//{_ROOTFILE}")
        opf_path = rootfile.get("full-path", "") if rootfile is not None else ""
        folder = opf_path.rpartition("/")[0]
        opf = etree.fromstring(source.read(opf_path))
        nav = opf.find(".//opf:manifest/opf:item[@properties='nav']", _OPF_NS)
        nav_path = f"{folder}/{nav.get('href')}" if nav is not None and folder else None
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "mimetype":
                continue  # written first by _zip_for
            if info.filename == opf_path:
                content = _with_language(content, opf, language)
            elif info.filename == nav_path:
                content = finish_nav(content)
            out.writestr(info.filename, content)
    return target.getvalue()
