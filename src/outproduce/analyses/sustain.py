"""Sustainment: stocks against consumption, shortfalls, and years to rebuild a stock.

"Out-fought and out-produced": for each holder (an ally, a group, a recipient) the
engine's stock path gives months of sustainment, shortfalls where consumption
exceeds what is held, and when a target stock is reached. The *rebuild* view asks
the question of the Kiel Institute's "years to regain past levels": at the
procurement rate net of transfers and consumption, how long until the target?
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from outproduce.analyses.provenance import month_quantile
from outproduce.analyses.run import Run, of_run
from outproduce.analyses.summary import QUANTILES, SummaryList, quantiles
from outproduce.scenario.model import Scenario
from outproduce.scenario.uncertain import median

SUSTAIN_VARIABLES = (
    "stock",
    "shortfall",
    "consumption",
    "received",
    "transfers_in",
    "transfers_out",
    "months_of_sustainment",
)


def rebuild_years(stock: np.ndarray, target: float, net_per_year: np.ndarray) -> np.ndarray:
    """Years to reach ``target`` from ``stock`` at a net inflow per year (inf if never).

    net inflow = procurement (deliveries) + transfers in - transfers out - consumption.
    """
    stock, net = np.asarray(stock, dtype=float), np.asarray(net_per_year, dtype=float)
    gap = np.maximum(target - stock, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        years = np.where(gap == 0, 0.0, np.where(net > 0, gap / net, np.inf))
    return years


def sustain(
    scenario: Run | Scenario | str | Path = "baseline",
    samples: int | None = None,
    seed: int | None = None,
) -> xr.Dataset:
    """Holder-level view of a run, plus the month each target stock is reached.

    Given a scenario rather than a run, it runs it first.
    """
    the_run = of_run(scenario, samples, seed)
    scenario, ds = the_run.scenario, the_run.dataset
    view = ds[list(SUSTAIN_VARIABLES)]
    targets, reached = [], []
    for holder_id in ds["holder"].values:
        holder = scenario.holders[str(holder_id)]
        target = np.nan if holder.target_stock is None else median(holder.target_stock)
        targets.append(target)
        stock = ds["stock"].sel(holder=holder_id).values  # (S, M)
        if np.isnan(target):
            reached.append(np.full(stock.shape[0], np.datetime64("NaT"), dtype="datetime64[ns]"))
            continue
        hit = stock >= target
        first = np.where(hit.any(axis=1), hit.argmax(axis=1), -1)
        months = ds["month"].values
        reached.append(np.where(first >= 0, months[np.maximum(first, 0)], np.datetime64("NaT")))
    view = view.assign(
        target_stock=("holder", np.array(targets, dtype=float)),
        target_reached=(
            ("holder", "sample"),
            np.array(reached, dtype="datetime64[ns]").reshape(len(targets), ds.sizes["sample"]),
        ),
    )
    view.attrs = ds.attrs | {"title": "outproduce sustainment"}
    return view


def summarise_sustain(view: xr.Dataset, scenario: Scenario) -> SummaryList:
    """Per holder: yearly stock and shortfall quantiles, sustainment, rebuild estimates.

    A list of entries (one per holder, as printed and written as JSON) whose ``table``
    holds the same numbers by holder and year (years a holder is not tracked: NaN).
    """
    summary = []
    tables = []
    for holder_id in view["holder"].values:
        holder = scenario.holders[str(holder_id)]
        one = view.sel(holder=holder_id)
        start = np.datetime64(holder.stock_month or scenario.horizon.start, "M")
        tracked = one.sel(month=one["month"] >= start.astype("datetime64[ns]"))
        years = tracked["month"].dt.year.values
        last = np.r_[years[1:] != years[:-1], True]  # each year's last month
        ends = tracked[["stock", "months_of_sustainment"]].isel(month=last)
        flows = tracked[["received", "consumption", "shortfall"]].groupby("month.year").sum()
        stock = quantiles(ends["stock"])
        median = flows.median("sample")
        sustained = ends["months_of_sustainment"].median("sample")
        short = (flows["shortfall"] > 0).mean("sample")
        tables.append(
            xr.Dataset(
                {
                    "stock_end": stock.assign_coords(month=years[last]).rename(month="year"),
                    "received_median": flows["received"].median("sample"),
                    "consumption_median": flows["consumption"].median("sample"),
                    "shortfall_median": flows["shortfall"].median("sample"),
                    "p_shortfall": short,
                    "months_of_sustainment_median": sustained.assign_coords(
                        month=years[last]
                    ).rename(month="year"),
                }
            ).expand_dims(holder=[str(holder_id)])
        )
        yearly = [
            {
                "year": int(year),
                **{
                    f"stock_end_p{round(100 * p)}": float(stock[k, y])
                    for k, p in enumerate(QUANTILES)
                },
                "received_p50": float(median["received"][y]),
                "consumption_p50": float(median["consumption"][y]),
                "shortfall_p50": float(median["shortfall"][y]),
                "p_shortfall": float(short[y]),
                "months_of_sustainment_p50": float(sustained[y]),
            }
            for y, year in enumerate(years[last])
        ]
        last_year = tracked.isel(month=slice(-12, None))
        net = (
            (
                last_year["received"]
                + last_year["transfers_in"]
                - last_year["transfers_out"]
                - last_year["consumption"]
            )
            .sum("month")
            .values
        )
        entry: dict[str, Any] = {"holder": str(holder_id), "name": holder.name, "yearly": yearly}
        target = float(one["target_stock"])
        if np.isfinite(target):
            reached = one["target_reached"].values
            by = holder.target_month
            p_by = (
                float(
                    np.mean(
                        ~np.isnat(reached)
                        & (reached.astype("datetime64[M]") <= np.datetime64(by, "M"))
                    )
                )
                if by
                else None
            )
            stock_end = tracked["stock"].isel(month=-1).values
            years = rebuild_years(stock_end, target, net)
            entry["rebuild"] = {
                "target_stock": target,
                "target_month": by,
                "p_reached_by_target_month": p_by,
                "reached_p10": month_quantile(reached, 0.1),
                "reached_p50": month_quantile(reached, 0.5),
                "reached_p90": month_quantile(reached, 0.9),
                "years_after_horizon_at_last_year_net_rate_p50": float(np.median(years))
                if np.isfinite(np.median(years))
                else None,
            }
        summary.append(entry)
    table = xr.concat(tables, dim="holder") if tables else xr.Dataset()
    table.attrs = dict(view.attrs) | {"units": "rounds (stocks at year end, flows per year)"}
    return SummaryList(summary, table)
