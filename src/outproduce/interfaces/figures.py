"""Interactive charts (plotly) for the report and the dashboard: they only draw results."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
import xarray as xr

from outproduce.analyses.balance import BalanceSummary

#: One colour per bloc or group, the same in every chart.
COLOURS = {
    "alliance": "#1f5fa8",
    "europe_canada": "#5aa0d8",
    "usa": "#8a5a00",
    "adversary": "#b8322b",
    "russia": "#e08a80",
    "transfers": "#7f1d1a",
    "following": "#2a8a3e",
    "partners": "#6a3d9a",
    "demand": "#e0a030",
}
#: What a legend says for each internal id (never the id itself).
LABELS = {
    "alliance": "Alliance",
    "europe_canada": "Europe and Canada",
    "usa": "United States",
    "adversary": "Russia and its suppliers",
    "russia": "Russia's own production",
    "transfers": "supplies from North Korea and Iran",
    "partners": "Partners (not counted)",
}
#: The month of the speech whose claim is tested, marked on the balance chart.
SPEECH_LABEL = "the speech (6 Nov 2025)"


def _band(
    fig: go.Figure,
    x: Any,
    low: Any,
    mid: Any,
    high: Any,
    name: str,
    colour: str,
    unit: str,
    digits: int = 2,
) -> go.Figure:
    """A median line and its P10-P90 band as one filled area (lines only, no markers).

    The band is the area between an invisible upper edge and the lower edge filled up to
    it; hovering the median shows its value, unit and band.
    """
    group = {"legendgroup": name, "mode": "lines"}
    fig.add_trace(
        go.Scatter(x=x, y=high, line={"width": 0}, showlegend=False, hoverinfo="skip", **group)
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=low,
            fill="tonexty",
            line={"width": 0},
            fillcolor=_alpha(colour, 0.18),
            name=f"{name}, P10–P90",
            hoverinfo="skip",
            **group,
        )
    )
    number = f",.{digits}f"
    fig.add_trace(
        go.Scatter(
            x=x,
            y=mid,
            line={"color": colour, "width": 2},
            name=f"{name}, median",
            customdata=np.stack([np.asarray(low), np.asarray(high)], axis=-1),
            hovertemplate=f"{name}: %{{y:{number}}} {unit} (P10–P90 %{{customdata[0]:{number}}}"
            f"–%{{customdata[1]:{number}}})<extra></extra>",
            **group,
        )
    )
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
    """Both blocs' output (annualised monthly rate, millions) with their bands.

    The adversary's components stacked beneath its total (medians); the speech's month
    marked; the crossover only where the median has one (``_crossover_marks``).
    """
    from outproduce.speech import SPEECH_MONTH

    months = ds["month"].values
    unit = "million rounds a year"
    fig = go.Figure()
    series = ds["series_output"]
    stacked = {"stackgroup": "adversary", "mode": "lines", "line": {"width": 0.5}}
    for part in ("russia", "transfers"):  # the adversary's total, split (medians)
        values = np.median(series.sel(series=part).values * 12 / 1e6, axis=0)
        if values.any():
            fig.add_trace(
                go.Scatter(
                    x=months,
                    y=values,
                    name=f"{LABELS[part]}, median",
                    fillcolor=_alpha(COLOURS[part], 0.12 if part == "russia" else 0.05),
                    fillpattern=None
                    if part == "russia"
                    else {"shape": "/", "fgcolor": COLOURS[part], "size": 6, "solidity": 0.15},
                    line_color=COLOURS[part],
                    hovertemplate=f"{LABELS[part]}: %{{y:,.2f}} {unit}<extra></extra>",
                    **stacked,
                )
            )
    for bloc in ("alliance", "adversary"):
        values = ds["output"].sel(bloc=bloc).values * 12 / 1e6
        low, mid, high = np.quantile(values, [0.1, 0.5, 0.9], axis=0)
        _band(fig, months, low, mid, high, LABELS[bloc], COLOURS[bloc], unit)
    partners = np.median(ds["output"].sel(bloc="partners").values * 12 / 1e6, axis=0)
    if partners.any():  # beside the alliance, never in its total
        fig.add_trace(
            go.Scatter(
                x=months,
                y=partners,
                mode="lines",
                name=f"{LABELS['partners']}, median",
                line={"color": COLOURS["partners"], "dash": "dot"},
                hovertemplate=f"partners: %{{y:,.2f}} {unit}<extra></extra>",
            )
        )
    first, last = str(months[0])[:10], str(months[-1])[:10]
    speech = f"{SPEECH_MONTH}-01"
    if first <= speech <= last:
        fig.add_vline(x=speech, line_color="#444444", line_width=1)
        fig.add_annotation(
            x=speech,
            y=1,
            yref="paper",
            text=SPEECH_LABEL,
            showarrow=False,
            xanchor="right",
            yanchor="bottom",
            font={"size": 11},
        )
    _crossover_marks(fig, summary.crossover, last)
    fig.update_xaxes(range=[first, last])  # not the labels
    fig.update_yaxes(rangemode="tozero")
    return _layout(
        fig,
        "Ammunition output: alliance vs Russia and its suppliers (155mm-equivalent)",
        "million rounds per year (annualised)",
    )


def _crossover_marks(fig: go.Figure, cross: dict[str, Any], last: str) -> None:
    """The durable crossover's P10-P90 span shaded; its median as a line only if it exists.

    A P10 alone (the median never crosses) is a span to the horizon's end, labelled so:
    a line there would suggest a crossover the medians do not show.
    """
    if not cross.get("p10"):
        return
    start = f"{cross['p10']}-01"
    end = f"{cross['p90']}-01" if cross.get("p90") else last
    late = cross["p90"] or "never (within the horizon)"
    fig.add_vrect(x0=start, x1=end, fillcolor="grey", opacity=0.08, line_width=0)
    fig.add_annotation(
        x=start,
        y=0.99,
        yref="paper",
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font={"size": 10, "color": "#555555"},
        text=f"durable crossover, P10–P90: {cross['p10']} – {late}",
    )
    if cross.get("p50"):
        fig.add_vline(x=f"{cross['p50']}-01", line_dash="dash", line_color="black")
        fig.add_annotation(
            x=f"{cross['p50']}-01",
            y=0.95,
            yref="paper",
            showarrow=False,
            xanchor="left",
            text=f"median crossover {cross['p50']}",
        )


def sustain_figure(view: xr.Dataset) -> go.Figure:
    """Each holder's stock at the end of each month, P10-P90 bands, and its target.

    A holder whose use is not modelled (no consumption) only accumulates what it
    receives: its legend says so, so the line is not read as a stock on hand.
    """
    fig = go.Figure()
    palette = ["#1f5fa8", "#b8322b", "#2a8a3e", "#8a5a00", "#6a3d9a"]
    months = view["month"].values
    for i, holder in enumerate(view["holder"].values):
        one = view.sel(holder=holder)
        name = str(holder)
        if not float(one["consumption"].max()):
            name += " (received so far; use not modelled)"
        low, mid, high = np.quantile(one["stock"].values, [0.1, 0.5, 0.9], axis=0)
        colour = palette[i % len(palette)]
        _band(fig, months, low, mid, high, name, colour, "rounds", digits=0)
        if "use not modelled" in name:  # cumulative receipts, not a stock: dotted
            fig.data[-1].line.dash = "dot"
        target = float(one["target_stock"])
        if np.isfinite(target):
            fig.add_hline(y=target, line_dash="dot", line_color=colour)
            fig.add_annotation(
                x=str(months[0])[:10],
                y=target,
                xanchor="left",
                yanchor="bottom",
                showarrow=False,
                font={"size": 10},
                text=f"{holder} target {target:,.0f}",
            )
    fig.update_yaxes(rangemode="tozero")
    return _layout(fig, "Stocks of the modelled holders", "rounds")


def sensitivity_figure(table: xr.Dataset, title: str, label: Any = str, top: int = 10) -> go.Figure:
    """Sobol' total and first-order indices of the most influential input groups.

    ``label`` names a group (default: its stream name; the report passes words).
    """
    shown = table.isel(group=slice(0, top))
    names = [label(str(g)) for g in shown["group"].values][::-1]
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
