"""Scenario discovery: the combinations of inputs under which an outcome holds (PRIM).

PRIM (the Patient Rule Induction Method) peels the space of a run's drawn inputs (the
inputs table's values, in their own units) down to boxes where the outcome holds in
at least a given share of the samples (the box's *density*), keeping as many of all
the samples where it holds as it can (its *coverage*). Each box is said in one plain
sentence. PRIM is the EMA Workbench's implementation: BSD-licensed (the stand-alone
``prim`` package is GPL), maintained, and the one the field's exploratory-modelling
studies use.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from outproduce.analyses.outcomes import outcome as outcome_of
from outproduce.analyses.outcomes import phrase
from outproduce.analyses.prim_boxes import DENSITY, find_boxes
from outproduce.analyses.run import Run, run
from outproduce.analyses.summary import Summary
from outproduce.errors import InputError
from outproduce.scenario.model import Scenario


@dataclass(frozen=True)
class Discovery(Summary):
    """The boxes in which an outcome holds, each with its coverage, density and sentence."""

    table: xr.Dataset  # per box: coverage, density, mass; per box and input: low, high
    outcome: str
    threshold: float
    share: float  # of all samples, where the outcome holds
    boxes: list[dict[str, Any]]


#: PRIM looks at most at this many inputs: those whose ranks go most with the outcome.
MOST_INPUTS = 6
#: An input whose rank correlation with the outcome is weaker than this is left out.
LEAST_CORRELATION = 0.05


def telling(x: pd.DataFrame, holds: np.ndarray) -> list[str]:
    """The inputs PRIM peels: at most ``MOST_INPUTS``, by |Spearman rank correlation|.

    With dozens of inputs and a few thousand samples PRIM also restricts inputs that do
    not matter (chance); screening them out first keeps each box to the inputs that
    decide the outcome.
    """
    ranks = x.rank().to_numpy()
    target = holds.astype(float)
    target = target - target.mean()
    centred = ranks - ranks.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = (centred * target[:, None]).sum(axis=0) / np.sqrt(
            (centred**2).sum(axis=0) * (target**2).sum()
        )
    strength = np.nan_to_num(np.abs(rho))
    order = np.argsort(-strength, kind="stable")[:MOST_INPUTS]
    return [str(x.columns[i]) for i in order if strength[i] >= LEAST_CORRELATION]


def sentence(what: str, box: dict[str, Any], label: Any = str) -> str:
    """One plain sentence for a box; ``label`` names an input (default: its stream name)."""
    parts = []
    for stream, (low, high) in box["limits"].items():
        name = label(stream)
        if low is not None and high is not None:
            parts.append(f"{name} is between {_number(low)} and {_number(high)}")
        elif low is not None:
            parts.append(f"{name} is above {_number(low)}")
        else:
            parts.append(f"{name} is below {_number(high)}")
    where = " and ".join(parts) if parts else "anything"
    return (
        f"{what[0].upper()}{what[1:]} in {box['density']:.0%} of the samples where {where}; "
        f"these cover {box['coverage']:.0%} of all samples where it holds."
    )


def _number(value: float) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:.2f} million"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


#: Samples of a given run or store PRIM reads at most (the first ones).
MOST_SAMPLES = 100_000


def discover(
    scenario: Run | Scenario | str | Path = "baseline",
    outcome: str = "ahead_of_russia_at:2025-11",
    threshold: float = 0.5,
    samples: int | None = None,
    seed: int | None = None,
    density: float = DENSITY,
) -> Discovery:
    """Where ``outcome >= threshold`` holds, as PRIM boxes over the run's drawn inputs.

    ``scenario`` may be a run already made (e.g. a variant of an ensemble's store,
    ``open_ensemble``): its first ``MOST_SAMPLES`` samples are read.
    """
    if not np.isfinite(threshold):
        raise InputError(
            f"expected a finite threshold, got {threshold}",
            file="command line",
            field="--threshold",
        )
    if isinstance(scenario, Run):
        ds = scenario.dataset
        if ds.sizes["sample"] > MOST_SAMPLES:
            ds = ds.isel(sample=slice(0, MOST_SAMPLES))
        the_run = Run(scenario=scenario.scenario, dataset=ds)
    else:
        the_run = run(scenario, samples=samples, seed=seed, calibration=False)
    values = outcome_of(the_run, outcome)
    holds = np.nan_to_num(values, nan=-np.inf) >= threshold
    table = the_run.dataset["input_value"].load()
    varies = table.max("sample") > table.min("sample")
    x = table.sel(input=varies).to_pandas()
    x.columns = [str(c) for c in x.columns]
    x = x[telling(x, holds)]
    what = phrase(outcome, threshold)
    share = float(holds.mean())
    boxes = find_boxes(x, holds, density) if 0 < holds.sum() < len(holds) else []
    for box in boxes:
        box["sentence"] = sentence(what, box)
    inputs = sorted({name for box in boxes for name in box["limits"]})
    low = [[(box["limits"].get(n) or (None, None))[0] for n in inputs] for box in boxes]
    high = [[(box["limits"].get(n) or (None, None))[1] for n in inputs] for box in boxes]
    attrs = dict(the_run.dataset.attrs) | {
        "samples": int(the_run.dataset.sizes["sample"]),
        "outcome": outcome,
        "threshold": threshold,
        "holds_in": share,
        "density_threshold": density,
    }
    result = xr.Dataset(
        {
            "coverage": ("box", [b["coverage"] for b in boxes]),
            "density": ("box", [b["density"] for b in boxes]),
            "mass": ("box", [b["mass"] for b in boxes]),
            "low": (("box", "input"), np.array(low, dtype=float).reshape(len(boxes), len(inputs))),
            "high": (
                ("box", "input"),
                np.array(high, dtype=float).reshape(len(boxes), len(inputs)),
            ),
        },
        coords={"box": np.arange(1, len(boxes) + 1), "input": inputs},
        attrs=attrs,
    )
    return Discovery(table=result, outcome=outcome, threshold=threshold, share=share, boxes=boxes)


def claim_discoveries(the_run: Run) -> list[Discovery]:
    """The boxes the report and the dashboard state, from a run already made.

    Where the allies would out-produce Russia in the speech's month (if it is in the
    horizon) and where the alliance is never durably ahead of the axis.
    """
    from outproduce.speech import SPEECH_MONTH

    months = the_run.dataset["month"].values.astype("datetime64[M]")
    claim = np.datetime64(SPEECH_MONTH, "M")
    outcomes = ["crossover_never"]
    if months[0] <= claim <= months[-1]:
        outcomes.insert(0, f"ahead_of_russia_at:{SPEECH_MONTH}")
    return [discover(the_run, name) for name in outcomes]
