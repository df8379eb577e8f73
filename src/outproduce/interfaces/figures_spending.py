"""Interactive charts (plotly) of the spending pathways and the budgets' order book."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
import xarray as xr

from outproduce.interfaces.figures import COLOURS, LABELS, _band, _layout


def spending_gap_figure(ds: xr.Dataset, allies: list[dict[str, Any]]) -> go.Figure:
    """Each ally's core share in the price-base year, the gap to its target, the target line.

    Allies by name (the ISO3 code on hover); the common target as a reference line.
    """
    from collections import Counter

    from outproduce.data.catalog import ally_names

    base = int(ds.attrs["price_base_year"])
    rows = sorted(allies, key=lambda r: r["gap_pp"])
    codes = [r["iso3"] for r in rows]
    names = [ally_names().get(code, code) for code in codes]
    start = [float(ds["core_share"].sel(ally=code, year=base)) for code in codes]
    fig = go.Figure()
    for values, label, colour in (
        (start, f"core share {base}", COLOURS["alliance"]),
        ([r["gap_pp"] for r in rows], "gap to the target", COLOURS["demand"]),
    ):
        fig.add_trace(
            go.Bar(
                y=names,
                x=values,
                orientation="h",
                name=label,
                marker_color=colour,
                customdata=codes,
                hovertemplate=f"%{{y}} (%{{customdata}}): %{{x:.2f}}% of GDP, {label}"
                "<extra></extra>",
            )
        )
    target = Counter(float(r["target_share"]) for r in rows).most_common(1)[0][0]
    fig.add_vline(x=target, line_dash="dot", line_color="#444444")
    fig.add_annotation(
        x=target,
        y=1,
        yref="paper",
        yanchor="bottom",
        showarrow=False,
        text=f"{target:g}% core target",
        font={"size": 11},
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
        name = LABELS.get(str(group), str(group))
        colour = COLOURS.get(str(group), "#333333")
        _band(fig, years[shown], low, mid, high, name, colour, "USD bn", digits=0)
    return _layout(
        fig, "Core defence spending on the pathways", f"USD bn ({ds.attrs['price_base']})"
    )


def order_book_figure(rows: list[dict[str, Any]]) -> go.Figure:
    """Rounds the budgets buy, rounds made (planned, following contracts), adversary.

    The planned output is drawn last, dashed, so it shows where capacity that follows
    contracts adds nothing (the two lines then coincide); the axis starts at zero.
    """
    years = [r["year"] for r in rows]
    fig = go.Figure()
    for key, name, colour, dash in (
        ("demand_rounds", "demand (the budgets' contracts)", COLOURS["demand"], None),
        (
            "output_following_rounds",
            "alliance output, capacity follows contracts",
            COLOURS["following"],
            None,
        ),
        ("adversary_rounds", LABELS["adversary"], COLOURS["adversary"], None),
        ("output_rounds", "alliance output, published plans", COLOURS["alliance"], "dash"),
    ):
        fig.add_trace(
            go.Scatter(
                x=years,
                y=[r[key] / 1e6 for r in rows],
                name=f"{name}, median",
                line={"color": colour, "width": 2, "dash": dash},
                mode="lines+markers",
                hovertemplate=f"{name}: %{{y:,.2f}} million rounds<extra></extra>",
            )
        )
    fig.update_yaxes(rangemode="tozero")
    return _layout(fig, "Demand, output and the adversary (medians)", "million rounds per year")


def ally_pathways_figure(ds: xr.Dataset) -> go.Figure:
    """Small multiples: each ally's core spending share by year and its target line.

    Published years (NATO's figures) solid, the pathway dashed; one panel per ally,
    ordered by the gap still to close, all on one scale (0 to the highest share).
    """
    from plotly.subplots import make_subplots

    from outproduce.data.catalog import ally_names

    base = int(ds.attrs["price_base_year"])
    years = ds["year"].values
    share = ds["core_share"]
    target = ds["target_share"]
    codes = sorted(
        (str(c) for c in ds["ally"].values),
        key=lambda c: float(target.sel(ally=c) - share.sel(ally=c, year=base)),
        reverse=True,
    )
    columns = 6
    rows = -(-len(codes) // columns)
    names = [ally_names().get(c, c) for c in codes]
    fig = make_subplots(
        rows,
        columns,
        subplot_titles=names,
        shared_xaxes=True,
        shared_yaxes=True,
        vertical_spacing=0.045,
        horizontal_spacing=0.02,
    )
    top = float(max(share.max(), target.max())) * 1.05
    traces, rows_of, cols_of = [], [], []
    for i, code in enumerate(codes):
        row, col = divmod(i, columns)
        values = share.sel(ally=code).values
        goal = float(target.sel(ally=code))
        for part, dash, name in (
            (years <= base, None, "published"),
            (years >= base, "dash", "pathway"),
        ):
            traces.append(
                go.Scatter(
                    x=years[part],
                    y=values[part],
                    mode="lines",
                    showlegend=i == 0,
                    name=f"core spending, % of GDP ({name})",
                    legendgroup=name,
                    line={"color": COLOURS["alliance"], "width": 1.5, "dash": dash},
                    hovertemplate=f"{names[i]} %{{x}}: %{{y:.2f}}% of GDP<extra></extra>",
                )
            )
        # The target as a dotted line across the panel (a trace: shapes per panel are slow).
        traces.append(
            go.Scatter(
                x=[years[0], years[-1]],
                y=[goal, goal],
                mode="lines",
                showlegend=i == 0,
                name="target, % of GDP",
                legendgroup="target",
                line={"color": COLOURS["demand"], "width": 1.5, "dash": "dot"},
                hovertemplate=f"{names[i]} target: {goal:g}% of GDP<extra></extra>",
            )
        )
        rows_of += [row + 1] * 3
        cols_of += [col + 1] * 3
    fig.add_traces(traces, rows=rows_of, cols=cols_of)
    fig.update_yaxes(range=[0, top])
    fig.update_annotations(font_size=10)
    fig.update_layout(
        title="Each ally's path to its core target (dotted: the target, % of GDP)",
        template="plotly_white",
        height=150 * rows + 120,
        margin={"l": 40, "r": 20, "t": 80, "b": 40},
        legend={"orientation": "h", "y": -0.04},
    )
    return fig
