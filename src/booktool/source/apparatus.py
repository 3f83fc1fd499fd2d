"""The study apparatus files beside the segments: chronology, figures and sources.

Each file is optional; each is read with line numbers and checked, and every problem found in
any of them is collected, so one run reports them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from booktool.errors import InputError, Problem
from booktool.model.book import ChronologyEntry, Figure
from booktool.source.chronology import read_chronology
from booktool.source.figures import read_figures
from booktool.source.sources import read_sources
from booktool.source.yamlio import load_yaml

CHRONOLOGY_FILE = "chronology.yaml"
FIGURES_FILE = "figures.yaml"
SOURCES_FILE = "sources.yaml"


@dataclass
class Apparatus:
    """The checked contents of the apparatus files."""

    chronology: list[ChronologyEntry] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    figure_media: dict[str, Path] = field(default_factory=dict)
    references: list[dict[str, Any]] = field(default_factory=list)
    sources_path: Path | None = None


def _load(path: Path, problems: list[Problem], read_text: Any) -> Any:
    if not path.is_file():
        return None
    try:
        return load_yaml(read_text(path), path)
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def load_apparatus(
    manuscript: Path, segment_ids: set[str] | None, problems: list[Problem], read_text: Any
) -> Apparatus:
    """Read whichever apparatus files exist in ``manuscript/``; problems are appended."""
    apparatus = Apparatus()
    chronology_path = manuscript / CHRONOLOGY_FILE
    apparatus.chronology = read_chronology(
        _load(chronology_path, problems, read_text), chronology_path, segment_ids, problems
    )
    figures_path = manuscript / FIGURES_FILE
    apparatus.figures, apparatus.figure_media = read_figures(
        _load(figures_path, problems, read_text), figures_path, manuscript, problems
    )
    sources_path = manuscript / SOURCES_FILE
    apparatus.references = read_sources(
        _load(sources_path, problems, read_text), sources_path, problems
    )
    if apparatus.references:
        apparatus.sources_path = sources_path
    return apparatus
