"""Outcomes: named per-sample numbers of a run, shared by sensitivity analysis and others.

A name picks one number per sample out of a run's Dataset:

- ``ahead_at:YYYY-MM`` — 1 if the alliance makes at least as much as the adversary axis
  (Russia and its suppliers) that month, else 0;
- ``ahead_of_russia_at:YYYY-MM`` — the same against Russia's own production;
- ``ratio:YYYY-MM`` — alliance output over the axis's that month (155mm-equivalents);
- ``rounds:YYYY`` — the alliance's output that year (155mm-equivalent rounds);
- ``crossover`` — months from the horizon's start to the durable crossover, "never"
  counted as the month after the horizon (``crossover_never`` is 1 where it never
  comes, so the two are read together);
- ``stock:HOLDER:YYYY-MM`` — a holder's stock at the end of that month;
- ``on_time_share`` — share of the budgets' contracts due within the horizon that
  were delivered on time (NaN without a budgets' book).

An ensemble's store keeps the outcomes it was asked for (``outcome`` variable) and the
per-sample totals, stocks and orders they come from; ``outcome`` reads a kept outcome
as it is and computes the others from the store's variables, a month at a time where
it can (a store may hold millions of samples).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from outproduce.analyses.balance import month_index
from outproduce.analyses.crossover import at_least, crossover_index
from outproduce.analyses.procurement import book_on_time_share
from outproduce.errors import InputError

#: The outcome patterns and what they measure, as ``outproduce outcomes`` lists them.
PATTERNS = {
    "ahead_at:YYYY-MM": "1 if the alliance makes at least as much as Russia and its "
    "suppliers that month, else 0",
    "ahead_of_russia_at:YYYY-MM": "the same against Russia's own production",
    "ratio:YYYY-MM": "alliance output over the axis's that month (155mm-equivalents)",
    "rounds:YYYY": "the alliance's output that year (155mm-equivalent rounds)",
    "crossover": "months from the horizon's start to the durable crossover (never: the "
    "month after the horizon)",
    "crossover_never": "1 where the durable crossover never comes within the horizon",
    "stock:HOLDER:YYYY-MM": "the holder's stock at the end of that month (rounds)",
    "on_time_share": "share of the budgets' due contracts delivered on time",
}


def _bad(name: str, why: str) -> InputError:
    return InputError(
        f"{why}; expected one of {', '.join(PATTERNS)} (see `outproduce outcomes`)",
        field="--outcome",
        file="command line",
    )


def outcome(run, name: str) -> np.ndarray:
    """The outcome ``name`` per sample of ``run`` (an ``outproduce.run`` result or a store)."""
    ds = run.dataset
    if "outcome" in ds.coords and name in ds["outcome"].values:
        return np.asarray(ds["outcomes"].sel(outcome=name).values, dtype=float)
    kind, _, rest = name.partition(":")
    series = ds["series_output"]
    if kind in ("ahead_at", "ahead_of_russia_at", "ratio"):
        m = _month(ds, rest, name)
        alliance = series.sel(series="alliance").isel(month=m).values
        other = "adversary" if kind != "ahead_of_russia_at" else "russia"
        theirs = series.sel(series=other).isel(month=m).values
        if kind == "ratio":
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(theirs > 0, alliance / theirs, np.nan)
        return at_least(alliance, theirs).astype(float)
    if kind == "rounds":
        try:
            year = int(rest)
        except ValueError:
            raise _bad(name, f"{rest!r} is not a year") from None
        months = ds["month"].dt.year.values == year
        if not months.any():
            raise _bad(name, f"year {year} is outside the horizon")
        # Summed here, over a contiguous copy: the same bits in memory and from a store.
        alliance = series.sel(series="alliance").isel(month=months).values
        return np.ascontiguousarray(alliance).sum(axis=1)
    if name in ("crossover", "crossover_never"):
        ahead = at_least(
            series.sel(series="alliance").values, series.sel(series="adversary").values
        )
        index = crossover_index(ahead)
        if name == "crossover_never":
            return (index < 0).astype(float)
        return np.where(index < 0, ds.sizes["month"], index).astype(float)
    if kind == "stock":
        holder, _, month = rest.partition(":")
        if holder not in ds["holder"].values:
            raise _bad(name, f"unknown holder {holder!r}")
        return ds["stock"].sel(holder=holder).isel(month=_month(ds, month, name)).values
    if name == "on_time_share":
        return book_on_time_share(ds)
    raise _bad(name, f"unknown outcome {name!r}")


def _month(ds: xr.Dataset, month: str, name: str) -> int:
    try:
        return month_index(ds, month)
    except InputError:
        first, last = ds["month"].values[[0, -1]].astype("datetime64[M]")
        raise _bad(
            name, f"{month!r} is not a month (YYYY-MM) within the horizon {first}..{last}"
        ) from None


def phrase(name: str, threshold: float) -> str:
    """The event ``outcome >= threshold`` in words (for sentences about it)."""
    kind, _, rest = name.partition(":")
    if kind == "ahead_at":
        return f"the alliance out-produces Russia and its suppliers in {rest}"
    if kind == "ahead_of_russia_at":
        return f"the allies out-produce Russia in {rest}"
    if name == "crossover_never":
        return "the alliance is never durably ahead within the horizon"
    return f"{name} is at least {threshold:g}"
