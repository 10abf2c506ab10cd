"""Server-drawn SVG charts of the committee's pages (geometry only; the templates draw).

Two shapes: horizontal bars for counts by category (a label line above each bar, so that
long French labels stay readable on a 320 px phone) and columns for the monthly trend.
Every chart is shown with a table holding the same figures for screen readers; the SVG
itself is hidden from them.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import formats

WIDTH = 320
VALUE_WIDTH = 44
BAR_HEIGHT = 14
LABEL_HEIGHT = 16
ROW_GAP = 8
LABEL_MAX = 52
COLUMN_WIDTH = 22
COLUMN_GAP = 6
COLUMNS_HEIGHT = 140
AXIS_HEIGHT = 34
COLUMNS_PADDING = 14  # room for half a month label on each side


def svg_number(value: float) -> str:
    # SVG wants a dot, whatever the language of the page.
    return f"{value:.1f}".rstrip("0").rstrip(".")


def short(label: str, limit: int = LABEL_MAX) -> str:
    label = " ".join(str(label).split())
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Category:
    """One line of a count: its key in the URL filters, its label, how many."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Bar:
    label: str
    full_label: str
    count: int
    label_y: str
    y: str
    width: str
    value_x: str
    value_y: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bar_height: int
    bars: list[Bar]


def bar_chart(categories: list[Category]) -> BarChart:
    """Horizontal bars on one scale, from 0 to the largest count."""
    largest = max((c.count for c in categories), default=0) or 1
    usable = WIDTH - VALUE_WIDTH
    bars = []
    y = 0
    for category in categories:
        label_y = y + LABEL_HEIGHT - 4
        y += LABEL_HEIGHT
        width = usable * category.count / largest
        bars.append(
            Bar(
                label=short(category.label),
                full_label=category.label,
                count=category.count,
                label_y=svg_number(label_y),
                y=svg_number(y),
                width=svg_number(max(width, 1 if category.count else 0)),
                value_x=svg_number(width + 4),
                value_y=svg_number(y + BAR_HEIGHT - 3),
            )
        )
        y += BAR_HEIGHT + ROW_GAP
    return BarChart(width=WIDTH, height=max(y, 1), bar_height=BAR_HEIGHT, bars=bars)


@dataclass(frozen=True)
class Column:
    label: str
    full_label: str
    count: int
    x: str
    y: str
    height: str
    text_x: str
    value_y: str
    show_label: bool


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    column_width: int
    baseline: int
    label_y: int
    columns: list[Column]


def month_label(month: dt.date, *, full: bool = False) -> str:
    return formats.date_format(month, "F Y" if full else "m/y")


def column_chart(months: list[tuple[dt.date, int]]) -> ColumnChart:
    """Columns for the monthly trend; labels thinned out so that they never overlap."""
    largest = max((count for _month, count in months), default=0) or 1
    # A label is about two columns wide: one in two beyond six months, one in three beyond 12.
    step = 1 if len(months) <= 6 else 2 if len(months) <= 12 else 3
    columns = []
    for index, (month, count) in enumerate(months):
        x = COLUMNS_PADDING + index * (COLUMN_WIDTH + COLUMN_GAP)
        height = COLUMNS_HEIGHT * count / largest
        columns.append(
            Column(
                label=month_label(month),
                full_label=month_label(month, full=True),
                count=count,
                x=svg_number(x),
                y=svg_number(COLUMNS_HEIGHT + 14 - height),
                height=svg_number(max(height, 1 if count else 0)),
                text_x=svg_number(x + COLUMN_WIDTH / 2),
                value_y=svg_number(COLUMNS_HEIGHT + 14 - height - 3),
                # Counted from the latest month, which is always labelled.
                show_label=(len(months) - 1 - index) % step == 0,
            )
        )
    width = max(WIDTH, 2 * COLUMNS_PADDING + len(months) * (COLUMN_WIDTH + COLUMN_GAP))
    return ColumnChart(
        width=width,
        height=COLUMNS_HEIGHT + 14 + AXIS_HEIGHT,
        column_width=COLUMN_WIDTH,
        baseline=COLUMNS_HEIGHT + 14,
        label_y=COLUMNS_HEIGHT + 14 + 16,
        columns=columns,
    )
