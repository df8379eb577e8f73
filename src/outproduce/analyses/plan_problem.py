"""The plan's problem from a run of the engine, and the plan back into the engine.

``build_problem`` turns the candidates and a run (what the alliance makes without the
plan, each input's amount per round) into ``engine.optimise.Problem`` arrays;
``plan_lines`` writes a solution back as lines of the scenario, and ``check`` runs the
engine on them: the one engine reproduces the optimiser's rounds, month by month.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from outproduce.analyses.run import Run, run
from outproduce.engine.inputs import InputTable
from outproduce.engine.optimise import Problem, Solution
from outproduce.engine.timegrid import whole_years
from outproduce.errors import InputError
from outproduce.scenario.candidates import Candidate
from outproduce.scenario.components import Line, Step
from outproduce.scenario.model import Scenario
from outproduce.scenario.uncertain import _Uncertain, median


@dataclass(frozen=True)
class Planning:
    """What every step of one plan shares (one argument instead of five).

    The scenario, what it may build, the run it stands on, the problem, the goal as
    recorded.
    """

    scenario: Scenario
    candidates: dict[str, Candidate]
    the_run: Run
    problem: Problem
    record: dict[str, Any]


#: The pool the plan's lines share in the engine (their inputs come from plan lines).
PLAN_POOL = "plan"
#: Relative difference within which the engine must reproduce the plan's rounds.
CHECK_TOLERANCE = 1e-6


def build_problem(
    scenario: Scenario, candidates: dict[str, Candidate], the_run: Run, start: str
) -> Problem:
    """The planning problem over the plan's months, from the candidates and a run.

    The months run from January of the start's year (so every year a target counts is
    a whole calendar year); builds may start from ``start`` on.
    """
    months = the_run.dataset["month"].values.astype("datetime64[M]")
    months = months[months >= np.datetime64(start[:4] + "-01", "M")]
    ids = list(candidates)
    lead = np.array([_whole(median(candidates[c].lead_months)) for c in ids])
    span = np.array([max(_whole(median(candidates[c].ramp_months)), 1) for c in ids])
    index = np.arange(len(months))
    # ramp[c, t, m]: a build started in month t first produces in t + lead, full after span.
    ramp = np.clip(
        (index[None, None, :] - index[None, :, None] - lead[:, None, None] + 1)
        / span[:, None, None],
        0.0,
        1.0,
    )
    first = np.datetime64(start, "M")
    earliest = np.array(
        [max(np.datetime64(candidates[c].earliest_start or start, "M"), first) for c in ids]
    )
    allowed = (months[None, :] >= earliest[:, None]) & (ramp.max(axis=2) > 0)
    makes = [candidates[c].product_class for c in ids]
    materials = sorted({m for m in makes if m != "rounds"})
    bom = scenario.inputs.bill_of_materials
    existing = the_run.dataset["series_output"].sel(
        series="alliance", month=months.astype("datetime64[ns]")
    )
    need = (
        np.stack([_need(the_run, bom.get(m, 0.0), m) for m in materials], axis=1)
        if materials
        else np.zeros((the_run.samples, 0))
    )
    return Problem(
        candidates=ids,
        makes=makes,
        capex=np.array([median(candidates[c].capex_per_unit) for c in ids]),
        min_size=np.array([candidates[c].min_size for c in ids]),
        max_size=np.array([candidates[c].max_size for c in ids]),
        ramp=ramp,
        starts=months,
        months=months,
        existing=existing.values,
        need=need,
        materials=materials,
        allowed=allowed,
        weight=_drawn(
            the_run,
            "assumption:conversion_155eq:155mm",
            scenario.assumptions.conversion_155eq.get("155mm", 1.0),
        ),
    )


def check_pool_free(scenario: Scenario) -> None:
    """Refuse a scenario that uses the plan's own pool name (its check would mix them)."""
    for line_id, line in scenario.lines.items():
        if line.pool == PLAN_POOL:
            raise InputError(
                f"the pool name {PLAN_POOL!r} is kept for the plan's new lines; expected "
                "another pool name",
                file=scenario.origin,
                field=f"lines.{line_id}.pool",
            )
    if PLAN_POOL in scenario.inputs.initial_stock:
        raise InputError(
            f"the pool name {PLAN_POOL!r} is kept for the plan's new lines; expected another",
            file=scenario.origin,
            field=f"inputs.initial_stock.{PLAN_POOL}",
        )


def _whole(months: float) -> int:
    return int(np.rint(months))


def _need(the_run: Run, amount: Any, material: str) -> np.ndarray:
    """Each sample's amount of a material per round, as the engine will draw it."""
    return np.maximum(_drawn(the_run, _bom_input(material), amount), 0.0)


def _drawn(the_run: Run, name: str, value: Any) -> np.ndarray:
    """Each sample's value of an input, as the engine draws it.

    The run's own draw where it made one; otherwise the input's seeded stream (a Monte
    Carlo run) or its median (the median design; ``check`` gives the engine the same).
    """
    values = the_run.dataset["input_value"]
    if name in values["input"].values:
        return values.sel(input=name).values
    if not isinstance(value, _Uncertain):
        return np.full(the_run.samples, float(value))
    if the_run.attrs.get("design") == "user design":
        return np.full(the_run.samples, median(value))
    return InputTable(int(the_run.attrs["seed"]), the_run.samples).draw(name, value)


def _bom_input(material: str) -> str:
    return f"input:{material}:per_round"


def investments(candidates: dict[str, Candidate], solution: Solution) -> list[dict[str, Any]]:
    """The builds of a solution, largest capital first: candidate, size, start, capex."""
    build = solution.build
    rows = []
    for c, t in zip(*np.nonzero(build.values > 1e-6), strict=True):
        cid = str(build["candidate"].values[c])
        size = float(build.values[c, t])
        capex = size * median(candidates[cid].capex_per_unit)
        rows.append(
            {
                "candidate": cid,
                "name": candidates[cid].name,
                "makes": candidates[cid].product_class,
                "size": size,
                "start": str(build["start"].values[t])[:7],
                "capex_usd": capex,
            }
        )
    return sorted(rows, key=lambda row: -row["capex_usd"])


def plan_lines(candidates: dict[str, Candidate], solution: Solution) -> dict[str, Line]:
    """The builds as lines of the scenario: one step each, ramping as the optimiser had it."""
    lines = {}
    for row in investments(candidates, solution):
        cand = candidates[row["candidate"]]
        first = np.datetime64(row["start"], "M") + _whole(median(cand.lead_months))
        full = first + max(_whole(median(cand.ramp_months)), 1) - 1
        tonnes = cand.product_class.endswith("_t")
        lines[f"plan:{row['candidate']}:{row['start']}"] = Line(
            name=f"Plan: {cand.name} (started {row['start']})",
            bloc="alliance",
            country=cand.country,
            calibre="155mm",
            measure="output",
            product_class=cand.product_class,
            steps=[
                Step(
                    first_output=str(first),
                    full_rate=str(full),
                    rate=row["size"],
                    unit="tonnes_per_year" if tonnes else "rounds_per_year",
                    kind="estimate",
                    measure="output",
                    source=cand.source,
                )
            ],
            growth_after_last_step=0.0,
            pool=PLAN_POOL,
            source=cand.source,
            note="Built by `outproduce plan`: size and start chosen by the optimiser.",
        )
    return lines


def check(planning: Planning, solution: Solution) -> dict[str, Any]:
    """Run the engine on the scenario with the plan's lines; compare the alliance's output.

    The same samples (the same seed, or the same median design) with the plan's lines
    added: the engine's alliance output must be the run's plus the plan's rounds, month
    by month, within ``CHECK_TOLERANCE`` (relative to the largest monthly output).
    """
    scenario, the_run, problem = planning.scenario, planning.the_run, planning.problem
    candidates = planning.candidates
    lines = plan_lines(candidates, solution)
    with_plan = scenario.model_copy(update={"lines": scenario.lines | lines})
    design = None
    if the_run.attrs.get("design") == "user design":  # the median: every input at 0.5
        design = {str(n): np.array([0.5]) for n in the_run.dataset["input"].values}
        # The plan's materials are drawn where the plan also has round lines to use them.
        bom = scenario.inputs.bill_of_materials
        made = {line.product_class for line in lines.values()}
        if "rounds" in made:
            design |= {
                _bom_input(m): np.array([0.5])
                for m in made - {"rounds"}
                if isinstance(bom.get(m), _Uncertain)
            }
    again = run(
        with_plan,
        samples=the_run.samples,
        seed=int(the_run.attrs["seed"]),
        design=design,
        calibration=False,
    )
    months = problem.months.astype("datetime64[ns]")
    engine = again.dataset["series_output"].sel(series="alliance", month=months).values
    planned = problem.existing + problem.weights()[:, None] * solution.made.values
    scale = max(float(np.abs(planned).max()), 1.0)
    difference = float(np.abs(engine - planned).max()) / scale
    return {
        "engine_rel_diff": difference,
        "tolerance": CHECK_TOLERANCE,
        "passed": difference <= CHECK_TOLERANCE,
        "lines": len(lines),
    }


def round_weights(problem: Problem, made: xr.DataArray) -> xr.DataArray:
    """What a new round counts for in each sample (its 155mm-equivalent factor)."""
    return xr.DataArray(problem.weights(), coords={"sample": made["sample"]})


def yearly_output(problem: Problem, made: xr.DataArray) -> xr.DataArray:
    """(sample, year) the alliance's output with the plan's rounds, whole years only."""
    total = made * round_weights(problem, made) + xr.DataArray(problem.existing, coords=made.coords)
    return total.groupby("month.year").sum().sel(year=whole_years(problem.months))
