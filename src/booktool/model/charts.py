"""Bar charts drawn from a figure's data: the geometry, computed here; the SVG, a layout."""

from __future__ import annotations

import math
from dataclasses import dataclass

from booktool.model.book import Figure
from booktool.model.typography import smarten
from booktool.source.ids import file_stem
from booktool.source.timecode import format_timecode

WIDTH = 640
LABEL_WIDTH = 250
BAR_HEIGHT = 26
GAP = 16
TOP = 20
AXIS_SPACE = 40


@dataclass(frozen=True)
class Bar:
    label: str
    value_label: str
    y: float
    width: float
    text_y: float


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class ChartView:
    width: int
    height: int
    plot_left: int
    plot_width: int
    axis_y: float
    bar_height: int
    bars: list[Bar]
    ticks: list[Tick]
    unit: str


def chart_href(figure: Figure) -> str:
    """Where a chart's SVG sits among the media of both editions."""
    return f"media/figures/{file_stem(figure.id)}.svg"


def _nice_step(maximum: float) -> float:
    raw = maximum / 5 if maximum > 0 else 1
    power = 10 ** math.floor(math.log10(raw))
    return float(next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= raw))


def chart_view(figure: Figure) -> ChartView:
    """A horizontal bar chart of the figure's points, scaled to a round axis."""
    plot_width = WIDTH - LABEL_WIDTH - 70
    step = _nice_step(max((p.value for p in figure.points), default=1))
    top = step * math.ceil(max((p.value for p in figure.points), default=1) / step)
    scale = plot_width / top if top else 0
    bars = []
    for index, point in enumerate(figure.points):
        y = TOP + index * (BAR_HEIGHT + GAP)
        at = f" ({format_timecode(point.at)})" if point.at is not None else ""
        bars.append(
            Bar(
                smarten(point.label) + at,
                f"{point.value:g}",
                y,
                point.value * scale,
                y + BAR_HEIGHT * 0.68,
            )
        )
    axis_y = TOP + len(bars) * (BAR_HEIGHT + GAP)
    ticks = [
        Tick(LABEL_WIDTH + i * step * scale, f"{i * step:g}") for i in range(round(top / step) + 1)
    ]
    return ChartView(
        WIDTH,
        int(axis_y + AXIS_SPACE),
        LABEL_WIDTH,
        plot_width,
        axis_y,
        BAR_HEIGHT,
        bars,
        ticks,
        figure.unit,
    )
