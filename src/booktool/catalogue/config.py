"""A catalogue folder: its ``catalogue.yaml`` (read as a typed schema, every error with its
line) and the projects it holds, in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from booktool.errors import InputError, display_path, input_error
from booktool.source.config import LANGUAGE_TAG
from booktool.source.schema import Collector
from booktool.source.yamlio import LineDict, LineList, load_yaml

CONFIG_NAME = "catalogue.yaml"
#: Folders of a catalogue that are never projects.
NOT_PROJECTS = frozenset({"layouts", "build"})

#: Every key of ``catalogue.yaml``, with what it means (the README lists the same).
KEYS = {
    "title": "The catalogue's name, the heading of build/index.html (default: the folder's).",
    "publisher": "Who publishes the series, shown on build/index.html.",
    "series": "The series the books belong to, shown on build/index.html.",
    "language": "The language of build/index.html's words, a BCP 47 tag (default: en).",
    "projects": "The project folders to build, in this order (default: every folder with a "
    "manuscript/book.yaml, by name).",
}


@dataclass(frozen=True)
class Catalogue:
    """A folder of booklet projects, with its shared house ``layouts/`` if it has one."""

    root: Path
    projects: list[Path]
    title: str
    publisher: str | None = None
    series: str | None = None
    #: The language of the catalogue page's own words.
    language: str = "en"
    #: Where each project's name was given (``catalogue.yaml``'s line), for its problems.
    lines: dict[Path, int] = field(default_factory=dict)

    @property
    def house(self) -> Path | None:
        """The shared layouts every project's own ``layouts/`` overrides file by file."""
        folder = self.root / "layouts"
        return folder if folder.is_dir() else None

    @property
    def build_dir(self) -> Path:
        return self.root / "build"


def is_project(folder: Path) -> bool:
    return (folder / "manuscript" / "book.yaml").is_file()


def open_catalogue(directory: Path) -> Catalogue:
    """The catalogue at ``directory``; an InputError naming every problem of its
    ``catalogue.yaml`` (or that it holds no project)."""
    root = directory.resolve()
    if not root.is_dir():
        raise input_error(
            directory,
            None,
            "no catalogue folder here",
            "name a folder of projects",
            code="catalogue",
        )
    path = root / CONFIG_NAME
    problems = Collector(path)
    data: LineDict = LineDict()
    if path.is_file():
        loaded = load_yaml(path.read_text("utf-8", "replace"), path)
        if isinstance(loaded, LineDict):
            data = loaded
        elif loaded is not None:
            problems.add(
                1,
                "catalogue.yaml must be a mapping of keys",
                "write 'key: value' lines",
                code="catalogue",
            )
    problems.unknown_keys(data, KEYS, "catalogue.yaml")
    title = problems.text(data, "title") or root.name
    publisher, series = problems.text(data, "publisher"), problems.text(data, "series")
    language = problems.text(data, "language") or "en"
    if not LANGUAGE_TAG.match(language):
        problems.add(
            data.line_of("language"),
            f"'{language}' is not a language tag",
            "use e.g. en",
            code="catalogue",
        )
    projects, lines = _listed(root, data, problems) if "projects" in data else (_found(root), {})
    if problems.problems:
        raise InputError(*problems.problems)
    if not projects:
        raise input_error(
            root,
            None,
            "no projects in this catalogue",
            "add project folders (each with manuscript/book.yaml), or list them under "
            "'projects:' in catalogue.yaml",
            code="no-projects",
        )
    return Catalogue(root, projects, title, publisher, series, language, lines)


def _found(root: Path) -> list[Path]:
    """Every folder of ``root`` holding a manuscript, by name (never a link out of it)."""
    return [
        folder
        for folder in sorted(root.iterdir())
        if folder.name not in NOT_PROJECTS
        and not folder.name.startswith(".")
        and folder.is_dir()
        and folder.resolve().parent == root
        and is_project(folder)
    ]


def _listed(root: Path, data: LineDict, problems: Collector) -> tuple[list[Path], dict[Path, int]]:
    """The projects ``catalogue.yaml`` names, each checked: a folder of the catalogue, once."""
    value = data["projects"]
    if not isinstance(value, LineList):
        problems.add(
            data.line_of("projects"),
            "'projects' must be a list of folder names",
            "write one '- name' line per project",
            code="catalogue",
        )
        return [], {}
    found: list[Path] = []
    lines: dict[Path, int] = {}
    for index, name in enumerate(value):
        line = value.line_of(index)
        if not isinstance(name, str) or not name.strip():
            problems.add(line, "a project must be a folder name", "write '- name'", "catalogue")
            continue
        folder = root / name.strip()
        if "/" in name.strip() or name.strip() in {".", ".."} or folder.name in NOT_PROJECTS:
            problems.add(
                line,
                f"'{name}' is not a folder name of this catalogue",
                "name a folder directly inside the catalogue",
                "catalogue",
            )
        elif folder.resolve().parent != root:
            problems.add(
                line,
                f"'{name}' leads outside the catalogue",
                "copy the project into the catalogue instead of linking to it",
                "outside-project",
            )
        elif not is_project(folder):
            problems.add(
                line,
                f"'{display_path(folder)}' has no manuscript/book.yaml",
                "create the project there, or remove the line",
                "no-manuscript",
            )
        elif folder in lines:
            problems.add(line, f"'{name}' is listed twice", "list each project once", "catalogue")
        else:
            found.append(folder)
            lines[folder] = line
    return found, lines
