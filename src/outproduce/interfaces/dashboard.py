"""What the dashboard computes, without Streamlit: uploads, levers, views, downloads.

The Streamlit page (``app.py``) only lays these out, so they are tested like any
other function, and the page stays a thin layer over the same Python API.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from outproduce.analyses.balance import balance, summarise
from outproduce.analyses.claim import claim_from_balance
from outproduce.analyses.run import run
from outproduce.analyses.spending import alliance_gap, spending, summarise_spending
from outproduce.analyses.sustain import summarise_sustain, sustain
from outproduce.errors import InputError
from outproduce.interfaces import figures
from outproduce.interfaces.outputs import target_sentence, verdict_sentence
from outproduce.scenario.loading import load_scenario
from outproduce.scenario.model import Scenario
from outproduce.speech import SPEECH_MONTH

#: Largest scenario file accepted from an upload (a full scenario is ~60 KB).
MAX_UPLOAD_BYTES = 512 * 1024
#: Most samples one dashboard session may ask for.
MAX_SESSION_SAMPLES = 5000
#: Computations running at once across all sessions; each holds ~0.5 GB at the session
#: maximum, so the server stays within its memory however many sessions are open.
MAX_CONCURRENT = 2
#: Seconds a session waits for a free slot before it is told the server is busy.
BUSY_WAIT_SECONDS = 60
_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT)


class Busy(Exception):
    """Every computation slot stayed taken while the session waited."""


def compute_limited(scenario: Scenario, samples: int, seed: int) -> Views:
    """``compute_views`` within the server-wide cap on concurrent computations."""
    if not 1 <= samples <= MAX_SESSION_SAMPLES:
        raise InputError(
            f"expected 1 to {MAX_SESSION_SAMPLES:,} samples in the dashboard, got {samples:,}",
            field="samples",
        )
    if not _SLOTS.acquire(timeout=BUSY_WAIT_SECONDS):
        raise Busy(f"the server is busy ({MAX_CONCURRENT} computations running); try again shortly")
    try:
        return compute_views(scenario, samples, seed)
    finally:
        _SLOTS.release()


def drivers_limited(scenario: Scenario, samples: int, seed: int) -> dict[str, Any]:
    """What decides the claim month's ratio and the 2030 output, within the slots cap.

    ``charts``: one Sobol' design serves both outcomes (empty for a scenario with fewer
    than two uncertain groups of inputs). ``boxes``: the PRIM boxes in words, from a run
    of the session's samples and seed (the numbers its views show).
    """
    from outproduce.analyses.discover import claim_discoveries
    from outproduce.analyses.sensitivity import (
        QUICK_SAMPLES,
        claim_outcomes,
        group_inputs,
        sensitivities,
        varying_inputs,
    )
    from outproduce.interfaces.report_verdict import discovery_paragraph

    if not _SLOTS.acquire(timeout=BUSY_WAIT_SECONDS):
        raise Busy(f"the server is busy ({MAX_CONCURRENT} computations running); try again shortly")
    try:
        the_run = run(scenario, samples=samples, seed=seed, calibration=False)
        names = varying_inputs(the_run.inputs())
        if len(group_inputs(names)) < 2:
            return {"charts": {}, "boxes": []}
        found = sensitivities(
            scenario, claim_outcomes(scenario), samples=QUICK_SAMPLES, seed=seed, names=names
        )
        charts = {
            name: figures.sensitivity_figure(result.table, f"What drives {name}")
            for name, result in found.items()
        }
        boxes = [discovery_paragraph(d) for d in claim_discoveries(the_run)]
        return {"charts": charts, "boxes": boxes}
    finally:
        _SLOTS.release()


def load_uploaded(data: bytes, name: str) -> Scenario:
    """Validate an uploaded scenario YAML (size-limited, parsed safely, never executed).

    It is written to a temporary file under its own name so that errors name the file,
    the field and the line as they would for a file on disk. A ``base:`` may only name
    a built-in scenario (there are no other files next to an upload).
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(
            f"file too large ({len(data):,} bytes); expected at most {MAX_UPLOAD_BYTES:,}",
            file=name,
        )
    safe_name = Path(name).name or "scenario.yaml"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / safe_name
        path.write_bytes(data)
        try:
            return load_scenario(path)
        except InputError as exc:
            if exc.file != str(path):
                raise
            # The temporary folder means nothing to the user: name the upload.
            raise InputError(exc.message, file=safe_name, field=exc.field, line=exc.line) from None


@dataclass
class Views:
    """Every number and chart the dashboard shows for one scenario, samples and seed."""

    metrics: dict[str, Any]
    balance_figure: Any
    spending_figure: Any | None
    order_book_figure: Any | None
    sustain_figure: Any | None
    annual: pd.DataFrame
    allies: pd.DataFrame | None
    order_book: pd.DataFrame | None


def compute_views(scenario: Scenario, samples: int, seed: int) -> Views:
    """One run of the chain; the balance, spending (with its order book) and sustainment views."""
    the_run = run(scenario, samples=samples, seed=seed)
    ds = balance(the_run)
    summary = summarise(ds)
    at = summary.at
    metrics: dict[str, Any] = {
        # Only where the speech's month is in the horizon (the claim is tested there).
        "verdict": verdict_sentence(claim_from_balance(ds, scenario), summary)
        if at["month"] == SPEECH_MONTH
        else None,
        "month": at["month"],
        "ratio": at["alliance_p50"] / at["adversary_p50"] if at["adversary_p50"] else None,
        "alliance_per_year": at["alliance_p50"] * 12,
        "adversary_per_year": at["adversary_p50"] * 12,
        "crossover_p50": summary.crossover["p50"],
        "crossover_p10": summary.crossover["p10"],
        "p_crossover": summary.crossover["prob_within_horizon"],
    }
    spending_figure = order_book_figure = sustain_figure = None
    allies = book = None
    if scenario.spending is not None:
        spend = spending(the_run)
        tables = summarise_spending(spend)
        gap = alliance_gap(spend)
        metrics["core_share"], metrics["gap_pp"] = gap["core_share"], gap["gap_pp"]
        spending_figure = figures.spending_totals_figure(spend)
        allies = pd.DataFrame(tables["allies"])
        if tables["order_book"]:
            contracts = tables["contracts"]
            metrics["on_time"] = contracts["on_time_share"]
            metrics["p_crossover_following"] = contracts["crossover_following"][
                "prob_within_horizon"
            ]
            order_book_figure = figures.order_book_figure(tables["order_book"])
            book = pd.DataFrame(tables["order_book"])
    if scenario.holders:
        view = sustain(the_run)
        sustain_figure = figures.sustain_figure(view)
        for entry in summarise_sustain(view, scenario):
            sentence = target_sentence(entry)
            if sentence:
                metrics.setdefault("targets", []).append(sentence)
    return Views(
        metrics=metrics,
        balance_figure=figures.balance_figure(ds, summary),
        spending_figure=spending_figure,
        order_book_figure=order_book_figure,
        sustain_figure=sustain_figure,
        annual=summary.annual,
        allies=allies,
        order_book=book,
    )


#: The dashboard's levers as the page states them, with their neutral values.
LEVER_NAMES = {
    "russia": ("Russian production", 1.0, "x{:g}"),
    "ramp_speed": ("alliance ramp-up speed", 1.0, "x{:g}"),
    "shape": ("spending path", None, "{}"),
    "contract_years": ("contract length", None, "{} years"),
    "pooling": ("pooling", None, "{}"),
}


def changed_levers(base: Scenario, levers: dict[str, Any]) -> dict[str, Any]:
    """The levers that change ``base`` (a spending option equal to the scenario's is not)."""
    spending = base.spending.model_dump() if base.spending else {}
    keys = {"shape": "shape", "contract_years": "contract_years", "pooling": "pooling"}
    changed = {}
    for name, value in levers.items():
        if value is None:
            continue
        neutral = LEVER_NAMES[name][1] if name not in keys else spending.get(keys[name])
        if value != neutral:
            changed[name] = value
    return changed


def levers_text(levers: dict[str, Any]) -> str:
    """Changed levers in words ("Russian production x0.8; contract length 5 years")."""
    return (
        "; ".join(f"{LEVER_NAMES[k][0]} {LEVER_NAMES[k][2].format(v)}" for k, v in levers.items())
        or "no lever changed"
    )


def run_record(
    base: Scenario, changed: Scenario, levers: dict[str, Any], samples: int, seed: int
) -> dict[str, Any]:
    """What ran: shown on the page and written as the downloads' manifest."""
    from outproduce.data.catalog import DATA_VERSION
    from outproduce.version import __version__

    return {
        "scenario": base.name,
        "scenario_hash": changed.scenario_hash(),
        "levers": changed_levers(base, levers),
        "samples": samples,
        "seed": seed,
        "data_version": DATA_VERSION,
        "package_version": __version__,
    }


def download_scenario(changed: Scenario, record: dict[str, Any]) -> Scenario:
    """The scenario as it ran: named after its levers, with the samples and seed used.

    Loading it and running it with its own defaults gives the numbers on the page.
    """
    levers = record["levers"]
    suffix = "".join(f"+{k}-{v}" for k, v in levers.items())
    described = f"{changed.description} Dashboard levers: {levers_text(levers)}.".strip()
    return changed.model_copy(
        update={
            "name": f"{record['scenario']}{suffix}",
            "samples": record["samples"],
            "seed": record["seed"],
            "description": described,
        }
    )


def results_zip(views: Views, record: dict[str, Any]) -> bytes:
    """The downloadable results: one tidy CSV per table and a manifest of what ran."""
    import io
    import json
    import zipfile

    tables = {"balance_annual.csv": views.annual}
    if views.allies is not None:
        tables["spending_allies.csv"] = views.allies
    if views.order_book is not None:
        tables["order_book.csv"] = views.order_book
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame in tables.items():
            archive.writestr(name, frame.to_csv(index=False))
        manifest = record | {"files": sorted(tables)}
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, default=str))
    return buffer.getvalue()
