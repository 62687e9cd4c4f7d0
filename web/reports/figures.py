"""Which chart each report gets on the page, drawn from the report's own rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from engine.services.reports import Report
from web.report_charts import Bar, Mark, Strip, bar_chart, column_chart, strip_chart

WIDE_AFTER = 8  # bar charts with more rows take the page's whole width


@dataclass(frozen=True)
class Figure:
    """One chart and the sentence under it; wide charts span both columns."""

    svg: Markup
    caption: str
    wide: bool = False


def _caseload(report: Report) -> list[Figure]:
    managers = report.table("managers").rows
    bars = [Bar(str(r["name"]), float(r["open_cases"])) for r in managers]
    bins = [Bar(str(r["bin"]), float(r["managers"])) for r in report.table("histogram").rows]
    return [
        Figure(
            bar_chart("chart-caseload", "Open cases per manager", bars),
            "Open cases now.",
            wide=len(bars) > WIDE_AFTER,
        ),
        Figure(
            column_chart("chart-caseload-histogram", "Managers by number of open cases", bins),
            "How many managers hold how many open cases.",
        ),
    ]


def _timeliness(report: Report) -> list[Figure]:
    strips = [
        Strip(
            str(r["name"]),
            tuple(
                Mark(float(r[key]), name, kind)
                for key, name, kind in (
                    ("median_days", "median", "median"),
                    ("p90_days", "p90", "p90"),
                )
                if r[key] is not None
            ),
        )
        for r in report.table("milestones").rows
    ]
    chart = strip_chart("chart-timeliness", "Days from referral: median and p90", strips, "days")
    return [Figure(chart, "Filled dot: median; ring: p90 (9 in 10 cases got there sooner).")]


def _percent_bars(
    chart_id: str, title: str, key: str, label: str, caption: str
) -> Callable[[Report], list[Figure]]:
    def draw(report: Report) -> list[Figure]:
        rows = report.tables[0].rows
        bars = [
            Bar(str(r[label]).replace("_", " "), None if r[key] is None else float(r[key]))
            for r in rows
        ]
        return [Figure(bar_chart(chart_id, title, bars, "%", top=100.0), caption)]

    return draw


def _scores(report: Report) -> list[Figure]:
    strips = [
        Strip(
            str(r["name"]),
            ()
            if r["mean_baseline"] is None
            else (
                Mark(float(r["mean_baseline"]), "mean baseline", "baseline"),
                Mark(float(r["mean_latest"]), "mean latest", "latest"),
            ),
        )
        for r in report.table("change").rows
    ]
    chart = strip_chart("chart-scores", "Mean score: baseline and latest", strips)
    return [Figure(chart, "Ring: mean baseline score; filled dot: mean latest score.")]


def _counts(
    chart_id: str, title: str, table: str, label: str, key: str
) -> Callable[[Report], list[Figure]]:
    def draw(report: Report) -> list[Figure]:
        rows = [r for r in report.table(table).rows if r[label] != "all"]
        bars = [Bar(str(r[label]).replace("_", " "), float(r[key])) for r in rows]
        chart = bar_chart(chart_id, title, bars)
        return [Figure(chart, title + ".", wide=len(bars) > WIDE_AFTER)]

    return draw


def _satisfaction(report: Report) -> list[Figure]:
    bars = [Bar(str(r["score"]), float(r["cases"])) for r in report.table("scores").rows]
    chart = column_chart("chart-satisfaction", "Cases per satisfaction score", bars)
    return [Figure(chart, "Latest score per case, 1 (very unhappy) to 5 (very happy).")]


FIGURES: dict[str, Callable[[Report], list[Figure]]] = {
    "caseload": _caseload,
    "timeliness": _timeliness,
    "deadlines": _percent_bars(
        "chart-deadlines", "% of deadlines met", "met_pct", "name", "% met per task."
    ),
    "goals": _percent_bars(
        "chart-goals", "% of goals achieved", "achieved_pct", "reason", "% achieved per reason."
    ),
    "scores": _scores,
    "referrals": _counts(
        "chart-referrals", "Stale referrals per agency type", "by_type", "agency_type", "referrals"
    ),
    "closures": _counts("chart-closures", "Cases closed per reason", "reasons", "reason", "cases"),
    "satisfaction": _satisfaction,
}


def figures(report: Report) -> list[Figure]:
    """The charts of a report (none for reports better read as a table)."""
    draw = FIGURES.get(report.name)
    return draw(report) if draw else []
