"""The planning optimiser: which candidates to build, how big and when (linopy + HiGHS).

A problem is arrays (``Problem``): candidates that add capacity for finished rounds or
for an input (explosive, propellant, ...), each started in some month and ramping up
as the engine ramps a step (``ramp``), beside what the alliance makes without the plan
(``existing``, per sample and month, from a run of the engine). The new lines form a
pool of their own, as the engine will run them: each month the pool makes at most the
new round capacity, and every input made by some candidate is a constrained material
whose unused part stays in the pool:

    made[k, m] <= sum_{c makes rounds} cap[c, m]
    stock[k, i, m] = stock[k, i, m-1] + supply[i, m] - need[k, i] * made[k, m] >= 0
    cap[c, m] = sum_t size[c, t] * ramp[c, t, m] / 12

Every expression is whole-array over named dimensions (candidate, start, month, sample,
material): no Python loop over months, lines or samples.

Goals: ``min-cost`` (meet the target at least capital cost), ``max-output`` (most
rounds by a deadline within a budget). The target is a yearly rate: the alliance's
output (existing + the plan's) in every calendar year from the target's year on is at
least the target, in every sample (``shortfall_price`` None) or with the expected
shortfall priced into the objective. With ``affordable`` (the buyers' budgets, national
or pooled), only rounds the budgets pay for count: ``bought <= output``, ``bought <=
affordable``, ``bought >= target``.

A second solve with the build plan fixed and no goal makes the most rounds as early as
possible (weights falling with the month): that is what the engine's input pass does
each month, so the plan's deliveries are the engine's (``analyses.plan`` checks it).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from outproduce.engine.timegrid import whole_years

#: Money in the model is in USD million (coefficients near 1 keep HiGHS accurate).
MILLION = 1e6
#: Longest a solve may take; past it the plan says so instead of hanging.
MAX_SOLVE_SECONDS = 300


@dataclass(frozen=True)
class Problem:
    """A planning problem as arrays (see the module docstring for the model)."""

    candidates: list[str]
    makes: list[str]  # (C,) "rounds" or the input the candidate makes
    capex: np.ndarray  # (C,) USD per unit of yearly capacity
    min_size: np.ndarray  # (C,) smallest build (units a year), with ``integer``
    max_size: np.ndarray  # (C,) largest total build (units a year)
    ramp: np.ndarray  # (C, T, M) share of a build's size producing in month m if started at t
    starts: np.ndarray  # (T,) datetime64[M] start months
    months: np.ndarray  # (M,) datetime64[M] months of the plan
    existing: np.ndarray  # (K, M) rounds a month the alliance makes without the plan
    need: np.ndarray  # (K, I) each material per finished round
    materials: list[str]  # (I,) constrained materials of the plan's pool
    allowed: np.ndarray | None = None  # (C, T) bool: may start then (None: always)
    #: (K,) what a new round counts for in the alliance's output (its 155mm-equivalent
    #: factor, as the engine weighs 155mm lines; None: 1).
    weight: np.ndarray | None = None
    #: (K, Y) rounds the buyers' budgets pay for in each whole year of ``months``; a
    #: yearly target must also be paid for (None: the goal is production alone).
    affordable: np.ndarray | None = None

    def weights(self) -> np.ndarray:
        """(K,) what a new round counts for in each sample (1 where no factor is given)."""
        return np.ones(self.samples) if self.weight is None else self.weight

    @property
    def samples(self) -> int:
        """Samples the problem covers (one build plan for all of them)."""
        return int(self.existing.shape[0])


@dataclass(frozen=True)
class Goal:
    """What to optimise, and the goal's numbers.

    ``min-cost``: meet ``target`` rounds a year in every calendar year from ``by`` on;
    ``max-output``: most rounds from the plan's start to ``by`` within ``budget``;
    ``max-year``: most rounds in the calendar year of ``by`` (what is achievable at all).
    """

    objective: str
    target: float | None = None  # rounds a year
    by: np.datetime64 | None = None  # month (inclusive): target year start or deadline
    budget: float | None = None  # USD
    integer: bool = False
    shortfall_price: float | None = None  # USD per round short (None: no shortfall)


@dataclass
class Solution:
    """A solved plan: status, builds, production, cost and the duals of an LP."""

    status: str
    condition: str
    build: xr.DataArray | None = None  # (candidate, start) size, units a year
    made: xr.DataArray | None = None  # (sample, month) rounds the plan's pool makes
    capacity: xr.DataArray | None = None  # (candidate, month) units a month
    cost: float | None = None  # USD of capital
    shortfall: xr.DataArray | None = None  # (sample, year) rounds short of the target
    duals: dict[str, xr.DataArray] = field(default_factory=dict)
    #: Wall seconds: building the model, HiGHS solving it, the production re-solve.
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the solver found a plan."""
        return self.status == "ok"


def _coords(p: Problem) -> dict[str, Any]:
    return {
        "candidate": p.candidates,
        "start": p.starts,
        "month": p.months,
        "sample": np.arange(p.samples),
        "material": p.materials,
    }


def _arrays(p: Problem) -> dict[str, xr.DataArray]:
    c = _coords(p)
    allowed = p.allowed if p.allowed is not None else np.ones(p.ramp.shape[:2], bool)
    return {
        "ramp": xr.DataArray(
            p.ramp / 12, coords={k: c[k] for k in ("candidate", "start", "month")}
        ),
        "allowed": xr.DataArray(allowed, coords={k: c[k] for k in ("candidate", "start")}),
        "existing": xr.DataArray(p.existing, coords={k: c[k] for k in ("sample", "month")}),
        "need": xr.DataArray(p.need, coords={k: c[k] for k in ("sample", "material")}),
        "makes": xr.DataArray(np.array(p.makes), coords={"candidate": c["candidate"]}),
        "weight": xr.DataArray(p.weights(), coords={"sample": c["sample"]}),
    }


def solve(p: Problem, goal: Goal) -> Solution:
    """Build and solve the plan; then make its rounds as the engine would (``produce``).

    Returns a ``Solution`` whose status is ``ok``, ``infeasible`` or the solver's word:
    never raises on an unmet goal (the caller says what cannot be met).
    """
    import linopy

    started = time.perf_counter()
    a = _arrays(p)
    m = linopy.Model(force_dim_names=True)
    # A start that is not allowed has an upper bound of zero (rather than a mask: absent
    # slots would need care in every expression).
    size = m.add_variables(lower=0, upper=xr.where(a["allowed"], np.inf, 0.0), name="size")
    m.add_constraints(
        size.sum("start") <= xr.DataArray(p.max_size, coords=a["makes"].coords), name="max_size"
    )
    if goal.integer:
        start = m.add_variables(coords=a["allowed"].coords, name="build", binary=True)
        big = xr.DataArray(p.max_size, coords=a["makes"].coords)
        small = xr.DataArray(p.min_size, coords=a["makes"].coords)
        m.add_constraints(size <= big * start, name="built_only")
        m.add_constraints(size >= small * start, name="min_size")
        m.add_constraints(start.sum("start") <= 1, name="one_start")
    capacity = (size * a["ramp"]).sum("start")  # (candidate, month) units a month
    made = m.add_variables(lower=0, coords=a["existing"].coords, name="made")
    _pool_constraints(m, p, a, capacity, made)
    capex = xr.DataArray(p.capex / MILLION, coords=a["makes"].coords)
    cost = (size * capex).sum()
    if goal.objective == "min-cost":
        short = _target(m, p, a, goal, made)
        objective = cost
        if short is not None:
            objective = cost + (goal.shortfall_price / MILLION / p.samples) * short.sum()
        m.add_objective(objective)
    elif goal.objective == "max-year":  # the most rounds in the calendar year of ``by``
        year = (a["existing"]["month"].dt.year == int(str(goal.by)[:4])).astype(float)
        m.add_objective(-(made * a["weight"] * year).sum() / p.samples)
    else:  # max-output: the most rounds made by the deadline, within the budget
        if goal.budget is not None:
            m.add_constraints(cost <= goal.budget / MILLION, name="budget")
        window = (a["existing"]["month"] <= goal.by).astype(float)
        m.add_objective(-(made * a["weight"] * window).sum() / p.samples)
    built = time.perf_counter()
    status, condition = _solve(m)
    solved = time.perf_counter()
    seconds = {"build": built - started, "solve": solved - built}
    if status != "ok":
        return Solution(status, condition, seconds=seconds)
    build = size.solution.fillna(0.0)
    duals = {} if goal.integer else _duals(m)
    fixed = produce(p, build)
    seconds["produce"] = time.perf_counter() - solved
    return Solution(
        seconds=seconds,
        status="ok",
        condition=condition,
        build=build,
        made=fixed,
        capacity=(build * a["ramp"]).sum("start"),
        cost=float((build * capex).sum()) * MILLION,
        shortfall=m.variables["short"].solution if "short" in m.variables else None,
        duals=duals,
    )


def _pool_constraints(m: Any, p: Problem, a: dict, capacity: Any, made: Any) -> None:
    """The plan's pool: rounds made within round capacity and within each material."""
    rounds = a["makes"] == "rounds"
    m.add_constraints(made <= (capacity * rounds).sum("candidate"), name="round_capacity")
    if not p.materials:
        return
    makes = a["makes"] == xr.DataArray(p.materials, coords={"material": p.materials})
    supply = (capacity * makes).sum("candidate")
    zero = xr.zeros_like(a["existing"] * a["need"])  # (sample, month, material)
    stock = m.add_variables(lower=zero, name="stock")
    previous = stock.shift(month=1).fillna(0)  # the plan's pool starts empty
    m.add_constraints(stock - previous + a["need"] * made == supply, name="material_balance")


def _target(m: Any, p: Problem, a: dict, goal: Goal, made: Any) -> Any:
    """The yearly target from the target's year on; the shortfall variable if priced."""
    months = a["existing"]["month"]
    first = int(str(goal.by)[:4])
    years = [y for y in whole_years(months.values) if y >= first]
    counted = months.where(months.dt.year.isin(years), drop=True)
    year = counted.dt.year.rename("year")
    total = (made * a["weight"] + a["existing"]).sel(month=counted).groupby(year).sum()
    if p.affordable is not None:  # only what the budgets pay for counts toward the target
        paid = xr.DataArray(
            p.affordable,
            coords={"sample": np.arange(p.samples), "year": whole_years(months.values)},
        ).sel(year=years)
        bought = m.add_variables(lower=0, upper=paid, name="bought")
        m.add_constraints(bought <= total, name="bought_made")
        total = bought
    if goal.shortfall_price is None:
        m.add_constraints(total >= goal.target, name="target")
        return None
    zero = xr.DataArray(
        np.zeros((p.samples, len(years))),
        coords={"sample": np.arange(p.samples), "year": years},
    )
    short = m.add_variables(lower=zero, name="short")
    m.add_constraints(total + short >= goal.target, name="target")
    return short


def _solve(m: Any) -> tuple[str, str]:
    """HiGHS through linopy's direct interface, quietly; (status, condition)."""
    logging.getLogger("linopy").setLevel(logging.ERROR)  # the status is returned instead
    with _quiet_stdout():
        status, condition = m.solve(
            solver_name="highs",
            io_api="direct",
            output_flag=False,
            time_limit=float(MAX_SOLVE_SECONDS),
        )
    return ("ok" if status == "ok" else str(condition)), str(condition)


@contextlib.contextmanager
def _quiet_stdout() -> Any:
    """Silence file descriptor 1 while HiGHS runs.

    HiGHS prints its banner from C++ whenever a solver object is made, before any
    option can turn it off; on standard output it would break the CLI's JSON.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _duals(m: Any) -> dict[str, xr.DataArray]:
    """Shadow prices (USD million per unit of the constraint's right-hand side)."""
    found = {}
    for name in ("target", "material_balance", "budget", "max_size"):
        if name in m.constraints:
            found[name] = m.constraints[name].dual
    return found


def produce(p: Problem, build: xr.DataArray) -> xr.DataArray:
    """The rounds the built lines' pool makes, as early as it can (the engine's rule).

    With the builds fixed and no goal, maximising rounds weighted by lateness-falling
    weights makes the most each month that the materials allow: the engine's input pass.
    """
    import linopy

    a = _arrays(p)
    m = linopy.Model(force_dim_names=True)
    capacity = (build * a["ramp"]).sum("start")
    made = m.add_variables(lower=0, coords=a["existing"].coords, name="made")
    _pool_constraints(m, p, a, capacity, made)
    weight = xr.DataArray(np.linspace(2.0, 1.0, len(p.months)), coords={"month": p.months})
    m.add_objective(-(made * weight).sum())
    status, condition = _solve(m)
    if status != "ok":  # a fixed plan with no goal is always feasible (made = 0)
        raise RuntimeError(f"the plan's production could not be computed: {condition}")
    return made.solution
