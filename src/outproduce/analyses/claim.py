"""The speech's claim, tested against the model in the month it was made.

"Until recently, Russia was producing more ammunition than all Allies combined. But not
anymore." (NATO-Industry Forum, Bucharest, 6 Nov 2025).

A view on the balance: in a given month, the probability that the allies together make
more artillery rounds than Russia alone (the claim as spoken) and than Russia with its
suppliers; one plain-words verdict; the break-even values that decide it; and the grade
of the evidence behind each line that month, so a thin basis is said, not hidden.

Break-even values hold every other component at its median across samples (the
alliance's US, European and other lines, Russia's production, the transfers): "the claim
holds if Russia made fewer than X rounds a year" answers with the rest as the model
expects it. Partners (South Korea...) are shown beside the allies, never added to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from outproduce.analyses.balance import balance, crossover_stats, month_index
from outproduce.analyses.run import Run, of_run
from outproduce.analyses.summary import QUANTILES, Summary
from outproduce.data.catalog import WEAK_GRADES, grade_of
from outproduce.errors import InputError
from outproduce.scenario.model import Scenario, month_number
from outproduce.speech import CLAIM, SPEECH_MONTH


def likelihood(p: float) -> str:
    """Calibrated words for a probability (the IPCC's scale, coarsened)."""
    if p >= 0.9:
        return "very likely"
    if p >= 0.66:
        return "likely"
    if p > 0.33:
        return "about as likely as not"
    if p > 0.1:
        return "unlikely"
    return "very unlikely"


@dataclass(frozen=True)
class Claim(Summary):
    """The claim's test in one month: probabilities, verdict, break-even values, evidence."""

    table: xr.Dataset  # yearly output of each part (quantile, part), the probabilities
    month: str
    p_ahead_of_russia: float
    p_ahead_of_axis: float
    verdict: str
    medians: dict[str, float]
    ratio_to_russia: dict[str, float | None]
    break_even: list[dict[str, Any]]
    evidence: list[dict[str, str]]
    since: dict[str, object]
    attrs: dict[str, object]


def _evidence(scenario: Scenario, at: str) -> list[dict[str, str]]:
    """Per line making rounds by ``at``, the published step in force and its best grade."""
    rows = []
    for line_id, line in scenario.lines.items():
        started = [s for s in line.steps if month_number(s.first_output) <= month_number(at)]
        if line.product_class != "rounds" or not started:
            continue
        step = started[-1]
        source = step.source or line.source
        rows.append(
            {
                "line": line_id,
                "name": line.name,
                "bloc": line.bloc,
                "step_from": step.first_output,
                "kind": step.kind,
                "grade": grade_of(source),
                "sources": source,
            }
        )
    return rows


def claim(
    scenario: Run | Scenario | str | Path = "baseline",
    samples: int | None = None,
    seed: int | None = None,
    at: str = SPEECH_MONTH,
) -> Claim:
    """Test the speech's claim in month ``at`` (default: the speech, 2025-11).

    A view of a run; given a scenario, it runs it first.
    """
    the_run = of_run(scenario, samples, seed)
    return claim_from_balance(balance(the_run), the_run.scenario, at)


def claim_from_balance(ds: xr.Dataset, scenario: Scenario, at: str = SPEECH_MONTH) -> Claim:
    """The claim's test as a view on a balance run of ``scenario`` (no engine call)."""
    m = month_index(ds, at, scenario.origin)
    series = ds["series_output"].isel(month=m) * 12  # (sample, series), 155mm-eq a year
    bloc = ds["line_bloc"].values
    measure = ds["line_measure"].values
    russia = (bloc == "adversary") & (measure != "transfer")
    if not russia.any():
        raise InputError(
            "the claim compares the allies with Russia's own production; expected an "
            "adversary line that is not a transfer",
            file=scenario.origin or None,
            field="lines",
        )
    parts = {
        name: series.sel(series=name).values
        for name in ("alliance", "europe", "russia", "transfers", "partners")
    }
    med = {k: float(np.median(v)) for k, v in parts.items()}
    p_russia = float(np.mean(parts["alliance"] >= parts["russia"]))
    p_axis = float(ds["ahead"].isel(month=m).mean())
    producing = parts["russia"] > 0  # a ratio needs Russian output to divide by
    ratio = parts["alliance"][producing] / parts["russia"][producing]
    ratio_q: dict[str, float | None] = dict.fromkeys(("p10", "p50", "p90"))
    if ratio.size:
        ratio_q = dict(zip(ratio_q, map(float, np.quantile(ratio, QUANTILES)), strict=True))
    rest_of_alliance = med["alliance"] - med["europe"]
    unit = "155mm-equivalent rounds a year"
    break_even = [
        {
            "input": "Russian production",
            "condition": "below",
            "versus": "Russia",
            "value": med["alliance"] if med["alliance"] > 0 else None,
            "median": med["russia"],
            "unit": unit,
        },
        {
            "input": "European allies' output",
            "condition": "above",
            "versus": "Russia",
            "value": max(med["russia"] - rest_of_alliance, 0.0),
            "median": med["europe"],
            "unit": unit,
        },
        {
            "input": "Russian production",
            "condition": "below",
            "versus": "Russia and its suppliers",
            # None: not reachable, the suppliers alone out-produce the allies.
            "value": med["alliance"] - med["transfers"]
            if med["alliance"] > med["transfers"]
            else None,
            "median": med["russia"],
            "unit": unit,
        },
        {
            "input": "European allies' output",
            "condition": "above",
            "versus": "Russia and its suppliers",
            "value": max(med["russia"] + med["transfers"] - rest_of_alliance, 0.0),
            "median": med["europe"],
            "unit": unit,
        },
    ]
    evidence = _evidence(scenario, at)
    since = crossover_stats(ds["crossover_production_only"].values)
    verdict = _verdict(at, p_russia, p_axis, med, break_even, evidence)
    table = xr.Dataset(
        {
            "output": (
                ("quantile", "part"),
                np.quantile(np.stack(list(parts.values()), axis=1), QUANTILES, axis=0),
            ),
            "ratio_to_russia": ("quantile", [np.nan if v is None else v for v in ratio_q.values()]),
            "p_ahead_of_russia": p_russia,
            "p_ahead_of_axis": p_axis,
        },
        coords={"quantile": list(QUANTILES), "part": list(parts)},
        attrs=dict(ds.attrs)
        | {"month": at, "units": "155mm-equivalent rounds a year", "verdict": verdict},
    )
    return Claim(
        table=table,
        month=at,
        p_ahead_of_russia=p_russia,
        p_ahead_of_axis=p_axis,
        verdict=verdict,
        medians=med,
        ratio_to_russia=ratio_q,
        break_even=break_even,
        evidence=evidence,
        since=since,
        attrs=dict(ds.attrs) | {"claim": CLAIM},
    )


def _verdict(
    at: str,
    p_russia: float,
    p_axis: float,
    med: dict[str, float],
    break_even: list[dict[str, Any]],
    evidence: list[dict[str, str]],
) -> str:
    """One paragraph in plain words; says where the evidence is thin."""
    millions = {k: v / 1e6 for k, v in med.items()}
    text = (
        f"In {at}, that the allies out-produce Russia in artillery ammunition is "
        f"{likelihood(p_russia)} (P = {p_russia:.0%}): the allies make about "
        f"{millions['alliance']:.1f} million and Russia about {millions['russia']:.1f} million "
        f"155mm-equivalent rounds a year (medians). Counting North Korean and Iranian "
        f"supplies, it is {likelihood(p_axis)} (P = {p_axis:.0%}). " + _break_even_text(break_even)
    )
    weak = [
        e["name"]
        for e in evidence
        if e["grade"] in WEAK_GRADES and e["bloc"] in ("alliance", "adversary")
    ]
    if weak:
        text += (
            " The evidence is thin: the figures in force then for "
            + "; ".join(weak)
            + " rest on copies or a party's claims alone (grade C/D)."
        )
    return text


def _break_even_text(break_even: list[dict[str, Any]]) -> str:
    """'The claim holds if Russia made fewer than X a year, or Europe more than Y'."""
    russia, europe = break_even[0]["value"], break_even[1]["value"]
    europe_text = f"Europe made more than {europe / 1e6:.1f} million"
    if russia is None:
        return f"No Russian output would make it hold; {europe_text} would (others at medians)."
    return (
        f"The claim holds if Russia made fewer than {russia / 1e6:.1f} million a year, or "
        f"{europe_text} (others at their medians)."
    )
