"""``figures.yaml``: the numbered figures of the appendix: charts, tables and images.

Every figure needs alt text and a source. Charts are drawn by booktool from their data (the
same SVG in both editions) and their data is also given as a table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from booktool.errors import Problem
from booktool.model.book import DataPoint, Figure
from booktool.source.ids import id_problem
from booktool.source.media import Refusal, resolve_local
from booktool.source.schema import unknown_keys
from booktool.source.timecode import timecode_value
from booktool.source.yamlio import LineDict, LineList

APPENDIX = "A"
KINDS = ("chart", "table", "image")
FIGURE_KEYS = {
    "id": "The figure's id for cross-references: [@fig:ID]. Required.",
    "kind": "chart (a bar chart drawn from data), table, or image. Required.",
    "title": "The figure's title, after 'Figure A.n'. Required.",
    "alt": "What the figure shows, for readers who cannot see it. Required.",
    "source": "Where the figure's facts come from. Required.",
    "unit": "chart: the unit of the values (e.g. million deaths).",
    "data": "chart: a list of {label, value, at: HH:MM:SS, note}.",
    "columns": "table: the column headings.",
    "rows": "table: a list of rows, each a list of cells.",
    "file": "image: the image file, relative to manuscript/.",
    "caption": "image: a caption under the image.",
    "credit": "image: who made the image.",
}
POINT_KEYS = {"label", "value", "at", "note"}
#: The largest value a chart draws: its scale and labels stay exact numbers (no .inf or .nan).
MAX_VALUE = 1e15


def read_figures(
    data: Any, path: Path, manuscript: Path, problems: list[Problem]
) -> tuple[list[Figure], dict[str, Path]]:
    """Checked figures, numbered A.1, A.2 …, and the image files they carry."""
    if data is None:
        return [], {}
    if not isinstance(data, LineList):
        problems.append(
            Problem(
                path,
                1,
                "figures.yaml must be a list of figures",
                "write '- id: …' items",
                code="figure",
            )
        )
        return [], {}
    figures: list[Figure] = []
    media: dict[str, Path] = {}
    seen: dict[str, int] = {}
    for index, item in enumerate(data):
        line = data.line_of(index)
        if not isinstance(item, LineDict):
            problems.append(Problem(path, line, "a figure must be a mapping", code="figure"))
            continue
        number = f"{APPENDIX}.{len(figures) + 1}"
        figure = _read_figure(item, number, path, manuscript, problems, media)
        if figure is None:
            continue
        if figure.id in seen:
            problems.append(
                Problem(
                    path,
                    item.line_of("id"),
                    f"figure id '{figure.id}' is used twice (first on line {seen[figure.id]})",
                    "give each figure its own id",
                    code="duplicate-id",
                )
            )
            continue
        seen[figure.id] = line
        figures.append(figure)
    return figures, media


def _text(
    item: LineDict,
    key: str,
    path: Path,
    problems: list[Problem],
    *,
    required: bool,
    what: str = "a figure",
) -> str:
    value = item.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(
                Problem(
                    path,
                    item.line_of(key),
                    f"{what} needs '{key}'",
                    FIGURE_KEYS.get(key, ""),
                    code="missing-key",
                )
            )
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.append(Problem(path, item.line_of(key), f"'{key}' must be text", code="figure"))
        return ""
    return str(value).strip()


def _read_figure(
    item: LineDict,
    number: str,
    path: Path,
    manuscript: Path,
    problems: list[Problem],
    media: dict[str, Path],
) -> Figure | None:
    before = len(problems)
    problems += unknown_keys(item, FIGURE_KEYS, "a figure", path)
    figure_id = _text(item, "id", path, problems, required=True)
    if figure_id and (bad := id_problem(path, item.line_of("id"), "figure", figure_id)):
        problems.append(bad)
    kind = _text(item, "kind", path, problems, required=True)
    if kind and kind not in KINDS:
        problems.append(
            Problem(
                path,
                item.line_of("kind"),
                f"figure kind '{kind}' is unknown",
                "use chart, table or image",
                code="figure",
            )
        )
    fields: dict[str, Any] = {
        key: _text(item, key, path, problems, required=True) for key in ("title", "alt", "source")
    }
    fields["unit"] = _text(item, "unit", path, problems, required=False)
    if kind == "chart":
        fields["points"] = _read_points(item, path, problems)
    elif kind == "table":
        fields["columns"], fields["rows"] = _read_table(item, path, problems)
    elif kind == "image":
        file = _text(item, "file", path, problems, required=True)
        fields["caption"] = _text(item, "caption", path, problems, required=False)
        fields["credit"] = _text(item, "credit", path, problems, required=False)
        if file:
            try:
                href, real = resolve_local(file, manuscript, manuscript)
                media[href] = real
                fields["image"] = href
            except Refusal as refusal:
                problems.append(
                    Problem(
                        path,
                        item.line_of("file"),
                        f"image '{file}' {refusal.message}",
                        refusal.hint,
                        code=refusal.code,
                    )
                )
    if len(problems) > before:
        return None
    return Figure(id=figure_id, number=number, kind=kind, **fields)


def _read_points(item: LineDict, path: Path, problems: list[Problem]) -> list[DataPoint]:
    data = item.get("data")
    if not isinstance(data, LineList) or not data:
        problems.append(
            Problem(
                path,
                item.line_of("data"),
                "a chart needs 'data'",
                "a list of {label, value, at}",
                code="missing-key",
            )
        )
        return []
    points = []
    for index, point in enumerate(data):
        line = data.line_of(index)
        if not isinstance(point, LineDict):
            problems.append(
                Problem(path, line, "a data point must be {label, value, at}", code="figure")
            )
            continue
        problems += unknown_keys(point, POINT_KEYS, "a data point", path)
        label = _text(point, "label", path, problems, required=True, what="a data point")
        value = point.get("value")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not 0 <= value <= MAX_VALUE
        ):
            problems.append(
                Problem(
                    path,
                    point.line_of("value"),
                    f"a data point needs a number 'value' from 0 to {MAX_VALUE:.0e}",
                    "write the value in larger units (e.g. million) if it is larger",
                    code="figure",
                )
            )
            continue
        at = None
        if point.get("at") is not None:
            try:
                at = timecode_value(point["at"])
            except ValueError as exc:
                problems.append(
                    Problem(path, point.line_of("at"), f"'at': {exc}", code="bad-timestamp")
                )
        note = _text(point, "note", path, problems, required=False)
        points.append(DataPoint(label, float(value), at, note))
    return points


def _read_table(
    item: LineDict, path: Path, problems: list[Problem]
) -> tuple[list[str], list[list[str]]]:
    columns, rows = item.get("columns"), item.get("rows")
    if not isinstance(columns, list) or not columns:
        problems.append(
            Problem(path, item.line_of("columns"), "a table needs 'columns'", code="missing-key")
        )
        return [], []
    if not isinstance(rows, LineList) or not rows:
        problems.append(
            Problem(path, item.line_of("rows"), "a table needs 'rows'", code="missing-key")
        )
        return [], []
    checked = []
    for index, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(columns):
            problems.append(
                Problem(
                    path,
                    rows.line_of(index),
                    f"a row must have {len(columns)} cells, like the columns",
                    code="figure",
                )
            )
            continue
        checked.append(["" if cell is None else str(cell) for cell in row])
    return [str(c) for c in columns], checked
