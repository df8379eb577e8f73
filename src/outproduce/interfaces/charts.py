"""Static charts (matplotlib, PNG). Charts only format what the analyses return."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from outproduce.analyses.balance import BalanceSummary

COLOURS = {"alliance": "#1f5fa8", "adversary": "#b8322b"}


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
