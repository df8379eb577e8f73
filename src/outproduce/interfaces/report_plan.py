"""The report's plan section: what it would take to hold the adversary's output.

The goal comes from the report's own run, one rule for both sides: the adversary's
highest median yearly output from the plan's start on (Russia and its suppliers). The
planner finds the first year from which the alliance can hold that with the packaged
candidates, and its least-capital plan (``outproduce plan --objective earliest``),
checked in the engine.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from outproduce.analyses.plan import Plan, plan
from outproduce.analyses.plan_buyers import makers_words
from outproduce.interfaces import figures_plan
from outproduce.interfaces.report_verdict import figure_html, section_table

#: The plan's first month (builds may start from then).
PLAN_START = "2026-01"


def plan_goal(annual: pd.DataFrame) -> tuple[float, int] | None:
    """The adversary's highest median yearly output from the plan's start, and its year.

    None where the horizon has no year from the plan's start on, or no adversary output.
    """
    later = annual[annual["year"] >= int(PLAN_START[:4])]
    if later.empty or not later["adversary_p50"].max() > 0:
        return None
    row = later.loc[later["adversary_p50"].idxmax()]
    return float(row["adversary_p50"]), int(row["year"])


def plan_section(
    scenario: Any, annual: pd.DataFrame, the_run: Any = None
) -> tuple[dict[str, Any], str, Plan] | None:
    """The section, its headline and the plan (written as plan.json by the report).

    None where there is no goal to plan for (``plan_goal``). ``the_run``: the report's
    run, whose input names the plan for the median reuses (no extra run to list them).
    """
    goal = plan_goal(annual)
    if goal is None:
        return None
    target, peak_year = goal
    found = plan(scenario, "earliest", target=target, start=PLAN_START, base_run=the_run)
    goal = (
        f"The goal: the alliance's output at least the adversary's highest median yearly "
        f"output from {PLAN_START[:4]} on ({target / 1e6:.2f} million rounds, in "
        f"{peak_year}) in every year, built from the packaged candidates (plants like "
        "published ones, with their published capital cost, lead and ramp; the plan for "
        "the median; inputs not limiting, as in the baseline)."
    )
    text = [goal]
    figures: list[str] = []
    tables = []
    if found.status == "optimal":
        year = found.goal["earliest_year"]
        builds = "; ".join(
            f"{row['name']} of {row['size']:,.0f} a year from {row['start']}"
            for row in found.investments
        )
        headline = (
            f"Plan: holding the adversary's peak output ({target / 1e6:.2f} million rounds "
            f"a year) is first possible from {year}, for USD {found.cost_usd / 1e9:,.2f} bn "
            "of capital"
        )
        text.append(
            f"It can first be held from {year}, at a capital cost of USD "
            f"{found.cost_usd / 1e9:,.2f} bn: {builds or 'no new build'}."
        )
        text += [_sentence(row["words"]) for row in found.shadow_prices[:3]]
        adversary = dict(zip(annual["year"].astype(int), annual["adversary_p50"], strict=True))
        figure = figures_plan.plan_figure(found.table, target, adversary, year)
        figures.append(figure_html(figure, "fig-plan"))
        frame = pd.DataFrame(
            [
                {
                    "build": row["name"],
                    "makes": row["makes"],
                    "size a year": row["size"],
                    "first month of construction": row["start"],
                    "capital, USD m": row["capex_usd"] / 1e6,
                }
                for row in found.investments
            ]
        )
        if not frame.empty:
            tables.append(section_table("The plan's builds", frame, open_=True))
    else:
        headline = f"Plan: {found.message}"
        text.append(_sentence(found.message))
    if found.procurement is not None:
        words, frame = procurement_summary(found.procurement)
        text.append(words)
        tables.append(section_table("National or pooled purchases", frame, open_=True))
    check = found.check
    if "engine_rel_diff" in check:
        text.append(
            f"Checked in the engine: the plan's {check['lines']} line(s), run with the same "
            f"inputs, reproduce its rounds (largest relative difference "
            f"{check['engine_rel_diff']:.0e}). The command outproduce plan asks other goals "
            "(a budget, a date, robust over the samples, with explosive and propellant plants)."
        )
    section = {
        "id": "plan",
        "title": "What to build to hold the adversary's output",
        "text": text,
        "figures": figures,
        "tables": tables,
    }
    return section, headline, found


POOLING_WORDS = {
    "national": "national contracts",
    "eu": "EU-pooled contracts",
    "alliance": "alliance-wide contracts",
}


def procurement_summary(found: dict[str, Any]) -> tuple[str, pd.DataFrame]:
    """Who pays for the goal's rounds, national or pooled: a paragraph and its table."""
    first = found["years"][0]
    makers = makers_words(found["suppliers"])
    words = (
        f"Who pays: the goal counts the rounds made, whoever buys them (Ukraine, exports "
        f"and older orders buy too). Were the allies' ammunition budgets to buy them, "
        f"each contract's unit price would follow its size (a labelled assumption: each "
        f"doubling of a contract cuts it to {found['volume_price_ratio']:.3g} of the last, "
        f"the median of the range; nothing published fixes it for 155mm). "
        f"{found['words']} Who supplies them in {first}: {makers} of the alliance's "
        "rounds, every buyer pro rata (one alliance market: no allocation of suppliers to "
        "buyers is published)."
    )
    rows = []
    for pooling, row in found["poolings"].items():
        rows.append(
            {
                "purchases": POOLING_WORDS[pooling],
                "buyers": len(row["buyers"]),
                f"rounds bought, {first}": row["rounds_bought"][0],
                f"USD a round, {first}": row["unit_price_usd"][0],
                "goal's rounds, USD bn": row["goal_cost_usd"] / 1e9,
                "saving vs national %": (
                    None if row.get("saving_share") is None else 100 * row["saving_share"]
                ),
                "target paid from year": row["first_year_paid"],
            }
        )
    return words, pd.DataFrame(rows)


def _sentence(words: str) -> str:
    """Words as a sentence: a capital first letter (the rest as written), a full stop."""
    return words[:1].upper() + words[1:] + "."
