"""The plan's chart: the alliance's yearly output without and with the plan, and the goal."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from outproduce.engine.timegrid import whole_years
from outproduce.interfaces.figures import COLOURS, _layout


def plan_figure(
    table: Any,
    target: float,
    adversary: dict[int, float] | None = None,
    from_year: int | None = None,
) -> go.Figure:
    """Stacked yearly bars (existing output, the plan's rounds), the target as a line.

    Medians over the plan's samples (one sample for the plan for the median); only whole
    calendar years of the plan are drawn; the goal from ``from_year`` on (the years it
    must hold). ``adversary``: its median yearly output, if given.
    """
    years = whole_years(table["month"].values)
    sums = table[["existing", "made"]].groupby("month.year").sum().sel(year=years)
    sums = sums.median("sample")
    fig = go.Figure()
    for name, label, colour in (
        ("existing", "alliance without the plan", COLOURS["alliance"]),
        ("made", "the plan's new lines", "#2a9d8f"),
    ):
        fig.add_bar(
            x=years,
            y=sums[name].values / 1e6,
            name=label,
            marker_color=colour,
            hovertemplate="%{x}: %{y:.2f} million rounds<extra>" + label + "</extra>",
        )
    held = [y for y in years if from_year is None or y >= from_year]
    fig.add_scatter(
        x=held,
        y=[target / 1e6] * len(held),
        mode="lines",
        name=f"goal: {target / 1e6:.2f} million a year",
        line={"color": "#222", "dash": "dash"},
        hovertemplate="goal %{y:.2f} million rounds<extra></extra>",
    )
    if adversary:
        fig.add_scatter(
            x=years,
            y=[adversary.get(y, float("nan")) / 1e6 for y in years],
            mode="lines",
            name="Russia and its suppliers, median",
            line={"color": COLOURS["adversary"]},
            hovertemplate="%{x}: %{y:.2f} million rounds<extra>Russia and suppliers</extra>",
        )
    fig = _layout(fig, "What the plan adds, by year (medians)", "million rounds a year")
    fig.update_layout(barmode="stack", hovermode="x unified")
    fig.update_yaxes(rangemode="tozero")
    return fig
