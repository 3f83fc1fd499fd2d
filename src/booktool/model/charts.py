"""Bar charts drawn from a figure's data: the geometry, computed here; the SVG, a layout."""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

from booktool.model.book import Figure
from booktool.source.ids import file_stem
from booktool.source.timecode import format_timecode

if TYPE_CHECKING:
    from booktool.language.words import Words

#: The chart is drawn for a phone's column: 340 units wide, its text 14 and 12 units high,
#: shown at most as wide as its text stays 0.9 of the text around it (book.css). Each bar's
#: label sits on its own lines above the bar, so a long label never squeezes the bars.
WIDTH = 340
PLOT_LEFT = 8
VALUE_SPACE = 48
LABEL_SIZE = 14
LINE_HEIGHT = 17
BAR_HEIGHT = 16
GAP = 12
TOP = 4
AXIS_SPACE = 40
#: Characters in a line of a bar's label before it wraps (about 7.5 units a character).
LABEL_CHARACTERS = 40


@dataclass(frozen=True)
class LabelLine:
    text: str
    y: float


@dataclass(frozen=True)
class Bar:
    label: list[LabelLine]
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


def chart_view(figure: Figure, words: Words) -> ChartView:
    """A horizontal bar chart of the figure's points, scaled to a round axis; its numbers
    written as the book's language writes them."""
    smarten = words.typography.smarten
    plot_width = WIDTH - PLOT_LEFT - VALUE_SPACE
    step = _nice_step(max((p.value for p in figure.points), default=1))
    top = step * math.ceil(max((p.value for p in figure.points), default=1) / step)
    scale = plot_width / top if top else 0
    bars = []
    y = float(TOP)
    for point in figure.points:
        at = f" ({format_timecode(point.at)})" if point.at is not None else ""
        lines = textwrap.wrap(smarten(point.label) + at, LABEL_CHARACTERS) or [""]
        label = [LabelLine(text, y + LINE_HEIGHT * (i + 1) - 4) for i, text in enumerate(lines)]
        bar_y = y + LINE_HEIGHT * len(lines) + 2
        bars.append(
            Bar(
                label, words.number(point.value), bar_y, point.value * scale, bar_y + BAR_HEIGHT - 3
            )
        )
        y = bar_y + BAR_HEIGHT + GAP
    axis_y = y - GAP + 6
    ticks = [
        Tick(PLOT_LEFT + i * step * scale, words.number(i * step))
        for i in range(round(top / step) + 1)
    ]
    return ChartView(
        WIDTH,
        int(axis_y + AXIS_SPACE),
        PLOT_LEFT,
        plot_width,
        axis_y,
        BAR_HEIGHT,
        bars,
        ticks,
        figure.unit,
    )
