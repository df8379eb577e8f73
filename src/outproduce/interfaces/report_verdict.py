"""The report's sections on the verdict: the claim, the calibration, the lines' figures.

Each returns a section (id, title, paragraphs, figures, tables) for the report
template; the numbers come from the analyses, the grades from the sources table.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from outproduce.analyses.calibrate import Calibration
from outproduce.analyses.claim import Claim
from outproduce.data.catalog import grade_of
from outproduce.interfaces import figures
from outproduce.interfaces.formatting import human_frame, rate_text
from outproduce.interfaces.outputs import crossover_text, published_text
from outproduce.interfaces.report_methods import drives_title, input_label
from outproduce.scenario.model import Scenario
from outproduce.scenario.uncertain import describe


def fmt_m(value: float) -> str:
    """Millions with two decimals."""
    return f"{value / 1e6:.2f}"


#: The report's chart toolbar: save, zoom, pan, reset. The full toolbar spans a phone's
#: width (390 px) and covered the charts' titles there.
TOOLBAR = {
    "displaylogo": False,
    "modeBarButtonsToRemove": [
        "select2d",
        "lasso2d",
        "zoomIn2d",
        "zoomOut2d",
        "autoScale2d",
        "hoverClosestCartesian",
        "hoverCompareCartesian",
        "toggleSpikelines",
    ],
}


def figure_html(figure: Any, div_id: str) -> str:
    """A plotly figure as an HTML fragment (plotly.js is inlined once by the page).

    The title sits below the toolbar's row (40 px down, in a taller top margin), so the
    two never meet on a narrow screen.
    """
    figure.update_layout(
        margin={"t": 96}, title={"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 40}}
    )
    return figure.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=TOOLBAR)


def section_table(title: str, frame: pd.DataFrame, open_: bool = False) -> dict[str, Any]:
    """A table for the template, cells formatted once (``formatting``); ``open_`` unfolds it."""
    return {
        "title": title,
        "columns": list(frame.columns),
        "rows": human_frame(frame).values.tolist(),
        "open": open_,
    }


def claim_section(verdict: Claim) -> dict[str, Any]:
    """The speech's sentence tested: first in the report, above the balance."""
    break_even = pd.DataFrame(
        {
            "the claim holds if": [b["input"] for b in verdict.break_even],
            "versus": [b["versus"] for b in verdict.break_even],
            "is": [
                f"{b['condition']} {fmt_m(b['value'])} M"
                if b["value"] is not None
                else "never (not even at 0)"
                for b in verdict.break_even
            ],
            "model median (M)": [fmt_m(b["median"]) for b in verdict.break_even],
        }
    )
    evidence = pd.DataFrame(
        {
            "line": [e["name"] for e in verdict.evidence],
            "bloc": [e["bloc"] for e in verdict.evidence],
            "figure in force since": [e["step_from"] for e in verdict.evidence],
            "kind": [e["kind"] for e in verdict.evidence],
            "grade": [e["grade"] for e in verdict.evidence],
            "sources": [e["sources"].replace(";", "; ") for e in verdict.evidence],
        }
    )
    return {
        "id": "claim",
        "title": "The claim, tested",
        "text": [
            f"“{verdict.attrs['claim']}” (NATO Secretary General, NATO-Industry Forum, "
            "Bucharest, 6 November 2025). No figures were given with it; NATO declined to "
            "publish its estimates. Tested here on the published figures in "
            f"{verdict.month}, counting complete tube-artillery rounds (122–155mm, new or "
            "refurbished) on both sides, in 155mm-equivalents.",
            verdict.verdict,
            _ratio_text(verdict.ratio_to_russia)
            + f" Durable crossover against Russia alone: {crossover_text(verdict.since)}. "
            f"Partners (not allies, not counted): {fmt_m(verdict.medians['partners'])} "
            "million a year. Which assumptions decide it, and under which combinations it "
            "would hold: the next section (`outproduce sensitivity`, `outproduce discover`).",
        ],
        "figures": [],
        "tables": [
            section_table(
                "Break-even values (others at their medians), million a year", break_even, True
            ),
            section_table(
                "The evidence in force that month, with its best source grade", evidence, True
            ),
        ],
    }


def _ratio_text(ratio: dict[str, float | None]) -> str:
    """The allies-to-Russia ratio with its band, or why there is none."""
    if ratio["p50"] is None:
        return "Russia's output is zero in every sample: no ratio."
    return (
        f"Ratio of allied to Russian output: {ratio['p50']:.2f} (P10–P90 "
        f"{ratio['p10']:.2f}–{ratio['p90']:.2f})."
    )


def calibration_headline(calibration: Calibration) -> str:
    """One sentence: the coverage overall, for A/B sources and for independent estimates."""
    cov = calibration.coverage
    parts = [
        f"{name}: {cov[name]['inside']:.0%} of {cov[name]['n']}"
        for name in ("all", "A/B", "independent")
        if cov[name]["n"]
    ]
    return (
        "Calibration: published estimates inside the model's P10–P90 — "
        + "; ".join(parts)
        + " (a well-calibrated model covers about 70–90%)."
    )


def calibration_section(calibration: Calibration) -> dict[str, Any]:
    """Every published estimate against the model's P10-P90, with grade and coverage."""
    frame = calibration.estimates
    compared = frame["status"] == "compared"

    rows = frame.to_dict("records")
    table = pd.DataFrame(
        {
            "estimate": [r["id"] for r in rows],
            "entity": [r["bloc"] for r in rows],
            "measure": [r["measure"] for r in rows],
            "period": [r["period"] for r in rows],
            "unit": [r["unit"].replace("rounds_per_", "per ") for r in rows],
            "published": [published_text(r, lambda v: f"{v:,.0f}") for r in rows],
            "grade": [r["grade"] for r in rows],
            "independent": ["" if r["used_by"] else "yes" for r in rows],
            "model P10–P90": [
                f"{r['p10']:,.0f}–{r['p90']:,.0f}" if ok else r["status"]
                for r, ok in zip(rows, compared, strict=True)
            ],
            "inside": [
                ("yes" if r["inside"] else "no") if ok else "–"
                for r, ok in zip(rows, compared, strict=True)
            ],
        }
    )
    by_grade = calibration.coverage["by_grade"]
    return {
        "id": "calibration",
        "title": "Calibration against every published estimate",
        "text": [
            "Each published total we hold (packaged published_estimates) against the "
            "model's P10–P90 for the same entity, measure and period, in rounds as the "
            "publication counts them. 'Independent' estimates are those no line's steps "
            "were built from: the honest test. "
            + calibration_headline(calibration)
            + " By grade: "
            + "; ".join(f"{g} {v['inside']:.0%} of {v['n']}" for g, v in by_grade.items() if v["n"])
            + ".",
        ],
        "figures": [],
        "tables": [section_table("Published estimates against the model", table, True)],
    }


def lines_section(scenario: Scenario) -> dict[str, Any]:
    """Every published step behind the lines, with its best source grade."""
    rows = []
    for line_id, line in scenario.lines.items():
        for number, step in enumerate(line.steps, start=1):
            cell = step.source or line.source
            rows.append(
                {
                    "line": Markup(f'<abbr title="{escape(line_id)}">{escape(line.name)}</abbr>'),
                    "bloc": line.bloc,
                    "step": number,
                    "first output": step.first_output,
                    "full rate": step.full_rate,
                    "kind": step.kind,
                    "measure": step.measure or line.measure,
                    "rate per year": rate_text(step.rate)
                    if line.product_class == "rounds"
                    else describe(step.rate),
                    "grade": grade_of(cell),
                    "sources": _source_links(cell),
                }
            )
    return {
        "id": "lines",
        "title": "The figures behind the lines",
        "text": [
            "Every step of every line in the scenario: when it starts and reaches full rate, "
            "whether it is an actual, an estimate or a target (attainment and slip apply), "
            "whether it states a capacity (utilisation applies) or output, its rate, the "
            "best grade of its sources (A primary, B first-hand media or research, C copy, "
            "D a belligerent's state media), and each source linked to its entry below."
        ],
        "figures": [],
        "tables": [section_table("Steps of every line", pd.DataFrame(rows, dtype=object))],
    }


def _source_links(cell: str) -> Markup:
    """A source cell as links to the sources table, each with its grade."""
    from outproduce.data.catalog import source_lookup, split_sources

    known = source_lookup()
    return Markup("; ").join(
        Markup('<a href="#src-{0}">{0}</a> [{1}]').format(
            source, known[source]["reliability"] if source in known else "?"
        )
        for source in split_sources(cell)
    )


def discovery_paragraph(found: Any, scenario: Any = None) -> str:
    """A discovery (``analyses.discover``) in words: its boxes, or why there are none.

    With the ``scenario``, inputs are named in words (``input_label``).
    """
    from outproduce.analyses.discover import sentence
    from outproduce.analyses.outcomes import phrase

    what = phrase(found.outcome, found.threshold)
    samples = int(found.table.attrs["samples"])
    if found.share == 0:
        return (
            f"In none of the {samples:,} samples {what}: no combination of the drawn "
            "inputs within their ranges makes it so."
        )
    if not found.boxes:
        return (
            f"{what[0].upper()}{what[1:]} in {found.share:.0%} of the {samples:,} samples, "
            "but PRIM finds no box of input ranges where it holds in at least "
            f"{found.table.attrs['density_threshold']:.0%} of the samples: too few samples "
            "hold it, or no simple combination of assumptions decides it."
        )
    label = partial(input_label, scenario) if scenario is not None else str
    return " ".join(sentence(what, box, label) for box in found.boxes) + (
        f" (PRIM over {samples:,} samples; it holds in {found.share:.0%} of all.)"
    )


def drivers_section(
    scenario: Any, folder: Any, the_run: Any
) -> tuple[dict[str, Any], str, Any] | None:
    """What decides the claim: Sobol' indices, and PRIM boxes on the report's run.

    One Sobol' design for the claim month's ratio and a later year's output; the PRIM
    boxes of ``claim_discoveries`` on the run itself (no engine call). None where
    fewer than two groups of inputs are uncertain (nothing to rank).
    """
    from outproduce.analyses.sensitivity import (
        QUICK_SAMPLES,
        claim_outcomes,
        group_inputs,
        sensitivities,
        varying_inputs,
    )

    names = varying_inputs(the_run.inputs())
    if len(group_inputs(names)) < 2:
        return None
    from outproduce.interfaces.files import to_json
    from outproduce.interfaces.outputs import sensitivity_document

    ratio, rounds = claim_outcomes(scenario)
    month, year = ratio.split(":", 1)[1], rounds.split(":", 1)[1]
    from outproduce.analyses.discover import claim_discoveries
    from outproduce.interfaces.outputs import discovery_document

    found = sensitivities(
        scenario, [ratio, rounds], samples=QUICK_SAMPLES, seed=scenario.seed, names=names
    )
    boxes = claim_discoveries(the_run)
    path = folder / "drivers.json"
    document = {k: sensitivity_document(v) for k, v in found.items()}
    document["discoveries"] = [discovery_document(d) for d in boxes]
    path.write_text(to_json(document), "utf-8")

    def top(outcome: str) -> str:
        table = found[outcome].table.isel(group=slice(0, 4))
        return ", ".join(
            f"{input_label(scenario, str(g))} (ST {float(t):.2f})"
            for g, t in zip(table["group"].values, table["ST"].values, strict=True)
        )

    runs = found[ratio].runs
    text = (
        f"Which assumptions decide the answer: a Sobol' analysis of {runs:,} runs "
        f"({QUICK_SAMPLES} base samples; the intervals are wide at this size, "
        "`outproduce sensitivity` runs larger designs). The ratio of allied to Russian-and-"
        f"suppliers' output in {month} depends most on {top(ratio)}; the alliance's "
        f"{year} output on {top(rounds)}. ST is each group's share of the outcome's "
        "variance with all its interactions; S1 without them."
    )
    section = {
        "id": "drivers",
        "title": "What decides the answer",
        "text": [
            text,
            "Under which combinations of assumptions the answer changes (scenario "
            "discovery, `outproduce discover`):",
            *(discovery_paragraph(d, scenario) for d in boxes),
        ],
        "figures": [
            figure_html(
                figures.sensitivity_figure(
                    found[ratio].table,
                    drives_title(ratio),
                    partial(input_label, scenario),
                ),
                "fig-drivers-claim",
            ),
            figure_html(
                figures.sensitivity_figure(
                    found[rounds].table,
                    drives_title(rounds),
                    partial(input_label, scenario),
                ),
                "fig-drivers-output",
            ),
        ],
        "tables": [],
    }
    headline = f"What decides the claim (Sobol' total indices, {runs:,} runs): {top(ratio)}."
    return section, headline, path
