"""The ammunition balance: alliance output against the adversary axis, in 155mm-equivalents.

"Until recently, Russia was producing more ammunition than all Allies combined — not
anymore." This view sums the engine's line rates by bloc (only lines that make
complete rounds), converts calibres with the scenario's stated factors, and finds
per sample the *sustained crossover*: the first month from which the alliance's
monthly output stays at or above the adversary's to the end of the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from outproduce.analyses.crossover import at_least, crossover_months, crossover_stats
from outproduce.analyses.run import Run, of_run
from outproduce.analyses.summary import QUANTILES, Summary, months, quantiles
from outproduce.data.catalog import BLOCS
from outproduce.errors import InputError
from outproduce.scenario.model import Scenario, parse_month
from outproduce.speech import SPEECH_MONTH


def balance(
    scenario: Run | Scenario | str | Path = "baseline",
    samples: int | None = None,
    seed: int | None = None,
) -> xr.Dataset:
    """Monthly output of both blocs per sample, in 155mm-equivalent rounds per month.

    A view of a run (``outproduce.run``); given a scenario, it runs it first. Returns a
    Dataset with ``output`` (sample, bloc, month), ``adversary_production`` (sample,
    month: the adversary's own output, without transfers), ``alliance_planned``
    (sample, month: the alliance without capacity its decision rule built),
    ``line_output`` (sample, line, year: 155mm-equivalent rounds a year), ``ahead``
    (sample, month), and ``crossover``, ``crossover_production_only`` and
    ``crossover_planned`` (sample; NaT where the alliance is not durably ahead).
    """
    the_run = of_run(scenario, samples, seed)
    ds = the_run.dataset
    rounds = ds["line_product"] == "rounds"
    for bloc in ("alliance", "adversary"):
        if not bool((rounds & (ds["line_bloc"] == bloc)).any()):
            raise InputError(
                f"the scenario has no {bloc} line making rounds; expected at least one per bloc",
                file=the_run.scenario.origin,
                field="lines",
            )
    series = ds["series_output"]
    output = series.sel(series=list(BLOCS)).rename(series="bloc").drop_vars("bloc")
    alliance, adversary = series.sel(series="alliance"), series.sel(series="adversary")
    production = series.sel(series="russia").values
    planned = series.sel(series="alliance_planned").values
    ahead = at_least(alliance.values, adversary.values)
    months = ds["month"].values
    keep = rounds.values
    line_output = ds["line_year_production"].isel(line=keep) * ds["line_factor"].isel(line=keep)
    result = xr.Dataset(
        {
            "output": (("sample", "bloc", "month"), output.values),
            "adversary_production": (("sample", "month"), production),
            "alliance_planned": (("sample", "month"), planned),
            "line_output": line_output,
            "series_output": series,
            "ahead": (("sample", "month"), ahead),
            "crossover": (("sample",), crossover_months(ahead, months)),
            "crossover_production_only": (
                ("sample",),
                crossover_months(at_least(alliance.values, production), months),
            ),
            "crossover_planned": (
                ("sample",),
                crossover_months(at_least(planned, adversary.values), months),
            ),
        },
        coords={"sample": ds["sample"].values, "bloc": list(BLOCS), "month": months},
        attrs=dict(ds.attrs)
        | {
            "title": "Ammunition balance, 155mm-equivalent rounds per month",
            "units": "155mm-equivalent rounds per month",
            "crossover_definition": "first month from which alliance >= adversary "
            "in every later month of the horizon",
        },
    )
    result["line_output"].attrs = {"units": "155mm-equivalent rounds per year"}
    return result


def month_index(ds: xr.Dataset, at: str, origin: str | None = None) -> int:
    """Position of month ``at`` (YYYY-MM, the ``--at`` option) on a result's grid.

    Outside the horizon is an input error naming the scenario file (``origin``) if known.
    """
    try:
        month = np.datetime64(parse_month(at), "M")
    except ValueError as exc:
        raise InputError(str(exc), file="command line", field="--at") from None
    grid = ds["month"].values.astype("datetime64[M]")
    if month < grid[0] or month > grid[-1]:
        default = " (the default: the speech's month)" if at == SPEECH_MONTH else ""
        raise InputError(
            f"month {at}{default} is outside the horizon {grid[0]}..{grid[-1]} of the scenario; "
            "expected --at within it",
            file=origin or "command line",
            field="--at",
        )
    return int(np.flatnonzero(grid == month)[0])


@dataclass(frozen=True)
class BalanceSummary(Summary):
    """The numbers users ask for: when, by how much, how sure (``table``: all of them)."""

    table: xr.Dataset
    crossover: dict[str, str | float | None]
    crossover_production_only: dict[str, str | float | None]
    annual: pd.DataFrame
    at: dict[str, str | float]
    #: The crossover without the capacity the decision rule built (published plans only).
    crossover_planned: dict[str, str | float | None] | None = None
    #: The run's capacity decision rule (``none`` or ``follow_contracts``).
    capacity_rule: str = "none"


def summarise(ds: xr.Dataset, at: str = SPEECH_MONTH) -> BalanceSummary:
    """Crossover quantiles, annual totals by bloc, and the balance in month ``at``."""
    crossover = crossover_stats(ds["crossover"].values)
    production_only = crossover_stats(ds["crossover_production_only"].values)
    yearly = ds["output"].groupby("month.year").sum()
    q = quantiles(yearly)  # (quantile, bloc, year)
    ahead_by_year = (yearly.sel(bloc="alliance") > yearly.sel(bloc="adversary")).mean("sample")
    annual = pd.DataFrame(
        {
            "year": yearly["year"].values.astype(int),
            **{
                f"{bloc}_p{round(100 * p):d}": q.sel(bloc=bloc, quantile=p).values
                for bloc in ("alliance", "adversary")
                for p in QUANTILES
            },
            "p_alliance_ahead": ahead_by_year.values,
            # Beside the alliance, never in its total.
            "partners_p50": q.sel(bloc="partners", quantile=0.5).values,
        }
    )
    index = month_index(ds, at)
    point = ds["output"].isel(month=index)
    adversary = point.sel(bloc="adversary")
    # A ratio needs adversary output to divide by: samples without any give no ratio.
    ratio = (point.sel(bloc="alliance") / adversary.where(adversary > 0)).values
    ratio_q = np.nanquantile(ratio, QUANTILES) if np.isfinite(ratio).any() else [np.nan] * 3
    at_stats = {
        "month": at,
        "alliance_p50": float(point.sel(bloc="alliance").median()),
        "adversary_p50": float(point.sel(bloc="adversary").median()),
        "ratio_p10": float(ratio_q[0]),
        "ratio_p50": float(ratio_q[1]),
        "ratio_p90": float(ratio_q[2]),
        "p_alliance_ahead": float(ds["ahead"].isel(month=index).mean()),
    }
    planned = crossover_stats(ds["crossover_planned"].values) if "crossover_planned" in ds else None
    crossings = {"crossover": crossover, "crossover_production_only": production_only}
    if planned is not None:
        crossings["crossover_planned"] = planned
    table = xr.Dataset(
        {
            "annual": q.rename("annual"),
            "p_alliance_ahead": ahead_by_year,
            "at_output": quantiles(point),
            "at_ratio": ("quantile", np.asarray(ratio_q, dtype=float)),
            "at_p_alliance_ahead": ds["ahead"].isel(month=index).mean(),
            **{
                name: ("quantile", months([c["p10"], c["p50"], c["p90"]]))
                for name, c in crossings.items()
            },
            **{f"p_{name}": c["prob_within_horizon"] for name, c in crossings.items()},
        },
        attrs=dict(ds.attrs)
        | {
            "at": at,
            "units": "155mm-equivalent rounds a year (annual), a month (at_output)",
            "capacity_rule": str(ds.attrs.get("capacity_rule", "none")),
        },
    ).drop_vars(["month"], errors="ignore")
    return BalanceSummary(
        table=table,
        crossover=crossover,
        crossover_production_only=production_only,
        annual=annual,
        at=at_stats,
        crossover_planned=planned,
        capacity_rule=str(ds.attrs.get("capacity_rule", "none")),
    )
