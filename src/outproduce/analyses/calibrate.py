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

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from outproduce.analyses.summary import Summary, quantiles
from outproduce.data.catalog import (
    NON_EUROPEAN_ALLIES,
    PUBLISHED_GRADES,
    STRONG_GRADES,
    grade_of,
    load_table,
)
from outproduce.engine.capacity import capacity_chunk, draw_capacity_inputs
from outproduce.engine.inputs import InputTable
from outproduce.engine.outages import availability
from outproduce.engine.simulate import CHUNK_BYTES
from outproduce.engine.timegrid import month_grid, month_offset
from outproduce.errors import InputError
from outproduce.scenario.model import Scenario


@dataclass(frozen=True)
class Calibration(Summary):
    """Per estimate the model's quantiles and whether the publication is inside them."""

    table: xr.Dataset  # model (quantile, compared_estimate) beside the published values
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


@dataclass
class Probes:
    """What the run must measure for each published estimate."""

    records: list[dict[str, Any]]  # metadata of every estimate, with its status
    lines: list[list[int]]  # per compared estimate: indices of its lines
    kind: list[str]  # per compared estimate: "capacity", "stated" or "complete"
    first: list[int]
    last: list[int]
    unit: list[str] = field(default_factory=list)
    complete_lines: list[np.ndarray] = field(default_factory=list)  # (L,) masks, engine sums


def estimate_probes(scenario: Scenario, line_ids: list[str]) -> Probes:
    """Which lines, months and quantity answer each packaged published estimate.

    Estimates whose entity has no line in the scenario (e.g. Canada in a scenario
    without Canadian lines) or whose period lies outside the horizon are listed with
    ``status`` saying why and left out of the coverage.
    """
    line_index = {line_id: i for i, line_id in enumerate(line_ids)}
    eu = set(load_table("allies").query("eu_member == 'true'")["iso3"])
    n_months = len(month_grid(scenario.horizon))
    probes = Probes(records=[], lines=[], kind=[], first=[], last=[], unit=[])
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
            "status": "compared",
        }
        if not members:
            record["status"] = f"no line of {row['entity']} in the scenario"
        elif first < 0 or last >= n_months:
            record["status"] = "period outside the horizon"
        probes.records.append(record)
        if record["status"] != "compared":
            continue
        index = [line_index[m] for m in members]
        if row["measure"] == "capacity":
            kind = "capacity"
        elif row["counts"] == "complete":
            kind = "complete"
            mask = np.zeros(len(line_ids), dtype=bool)
            mask[index] = True
            probes.complete_lines.append(mask)
        else:
            kind = "stated"
        probes.lines.append(index)
        probes.kind.append(kind)
        probes.first.append(first)
        probes.last.append(last)
        probes.unit.append(row["unit"])
    return probes


def probe_values(
    scenario: Scenario, table: InputTable, probes: Probes, complete: np.ndarray
) -> xr.Dataset:
    """Per sample, the model's value of every compared estimate, in its unit.

    ``complete`` (sample, C, month) is the engine's production of the complete-round
    estimates' lines. Capacities as publications count them (no counted share; with
    utilisation 1 for stated capacity) are the same draws with those two changes, for
    the estimates' lines only, a chunk of samples at a time.
    """
    samples = table.samples
    wanted = sorted(
        {
            i
            for lines, k in zip(probes.lines, probes.kind, strict=True)
            if k != "complete"
            for i in lines
        }
    )
    ids = list(scenario.lines)
    sub = scenario.model_copy(update={"lines": {ids[i]: scenario.lines[ids[i]] for i in wanted}})
    position = {line: k for k, line in enumerate(wanted)}
    values = np.full((samples, len(probes.kind)), np.nan)
    n_complete = 0
    variants = {}
    for kind, utilisation in (("stated", True), ("capacity", False)):
        if kind in probes.kind and wanted:
            variants[kind] = draw_capacity_inputs(_as_published(sub, utilisation), table.shadow())
    months = len(month_grid(scenario.horizon))
    avail = availability(sub, list(sub.lines), samples, table.seed, months)
    step = max(1, CHUNK_BYTES // (8 * months * max(len(wanted), 1)))
    for begin in range(0, samples, step):
        rows = slice(begin, min(begin + step, samples))
        capacity = {}
        for kind, draws in variants.items():
            cap = capacity_chunk(
                draws, rows, np.zeros((rows.stop - rows.start, len(wanted), months))
            )
            for index, running in avail.items():
                cap[:, index, :] *= running[rows]
            capacity[kind] = cap
        for e, kind in enumerate(probes.kind):
            if kind == "complete":
                continue
            series = capacity[kind][:, [position[i] for i in probes.lines[e]], :].sum(axis=1)
            values[rows, e] = _period_value(series, probes.first[e], probes.last[e], probes.unit[e])
    for e, kind in enumerate(probes.kind):
        if kind == "complete":
            values[:, e] = _period_value(
                complete[:, n_complete], probes.first[e], probes.last[e], probes.unit[e]
            )
            n_complete += 1
    compared = [r["id"] for r in probes.records if r["status"] == "compared"]
    frame = pd.DataFrame(probes.records)
    return xr.Dataset(
        {"estimate_value": (("sample", "compared_estimate"), values)},
        coords={
            "compared_estimate": compared,
            "estimate": frame["id"].to_numpy(),
            **{
                f"estimate_{column}": ("estimate", frame[column].to_numpy())
                for column in frame.columns
                if column != "id"
            },
        },
    )


def calibrate(
    scenario: Any = "baseline", samples: int | None = None, seed: int | None = None
) -> Calibration:
    """Compare a run with every comparable published estimate (a view of the run).

    Given a scenario (a name, a path or a Scenario) rather than a run, it runs it first.
    """
    from outproduce.analyses.run import of_run  # the run imports the probes from here

    ds = of_run(scenario, samples, seed, calibration=True).dataset
    if "estimate_value" not in ds:
        raise InputError(
            "this run was made without calibration probes; expected a run made with "
            "outproduce.run(..., calibration=True) (the default)",
            field="calibration",
        )
    columns = [str(c)[len("estimate_") :] for c in ds.coords if str(c).startswith("estimate_")]
    frame = pd.DataFrame(
        {"id": ds["estimate"].values} | {c: ds[f"estimate_{c}"].values for c in columns}
    )
    q = quantiles(ds["estimate_value"])
    rows = []
    for record in frame.to_dict("records"):
        if record["status"] == "compared":
            p10, p50, p90 = (float(v) for v in q.sel(compared_estimate=record["id"]).values)
            inside = _inside(
                record["published_low"], record["published"], record["published_high"], p10, p90
            )
            record = record | {"p10": p10, "p50": p50, "p90": p90, "inside": inside}
        rows.append(record)
    frame = pd.DataFrame(rows)
    status = frame.pop("status")
    frame["status"] = status
    compared = frame[frame["status"] == "compared"].set_index("id")
    table = xr.Dataset(
        {
            "model": q,
            **{
                column: ("compared_estimate", compared[column].to_numpy())
                for column in ("published_low", "published", "published_high", "inside")
            },
        },
        attrs=dict(ds.attrs) | {"units": "each estimate's own unit"},
    )
    return Calibration(
        table=table,
        estimates=frame,
        coverage=coverage(frame),
        attrs=dict(ds.attrs) | {"title": "Calibration against published estimates"},
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
