"""The main job: every analysis on one scenario, in one self-contained HTML report.

``outproduce report`` tests the speech's claim first, then runs the balance, the
calibration against published estimates, the spending pathways with their order book,
and the sustainment view on the same scenario, samples and seed, then writes
``report.html`` (plotly charts with plotly.js inlined, so it opens without a network),
the results as CSV and JSON, and the charts as PNG. The HTML lists every assumption
used and every source the scenario and the packaged spending tables name, with links.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from plotly.offline import get_plotlyjs

from outproduce.analyses.balance import BalanceSummary, balance, summarise
from outproduce.analyses.calibrate import calibrate
from outproduce.analyses.claim import claim_from_balance
from outproduce.analyses.run import run
from outproduce.analyses.spending import alliance_gap, spending, summarise_spending
from outproduce.analyses.sustain import summarise_sustain, sustain
from outproduce.interfaces import figures
from outproduce.interfaces.files import to_json
from outproduce.interfaces.formatting import stock_table
from outproduce.interfaces.outputs import (
    calibration_document,
    capacity_rule_text,
    claim_document,
    crossover_text,
    target_sentence,
    verdict_sentence,
    write_balance_outputs,
    write_spending_outputs,
)
from outproduce.interfaces.report_methods import assumptions_used, methods_section
from outproduce.interfaces.report_plan import plan_section
from outproduce.interfaces.report_sources import sources_used, with_source_lines
from outproduce.interfaces.report_spending import spending_headlines, spending_sections
from outproduce.interfaces.report_verdict import (
    calibration_headline,
    calibration_section,
    claim_section,
    drivers_section,
    figure_html,
    fmt_m,
    lines_section,
    section_table,
)
from outproduce.scenario.model import Scenario
from outproduce.speech import SPEECH_MONTH

#: The report's stages, in order (the CLI shows them as a progress bar).
STAGES = (
    "the run",
    "calibration",
    "what decides the answer",
    "spending and order book",
    "sustainment",
    "what to build",
    "report",
)


@dataclass
class Report:
    """What a report run wrote, and its headlines (one sentence per analysis)."""

    folder: Path
    files: list[Path]
    headlines: list[str]
    summary: dict[str, Any] = field(default_factory=dict)
    #: Provenance of the results (scenario, hash, data version, seed, samples...).
    attrs: dict[str, Any] = field(default_factory=dict)


def build_report(
    scenario: Scenario,
    folder: Path,
    samples: int | None = None,
    seed: int | None = None,
    step: Callable[[str], None] | None = None,
) -> Report:
    """Run every analysis on ``scenario`` and write the report into ``folder``.

    ``step`` is called with each stage's name as it starts (for a progress bar).
    """
    step = step or (lambda _stage: None)
    folder.mkdir(parents=True, exist_ok=True)
    step(STAGES[0])
    the_run = run(scenario, samples=samples, seed=seed)  # the engine's one run; views follow
    ds = balance(the_run)
    balance_summary = summarise(ds, at=SPEECH_MONTH)
    verdict = claim_from_balance(ds, scenario, SPEECH_MONTH)
    files = write_balance_outputs(ds, balance_summary, folder)
    files.append(_write_json(folder / "claim.json", claim_document(verdict)))
    sections = [claim_section(verdict), _balance_section(ds, balance_summary)]
    headlines = [f"The claim: {verdict.verdict}", _balance_headline(balance_summary)]
    summary: dict[str, Any] = {
        "crossover": balance_summary.crossover,
        "at": balance_summary.at,
        "claim": {
            "p_ahead_of_russia": verdict.p_ahead_of_russia,
            "verdict": verdict.verdict,
            "sentence": verdict_sentence(verdict, balance_summary),
        },
    }

    step(STAGES[1])
    calibration = calibrate(the_run)
    files.append(_write_json(folder / "calibration.json", calibration_document(calibration)))
    sections.append(calibration_section(calibration))
    headlines.append(calibration_headline(calibration))
    sections.append(lines_section(scenario))

    step(STAGES[2])
    drivers = drivers_section(scenario, folder, the_run)
    if drivers is not None:
        section, headline, written = drivers
        sections.insert(1, section)  # right after the claim it explains
        headlines.insert(1, headline)
        files.append(written)

    if scenario.spending is not None:
        step(STAGES[3])
        spend = spending(the_run)
        tables = summarise_spending(spend)
        files += write_spending_outputs(spend, tables, folder)
        sections += spending_sections(spend, tables)
        headlines += spending_headlines(spend, tables)
        summary["spending_gap"] = alliance_gap(spend)
        summary["contracts"] = tables.get("contracts")

    if scenario.holders:
        step(STAGES[4])
        view = sustain(the_run)
        holders = summarise_sustain(view, scenario)
        path = folder / "sustain.json"
        path.write_text(to_json(holders), encoding="utf-8")
        files.append(path)
        sections.append(_sustain_section(view, holders))
        headlines += _sustain_headlines(holders)

    step(STAGES[5])
    planned = plan_section(scenario, balance_summary.annual, the_run)
    if planned is not None:
        section, headline, found = planned
        sections.append(section)
        headlines.append(headline)
        files.append(_write_json(folder / "plan.json", found.to_dict()))
        summary["plan"] = {"status": found.status, "message": found.message}

    sections.append(methods_section(scenario))
    step(STAGES[6])
    html = _render(scenario, ds.attrs, sections, headlines, summary["claim"]["sentence"])
    report = folder / "report.html"
    report.write_text(html, encoding="utf-8")
    return Report(
        folder=folder,
        files=[report, *files],
        headlines=headlines,
        summary=summary,
        attrs=dict(ds.attrs),
    )


def _write_json(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(to_json(document), encoding="utf-8")
    return path


def _balance_headline(summary: BalanceSummary) -> str:
    at = summary.at
    return (
        f"Balance: in {at['month']} the alliance made {fmt_m(at['alliance_p50'] * 12)} million "
        f"155mm-equivalent rounds a year against {fmt_m(at['adversary_p50'] * 12)} million "
        f"for Russia and its suppliers (ratio {at['ratio_p10']:.2f}–{at['ratio_p90']:.2f}, "
        f"P(ahead) {at['p_alliance_ahead']:.0%}). Durable crossover: "
        f"{crossover_text(summary.crossover)}."
    )


def _balance_section(ds: Any, summary: BalanceSummary) -> dict[str, Any]:
    annual = summary.annual.copy()
    frame = pd.DataFrame(
        {
            "year": annual["year"].astype(int),
            "alliance P50 (M)": (annual["alliance_p50"] / 1e6).round(2),
            "alliance P10–P90": [
                f"{lo / 1e6:.2f}–{hi / 1e6:.2f}"
                for lo, hi in zip(annual["alliance_p10"], annual["alliance_p90"], strict=True)
            ],
            "adversary P50 (M)": (annual["adversary_p50"] / 1e6).round(2),
            "adversary P10–P90": [
                f"{lo / 1e6:.2f}–{hi / 1e6:.2f}"
                for lo, hi in zip(annual["adversary_p10"], annual["adversary_p90"], strict=True)
            ],
            "P(alliance ahead) %": (annual["p_alliance_ahead"] * 100).round(0).astype(int),
            "partners P50 (M, not counted)": (annual["partners_p50"] / 1e6).round(2),
        }
    )
    return {
        "id": "balance",
        "title": "Who out-produces whom",
        "text": [
            "Alliance and adversary output in 155mm-equivalent rounds, summed from the "
            "published lines with their ramps, targets and uncertainty. The crossover is "
            "the first month from which the alliance stays at or above the adversary to "
            f"the end of the horizon: {crossover_text(summary.crossover)}. Against Russian "
            f"production alone: {crossover_text(summary.crossover_production_only)}.",
            capacity_rule_text(summary),
        ],
        "figures": [figure_html(figures.balance_figure(ds, summary), "fig-balance")],
        "tables": [section_table("Annual output (million rounds)", frame, open_=True)],
    }


def _sustain_headlines(holders: list[dict[str, Any]]) -> list[str]:
    sentences = (target_sentence(entry) for entry in holders)
    return [f"Stocks: {text}" for text in sentences if text]


def _sustain_section(view: Any, holders: list[dict[str, Any]]) -> dict[str, Any]:
    tables = []
    for entry in holders:
        frame = stock_table(entry["yearly"])
        tables.append(section_table(f"{entry['name']} ({entry['holder']})", frame))
    return {
        "id": "sustainment",
        "title": "Stocks against consumption",
        "text": [
            "Each modelled holder's stock: deliveries from its contracts, transfers and "
            "consumption; consumption it cannot cover is a shortfall."
        ],
        "figures": [figure_html(figures.sustain_figure(view), "fig-sustain")],
        "tables": tables,
    }


def _render(
    scenario: Scenario,
    attrs: dict[str, Any],
    sections: list[dict[str, Any]],
    headlines: list[str],
    verdict: str,
) -> str:
    env = Environment(
        loader=PackageLoader("outproduce.interfaces", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    meta = dict(attrs) | {
        "title": f"report on scenario {scenario.name}",
        "description": scenario.description,
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    backlinks = with_source_lines(sections, scenario)
    return env.get_template("report.html.j2").render(
        meta=meta,
        plotly_js=get_plotlyjs(),
        sections=sections,
        headlines=headlines,
        verdict=verdict,
        assumptions=assumptions_used(scenario),
        sources=sources_used(scenario, backlinks),
    )
