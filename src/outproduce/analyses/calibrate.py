"""Calibration: the model's P10-P90 against every published total we hold.

A published estimate (packaged ``published_estimates``) names an entity (the alliance,
Europe, the EU, an ally, Russia, North Korea, Iran), a measure and a period. The model
gives the same quantity per sample, in the same count as the publication (rounds as
stated, not 155mm-equivalents), and we ask whether the publication falls inside the
model's P10-P90. A well-calibrated baseline covers roughly 70-90% of the A/B estimates:
far more means the bands are too wide, fewer means they are biased.

Which model quantity answers which publication:

- ``output`` as ``stated``: the lines' rates after utilisation and outages, before any
  input limit (the US counts projectiles, so its stated output is projectiles);
- ``output`` as ``complete``: production after the input limits (complete rounds);
- ``capacity``: the same rates with utilisation 1 (what the lines state as capacity);
- ``transfer``: the transfer lines' rates.

Publications count whole flows, so lines count their whole figure here (no counted share).

A rate at one month is compared per year (x 12) or per month as published; a period
total as the mean yearly rate over the period, or as the sum for a cumulative count.
``inside``: a published point lies within P10-P90; a range without a point overlaps it;
an "at least" bound is below P90, an "at most" bound above P10.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from outproduce.analyses.simulation import attrs, resolve, run_scenario
from outproduce.data.catalog import (
    NON_EUROPEAN_ALLIES,
    PUBLISHED_GRADES,
    STRONG_GRADES,
    grade_of,
    load_table,
)
from outproduce.engine.timegrid import month_grid, month_offset
from outproduce.scenario.model import Scenario


@dataclass(frozen=True)
class Calibration:
    """Per estimate the model's quantiles and whether the publication is inside them."""

    estimates: pd.DataFrame
    coverage: dict[str, object]
    attrs: dict[str, object]


def _members(entity: str, scenario: Scenario, eu: set[str]) -> list[str]:
    """Line ids of the scenario that make up ``entity`` (finished rounds only)."""
    chosen = []
    for line_id, line in scenario.lines.items():
        if line.product_class != "rounds":
            continue
        if entity == "alliance":
            keep = line.bloc == "alliance"
        elif entity == "Europe":
            keep = line.bloc == "alliance" and line.country not in NON_EUROPEAN_ALLIES
        elif entity == "EU":
            keep = line.bloc == "alliance" and (line.country == "EU" or line.country in eu)
        else:
            keep = line.country == entity
        if keep:
            chosen.append(line_id)
    return chosen


def _as_published(scenario: Scenario, utilisation: bool) -> Scenario:
    """The scenario counting what publications count.

    Every line counts its whole figure (no counted share, which only keeps the balance
    from counting a round twice) and, without ``utilisation``, every line is at its
    stated capacity (utilisation 1).
    """
    update: dict[str, object] = {"counted_share": None}
    if not utilisation:
        update["utilisation"] = None
    lines = {k: v.model_copy(update=update) for k, v in scenario.lines.items()}
    changes: dict[str, object] = {"lines": lines}
    if not utilisation:
        changes["assumptions"] = scenario.assumptions.model_copy(update={"utilisation": 1.0})
    return scenario.model_copy(update=changes)


def _period_value(series: np.ndarray, first: int, last: int, unit: str) -> np.ndarray:
    """Per sample, the model's value over months first..last in the publication's unit."""
    window = series[:, first : last + 1]
    if unit == "rounds":
        return window.sum(axis=1)
    mean = window.mean(axis=1)
    return mean * 12 if unit == "rounds_per_year" else mean


def _inside(low: float, central: float, high: float, p10: float, p90: float) -> bool:
    if central == central:  # a published point
        return bool(p10 <= central <= p90)
    if low == low and high == high:
        return bool(low <= p90 and high >= p10)
    if low == low:
        return bool(p90 >= low)
    return bool(p10 <= high)


def calibrate(
    scenario: Scenario | str | Path = "baseline",
    samples: int | None = None,
    seed: int | None = None,
) -> Calibration:
    """Compare the scenario with every comparable published estimate.

    Estimates whose entity has no line in the scenario (e.g. Canada in a scenario
    without Canadian lines) or whose period lies outside the horizon are listed with
    ``status`` saying why and left out of the coverage.
    """
    scenario = resolve(scenario)
    results, samples, seed = run_scenario(_as_published(scenario, True), samples, seed)
    stated, _, _ = run_scenario(_as_published(scenario, False), samples, seed)
    line_index = {line_id: i for i, line_id in enumerate(results.layout.line_ids)}
    eu = set(load_table("allies").query("eu_member == 'true'")["iso3"])
    n_months = len(month_grid(scenario.horizon))
    rows = []
    for row in load_table("published_estimates").to_dict("records"):
        members = _members(row["entity"], scenario, eu)
        first = month_offset(row["period_start"], scenario.horizon)
        last = month_offset(row["period_end"], scenario.horizon)
        record = {
            "id": row["estimate_id"],
            "bloc": row["entity"],
            "measure": row["measure"],
            "counts": row["counts"],
            "period": row["period_start"]
            if row["period_start"] == row["period_end"]
            else f"{row['period_start']}..{row['period_end']}",
            "unit": row["unit"],
            "published_low": row["value_low"],
            "published": row["value_central"],
            "published_high": row["value_high"],
            "grade": grade_of(row["source_id"]),
            "used_by": row["used_by"],
            "source_id": row["source_id"],
        }
        if not members:
            rows.append(record | {"status": f"no line of {row['entity']} in the scenario"})
            continue
        if first < 0 or last >= n_months:
            rows.append(record | {"status": "period outside the horizon"})
            continue
        index = [line_index[m] for m in members]
        if row["measure"] == "capacity":
            series = stated.capacity[:, index, :].sum(axis=1)
        elif row["counts"] == "complete":
            series = results.production[:, index, :].sum(axis=1)
        else:
            series = results.capacity[:, index, :].sum(axis=1)
        value = _period_value(series, first, last, row["unit"])
        p10, p50, p90 = np.quantile(value, [0.1, 0.5, 0.9])
        inside = _inside(
            row["value_low"], row["value_central"], row["value_high"], float(p10), float(p90)
        )
        rows.append(
            record
            | {"p10": float(p10), "p50": float(p50), "p90": float(p90), "inside": inside}
            | {"status": "compared"}
        )
    frame = pd.DataFrame(rows)
    return Calibration(
        estimates=frame,
        coverage=coverage(frame),
        attrs=attrs(scenario, samples, seed, "Calibration against published estimates"),
    )


def coverage(frame: pd.DataFrame) -> dict[str, object]:
    """Share of compared estimates inside P10-P90: overall, by grade, A/B, independent.

    "Independent" estimates are those no line's steps were built from: the honest test.
    """
    compared = frame[frame["status"] == "compared"]

    def share(part: pd.DataFrame) -> dict[str, float | int | None]:
        n = len(part)
        return {"n": n, "inside": float(part["inside"].mean()) if n else None}

    return {
        "all": share(compared),
        "A/B": share(compared[compared["grade"].isin(STRONG_GRADES)]),
        "independent": share(compared[compared["used_by"] == ""]),
        "independent A/B": share(
            compared[(compared["used_by"] == "") & compared["grade"].isin(STRONG_GRADES)]
        ),
        "by_grade": {g: share(compared[compared["grade"] == g]) for g in PUBLISHED_GRADES},
        "not_compared": int((frame["status"] != "compared").sum()),
    }
