"""Where a booklet project keeps its parts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from booktool.errors import input_error


@dataclass(frozen=True)
class Project:
    """A booklet project folder: ``manuscript/``, optional ``layouts/``, and ``build/``."""

    root: Path
    #: The house layouts of the catalogue the project is part of (its shared ``layouts/``),
    #: between the project's own and the built-in ones in the layout chain.
    house: Path | None = None

    @property
    def manuscript(self) -> Path:
        return self.root / "manuscript"

    @property
    def layouts(self) -> Path:
        return self.root / "layouts"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def book_file(self) -> Path:
        return self.manuscript / "book.yaml"

    @property
    def people_file(self) -> Path:
        return self.manuscript / "people.yaml"

    @classmethod
    def open(cls, directory: Path, house: Path | None = None) -> Project:
        """The project at ``directory`` (with the house layouts ``house``, in a catalogue); an
        InputError if it has no manuscript."""
        project = cls(directory.resolve(), house.resolve() if house is not None else None)
        if not project.book_file.is_file():
            raise input_error(
                project.book_file,
                None,
                "no manuscript here",
                "run 'booktool import SUMMARY.txt DIR' to start one, or name the project folder",
                code="no-manuscript",
            )
        return project
