"""The dashboard's "What to build" tab: pick a goal, see the plan, its cost and its check.

Laid out here (Streamlit), computed by ``dashboard_work.plan_limited`` (``outproduce.plan``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from outproduce.errors import InputError
from outproduce.interfaces.dashboard import Busy
from outproduce.interfaces.dashboard_work import MAX_DASHBOARD_ROBUST, plan_limited
from outproduce.interfaces.figures_plan import plan_figure
from outproduce.interfaces.files import to_json
from outproduce.interfaces.formatting import human_frame
from outproduce.interfaces.report_plan import POOLING_WORDS, plan_goal, procurement_summary
from outproduce.scenario.model import Scenario

PAYERS = {None: "whoever buys (production alone)"} | {
    k: f"the allies' budgets, {words}" for k, words in POOLING_WORDS.items()
}
OBJECTIVES = {
    "min-cost": "least capital to hold a yearly goal from a year on",
    "earliest": "the first year a yearly goal can be held",
    "max-output": "most rounds by a deadline for a capital budget",
}


@st.cache_data(show_spinner=False, max_entries=8)
def cached_plan(scenario_json: str, goal_json: str) -> dict[str, Any]:
    """A plan as its JSON document and its table (cached by scenario and goal)."""
    import json

    found = plan_limited(Scenario.model_validate_json(scenario_json), json.loads(goal_json))
    return {"document": found.to_dict(), "table": found.table}


def plan_tab(scenario: Scenario, annual: pd.DataFrame, plot: Any) -> None:
    """The tab: goal fields, a Plan button, then the plan in words, table and chart."""
    import json

    peak, year = plan_goal(annual)
    st.caption(
        "Which new lines and expansions (and with inputs, which explosive and propellant "
        "plants) to build, how big and when, from the packaged candidates — plants like "
        "published ones, with their published capital cost, lead and ramp "
        "(`outproduce plan`; linopy + HiGHS). Every plan is checked in the engine."
    )
    one, two, three = st.columns(3)
    objective = one.selectbox(
        "Goal", list(OBJECTIVES), format_func=lambda k: f"{k}: {OBJECTIVES[k]}", key="plan-goal"
    )
    target = two.number_input(
        "Rounds a year to hold (million)",
        0.1,
        20.0,
        round(peak / 1e6, 2),
        0.1,
        key="plan-target",
        help=f"Default: the adversary's highest median yearly output from 2026 ({year}).",
    )
    by_year = three.number_input("From / by year", 2026, 2035, 2028, 1, key="plan-year")
    four, five, six = st.columns(3)
    budget = four.number_input(
        "Capital budget, USD bn (max-output)", 0.1, 100.0, 2.0, 0.1, key="plan-budget"
    )
    robust = five.number_input(
        "Robust over samples (0: the plan for the median)",
        0,
        MAX_DASHBOARD_ROBUST,
        0,
        5,
        key="plan-robust",
        help="One build plan over that many Monte Carlo samples; a shortfall is priced at "
        "USD 5,000 a round (the CLI also asks the goal to hold in every sample).",
    )
    with_inputs = six.checkbox(
        "New rounds need new explosive and propellant plants",
        key="plan-inputs",
        help="Off: inputs do not limit new lines, as in the baseline (no published supply).",
    )
    payer = st.radio(
        "Who pays for the goal's rounds",
        list(PAYERS),
        format_func=lambda k: PAYERS[k],
        horizontal=True,
        key="plan-payer",
        help="With the budgets, only rounds they pay for count toward a yearly goal "
        "(`--national` / `--pooled`; not max-output). Every plan compares national and "
        "pooled purchases.",
    )
    if not st.button("Plan", key="plan-run"):
        return
    goal = {
        "objective": objective,
        "target": None if objective == "max-output" else target * 1e6,
        "by": f"{by_year}-12" if objective == "max-output" else f"{by_year}-01",
        "budget": budget * 1e9 if objective == "max-output" else None,
        "robust": int(robust),
        "shortfall_price": 5000.0,
        "with_inputs": with_inputs,
        "pooling": None if objective == "max-output" else payer,  # no yearly target to tie
    }
    if objective == "earliest":
        goal.pop("by")
    try:
        with st.spinner("Planning (a few seconds; robust plans longer)…"):
            found = cached_plan(scenario.model_dump_json(), json.dumps(goal))
    except (Busy, InputError) as exc:
        st.warning(str(exc) if isinstance(exc, Busy) else f"error: {exc.one_line()}")
        return
    document = found["document"]
    if document["status"] == "optimal":
        st.success(document["message"])
    else:
        st.warning(document["message"])
    if document["investments"]:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "build": row["name"],
                        "makes": row["makes"],
                        "size a year": f"{row['size']:,.0f}",
                        "construction from": row["start"],
                        "capital, USD m": f"{row['capex_usd'] / 1e6:,.0f}",
                    }
                    for row in document["investments"]
                ]
            ),
            hide_index=True,
        )
        adversary = dict(zip(annual["year"].astype(int), annual["adversary_p50"], strict=True))
        held_from = int(str(document["goal"]["by"])[:4]) if document["goal"]["by"] else None
        figure = plan_figure(found["table"], goal["target"] or 0.0, adversary, held_from)
        if goal["target"] is None:  # max-output has no yearly goal to draw
            figure.data = [t for t in figure.data if not str(t.name).startswith("goal")]
        plot(figure, "plan")
    for row in document["shadow_prices"][:4]:
        st.markdown(f"- {row['words']}")
    if document.get("procurement"):
        words, frame = procurement_summary(document["procurement"])
        st.markdown("**National or pooled purchases**")
        st.markdown(words)
        st.dataframe(human_frame(frame, html=False), hide_index=True)
    check = document["check"]
    if "engine_rel_diff" in check:
        st.caption(
            f"Checked in the engine: the plan's {check['lines']} line(s) reproduce its rounds "
            f"(largest relative difference {check['engine_rel_diff']:.0e})."
        )
    st.download_button(
        "Download the plan (JSON)",
        to_json(document),
        file_name="plan.json",
        mime="application/json",
        key="plan-download",
    )
