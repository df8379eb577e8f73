"""Which sources each chart of the report draws on.

A source line under every chart, and back-links from each source to the charts it
supports: two clicks from a figure to its source and back.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

from outproduce.data.catalog import load_table, source_lookup, split_sources
from outproduce.scenario.model import Scenario, source_ids_in

#: The packaged tables the spending pathways read.
SPENDING_TABLES = ("defence_expenditure", "commitments", "spending_aggregates", "allies", "gdp")
#: What each chart draws: the lines and conversions (balance), the spending pathways,
#: the budgets' order book (pathways, prices, contracts), the stocks (holders, contracts).
CHART_PARTS = {
    "fig-balance": ("output, alliance vs Russia and suppliers", ("lines",)),
    "fig-drivers-claim": ("what drives the claim month", ("lines",)),
    "fig-drivers-output": ("what drives the 2030 output", ("lines",)),
    "fig-gap": ("gap to the core target per ally", ("spending",)),
    "fig-totals": ("core spending on the pathways", ("spending",)),
    "fig-allies": ("each ally's path to its target", ("spending",)),
    "fig-order-book": ("demand, output and the adversary", ("spending", "lines")),
    "fig-sustain": ("stocks of the holders", ("holders",)),
    "fig-plan": (
        "what to build to hold the adversary's output, and who pays",
        ("lines", "candidates", "spending"),
    ),
}


def part_sources(scenario: Scenario, part: str) -> set[str]:
    """Source ids behind one part of the chain as the scenario has it."""
    named: set[str] = set()
    if part == "lines":
        dump = {
            "lines": {k: v.model_dump(mode="json") for k, v in scenario.lines.items()},
            "conversion": scenario.assumptions.model_dump(mode="json")["conversion_155eq"],
        }
    elif part == "spending":
        if scenario.spending is None:
            return named
        dump = scenario.spending.model_dump(mode="json")
        for table in SPENDING_TABLES:
            for cell in load_table(table)["source_id"]:
                named.update(split_sources(cell))
    elif part == "candidates":  # what the planner may build (packaged and the scenario's)
        from outproduce.scenario.candidates import all_candidates

        for candidate in all_candidates(scenario).values():
            named.update(split_sources(candidate.source))
        dump = {}
    else:  # holders and the contracts that fill them
        dump = {
            "holders": {k: v.model_dump(mode="json") for k, v in scenario.holders.items()},
            "contracts": {k: v.model_dump(mode="json") for k, v in scenario.contracts.items()},
        }
    return named | source_ids_in(dump)


def chart_sources(scenario: Scenario, chart: str) -> list[str]:
    """The known source ids a chart draws on, sorted."""
    known = source_lookup()
    parts = CHART_PARTS.get(chart, ("", ()))[1]
    ids = set().union(*(part_sources(scenario, p) for p in parts))
    return sorted(i for i in ids if i in known)


def with_source_lines(
    sections: list[dict[str, Any]], scenario: Scenario
) -> dict[str, list[tuple[str, str]]]:
    """Add a source line under each chart of ``sections`` (in place); return back-links.

    Back-links: source id -> [(chart id, what the chart shows)] for the sources table.
    """
    known = source_lookup()
    backlinks: dict[str, list[tuple[str, str]]] = {}
    for section in sections:
        lines = []
        for figure in section.get("figures", []):
            found = re.search(r'id="(fig-[a-z-]+)"', figure)
            ids = chart_sources(scenario, found.group(1)) if found else []
            for source_id in ids:
                label = CHART_PARTS[found.group(1)][0]
                backlinks.setdefault(source_id, []).append((found.group(1), label))
            caption = _caption([known[i] for i in ids])
            lines.append(Markup(figure) + Markup(caption))
        if lines:
            section["figures"] = lines
    return backlinks


def _caption(rows: list[dict[str, Any]]) -> str:
    """The source line under a chart: how many sources of each grade, then each, best first.

    Folded (``<details>``): a chart resting on forty sources keeps a one-line caption.
    """
    if not rows:
        return '<p class="source">Sources: model output of the chain above.</p>'
    rows = sorted(rows, key=lambda r: (str(r["reliability"]), str(r["publisher"])))
    grades = [str(r["reliability"]) for r in rows]
    counts = " · ".join(f"{g} {grades.count(g)}" for g in sorted(set(grades)))
    links = "; ".join(
        f'<a href="#src-{escape(r["source_id"])}">{escape(r["publisher"])} '
        f"{escape(str(r['published'])[:4])} [{escape(r['reliability'])}]</a>"
        for r in rows
    )
    return (
        f'<details class="source"><summary>Sources of this chart: {len(rows)} (grade '
        f"{counts})</summary>{links}</details>"
    )


def sources_used(
    scenario: Scenario, backlinks: dict[str, list[tuple[str, str]]]
) -> list[dict[str, Any]]:
    """Every source the report rests on, each with the charts it supports."""
    named = scenario.source_ids() | part_sources(scenario, "candidates")
    for cell in load_table("published_estimates")["source_id"]:
        named.update(split_sources(cell))
    if scenario.spending is not None:
        for table in SPENDING_TABLES:
            for cell in load_table(table)["source_id"]:
                named.update(split_sources(cell))
    lookup = source_lookup()
    return [lookup[s] | {"supports": backlinks.get(s, [])} for s in sorted(named) if s in lookup]


def source_summary(scenario: Scenario, chart: str) -> str:
    """A chart's sources in one line of text (the dashboard's caption under a chart)."""
    known = source_lookup()
    grades = [str(known[i]["reliability"]) for i in chart_sources(scenario, chart)]
    if not grades:
        return "Sources: model output of the chain."
    counts = " · ".join(f"{g} {grades.count(g)}" for g in sorted(set(grades)))
    return (
        f"Sources of this chart: {len(grades)} (grade {counts}); each is listed with its "
        "link in the Assumptions and sources tab."
    )
