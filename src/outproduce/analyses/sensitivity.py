"""Global sensitivity: which uncertain inputs decide an outcome (SALib, Sobol and Morris).

The design is made in the inputs' uniform space (every input of a run's inputs table
is a uniform in (0, 1) mapped through its own distribution), fed to the one engine
through ``run(..., design=)`` a batch of samples at a time, and the chosen outcome
(``analyses.outcomes``) is analysed by SALib:

- ``sobol``: first-order (S1) and total (ST) indices with bootstrap confidence
  intervals, from a Sobol' design of ``samples`` base points (a power of two) and
  ``samples x (groups + 2)`` model runs;
- ``morris``: the elementary-effects screen, mu* (with its confidence interval) and
  sigma, from ``samples`` trajectories and ``samples x (groups + 1)`` runs.

An ensemble's store (``outproduce ensemble``) holds Monte Carlo samples, not a design:
``given_data`` estimates first-order indices from them (``rbd_fast``: SALib's
RBD-FAST with Plischke's ordering, which works on any sample), one per input (given
data cannot estimate total or group indices; the Sobol design does).

Inputs are grouped so a design stays affordable: ``auto`` puts all draws of one line
(its rate, utilisation, growth...), one holder, the calibre conversion factors and the
bill of materials together; ``none`` leaves every input alone; a YAML file maps group
names to input names (inputs it leaves out stay alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from outproduce.analyses.outcomes import outcome as outcome_of
from outproduce.analyses.provenance import resolve
from outproduce.analyses.run import Run, run
from outproduce.analyses.summary import Summary
from outproduce.errors import InputError
from outproduce.scenario.limits import U_MIN
from outproduce.scenario.model import Scenario

METHODS = ("sobol", "morris")
#: The indices each method gives, as its table's columns.
COLUMNS = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu_star", "mu_star_conf", "sigma"),
    "rbd_fast": ("S1", "S1_conf"),
}
#: Samples of a store the given-data indices read at most (the first ones): beyond this
#: the intervals are narrower than the differences that matter, and time grows.
GIVEN_DATA_SAMPLES = 100_000
#: Samples run through the engine at once (bounds memory; any size gives the same numbers).
BATCH = 2000
#: The design's uniforms stay this far inside (0, 1), where every input is finite.
EDGE = 1e-6
MORRIS_LEVELS = 4
#: Base samples of the small design the report and the dashboard run (~1,000 runs;
#: intervals are wide at this size, the ``sensitivity`` command runs larger designs).
QUICK_SAMPLES = 32


def claim_outcomes(scenario: Scenario) -> list[str]:
    """The outcomes the report and the dashboard explain.

    The claim month's ratio of allied to Russian-and-suppliers' output, and the
    alliance's 2030 output (or its last year's, for a shorter horizon).
    """
    from outproduce.speech import SPEECH_MONTH

    return [f"ratio:{SPEECH_MONTH}", f"rounds:{min(2030, int(scenario.horizon.end[:4]))}"]


@dataclass(frozen=True)
class Sensitivity(Summary):
    """Indices of one outcome per input group, ranked (``table``: one row per group)."""

    table: xr.Dataset
    outcome: str
    method: str
    runs: int
    groups: dict[str, list[str]]


def uncertain_inputs(scenario: Scenario, seed: int) -> list[str]:
    """Names of the scenario's uncertain inputs (those whose draws vary), from a pilot run."""
    return varying_inputs(run(scenario, samples=16, seed=seed, calibration=False).inputs())


def varying_inputs(table: xr.Dataset) -> list[str]:
    """The inputs of a run's inputs table whose drawn values vary between samples."""
    values = table["input_value"].values
    if not values.size:
        return []
    varies = np.nanmax(values, axis=0) > np.nanmin(values, axis=0)
    return [str(n) for n, v in zip(table["input"].values, varies, strict=True) if v]


def auto_group(name: str) -> str:
    """The group of an input: its line, holder or capacity rule; conversions; materials."""
    kind, _, rest = name.partition(":")
    if kind in ("line", "holder", "capacity_rule"):
        return f"{kind}:{rest.split(':')[0]}"
    if name.startswith("assumption:conversion_155eq:"):
        return "assumption:conversion_155eq"
    if kind == "input":
        return "inputs:bill_of_materials"
    return name


def group_inputs(names: list[str], groups: str | Path = "auto") -> dict[str, list[str]]:
    """Group name -> its inputs, in the order the inputs come."""
    if str(groups) == "auto":
        chosen = {name: auto_group(name) for name in names}
    elif str(groups) == "none":
        chosen = {name: name for name in names}
    else:
        chosen = _groups_file(Path(groups), names)
    grouped: dict[str, list[str]] = {}
    for name in names:
        grouped.setdefault(chosen[name], []).append(name)
    return grouped


def _groups_file(path: Path, names: list[str]) -> dict[str, str]:
    """A YAML mapping of group -> [input names]; each input in at most one group."""
    from outproduce.scenario.yaml_bounded import read_yaml_file

    raw = read_yaml_file(path, "a YAML groups file")
    if not isinstance(raw, dict) or not all(isinstance(v, list) for v in raw.values()):
        raise InputError(
            "expected a mapping of group name to a list of input names", file=str(path)
        )
    chosen = {name: name for name in names}
    seen: set[str] = set()
    for group, members in raw.items():
        for member in members:
            if member not in chosen:
                raise InputError(
                    f"unknown input {member!r}; expected one of the scenario's uncertain "
                    f"inputs (e.g. {', '.join(names[:4])})",
                    file=str(path),
                    field=str(group),
                )
            if member in seen:
                raise InputError(
                    f"input {member!r} is in two groups; expected each input once",
                    file=str(path),
                    field=str(group),
                )
            seen.add(member)
            chosen[member] = str(group)
    return chosen


def sensitivity(
    scenario: Scenario | str | Path = "baseline",
    outcome: str = "ratio:2025-11",
    method: str = "sobol",
    samples: int = 256,
    seed: int | None = None,
    groups: str | Path = "auto",
) -> Sensitivity:
    """Rank the scenario's input groups by their effect on ``outcome`` (see module doc)."""
    return sensitivities(scenario, [outcome], method, samples, seed, groups)[outcome]


def sensitivities(
    scenario: Scenario | str | Path,
    outcomes: list[str],
    method: str = "sobol",
    samples: int = 256,
    seed: int | None = None,
    groups: str | Path = "auto",
    names: list[str] | None = None,
) -> dict[str, Sensitivity]:
    """``sensitivity`` of several outcomes from one design: the same runs serve them all.

    ``names`` are the uncertain inputs when the caller knows them already (from a run's
    inputs table, ``varying_inputs``); otherwise a small pilot run finds them.
    """
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    scenario = resolve(scenario)
    seed = scenario.seed if seed is None else seed
    if method not in METHODS:
        raise InputError(
            f"unknown method {method!r}; expected sobol or morris",
            file="command line",
            field="--method",
        )
    if samples < 2 or (method == "sobol" and samples & (samples - 1)):
        raise InputError(
            f"expected {'a power of two' if method == 'sobol' else 'at least 2'} base samples "
            f"(Sobol' sequences need one), got {samples}",
            file="command line",
            field="--samples",
        )
    names = uncertain_inputs(scenario, seed) if names is None else names
    grouped = group_inputs(names, groups)
    if len(grouped) < 2:
        raise InputError(
            f"{len(grouped)} input group(s) vary in this scenario; expected at least two to "
            "compare (use --groups none, or fewer inputs per group)",
            file="command line",
            field="--groups",
        )
    group_of = {name: group for group, members in grouped.items() for name in members}
    problem: dict[str, Any] = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[EDGE, 1 - EDGE]] * len(names),
        "groups": [group_of[name] for name in names],
    }
    if method == "sobol":
        design = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    else:
        design = morris_sample.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=seed)
    design = np.clip(design, U_MIN, 1 - U_MIN)
    results = {}
    for outcome, values in evaluate(scenario, design, names, outcomes, seed).items():
        table = _analyse(problem, design, values, method, seed, list(grouped), grouped)
        table.attrs = {
            "scenario": scenario.name,
            "scenario_hash": scenario.scenario_hash(),
            "outcome": outcome,
            "method": method,
            "base_samples": samples,
            "runs": len(values),
            "seed": seed,
        }
        results[outcome] = Sensitivity(
            table=table, outcome=outcome, method=method, runs=len(values), groups=grouped
        )
    return results


def _analyse(
    problem: dict[str, Any],
    design: np.ndarray,
    values: np.ndarray,
    method: str,
    seed: int,
    order: list[str],
    grouped: dict[str, list[str]],
) -> xr.Dataset:
    """SALib's indices of one outcome, one row per input group, most influential first."""
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    if method == "sobol":
        si = sobol_analyze.analyze(
            problem, values, calc_second_order=False, conf_level=0.95, seed=seed
        )
        columns = {k: np.asarray(si[k], dtype=float) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        rank = np.argsort(-columns["ST"], kind="stable")
    else:
        si = morris_analyze.analyze(
            problem, design, values, conf_level=0.95, num_levels=MORRIS_LEVELS, seed=seed
        )
        columns = {k: np.asarray(si[k], dtype=float) for k in ("mu_star", "mu_star_conf", "sigma")}
        rank = np.argsort(-columns["mu_star"], kind="stable")
    return xr.Dataset(
        {key: ("group", value[rank]) for key, value in columns.items()},
        coords={
            "group": [order[i] for i in rank],
            "inputs": ("group", [len(grouped[order[i]]) for i in rank]),
        },
    )


def evaluate(
    scenario: Scenario, design: np.ndarray, names: list[str], outcomes: list[str], seed: int
) -> dict[str, np.ndarray]:
    """Each outcome for every row of a (rows x inputs) design, ``BATCH`` rows per run."""
    values = {outcome: np.empty(len(design)) for outcome in outcomes}
    for start in range(0, len(design), BATCH):
        rows = slice(start, min(start + BATCH, len(design)))
        columns = {name: design[rows, j] for j, name in enumerate(names)}
        batch = run(
            scenario, samples=rows.stop - rows.start, seed=seed, design=columns, calibration=False
        )
        for outcome in outcomes:
            values[outcome][rows] = outcome_of(batch, outcome)
    for outcome, found in values.items():
        undefined = int(np.isnan(found).sum())
        if undefined:
            raise InputError(
                f"outcome {outcome} is undefined in {undefined} of {len(found)} runs (e.g. a "
                "ratio to zero output); expected an outcome defined in every run",
                file="command line",
                field="--outcome",
            )
    return values


def given_data(stored, outcome: str, seed: int = 0) -> Sensitivity:
    """First-order indices of ``outcome`` from a run's or a store's own samples (RBD-FAST).

    One row per input whose drawn values vary; ``S1_conf`` from SALib's bootstrap.
    Reads at most ``GIVEN_DATA_SAMPLES`` samples.
    """
    from SALib.analyze import rbd_fast

    ds = stored.dataset.isel(sample=slice(0, GIVEN_DATA_SAMPLES))
    inputs = ds[["input_value"]].load()
    names = varying_inputs(inputs)
    if len(names) < 2:
        raise InputError(
            f"{len(names)} input(s) vary in these samples; expected at least two to compare",
            field="--store",
        )
    values = outcome_of(Run(scenario=stored.scenario, dataset=ds), outcome)
    keep = np.isfinite(values)
    if keep.sum() < 100:
        raise InputError(
            f"outcome {outcome} is defined in {int(keep.sum())} samples; expected at least 100",
            file="command line",
            field="--outcome",
        )
    x = inputs["input_value"].sel(input=names).values[keep]
    problem = {"num_vars": len(names), "names": names}
    si = rbd_fast.analyze(problem, x, values[keep], num_resamples=100, seed=seed)
    s1 = np.asarray(si["S1"], dtype=float)
    rank = np.argsort(-s1, kind="stable")
    table = xr.Dataset(
        {
            "S1": ("group", s1[rank]),
            "S1_conf": ("group", np.asarray(si["S1_conf"], dtype=float)[rank]),
        },
        coords={"group": [names[i] for i in rank], "inputs": ("group", [1] * len(names))},
        attrs={
            "scenario": stored.scenario.name,
            "scenario_hash": stored.scenario.scenario_hash(),
            "outcome": outcome,
            "method": "rbd_fast",
            "base_samples": int(keep.sum()),
            "runs": int(keep.sum()),
            "seed": seed,
        },
    )
    return Sensitivity(
        table=table,
        outcome=outcome,
        method="rbd_fast",
        runs=int(keep.sum()),
        groups={name: [name] for name in names},
    )
