"""Who buys the plan's rounds: national contracts against pooled ones (cooperation).

The allies' ammunition budgets (the spending pathways) buy rounds at the price of
their contracts' size (``analyses.volume_prices``): each ally alone (``national``),
the EU's members as one buyer (``eu``) or every ally as one (``alliance``). The same
draws as the plan's run, so every pooling prices the same futures.

``plan(pooling=...)`` ties the goal to the budgets: in each target year the rounds must
also be paid for by the budgets so pooled (``Problem.affordable``). Without it the goal
is production alone, as in the balance (output is also bought by Ukraine, by exports
and by older orders), and the comparison is reported beside: what the budgets buy each
year under every pooling, what the goal's rounds cost, the saving, the first year the
budgets pay for the target, and who supplies whom.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import xarray as xr

from outproduce.analyses.crossover import at_least, crossover_index
from outproduce.analyses.pathways import last_year, pathways
from outproduce.analyses.plan_problem import Planning, yearly_output
from outproduce.analyses.procurement import buyer_groups
from outproduce.analyses.run import Run
from outproduce.data.catalog import ally_names
from outproduce.engine.inputs import InputTable
from outproduce.engine.optimise import Problem, Solution
from outproduce.engine.timegrid import whole_years
from outproduce.errors import InputError
from outproduce.scenario.model import Scenario
from outproduce.scenario.uncertain import median

POOLINGS = ("national", "eu", "alliance")
#: Producers that are not one ally: the EU's published aggregate (its sites are inside
#: it, not separable) and capacity the engine built for the budgets' contracts.
MAKERS = {
    "EU": "EU industry (one published aggregate)",
    "alliance": "capacity built for the budgets' contracts",
}


def maker_name(code: str) -> str:
    """A producing country, or one of ``MAKERS``, in words."""
    return MAKERS.get(code) or ally_names().get(code, code)


def check_pooling(scenario: Scenario, pooling: str | None, objective: str) -> None:
    """Refuse an unknown pooling, one on a scenario without budgets, or one with no target.

    A pooling ties a yearly target to the budgets; max-output has none, so it would be
    ignored there (the comparison of purchases is in every plan anyway).
    """
    if pooling is None:
        return
    if pooling not in POOLINGS:
        raise InputError(
            f"unknown pooling {pooling!r}; expected one of {', '.join(POOLINGS)}",
            field="--pooled",
        )
    if objective == "max-output":
        raise InputError(
            "--national and --pooled tie a yearly target to the budgets; max-output has "
            "none, so leave them out (every plan compares national and pooled purchases)",
            field="--pooled",
        )
    if scenario.spending is None:
        raise InputError(
            "national or pooled purchases need the allies' budgets; the scenario has no "
            "'spending' section (add one or use 'base: baseline')",
            file=scenario.origin or None,
            field="spending",
        )


def budgets(scenario: Scenario, the_run: Run, pooling: str) -> xr.Dataset:
    """The spending pathways under ``pooling``, drawn as the run drew them."""
    assert scenario.spending is not None
    options = scenario.spending.model_copy(update={"pooling": pooling})
    inputs = the_run.dataset["input_uniform"]
    design = {str(n): inputs.sel(input=n).values for n in inputs["input"].values}
    table = InputTable(int(the_run.attrs["seed"]), the_run.samples, design)
    return pathways(scenario.model_copy(update={"spending": options}), table)


def yearly_bought(spend: xr.Dataset, years: np.ndarray) -> np.ndarray:
    """(sample, year) rounds the budgets buy in ``years``.

    Infinite after the pathways' last year: the budgets are not modelled beyond the
    commitment's target year, so they limit nothing there (said, not assumed zero).
    """
    rounds = spend["rounds"].sum("ally").reindex(year=years).values
    after = years > int(spend["year"].values[-1])
    return np.where(after[None, :], np.inf, np.nan_to_num(rounds, nan=0.0))


def comparison(
    planning: Planning,
    years: np.ndarray,
    goal_rounds: np.ndarray,
    supply: dict[str, float],
    whole: np.ndarray,
) -> dict[str, Any]:
    """National against pooled purchases of the goal's rounds, in numbers and words.

    ``goal_rounds`` (sample, year): the rounds the goal asks in ``years`` (the target,
    or the plan's output to its deadline); ``supply``: rounds the alliance makes in the
    goal's first year, by producing country; ``whole``: every whole year of the plan
    (the first year the budgets pay for the target is sought among them).
    """
    scenario, target = planning.scenario, planning.record["target"]
    options = scenario.spending
    assert options is not None
    rows = {}
    for pooling in POOLINGS:
        spend = budgets(scenario, planning.the_run, pooling)
        bought = yearly_bought(spend, years)
        money = np.nan_to_num(
            spend["ammunition_usd_bn"].sum("ally").reindex(year=years).values * 1e9
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            price = np.where(bought > 0, money / bought, np.nan)
        cost = float(np.nanmean((goal_rounds * price).sum(axis=1)))
        rows[pooling] = {
            "rounds_bought": [float(np.median(bought[:, i])) for i in range(len(years))],
            "unit_price_usd": [float(np.nanmedian(price[:, i])) for i in range(len(years))],
            "goal_cost_usd": cost,
            "first_year_paid": _first_year_paid(yearly_bought(spend, whole), whole, target),
            "buyers": _buyers(spend, pooling, int(years[0])),
        }
    national = rows["national"]
    for pooling in ("eu", "alliance"):
        row = rows[pooling]
        row["saving_usd"] = national["goal_cost_usd"] - row["goal_cost_usd"]
        row["saving_share"] = row["saving_usd"] / national["goal_cost_usd"]
        first, alone = row["first_year_paid"], national["first_year_paid"]
        row["years_gained"] = None if first is None or alone is None else alone - first
    total = sum(supply.values())
    return {
        "years": [int(y) for y in years],
        "volume_price_ratio": median(options.volume_price_ratio),
        "volume_reference_rounds": options.volume_reference_rounds,
        "contract_years": options.contract_years,
        "poolings": rows,
        "suppliers": [
            {
                "country": c,
                "name": maker_name(c),
                "rounds": r,
                "share": r / total if total else None,
            }
            for c, r in sorted(supply.items(), key=lambda item: -item[1])
        ],
        "words": _words(rows, years, target),
    }


def _first_year_paid(bought: np.ndarray, years: np.ndarray, target: float | None) -> int | None:
    """The first year from which the budgets buy the target in every later year and sample."""
    if target is None:
        return None
    first = crossover_index(at_least(bought, target).all(axis=0)[None, :])[0]
    return int(years[first]) if first >= 0 else None


def _buyers(spend: xr.Dataset, pooling: str, year: int) -> list[dict[str, Any]]:
    """Each buyer's contract in ``year``: its members, rounds and unit price (medians)."""
    allies = [str(a) for a in spend["ally"].values]
    rounds = spend["rounds"].sel(year=year)
    money = spend["ammunition_usd_bn"].sel(year=year) * 1e9
    rows = []
    for buyer, indices in buyer_groups(pooling, allies, spend["pooled"].values).items():
        members = [allies[i] for i in indices]
        bought = rounds.isel(ally=indices).sum("ally").values
        paid = money.isel(ally=indices).sum("ally").values
        with np.errstate(divide="ignore", invalid="ignore"):
            price = np.where(bought > 0, paid / bought, np.nan)
        rows.append(
            {
                "buyer": buyer,
                "members": members,
                "year": year,
                "rounds": float(np.median(bought)),
                "unit_price_usd": float(np.nanmedian(price)) if np.isfinite(price).any() else None,
                "cost_usd": float(np.median(paid)),
            }
        )
    return sorted(rows, key=lambda row: -row["rounds"])


def _words(rows: dict[str, Any], years: np.ndarray, target: float | None) -> str:
    """The comparison in two sentences: the saving, and the years gained."""
    national, alliance, eu = rows["national"], rows["alliance"], rows["eu"]
    text = (
        f"Buying the goal's rounds ({_span(years)}) with national contracts costs "
        f"USD {national['goal_cost_usd'] / 1e9:,.1f} bn; pooled in the EU, "
        f"USD {eu['goal_cost_usd'] / 1e9:,.1f} bn ({eu['saving_share']:.0%} less); "
        f"alliance-wide, USD {alliance['goal_cost_usd'] / 1e9:,.1f} bn "
        f"({alliance['saving_share']:.0%} less)."
    )
    if target is not None:
        text += " " + _paid_words(
            national["first_year_paid"], alliance["first_year_paid"], target, int(years[-1])
        )
    return text


def makers_words(suppliers: list[dict[str, Any]], count: int = 5) -> str:
    """The largest producers and their shares ("Germany 21%, ..."), none under 0.5%."""
    shown = [row for row in suppliers[:count] if row["share"] and row["share"] >= 0.005]
    return ", ".join(f"{row['name']} {row['share']:.0%}" for row in shown)


def _span(years: np.ndarray) -> str:
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"


def _paid_words(alone: int | None, pooled: int | None, target: float, last: int) -> str:
    """When the budgets first pay for the target, national and alliance-wide, in words."""
    rounds = f"{target:,.0f} rounds a year"
    if alone is None and pooled is None:
        return f"The budgets never buy {rounds} by {last}, national or pooled."
    if alone is None:
        return (
            f"National budgets never buy {rounds} by {last}; alliance-wide contracts from {pooled}."
        )
    if pooled is None or pooled >= alone:
        return f"The budgets buy {rounds} from {alone}, national or pooled."
    gained = alone - pooled
    return (
        f"National budgets buy {rounds} from {alone}; alliance-wide contracts from {pooled}, "
        f"{gained} year{'s' if gained > 1 else ''} sooner."
    )


def goal_years(whole: np.ndarray, record: dict[str, Any]) -> np.ndarray:
    """The whole years whose rounds the goal asks: from the target's year, or to the deadline's."""
    year = int(str(record["by"] or record["start"])[:4])
    if record["objective"] == "max-output":
        return whole[whole <= year]
    return whole[whole >= year]


def procurement(planning: Planning, solution: Solution | None) -> dict[str, Any] | None:
    """The national-against-pooled comparison for a plan (None without budgets).

    The goal's rounds: the target in each target year, or (max-output) the alliance's
    output with the plan in each whole year to the deadline's.
    """
    scenario, problem, record = planning.scenario, planning.problem, planning.record
    if scenario.spending is None:
        return None
    # The comparison covers the years the spending pathways (the budgets) cover.
    whole = np.array(whole_years(problem.months))
    whole = whole[whole <= last_year(scenario.spending)]
    years = goal_years(whole, record)
    if not len(years):
        return None
    if record["target"] is not None:
        rounds = np.full((problem.samples, len(years)), float(record["target"]))
    elif solution is not None and solution.ok:
        rounds = yearly_output(problem, solution.made).sel(year=years).values
    else:
        return None
    supply = _supply(planning, solution, int(years[0]))
    found = comparison(planning, years, rounds, supply, whole)
    found["pooling"] = record.get("pooling")
    return found


def _supply(planning: Planning, solution: Solution | None, year: int) -> dict[str, float]:
    """Rounds (155mm-equivalent, median) the alliance makes in ``year``, by producing country.

    The plan's pool is shared among its round lines in proportion to their capacity
    that year; capacity the budgets' contracts built is one line of the alliance as a
    whole ("alliance").
    """
    ds, problem = planning.the_run.dataset, planning.problem
    lines = (ds["line_bloc"] == "alliance") & (ds["line_product"] == "rounds")
    made = (ds["line_year_production"] * ds["line_factor"]).sel(year=year).where(lines, 0.0)
    by_country = made.groupby(ds["line_country"]).sum("line").median("sample")
    supply = {str(c): float(r) for c, r in by_country.to_series().items()}
    if solution is not None and solution.ok and solution.capacity is not None:
        rounds = [
            c for c, what in zip(problem.candidates, problem.makes, strict=True) if what == "rounds"
        ]
        in_year = solution.capacity["month"].dt.year == year
        capacity = solution.capacity.sel(candidate=rounds).where(in_year, 0.0).sum("month")
        made_year = float(
            (
                solution.made.where(solution.made["month"].dt.year == year, 0.0).sum("month")
                * problem.weights()
            ).median()
        )
        share = capacity / capacity.sum() if float(capacity.sum()) > 0 else capacity * 0.0
        for cid in rounds:
            country = planning.candidates[cid].country
            supply[country] = supply.get(country, 0.0) + made_year * float(share.sel(candidate=cid))
    return {c: r for c, r in supply.items() if r > 0}


def with_budgets(
    problem: Problem, scenario: Scenario, the_run: Run, pooling: str | None
) -> Problem:
    """The problem with the target tied to what the budgets buy under ``pooling`` (or as is)."""
    if pooling is None:
        return problem
    bought = yearly_bought(
        budgets(scenario, the_run, pooling), np.array(whole_years(problem.months))
    )
    return replace(problem, affordable=bought)


def budget_short(problem: Problem, record: dict[str, Any]) -> str | None:
    """Words for the first target year the budgets cannot pay for (None if they can)."""
    if problem.affordable is None or record.get("target") is None:
        return None
    years = np.array(whole_years(problem.months))
    first = int(str(record["by"])[:4])
    low = problem.affordable.min(axis=0)
    short = (years >= first) & ~at_least(low, record["target"])
    if not short.any():
        return None
    i = int(np.argmax(short))
    worst = " (the worst sample)" if problem.samples > 1 else ""
    return (
        f"the allies' budgets ({record['pooling']} contracts) buy at most {low[i]:,.0f} rounds "
        f"in {years[i]}{worst}, {record['target'] - low[i]:,.0f} short of the target"
    )
