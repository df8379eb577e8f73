"""Static charts (matplotlib, PNG). Charts only format what the analyses return."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from outproduce.analyses.balance import BalanceSummary

COLOURS = {"alliance": "#1f5fa8", "adversary": "#b8322b", "partners": "#4d8f3a"}


def balance_chart(ds: xr.Dataset, summary: BalanceSummary, path: Path) -> Path:
    """Both blocs' monthly output with P10-P90 bands and the crossover marked."""
    months = ds["month"].values
    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=120)
    for bloc in ("alliance", "adversary"):
        series = ds["output"].sel(bloc=bloc) / 1e6 * 12  # annualised, millions
        low, mid, high = (series.quantile(q, dim="sample").values for q in (0.1, 0.5, 0.9))
        ax.fill_between(
            months, low, high, color=COLOURS[bloc], alpha=0.18, linewidth=0, label=f"{bloc} P10-P90"
        )
        ax.plot(months, mid, color=COLOURS[bloc], linewidth=2, label=f"{bloc} median")
    partners = ds["output"].sel(bloc="partners").median("sample").values * 12 / 1e6
    if partners.any():  # beside the alliance, never in its total
        ax.plot(
            months,
            partners,
            color=COLOURS["partners"],
            linestyle=":",
            linewidth=1.5,
            label="partners median (not counted)",
        )
    cross = summary.crossover
    if cross["p50"]:
        p50 = np.datetime64(str(cross["p50"]), "M").astype("datetime64[ns]")
        ax.axvline(
            p50, color="black", linestyle="--", linewidth=1.2, label=f"crossover P50 {cross['p50']}"
        )
        if cross["p10"] and cross["p90"]:
            ax.axvspan(
                np.datetime64(str(cross["p10"]), "M").astype("datetime64[ns]"),
                np.datetime64(str(cross["p90"]), "M").astype("datetime64[ns]"),
                color="grey",
                alpha=0.12,
                label="crossover P10-P90",
            )
    ax.set_ylabel("155mm-equivalent rounds, million per year (annualised monthly rate)")
    ax.set_title(
        f"Ammunition balance — scenario {ds.attrs['scenario']} "
        f"({ds.attrs['samples']} samples, seed {ds.attrs['seed']})"
    )
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    fig.text(
        0.01,
        0.01,
        f"outproduce {ds.attrs['package_version']} · data "
        f"{ds.attrs['data_version']} · scenario {ds.attrs['scenario_hash']}",
        fontsize=7,
        color="grey",
    )
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


GROUP_COLOURS = {"alliance": "#333333", "europe_canada": "#1f5fa8", "usa": "#8a5a00"}


def _finish(fig: plt.Figure, attrs: dict, path: Path) -> Path:
    """Provenance footer, layout, write the PNG, free the figure."""
    fig.text(
        0.01,
        0.01,
        f"outproduce {attrs['package_version']} · data {attrs['data_version']} · scenario "
        f"{attrs['scenario']} ({attrs['scenario_hash']}) · seed {attrs['seed']}",
        fontsize=7,
        color="grey",
    )
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    fig.savefig(path)
    plt.close(fig)
    return path


def spending_gap_chart(ds: xr.Dataset, allies: list[dict], path: Path) -> Path:
    """Each ally's core share in the base year against its target: the gap to close."""
    base = int(ds.attrs["price_base_year"])
    rows = sorted(allies, key=lambda r: r["gap_pp"])
    names = [r["iso3"] for r in rows]
    fig, ax = plt.subplots(figsize=(9, 9), dpi=120)
    y = np.arange(len(rows))
    start = [float(ds["core_share"].sel(ally=r["iso3"], year=base)) for r in rows]
    ax.barh(y, start, color="#1f5fa8", alpha=0.8, label=f"core share {base} (NATO or pathway)")
    ax.barh(
        y,
        [r["gap_pp"] for r in rows],
        left=start,
        color="#e0a030",
        alpha=0.8,
        label="gap to the target",
    )
    for i, r in enumerate(rows):
        ax.plot([r["target_share"]] * 2, [i - 0.4, i + 0.4], color="black", linewidth=1)
    ax.set_yticks(y, names, fontsize=7)
    ax.set_xlabel("defence expenditure, % of GDP (NATO definition)")
    ax.set_title(
        f"Gap to the core target by {int(ds['target_year'].max())} — {ds.attrs['scenario']}"
    )
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return _finish(fig, ds.attrs, path)


def spending_totals_chart(ds: xr.Dataset, path: Path) -> Path:
    """Core defence spending of each group per year, P10-P90 bands, constant dollars."""
    base = int(ds.attrs["price_base_year"])
    years = ds["year"].values
    shown = years >= base
    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=120)
    for group in ds["group"].values:
        series = ds["group_core_usd_bn"].sel(group=group).values[:, shown]
        low, mid, high = np.nanquantile(series, [0.1, 0.5, 0.9], axis=0)
        colour = GROUP_COLOURS[str(group)]
        ax.fill_between(years[shown], low, high, color=colour, alpha=0.15, linewidth=0)
        ax.plot(years[shown], mid, color=colour, linewidth=2, label=f"{group} (P50, P10-P90)")
    ax.set_ylabel(f"core defence spending, USD bn ({ds.attrs['price_base']})")
    ax.set_title(f"Core defence spending on the pathways — {ds.attrs['scenario']}")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    return _finish(fig, ds.attrs, path)


def sensitivity_chart(table: xr.Dataset, path: Path, top: int = 15) -> Path:
    """The input groups ranked by their index (Sobol total and first order, or Morris mu*)."""
    method = table.attrs["method"]
    shown = table.isel(group=slice(0, top))
    names = [str(g) for g in shown["group"].values][::-1]
    y = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(10, 0.38 * len(names) + 1.8), dpi=120)
    bars = {
        "sobol": [("ST", "total (ST)", 0.2), ("S1", "first order (S1)", -0.2)],
        "rbd_fast": [("S1", "first order (S1, from the samples)", 0.0)],
    }.get(method, [("mu_star", "mu*", 0.0)])
    height = 0.8 / len(bars)
    for (key, label, shift), colour in zip(bars, (COLOURS["alliance"], "#8fb3de"), strict=False):
        values = shown[key].values[::-1]
        ax.barh(y + shift, values, height=height, color=colour, label=label)
        error = shown[f"{key}_conf"].values[::-1]
        ax.errorbar(values, y + shift, xerr=error, fmt="none", ecolor="k")
    ax.set_xlabel(
        "Morris mu* (mean absolute elementary effect), 95% intervals"
        if method == "morris"
        else "Sobol' index (share of the outcome's variance), 95% intervals"
    )
    ax.set_yticks(y, names, fontsize=8)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(
        f"What drives {table.attrs['outcome']} ({method}, {table.attrs['runs']:,} runs)",
        fontsize=11,
    )
    return _finish(
        fig, table.attrs | {"package_version": _version(), "data_version": _data()}, path
    )


def _version() -> str:
    from outproduce.version import __version__

    return __version__


def _data() -> str:
    from outproduce.data.catalog import DATA_VERSION

    return DATA_VERSION
