"""The report charts: accessible SVG with text alternatives, escaped labels, no inline style."""

from __future__ import annotations

import re

from web.report_charts import (
    Bar,
    Mark,
    Strip,
    bar_chart,
    column_chart,
    nice_max,
    number,
    strip_chart,
)


def test_axis_tops_are_round_numbers() -> None:
    assert [nice_max(v) for v in (0, 0.4, 3, 7, 11, 20, 21, 170, 999)] == [
        1.0,
        1.0,
        5.0,
        10.0,
        20.0,
        20.0,
        50.0,
        200.0,
        1000.0,
    ]
    assert (number(62.5, "%"), number(12.0, "days"), number(1234.0)) == (
        "62.5%",
        "12 days",
        "1,234",
    )


def test_bar_chart_describes_every_bar_and_escapes_labels() -> None:
    svg = str(bar_chart("c1", "Open cases", [Bar("<b>Ann</b>", 6.0), Bar("Bo", None)]))
    assert svg.startswith('<svg class="chart report-chart" id="c1"')
    assert 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    assert "&lt;b&gt;Ann&lt;/b&gt;: 6; Bo: no data" in svg
    assert "<b>" not in svg and "style=" not in svg
    assert svg.count('class="bar"') == 1  # nothing drawn for the missing value


def test_bars_are_drawn_to_scale() -> None:
    svg = str(bar_chart("c2", "Met", [Bar("a", 100.0), Bar("b", 25.0)], "%", top=100.0))
    widths = [float(w) for w in re.findall(r'class="bar" x="\d+" y="[\d.]+" width="([\d.]+)"', svg)]
    assert len(widths) == 2 and abs(widths[0] / widths[1] - 4.0) < 0.01


def test_column_and_strip_charts() -> None:
    columns = str(column_chart("c3", "Scores", [Bar("1", 0.0), Bar("5", 6.0)]))
    assert "1: 0; 5: 6" in columns and columns.count('class="bar"') == 2
    strips = str(
        strip_chart(
            "c4",
            "Days",
            [
                Strip("First contact", (Mark(3.0, "median", "median"), Mark(7.6, "p90", "p90"))),
                Strip("Plan", ()),
            ],
            "days",
        )
    )
    assert "First contact: median 3 days, p90 7.6 days; Plan: no data" in strips
    assert 'class="mark mark-median"' in strips and 'class="mark mark-p90"' in strips
