"""Bar charts for PDF reports, drawn with reportlab's graphics: grouped bars, a legend when
there is more than one series, amounts on the value axis with thousands separators."""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from reports.content import BarChart

PALETTE = (colors.HexColor("#2E5C8A"), colors.HexColor("#E08E2B"), colors.HexColor("#5B9E5B"),
           colors.HexColor("#B34747"), colors.HexColor("#7D6BA6"), colors.HexColor("#8C8C8C"))
TITLE_HEIGHT = 18
LEGEND_HEIGHT = 16
LABEL_WIDTH = 150  # room for category labels left of horizontal bars


def _axis_label(value: float) -> str:
    return f"{value:,.0f}"


def drawing(chart: BarChart, width: float) -> Drawing:
    """The chart as a drawing ``width`` points wide (its height follows from its contents)."""
    # Bars are geometry: their lengths are floats, the amounts themselves stay Decimal upstream.
    data = [tuple(float(v) for v in values) for _, values in chart.series]
    # Horizontal groups stack their bars bottom up: give them the series last first, so that the
    # first series is the top bar of each group, as in the legend.
    order = list(range(len(data)))[::-1] if chart.horizontal else list(range(len(data)))
    legend = len(chart.series) > 1
    if chart.horizontal:
        plot_height = max(60, 14 * len(chart.categories) * max(1, len(chart.series)) ** 0.5)
    else:
        plot_height = 150
    height = TITLE_HEIGHT + (LEGEND_HEIGHT if legend else 0) + plot_height + (30 if not chart.horizontal else 20)
    d = Drawing(width, height)
    d.add(String(0, height - 12, chart.title, fontName="Helvetica-Bold", fontSize=10))
    bars = HorizontalBarChart() if chart.horizontal else VerticalBarChart()
    bars.data = [data[i] for i in order]
    bars.y = 20 if chart.horizontal else 30
    bars.height = plot_height
    if chart.horizontal:
        bars.x, bars.width = LABEL_WIDTH, width - LABEL_WIDTH - 60  # room for the bars' labels
        bars.categoryAxis.labels.boxAnchor = "e"
        bars.categoryAxis.labels.dx = -4
        bars.categoryAxis.reverseDirection = True  # the first category on top
        bars.barLabelFormat = _axis_label  # each bar's amount beside it
        bars.barLabels.fontName, bars.barLabels.fontSize = "Helvetica", 6
        bars.barLabels.boxAnchor, bars.barLabels.dx = "w", 3
        bars.barLabels.boxTarget = "hi"
    else:
        bars.x, bars.width = 50, width - 60
        bars.categoryAxis.labels.boxAnchor = "n"
        bars.categoryAxis.labels.dy = -2
    bars.categoryAxis.categoryNames = [_short(c) for c in chart.categories]
    bars.categoryAxis.labelAxisMode = "low"  # labels clear of bars below zero
    bars.categoryAxis.labels.fontName = "Helvetica"
    bars.categoryAxis.labels.fontSize = 7
    bars.valueAxis.labels.fontName = "Helvetica"
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.labelTextFormat = _axis_label
    bars.valueAxis.visibleGrid = True
    bars.valueAxis.gridStrokeColor = colors.HexColor("#DDDDDD")
    bars.groupSpacing = 6
    bars.barSpacing = 1
    for position, i in enumerate(order):
        bars.bars[position].fillColor = PALETTE[i % len(PALETTE)]
        bars.bars[position].strokeColor = None
    if all(v == 0 for series in data for v in series):
        bars.valueAxis.valueMin, bars.valueAxis.valueMax = 0, 1  # an empty chart still has an axis
    d.add(bars)
    if legend:
        key = Legend()
        key.x, key.y = bars.x, height - TITLE_HEIGHT - 4
        key.alignment = "right"
        key.dx = key.dy = 7
        key.fontName, key.fontSize = "Helvetica", 8
        key.boxAnchor = "nw"
        key.colorNamePairs = [(PALETTE[i % len(PALETTE)], name) for i, (name, _) in enumerate(chart.series)]
        key.variColumn = 1
        key.dxTextSpace = 4
        key.columnMaximum = 1
        key.deltax = 110
        d.add(key)
    return d


def _short(label: str, limit: int = 32) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
