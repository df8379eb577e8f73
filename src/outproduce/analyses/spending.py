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
from outproduce.analyses.summary import QUANTILES, SummaryDict, columns, quantiles
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
    names = [
        n
        for n, v in ds.data_vars.items()
        if {"spending_year", "ally", "group", "contract"} & set(v.dims)
    ]
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


def summarise_spending(ds: xr.Dataset) -> dict[str, Any]:
    """Tables of the spending view: per ally, per ally and year, per group and year.

    Money in USD billions (constant price base, see ``ds.attrs['price_base']``), shares
    in per cent of GDP, rounds per year; uncertain values as P50 with P10/P90. The
    quantiles are computed once per variable (``quantiles``); the rows only index them.
    """
    years = ds["year"].values
    base = int(ds.attrs["price_base_year"])
    target_year = ds["target_year"]
    table = _table(ds)
    at_end = {
        name: table[f"{name}_at_target"].transpose("quantile", "ally").values
        for name in ("core_usd_bn", "increase_usd_bn", "rounds")
    }
    per_ally = {
        name: table[name].transpose("quantile", "ally").values
        for name in ("cumulative_extra_core_usd_bn", "cumulative_extra_resilience_usd_bn")
    }
    by_year = {
        key: table[name].transpose("quantile", "ally", "year").values
        for key, name in BY_ALLY_YEAR.items()
    }
    core, kind = ds["core_share"].values, ds["kind"].values
    allies, yearly, groups, demand = [], [], [], []
    for a, iso3 in enumerate(ds["ally"].values):
        start = int(ds["start_year"].values[a])
        reached = int(ds["year_core_reached"].values[a])
        target = float(ds["target_share"].values[a])
        allies.append(
            {
                "iso3": str(iso3),
                "start_year": start,
                "start_share": float(core[a, list(years).index(start)]),
                "target_share": target,
                "target_year": int(target_year.values[a]),
                "shape": str(ds["shape"].values[a]),
                "year_core_reached": reached if reached > 0 else None,
                "gap_pp": max(target - float(core[a, list(years).index(base)]), 0.0),
                **columns(at_end["core_usd_bn"], "core_usd_end", a),
                **columns(at_end["increase_usd_bn"], "increase_usd_end", a),
                **columns(per_ally["cumulative_extra_core_usd_bn"], "cumulative_extra_core_usd", a),
                **columns(
                    per_ally["cumulative_extra_resilience_usd_bn"],
                    "cumulative_extra_resilience_usd",
                    a,
                ),
                **columns(at_end["rounds"], "rounds_end", a),
                "required_rise_pp": float(ds["required_rise_pp"].values[a]),
                "record_rise_pp": float(ds["record_rise_pp"].values[a]),
                "exceeds_record": bool(ds["exceeds_record"].values[a]),
            }
        )
        for y, year in enumerate(years):
            row: dict[str, Any] = {
                "iso3": str(iso3),
                "year": int(year),
                "kind": str(kind[a, y]),
                "core_share": float(core[a, y]),
            }
            for key, q in by_year.items():
                row |= columns(q, key, a, y)
            yearly.append(row)
    by_group = {
        key: table[name].transpose("quantile", "group", "year").values
        for key, name in BY_GROUP_YEAR.items()
    }
    for g, group in enumerate(ds["group"].values):
        for y, year in enumerate(years):
            row = {"group": str(group), "year": int(year)}
            for key, q in by_group.items():
                row |= columns(q, key, g, y)
            groups.append(row)
    if "ordered_rounds" in ds:
        book_years = ds["book_year"].values
        bought = ds["group_rounds"].sel(group="alliance", year=book_years).values  # (S, Y)
        book = {
            name: table[name].transpose("quantile", "book_year").values for name in BY_BOOK_YEAR
        }
        demand_q = np.nanquantile(bought, QUANTILES, axis=0)
        output = ds["output_rounds"].values
        following = ds["output_following_rounds"].values
        adversary = ds["adversary_rounds"].values
        lead = ds["lead_time_months"].values
        for y, year in enumerate(book_years):
            row = {"year": int(year), **columns(demand_q, "demand_rounds", y)}
            for key in ("ordered_rounds", "delivered_rounds", "backlog_rounds"):
                row |= columns(book[key], key, y)
            row["lead_time_months"] = _month_median(lead[:, y])
            for key in ("output_rounds", "output_following_rounds", "adversary_rounds"):
                row |= columns(book[key], key, y)
            row |= columns(book["built_rounds"], "built_rounds", y)
            row["p_demand_above_output"] = float(np.mean(bought[:, y] > output[:, y]))
            row["p_ahead_following"] = float(np.mean(following[:, y] >= adversary[:, y]))
            demand.append(row)
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
            **columns(np.nanquantile(ds["on_time_share"].values, QUANTILES), "on_time_share"),
            "capacity_rule": str(ds.attrs["capacity_rule"]),
            "crossover_planned": crossover_stats(ds["crossover_planned"].values),
            "crossover_following": crossover_stats(ds["crossover_following"].values),
        }
    return SummaryDict(tables, table)


#: Variables of the spending view summarised per ally and year, per group and year, and
#: per year of the budgets' book: the table's column prefix -> the view's variable.
BY_ALLY_YEAR = {
    "resilience_share": "resilience_share",
    "gdp_usd_current": "gdp_usd_bn_current",
    "core_usd_current": "core_usd_bn_current",
    "core_usd": "core_usd_bn",
    "resilience_usd": "resilience_usd_bn",
    "increase_usd": "increase_usd_bn",
    "rounds": "rounds",
}
BY_GROUP_YEAR = {
    "core_share": "group_core_share",
    "core_usd_current": "group_core_usd_bn_current",
    "core_usd": "group_core_usd_bn",
    "resilience_usd": "group_resilience_usd_bn",
    "increase_usd": "group_increase_usd_bn",
    "rounds": "group_rounds",
}
BY_BOOK_YEAR = (
    "ordered_rounds",
    "delivered_rounds",
    "backlog_rounds",
    "output_rounds",
    "output_following_rounds",
    "adversary_rounds",
    "built_rounds",
)


def _table(ds: xr.Dataset) -> xr.Dataset:
    """Every uncertain number of the spending view as P10/P50/P90 along ``quantile``."""
    target_year = ds["target_year"]
    at_target = {
        f"{name}_at_target": quantiles(ds[name].sel(year=target_year), skipna=False).drop_vars(
            "year"
        )
        for name in ("core_usd_bn", "increase_usd_bn", "rounds")
    }
    names = [
        *BY_ALLY_YEAR.values(),
        *BY_GROUP_YEAR.values(),
        "cumulative_extra_core_usd_bn",
        "cumulative_extra_resilience_usd_bn",
        "group_cumulative_extra_core_usd_bn",
    ]
    if "ordered_rounds" in ds:
        names += list(BY_BOOK_YEAR)
    table = xr.Dataset(at_target | {name: quantiles(ds[name], skipna=False) for name in names})
    if "on_time_share" in ds:  # NaN in a sample with nothing due: skipped
        table["on_time_share"] = quantiles(ds["on_time_share"])
    table["core_share"] = ds["core_share"]
    table.attrs = dict(ds.attrs)
    return table


def _month_median(lead: np.ndarray) -> float | None:
    """Median lead time in months; None when most new orders would not arrive in time."""
    value = np.quantile(np.where(np.isnan(lead), np.inf, lead), 0.5, method="inverted_cdf")
    return float(value) if np.isfinite(value) else None
