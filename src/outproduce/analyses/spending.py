"""Pathways to "5% of GDP by 2035" for every ally, and what the money buys: a view of a run.

The pathways themselves are computed in the run (``analyses.pathways``), because the
budgets' contracts that feed the engine's order book come from them; this view picks
them out of the run's Dataset with the budgets' order book (``procurement``), and
``summarise_spending`` makes its tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from outproduce.analyses import procurement
from outproduce.analyses.crossover import crossover_stats
from outproduce.analyses.pathways import GROUPS, alliance_gap, spending_options
from outproduce.analyses.run import Run, of_run
from outproduce.scenario.model import Scenario

__all__ = ["GROUPS", "alliance_gap", "spending", "summarise_spending"]


def spending(
    scenario: Run | Scenario | str | Path = "baseline",
    samples: int | None = None,
    seed: int | None = None,
) -> xr.Dataset:
    """Per ally and year: core and resilience shares and money, increases, rounds bought.

    A view of a run (given a scenario, it runs it first). Dimensions ``sample``,
    ``ally``, ``group`` (GROUPS) and ``year`` (2014 to the last target year); with bloc
    input pools, the budgets' order book too, by ``book_year`` (``procurement.order_book``);
    otherwise ``attrs['order_book_left_out']`` says why it is missing.
    """
    the_run = of_run(scenario, samples, seed)
    options = spending_options(the_run.scenario)
    ds = the_run.dataset
    names = [n for n, v in ds.data_vars.items() if {"spending_year", "ally"} & set(v.dims)]
    view = ds[names].rename(spending_year="year")
    view.attrs = dict(ds.attrs) | {
        "title": "Pathways to the Hague commitment",
        "price_base": f"constant {options.price_base_year} USD",
        "price_base_year": options.price_base_year,
    }
    if procurement.SUPPLIER in ds["supplier"].values:
        book = procurement.order_book(ds, options.price_base_year)
        view = view.merge(book)
        view.attrs |= {
            "contract_years": options.contract_years,
            "pooling": options.pooling,
            "supplier": procurement.SUPPLIER,
            "capacity_rule": options.capacity_rule,
        }
    return view


def _quantiles(values: np.ndarray, prefix: str) -> dict[str, float]:
    """P50 under ``prefix`` and P10/P90 under ``prefix_p10``/``prefix_p90`` (NaN-safe)."""
    if np.all(np.isnan(values)):
        return {prefix: float("nan"), f"{prefix}_p10": float("nan"), f"{prefix}_p90": float("nan")}
    low, mid, high = np.nanquantile(values, [0.1, 0.5, 0.9])
    return {prefix: float(mid), f"{prefix}_p10": float(low), f"{prefix}_p90": float(high)}


def summarise_spending(ds: xr.Dataset) -> dict[str, Any]:
    """Tables of the spending view: per ally, per ally and year, per group and year.

    Money in USD billions (constant price base, see ``ds.attrs['price_base']``), shares
    in per cent of GDP, rounds per year; uncertain values as P50 with P10/P90.
    """
    years = ds["year"].values
    base = int(ds.attrs["price_base_year"])
    allies, yearly, groups, demand = [], [], [], []
    for iso3 in ds["ally"].values:
        one = ds.sel(ally=iso3)
        end = one.sel(year=int(one["target_year"]))
        reached = int(one["year_core_reached"])
        allies.append(
            {
                "iso3": str(iso3),
                "start_year": int(one["start_year"]),
                "start_share": float(one["core_share"].sel(year=int(one["start_year"]))),
                "target_share": float(one["target_share"]),
                "target_year": int(one["target_year"]),
                "shape": str(one["shape"].values),
                "year_core_reached": reached if reached > 0 else None,
                "gap_pp": max(
                    float(one["target_share"]) - float(one["core_share"].sel(year=base)), 0.0
                ),
                **_quantiles(end["core_usd_bn"].values, "core_usd_end"),
                **_quantiles(end["increase_usd_bn"].values, "increase_usd_end"),
                **_quantiles(
                    one["cumulative_extra_core_usd_bn"].values, "cumulative_extra_core_usd"
                ),
                **_quantiles(
                    one["cumulative_extra_resilience_usd_bn"].values,
                    "cumulative_extra_resilience_usd",
                ),
                **_quantiles(end["rounds"].values, "rounds_end"),
                "required_rise_pp": float(one["required_rise_pp"]),
                "record_rise_pp": float(one["record_rise_pp"]),
                "exceeds_record": bool(one["exceeds_record"]),
            }
        )
        for year in years:
            at = one.sel(year=year)
            yearly.append(
                {
                    "iso3": str(iso3),
                    "year": int(year),
                    "kind": str(at["kind"].values),
                    "core_share": float(at["core_share"]),
                    **_quantiles(at["resilience_share"].values, "resilience_share"),
                    **_quantiles(at["gdp_usd_bn_current"].values, "gdp_usd_current"),
                    **_quantiles(at["core_usd_bn_current"].values, "core_usd_current"),
                    **_quantiles(at["core_usd_bn"].values, "core_usd"),
                    **_quantiles(at["resilience_usd_bn"].values, "resilience_usd"),
                    **_quantiles(at["increase_usd_bn"].values, "increase_usd"),
                    **_quantiles(at["rounds"].values, "rounds"),
                }
            )
    for group in ds["group"].values:
        one = ds.sel(group=group)
        for year in years:
            at = one.sel(year=year)
            groups.append(
                {
                    "group": str(group),
                    "year": int(year),
                    **_quantiles(at["group_core_share"].values, "core_share"),
                    **_quantiles(at["group_core_usd_bn_current"].values, "core_usd_current"),
                    **_quantiles(at["group_core_usd_bn"].values, "core_usd"),
                    **_quantiles(at["group_resilience_usd_bn"].values, "resilience_usd"),
                    **_quantiles(at["group_increase_usd_bn"].values, "increase_usd"),
                    **_quantiles(at["group_rounds"].values, "rounds"),
                }
            )
    if "ordered_rounds" in ds:
        for year in ds["book_year"].values:
            at = ds.sel(book_year=year)
            bought = ds["group_rounds"].sel(group="alliance", year=year).values
            following, adversary = (
                at["output_following_rounds"].values,
                at["adversary_rounds"].values,
            )
            lead = at["lead_time_months"].values
            demand.append(
                {
                    "year": int(year),
                    **_quantiles(bought, "demand_rounds"),
                    **_quantiles(at["ordered_rounds"].values, "ordered_rounds"),
                    **_quantiles(at["delivered_rounds"].values, "delivered_rounds"),
                    **_quantiles(at["backlog_rounds"].values, "backlog_rounds"),
                    "lead_time_months": _month_median(lead),
                    **_quantiles(at["output_rounds"].values, "output_rounds"),
                    **_quantiles(following, "output_following_rounds"),
                    **_quantiles(adversary, "adversary_rounds"),
                    **_quantiles(at["built_rounds"].values, "built_rounds"),
                    "p_demand_above_output": float(np.mean(bought > at["output_rounds"].values)),
                    "p_ahead_following": float(np.mean(following >= adversary)),
                }
            )
    tables: dict[str, object] = {
        "allies": allies,
        "yearly": yearly,
        "groups": groups,
        "order_book": demand,
    }
    if "on_time_share" in ds:
        tables["contracts"] = {
            "contract_years": int(ds.attrs["contract_years"]),
            "pooling": str(ds.attrs["pooling"]),
            **_quantiles(ds["on_time_share"].values, "on_time_share"),
            "capacity_rule": str(ds.attrs["capacity_rule"]),
            "crossover_planned": crossover_stats(ds["crossover_planned"].values),
            "crossover_following": crossover_stats(ds["crossover_following"].values),
        }
    return tables  # type: ignore[return-value]


def _month_median(lead: np.ndarray) -> float | None:
    """Median lead time in months; None when most new orders would not arrive in time."""
    value = np.quantile(np.where(np.isnan(lead), np.inf, lead), 0.5, method="inverted_cdf")
    return float(value) if np.isfinite(value) else None
