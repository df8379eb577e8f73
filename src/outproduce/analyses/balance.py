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

from outproduce.analyses.simulation import attrs, month_quantile, resolve, run_scenario
from outproduce.data.catalog import BLOCS
from outproduce.engine.sampling import uniforms
from outproduce.engine.timegrid import month_grid
from outproduce.errors import InputError
from outproduce.scenario.model import Scenario, parse_month
from outproduce.scenario.uncertain import ppf
from outproduce.speech import SPEECH_MONTH


def conversion_factors(scenario: Scenario, samples: int, seed: int) -> dict[str, np.ndarray]:
    """155mm-equivalent factor per calibre, one draw per sample (shared by all lines)."""
    return {
        calibre: ppf(value, uniforms(seed, f"assumption:conversion_155eq:{calibre}", samples))
        for calibre, value in scenario.assumptions.conversion_155eq.items()
    }


def balance(
    scenario: Scenario | str | Path = "baseline",
    samples: int | None = None,
    seed: int | None = None,
) -> xr.Dataset:
    """Monthly output of both blocs per sample, in 155mm-equivalent rounds per month.

    Returns a Dataset with ``output`` (sample, bloc, month), ``line_output``
    (sample, line, month), ``adversary_production`` (sample, month: Russian output
    without transfers), ``ahead`` (sample, month), and ``crossover`` and
    ``crossover_production_only`` (sample; NaT where the alliance is not durably
    ahead within the horizon).
    """
    scenario = resolve(scenario)
    rounds = {k: v for k, v in scenario.lines.items() if v.product_class == "rounds"}
    for bloc in ("alliance", "adversary"):
        if not any(line.bloc == bloc for line in rounds.values()):
            raise InputError(
                f"the scenario has no {bloc} line making rounds; expected at least one per bloc",
                file=scenario.origin,
                field="lines",
            )
    results, samples, seed = run_scenario(scenario, samples, seed)
    keep = results.layout.rounds
    line_ids = [i for i, k in zip(results.layout.line_ids, keep, strict=True) if k]
    factors = conversion_factors(scenario, samples, seed)
    factor = np.stack([factors[rounds[i].calibre] for i in line_ids], axis=1)
    line_output = results.production[:, keep, :] * factor[:, :, None]
    bloc_of = np.array([rounds[i].bloc for i in line_ids])
    output = np.stack([line_output[:, bloc_of == b, :].sum(axis=1) for b in BLOCS], axis=1)

    measure_of = np.array([rounds[i].measure for i in line_ids])
    production = line_output[:, (bloc_of == "adversary") & (measure_of != "transfer"), :].sum(1)
    ahead = at_least(output[:, 0, :], output[:, 1, :])
    months = month_grid(scenario.horizon).astype("datetime64[ns]")

    return xr.Dataset(
        {
            "output": (("sample", "bloc", "month"), output),
            "line_output": (("sample", "line", "month"), line_output),
            "adversary_production": (("sample", "month"), production),
            "ahead": (("sample", "month"), ahead),
            "crossover": (("sample",), crossover_months(ahead, months)),
            "crossover_production_only": (
                ("sample",),
                crossover_months(at_least(output[:, 0, :], production), months),
            ),
        },
        coords={
            "sample": np.arange(samples),
            "bloc": list(BLOCS),
            "month": months,
            "line": line_ids,
            "line_bloc": ("line", bloc_of),
            "line_calibre": ("line", [rounds[i].calibre for i in line_ids]),
            "line_country": ("line", [rounds[i].country for i in line_ids]),
            "line_measure": ("line", measure_of),
        },
        attrs=attrs(
            scenario, samples, seed, "Ammunition balance, 155mm-equivalent rounds per month"
        )
        | {
            "units": "155mm-equivalent rounds per month",
            "crossover_definition": "first month from which alliance >= adversary "
            "in every later month of the horizon",
        },
    )


def at_least(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """Ours >= theirs, counting ties within 1e-9 (relative, or 1e-9 rounds) as ahead.

    Float noise is not a lead: increments that cancel (a line stepping down to zero)
    leave residues of about 1e-17 whose sign depends on the order of summation.
    """
    return ours >= theirs * (1 - 1e-9) - 1e-9


def crossover_index(ahead: np.ndarray) -> np.ndarray:
    """Per sample, first month index from which ``ahead`` holds to the end; -1 if none."""
    stays = np.flip(np.logical_and.accumulate(np.flip(ahead, axis=1), axis=1), axis=1)
    first = np.argmax(stays, axis=1)
    return np.where(stays[:, -1], first, -1)


def crossover_months(ahead: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Sustained-crossover month per sample (NaT where the alliance is not durably ahead)."""
    index = crossover_index(ahead)
    result = np.full(len(index), np.datetime64("NaT"), dtype="datetime64[ns]")
    result[index >= 0] = months[index[index >= 0]]
    return result


def crossover_stats(months: np.ndarray) -> dict[str, str | float | None]:
    """P10/P50/P90 crossover month (None: never within the horizon) and its probability."""
    return {
        "p10": month_quantile(months, 0.1),
        "p50": month_quantile(months, 0.5),
        "p90": month_quantile(months, 0.9),
        "prob_within_horizon": float((~np.isnat(months)).mean()),
    }


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
class BalanceSummary:
    """The numbers users ask for: when, by how much, how sure."""

    crossover: dict[str, str | float | None]
    crossover_production_only: dict[str, str | float | None]
    annual: pd.DataFrame
    at: dict[str, str | float]


def summarise(ds: xr.Dataset, at: str = SPEECH_MONTH) -> BalanceSummary:
    """Crossover quantiles, annual totals by bloc, and the balance in month ``at``."""
    crossover = crossover_stats(ds["crossover"].values)
    production_only = crossover_stats(ds["crossover_production_only"].values)
    yearly = ds["output"].groupby("month.year").sum()
    alliance = yearly.sel(bloc="alliance")
    adversary = yearly.sel(bloc="adversary")
    partners = yearly.sel(bloc="partners")
    annual = pd.DataFrame(
        {
            "year": yearly["year"].values.astype(int),
            "alliance_p10": alliance.quantile(0.1, dim="sample").values,
            "alliance_p50": alliance.quantile(0.5, dim="sample").values,
            "alliance_p90": alliance.quantile(0.9, dim="sample").values,
            "adversary_p10": adversary.quantile(0.1, dim="sample").values,
            "adversary_p50": adversary.quantile(0.5, dim="sample").values,
            "adversary_p90": adversary.quantile(0.9, dim="sample").values,
            "p_alliance_ahead": (alliance > adversary).mean("sample").values,
            # Beside the alliance, never in its total.
            "partners_p50": partners.quantile(0.5, dim="sample").values,
        }
    )
    index = month_index(ds, at)
    point = ds["output"].isel(month=index)
    adversary = point.sel(bloc="adversary")
    # A ratio needs adversary output to divide by: samples without any give no ratio.
    ratio = (point.sel(bloc="alliance") / adversary.where(adversary > 0)).values
    ratio_q = np.nanquantile(ratio, [0.1, 0.5, 0.9]) if np.isfinite(ratio).any() else [np.nan] * 3
    at_stats = {
        "month": at,
        "alliance_p50": float(point.sel(bloc="alliance").median()),
        "adversary_p50": float(point.sel(bloc="adversary").median()),
        "ratio_p10": float(ratio_q[0]),
        "ratio_p50": float(ratio_q[1]),
        "ratio_p90": float(ratio_q[2]),
        "p_alliance_ahead": float(ds["ahead"].isel(month=index).mean()),
    }
    return BalanceSummary(
        crossover=crossover, crossover_production_only=production_only, annual=annual, at=at_stats
    )
