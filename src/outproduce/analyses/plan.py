"""Plan: the cheapest way to a munitions goal, the most rounds for a budget, the earliest date.

PyPSA's lifecycle: check the goal -> build the problem from a run of the engine (what
the alliance makes without the plan, per sample and month, and each input's amount per
round) -> solve (``engine.optimise``) -> write the plan back as lines of the scenario
-> run the engine on it and compare (``check``) -> statistics (cost, rounds, shadow
prices in words). An unmet goal is a status and a sentence, never an exception.

The deterministic plan is the plan for the median: one sample with every uncertain
input at its median. ``robust=K`` plans once over K Monte Carlo samples of the run
(sample-average approximation: one build plan, production per sample), the target met
in every sample, or with ``shortfall_price`` the expected shortfall priced instead;
it reports how its builds differ from the median's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import xarray as xr

from outproduce.analyses.crossover import at_least
from outproduce.analyses.plan_buyers import budget_short, check_pooling, procurement, with_budgets
from outproduce.analyses.plan_goal import check_goal
from outproduce.analyses.plan_problem import (
    Planning,
    build_problem,
    check,
    check_pool_free,
    investments,
    round_weights,
    yearly_output,
)
from outproduce.analyses.plan_words import shadow_prices
from outproduce.analyses.provenance import resolve
from outproduce.analyses.run import Run, run
from outproduce.engine.optimise import (
    MAX_SOLVE_SECONDS,
    Goal,
    Problem,
    Solution,
    produce,
    solve,
)
from outproduce.engine.timegrid import whole_years
from outproduce.scenario.candidates import all_candidates
from outproduce.scenario.model import Scenario


@dataclass
class Plan:
    """A solved (or unmet) goal: builds, cost, rounds, shadow prices and the engine check."""

    scenario: Scenario
    goal: dict[str, Any]
    status: str
    message: str
    investments: list[dict[str, Any]] = field(default_factory=list)
    cost_usd: float | None = None
    rounds_delivered: float | None = None
    shadow_prices: list[dict[str, Any]] = field(default_factory=list)
    check: dict[str, Any] = field(default_factory=dict)
    table: xr.Dataset | None = None
    median_investments: list[dict[str, Any]] | None = None
    procurement: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``outproduce plan --json``."""
        document = {
            "objective": self.goal["objective"],
            "status": self.status,
            "message": self.message,
            "goal": self.goal,
            "cost_usd": self.cost_usd,
            "rounds_delivered": self.rounds_delivered,
            "investments": self.investments,
            "shadow_prices": self.shadow_prices,
            "check": self.check,
            "scenario": self.scenario.name,
            "scenario_hash": self.scenario.scenario_hash(),
        }
        if self.median_investments is not None:
            document["median_investments"] = self.median_investments
        if self.procurement is not None:
            document["procurement"] = self.procurement
        return document


def plan(
    scenario: Scenario | str = "baseline",
    objective: str = "min-cost",
    target: float | None = None,
    by: str | None = None,
    budget: float | None = None,
    integer: bool = False,
    robust: int | None = None,
    shortfall_price: float | None = None,
    start: str = "2026-01",
    seed: int | None = None,
    with_inputs: bool = False,
    base_run: Run | None = None,
    pooling: str | None = None,
) -> Plan:
    """Plan the builds that meet a goal (see the module docstring); bad goals raise InputError.

    ``with_inputs``: the plan's rounds also need explosive and propellant from new input
    plants (the bill of materials). Off by default, as the baseline limits no alliance
    line by inputs (no published supply figure): one rule for existing and new lines.
    ``pooling`` (national, eu or alliance): the target's rounds must also be bought by
    the allies' budgets, so contracted (``analyses.plan_buyers``); None: production only.
    """
    scenario = resolve(scenario)
    goal = check_goal(scenario, objective, target, by, budget, robust, shortfall_price, start)
    check_pool_free(scenario)
    check_pooling(scenario, pooling, objective)
    candidates = {
        k: c
        for k, c in all_candidates(scenario).items()
        if with_inputs or c.product_class == "rounds"
    }
    names = None if base_run is None else base_run.dataset["input"].values
    the_run = _existing_run(scenario, robust, seed, names)
    problem = with_budgets(
        build_problem(scenario, candidates, the_run, start), scenario, the_run, pooling
    )
    record = goal | {
        "pooling": pooling,
        "integer": integer,
        "robust": robust,
        "shortfall_price": shortfall_price,
        "with_inputs": with_inputs,
    }
    planning = Planning(scenario, candidates, the_run, problem, record)
    result = _earliest(planning) if objective == "earliest" else _solved(planning)
    if robust and result.status == "optimal":
        _add_median(result, planning, names, seed)
    return result


def _solved(planning: Planning) -> Plan:
    """Solve a min-cost or max-output goal; an unmet one says why."""
    record = planning.record
    solution = solve(planning.problem, _goal(record, record["by"]))
    if not solution.ok:
        return _unmet(planning, solution)
    if record["shortfall_price"] is not None:
        record["expected_shortfall"] = _expected_shortfall(solution)
    return _result(planning, solution)


def _add_median(result: Plan, planning: Planning, names: Any, seed: int | None) -> None:
    """Beside a robust plan: the plan for the median, and how it fares over the samples."""
    scenario, candidates, record = planning.scenario, planning.candidates, planning.record
    median_run = _existing_run(scenario, None, seed, names)
    median_problem = with_budgets(
        build_problem(scenario, candidates, median_run, record["start"]),
        scenario,
        median_run,
        record["pooling"],
    )
    goal = result.goal
    found = solve(median_problem, _goal(goal, goal["by"]))
    result.median_investments = investments(candidates, found) if found.ok else []
    if found.ok and goal["objective"] != "max-output":
        words = _median_plan_words(planning.problem, found, goal, record["robust"])
        result.message += "; " + words


def _median_plan_words(
    problem: Problem, median: Solution, record: dict[str, Any], samples: int
) -> str:
    """How the plan for the median fares over the robust plan's samples, in words.

    Its builds, fixed, make what the engine's rule makes in each sample; the share of
    samples in which the target then holds in every year from ``by`` is what planning
    for the median alone would risk.
    """
    yearly = yearly_output(problem, produce(problem, median.build))
    yearly = yearly.sel(year=yearly["year"] >= int(str(record["by"])[:4]))
    held = float(at_least(yearly, record["target"]).all("year").mean())
    return (
        f"the plan for the median alone (USD {median.cost / 1e9:,.2f} bn) would hold the "
        f"target in {held:.0%} of these {samples} samples"
    )


def _goal(record: dict[str, Any], by: str | None) -> Goal:
    return Goal(
        objective="min-cost" if record["objective"] == "earliest" else record["objective"],
        target=record.get("target"),
        by=np.datetime64(by, "M") if by else None,
        budget=record.get("budget_usd"),
        integer=record["integer"],
        shortfall_price=record["shortfall_price"],
    )


def _existing_run(
    scenario: Scenario, robust: int | None, seed: int | None, names: Any = None
) -> Run:
    """The run the plan stands on: K seeded samples, or one sample at every median.

    ``names``: the scenario's input names, if known (else a one-sample run lists them).
    """
    if robust:
        return run(scenario, samples=robust, seed=seed, calibration=False)
    if names is None:
        names = run(scenario, samples=1, seed=seed, calibration=False).dataset["input"].values
    return run(scenario, design={str(n): np.array([0.5]) for n in names}, calibration=False)


def _result(planning: Planning, solution: Solution) -> Plan:
    """Write the solution back: builds, rounds, shadow prices, the engine check."""
    scenario, problem, record = planning.scenario, planning.problem, planning.record
    made = solution.made
    # Rounds delivered: to the deadline (max-output), else to the horizon's end.
    months = made["month"].values.astype("datetime64[M]")
    window = np.ones(len(months), bool)
    if record["objective"] == "max-output":
        window = months <= np.datetime64(record["by"], "M")
    rounds = float(made.isel(month=window).sum("month").mean())
    table = xr.Dataset(
        {
            "build": solution.build.assign_attrs(units="units a year"),
            "capacity": solution.capacity.assign_attrs(units="units a month"),
            "made": (made * round_weights(problem, made)).assign_attrs(
                units="155mm-equivalent rounds a month (the plan's lines, as counted)"
            ),
            "existing": xr.DataArray(
                problem.existing, coords={"sample": made["sample"], "month": made["month"]}
            ).assign_attrs(units="155mm-equivalent rounds a month"),
        },
        attrs={"scenario": scenario.name, "scenario_hash": scenario.scenario_hash()},
    )
    words = (
        "the plan for the median"
        if not record["robust"]
        else (f"one plan over {record['robust']} samples")
    )
    message = f"{words}: capital USD {solution.cost / 1e9:,.2f} bn"
    budget = record.get("budget_usd")
    if budget and solution.cost < budget * (1 - 1e-6):
        message += (
            f" of the USD {budget / 1e9:,.2f} bn budget (more capital buys nothing more by "
            "the deadline: the candidates that deliver by then are at their largest size "
            "or their inputs bind; see the shadow prices)"
        )
    if record.get("expected_shortfall") is not None:
        message += (
            f"; with the shortfall priced, the target is missed by "
            f"{record['expected_shortfall']:,.0f} rounds a year on average over the samples "
            "and years"
        )
    checked = check(planning, solution)
    if not checked["passed"]:
        message += (
            "; THE ENGINE DOES NOT REPRODUCE THIS PLAN (a bug: please report it with the scenario)"
        )
    return Plan(
        scenario=scenario,
        goal=record,
        status="optimal" if checked["passed"] else "check_failed",
        message=message,
        investments=investments(planning.candidates, solution),
        cost_usd=solution.cost,
        rounds_delivered=rounds,
        shadow_prices=shadow_prices(solution, record),
        check=checked,
        table=table,
        procurement=procurement(planning, solution),
    )


def _unmet(planning: Planning, why: Solution) -> Plan:
    """An unmet goal: which target, by how much, and the best achievable in its year.

    Either the lines cannot make the target, or (with ``pooling``) the budgets cannot
    pay for it, or both: each is said.
    """
    scenario, problem, record = planning.scenario, planning.problem, planning.record
    if "infeasible" not in why.condition:  # a time limit or a solver failure: say so
        return Plan(
            scenario,
            record,
            why.condition,
            f"no plan found within the solver's limit ({why.condition}, at most "
            f"{MAX_SOLVE_SECONDS} s); ask fewer samples (--robust) or leave out --integer",
        )
    if record["objective"] == "max-output":
        return Plan(scenario, record, why.status, f"no plan found: the solver said {why.condition}")
    year = int(str(record["by"])[:4])
    best = solve(problem, Goal("max-year", by=np.datetime64(f"{year}-01", "M")))
    reached = None
    if best.ok:
        reached = float(yearly_output(problem, best.made).sel(year=year).min())
    target = record["target"]
    worst = f" (the worst of {problem.samples} samples)" if problem.samples > 1 else ""
    message = f"the target of {target:,.0f} rounds a year from {year} cannot be met"
    unpaid = budget_short(problem, record)
    if unpaid:
        message += f": {unpaid}"
    if reached is not None and (reached < target * (1 - 1e-9) or not unpaid):
        message += ("; the lines make" if unpaid else ":") + (
            f" at most {reached:,.0f} in {year}{worst} with every candidate at its "
            f"largest size as early as it can start, {target - reached:,.0f} short"
        )
    if problem.samples > 1 and record.get("shortfall_price") is None:
        message += "; a plan over samples can price the shortfall instead (--shortfall-price)"
    return Plan(
        scenario,
        record,
        "infeasible",
        message,
        check={
            "best_achievable": reached,
            "year": year,
            "short_by": None if reached is None else target - reached,
            "budgets_short": unpaid,
        },
        procurement=procurement(planning, None),
    )


def _earliest(planning: Planning) -> Plan:
    """The first calendar year from which the target can be held, by bisection.

    Feasibility only grows with the year (a later year drops the earlier years'
    constraints), so the first feasible year is found in log2(years) solves; the plan
    returned is the least-cost plan for that year.
    """
    problem, record = planning.problem, planning.record
    whole = whole_years(problem.months)
    solved: dict[int, Solution] = {}

    def feasible(i: int) -> bool:
        if i not in solved:
            solved[i] = solve(problem, _goal(record, f"{whole[i]}-01"))
        return solved[i].ok

    low, high = 0, len(whole) - 1
    if not feasible(high):
        return _unmet(replace(planning, record=record | {"by": f"{whole[high]}-01"}), solved[high])
    while low < high:
        middle = (low + high) // 2
        if feasible(middle):
            high = middle
        else:
            low = middle + 1
    found = solved[high]
    year = whole[high]
    record = record | {"by": f"{year}-01", "earliest_year": year}
    result = _result(replace(planning, record=record), found)
    result.message = (
        f"earliest: {record['target']:,.0f} rounds a year can first be held from {year}; "
        + result.message
    )
    return result


def _expected_shortfall(solution: Solution) -> float:
    """Rounds a year short of the target, the mean over samples and target years."""
    short = solution.shortfall
    return 0.0 if short is None else float(short.mean())
