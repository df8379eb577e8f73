"""Interactive charts (plotly) for the report and the dashboard: they only draw results."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
import xarray as xr

from outproduce.analyses.balance import BalanceSummary

COLOURS = {
    "alliance": "#1f5fa8",
    "adversary": "#b8322b",
    "europe_canada": "#1f5fa8",
    "usa": "#8a5a00",
    "following": "#2a8a3e",
    "partners": "#4d8f3a",
}


def _band(
    fig: go.Figure, x: Any, low: Any, mid: Any, high: Any, name: str, colour: str
) -> go.Figure:
    """A median line with a shaded P10-P90 band (one legend entry each)."""
    fig.add_trace(go.Scatter(x=x, y=high, line={"width": 0}, showlegend=False, hoverinfo="skip"))
    fig.add_trace(
        go.Scatter(
            x=x,
            y=low,
            fill="tonexty",
            line={"width": 0},
            fillcolor=_alpha(colour, 0.18),
            name=f"{name} P10–P90",
            hoverinfo="skip",
        )
    )
    fig.add_trace(go.Scatter(x=x, y=mid, line={"color": colour, "width": 2}, name=f"{name} P50"))
    return fig


def _alpha(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def _layout(fig: go.Figure, title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title=title,
        yaxis_title=y_title,
        template="plotly_white",
        height=460,
        margin={"l": 60, "r": 20, "t": 60, "b": 40},
        legend={"orientation": "h", "y": -0.15},
        hovermode="x unified",
    )
    return fig


def balance_figure(ds: xr.Dataset, summary: BalanceSummary) -> go.Figure:
    """Both blocs' output (annualised monthly rate, millions) with bands and the crossover."""
    months = ds["month"].values
    fig = go.Figure()
    for bloc in ("alliance", "adversary"):
        series = ds["output"].sel(bloc=bloc).values * 12 / 1e6
        low, mid, high = np.quantile(series, [0.1, 0.5, 0.9], axis=0)
        _band(fig, months, low, mid, high, bloc, COLOURS[bloc])
    partners = np.median(ds["output"].sel(bloc="partners").values * 12 / 1e6, axis=0)
    if partners.any():  # beside the alliance, never in its total
        fig.add_trace(
            go.Scatter(
                x=months,
                y=partners,
                name="partners P50 (not counted)",
                line={"color": COLOURS["partners"], "dash": "dot"},
            )
        )
    cross = summary.crossover
    if cross["p10"]:
        fig.add_vline(
            x=np.datetime64(cross["p10"], "D").astype(str),
            line_dash="dot",
            line_color="grey",
            annotation_text=f"crossover P10 {cross['p10']}",
        )
    if cross["p50"]:
        fig.add_vline(
            x=np.datetime64(cross["p50"], "D").astype(str),
            line_dash="dash",
            line_color="black",
            annotation_text=f"crossover P50 {cross['p50']}",
        )
    fig.update_xaxes(range=[str(months[0])[:10], str(months[-1])[:10]])  # not the labels
    return _layout(
        fig,
        "Ammunition output: alliance vs adversary (155mm-equivalent)",
        "million rounds per year (annualised)",
    )


def spending_gap_figure(ds: xr.Dataset, allies: list[dict[str, Any]]) -> go.Figure:
    """Each ally's core share in the price-base year and the gap to its target."""
    base = int(ds.attrs["price_base_year"])
    rows = sorted(allies, key=lambda r: r["gap_pp"])
    names = [r["iso3"] for r in rows]
    start = [float(ds["core_share"].sel(ally=r["iso3"], year=base)) for r in rows]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(y=names, x=start, orientation="h", name=f"core share {base}", marker_color="#1f5fa8")
    )
    fig.add_trace(
        go.Bar(
            y=names,
            x=[r["gap_pp"] for r in rows],
            orientation="h",
            name="gap to the target",
            marker_color="#e0a030",
        )
    )
    fig.update_layout(barmode="stack")
    fig = _layout(fig, "Gap to the core target per ally", "")
    fig.update_layout(height=760, xaxis_title="% of GDP (NATO definition)", hovermode="y unified")
    return fig


def spending_totals_figure(ds: xr.Dataset) -> go.Figure:
    """Core defence spending of each group per year, constant dollars, P10-P90 bands."""
    base = int(ds.attrs["price_base_year"])
    years = ds["year"].values
    shown = years >= base
    fig = go.Figure()
    for group in ds["group"].values:
        values = ds["group_core_usd_bn"].sel(group=group).values[:, shown]
        low, mid, high = np.nanquantile(values, [0.1, 0.5, 0.9], axis=0)
        _band(fig, years[shown], low, mid, high, str(group), COLOURS.get(str(group), "#333333"))
    return _layout(
        fig, "Core defence spending on the pathways", f"USD bn ({ds.attrs['price_base']})"
    )


def order_book_figure(rows: list[dict[str, Any]]) -> go.Figure:
    """Rounds the budgets buy, rounds made (planned, following contracts), adversary."""
    years = [r["year"] for r in rows]
    fig = go.Figure()
    for key, name, colour in (
        ("demand_rounds", "demand (budgets)", "#e0a030"),
        ("output_rounds", "alliance output, planned", COLOURS["alliance"]),
        ("output_following_rounds", "alliance output, capacity follows contracts", "#2a8a3e"),
        ("adversary_rounds", "adversary output", COLOURS["adversary"]),
    ):
        fig.add_trace(
            go.Scatter(
                x=years,
                y=[r[key] / 1e6 for r in rows],
                name=name,
                line={"color": colour, "width": 2},
                mode="lines+markers",
            )
        )
    return _layout(fig, "Demand, output and the adversary (P50)", "million rounds per year")


def sustain_figure(view: xr.Dataset) -> go.Figure:
    """Each holder's stock at the end of each month, P10-P90 bands."""
    fig = go.Figure()
    palette = ["#1f5fa8", "#b8322b", "#2a8a3e", "#8a5a00", "#6a3d9a"]
    months = view["month"].values
    for i, holder in enumerate(view["holder"].values):
        stock = view["stock"].sel(holder=holder).values
        low, mid, high = np.quantile(stock, [0.1, 0.5, 0.9], axis=0)
        _band(fig, months, low, mid, high, str(holder), palette[i % len(palette)])
    return _layout(fig, "Stocks of the modelled holders", "rounds")


def sensitivity_figure(table: xr.Dataset, title: str, top: int = 10) -> go.Figure:
    """Sobol' total and first-order indices of the most influential input groups."""
    shown = table.isel(group=slice(0, top))
    names = [str(g) for g in shown["group"].values][::-1]
    fig = go.Figure()
    for key, name, colour in (
        ("ST", "total (ST)", COLOURS["alliance"]),
        ("S1", "first order (S1)", "#8fb3de"),
    ):
        fig.add_trace(
            go.Bar(
                y=names,
                x=shown[key].values[::-1],
                error_x={"type": "data", "array": shown[f"{key}_conf"].values[::-1]},
                name=name,
                orientation="h",
                marker_color=colour,
            )
        )
    fig = _layout(fig, title, "")
    fig.update_layout(barmode="group", xaxis_title="share of the outcome's variance")
    return fig
