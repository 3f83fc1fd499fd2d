"""Every edition booktool can build, one line each: the CLI, the cache, the build and ``--json``
read them from here.

An edition is one module (a class on :class:`booktool.editions.base.Edition`) plus one
:class:`EditionSpec` in :data:`EDITIONS`, as a check rule is a function plus one line in
:mod:`booktool.checks.registry`. The spec names the class by its import path, so that reading
the registry (the CLI's ``--format`` choices, a no-op rebuild) loads none of the editions.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from booktool.editions.base import Edition

#: How an edition depends on the print layout: it lays it out itself ("self"), it takes where
#: the printed pages begin from it when the book has a page list ("page-map"), or not at all.
Layout = Literal["none", "self", "page-map"]


class EditionSpec(NamedTuple):
    """One edition: its name, where its output goes, what it needs and which options it reads.

    A named tuple, not a dataclass: the CLI reads the registry on every run, no-ops included.
    """

    #: Its ``--format`` value, and its name in the build cache and in ``--json``.
    name: str
    #: The class that makes it, as ``module:Class`` (imported only when the edition is made).
    edition: str
    #: Its output under ``build/``, ``{slug}`` replaced by the book's: a file, or a folder if
    #: it ends with ``/`` (written whole, then renamed into place).
    output: str
    #: Whether making it lays the print edition out (see :data:`Layout`).
    layout: Layout = "none"
    #: One of the editions ``--format all`` builds.
    in_all: bool = False
    #: It also has a flag of its own, ``--NAME``, that adds it to any ``--format``.
    flag: bool = False
    #: The print options (fields of :class:`booktool.options.PrintOptions`) it reads.
    options: tuple[str, ...] = ()
    #: One line for ``--help``.
    help: str = ""

    @property
    def folder(self) -> bool:
        """Whether the output is a folder of files rather than one file."""
        return self.output.endswith("/")

    def target(self, build_dir: Path, slug: str) -> Path:
        """Where the output of a book with ``slug`` goes."""
        return build_dir / self.output.rstrip("/").format(slug=slug)

    def load(self) -> type[Edition]:
        """The class that makes this edition (its ``format`` is this line's name)."""
        module, _, name = self.edition.partition(":")
        edition: type[Edition] = getattr(importlib.import_module(module), name)
        if edition.format != self.name:
            raise TypeError(f"{self.edition} is the {edition.format!r} edition, not {self.name!r}")
        return edition


#: Every edition, in the order a build makes them: the print edition first, since the EPUB's
#: page list comes from its layout.
EDITIONS: dict[str, EditionSpec] = {}


def register(spec: EditionSpec) -> EditionSpec:
    """Add an edition to the registry (after those already there)."""
    EDITIONS[spec.name] = spec
    return spec


register(
    EditionSpec(
        "pdf",
        "booktool.editions.pdf:PdfEdition",
        "{slug}.pdf",
        layout="self",
        in_all=True,
        options=("pdf_variant", "bleed", "marks"),
        help="the print PDF",
    )
)
register(
    EditionSpec(
        "epub",
        "booktool.editions.epub:EpubEdition",
        "{slug}.epub",
        layout="page-map",
        in_all=True,
        help="the EPUB 3",
    )
)
register(
    EditionSpec(
        "html",
        "booktool.editions.html:HtmlEdition",
        "{slug}.html",
        options=("bleed", "marks"),
        help="the print HTML, as WeasyPrint lays it out",
    )
)
register(
    EditionSpec(
        "booklet",
        "booktool.editions.pdf:BookletEdition",
        "{slug}-booklet.pdf",
        layout="self",
        flag=True,
        help="A5 pages two-up on A4 landscape, for saddle stitching",
    )
)
register(
    EditionSpec(
        "web",
        "booktool.editions.web:WebEdition",
        "{slug}-web/",
        help="the web edition: a folder of pages to open from disk or put on any web host",
    )
)
#: The edition whose layout gives the printed page numbers (the EPUB's page list), by the
#: value of ``page_references`` in book.yaml.
REFERENCE_EDITIONS = {"handout": "pdf", "booklet": "booklet"}


def reference_edition(page_references: str) -> str:
    """The print edition whose page numbers the EPUB's page list follows."""
    return REFERENCE_EDITIONS[page_references]


def names() -> list[str]:
    """Every edition's name, in build order."""
    return list(EDITIONS)


def default_formats() -> tuple[str, ...]:
    """What ``--format all`` builds."""
    return tuple(name for name, spec in EDITIONS.items() if spec.in_all)


def ordered(formats: Iterable[str]) -> list[EditionSpec]:
    """The specs of ``formats``, in build order."""
    wanted = set(formats)
    return [spec for name, spec in EDITIONS.items() if name in wanted]


def laid_out_formats(page_list: bool) -> tuple[str, ...]:
    """The editions whose build lays the print edition out: those that lay it out themselves,
    and those that take its page map if the book has a page list."""
    kinds = {"self", "page-map"} if page_list else {"self"}
    return tuple(name for name, spec in EDITIONS.items() if spec.layout in kinds)


def options_read(formats: Iterable[str]) -> list[str]:
    """The print options the editions of ``formats`` read, each once."""
    return list(dict.fromkeys(option for spec in ordered(formats) for option in spec.options))


class Output(NamedTuple):
    """One output of a build (a file or a folder): written now, or found current and left
    alone."""

    format: str
    path: Path
    size: int
    pages: int | None = None
    written: bool = True
