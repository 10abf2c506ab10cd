"""The portrait statistique as a server-rendered SVG bar chart (geometry only; the template draws).

Each indicator gets two horizontal bars, the quartier's above the agglomeration's, on the
same scale: 0–100 for a percentage, 0 to the larger of the two figures for an index (IPS).
The drawing is 320 units wide so that its text stays readable on a 320 px screen.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

WIDTH = 320
SERIES_LABEL_WIDTH = 74  # "Quartier" / "CABBALR" on the left of the bars
VALUE_LABEL_WIDTH = 54  # "45,4 %" on the right of the bars
BAR_HEIGHT = 18
BAR_GAP = 4
LABEL_HEIGHT = 20
ROW_GAP = 14
BAR_MAX = WIDTH - SERIES_LABEL_WIDTH - VALUE_LABEL_WIDTH


def _svg_number(value: float) -> str:
    # SVG wants a dot, whatever the language of the page.
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Bar:
    series: str
    css_class: str
    y: str
    text_y: str
    width: str
    value_x: str
    value_text: str


@dataclass(frozen=True)
class ChartRow:
    label: str
    label_y: str
    bars: tuple[Bar, Bar]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bar_x: int
    bar_height: int
    rows: list[ChartRow]


def _scale(indicator) -> Decimal:
    if indicator.unit == "%":
        return Decimal(100)
    return max(indicator.value, indicator.agglomeration_value, Decimal(1))


def portrait_chart(indicators, agglomeration_label: str = "") -> Chart:
    quartier_label = _("Quartier")
    agglomeration_label = agglomeration_label or _("Agglo.")
    rows = []
    y = 0
    for indicator in indicators:
        label_y = y + LABEL_HEIGHT - 5
        y += LABEL_HEIGHT
        scale = _scale(indicator)
        bars = []
        for series, css_class, value, text in (
            (quartier_label, "bar-quartier", indicator.value, indicator.display_value),
            (
                agglomeration_label,
                "bar-agglo",
                indicator.agglomeration_value,
                indicator.display_agglomeration_value,
            ),
        ):
            width = float(min(value, scale) / scale) * BAR_MAX
            bars.append(
                Bar(
                    series=series,
                    css_class=css_class,
                    y=_svg_number(y),
                    text_y=_svg_number(y + BAR_HEIGHT - 4),
                    width=_svg_number(width),
                    value_x=_svg_number(SERIES_LABEL_WIDTH + width + 4),
                    value_text=text,
                )
            )
            y += BAR_HEIGHT + BAR_GAP
        y += ROW_GAP
        rows.append(
            ChartRow(label=indicator.chart_label, label_y=_svg_number(label_y), bars=tuple(bars))
        )
    return Chart(
        width=WIDTH,
        height=max(y, 1),
        bar_x=SERIES_LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
        rows=rows,
    )
