"""What the dashboard computes, without Streamlit: uploads, levers, views, downloads.

The Streamlit page (``app.py``) only lays these out, so they are tested like any
other function, and the page stays a thin layer over the same Python API.
"""

from __future__ import annotations

import tempfile
import threading
import time
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
        started = time.perf_counter()
        views = compute_views(scenario, samples, seed)
        record_time(samples, time.perf_counter() - started)
        return views
    finally:
        _SLOTS.release()


#: Seconds of the server's recent uncached updates, by samples (for the estimate shown).
_TIMES: list[tuple[int, float]] = []
#: Before any update has been timed here: a fixed part and a part per sample (measured
#: on the 2-core development machine: ~1.3 s at 300 samples, ~3 s at 2,000).
FIRST_GUESS = (1.0, 0.001)


def record_time(samples: int, seconds: float) -> None:
    """Remember how long an update took (the last 20)."""
    _TIMES.append((samples, seconds))
    del _TIMES[:-20]


def estimate_seconds(samples: int) -> float:
    """Seconds an uncached update of ``samples`` should take on this server.

    A straight line (fixed part + per sample) through the recent updates once they span
    two sizes; with one size, that size's mean scaled in its per-sample part; before
    any, ``FIRST_GUESS``.
    """
    import numpy as np

    fixed, per_sample = FIRST_GUESS
    if _TIMES:
        sizes = np.array([n for n, _ in _TIMES], dtype=float)
        seconds = np.array([t for _, t in _TIMES])
        if len(set(sizes)) >= 2:
            per_sample, fixed = np.polyfit(sizes, seconds, 1)
            per_sample, fixed = max(per_sample, 0.0), max(fixed, 0.0)
        else:
            fixed = max(float(seconds.mean()) - per_sample * sizes[0], 0.0)
    return float(fixed + per_sample * samples)


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
    allies_figure: Any | None
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
    spending_figure = allies_figure = order_book_figure = sustain_figure = None
    allies = book = None
    if scenario.spending is not None:
        spend = spending(the_run)
        tables = summarise_spending(spend)
        gap = alliance_gap(spend)
        metrics["core_share"], metrics["gap_pp"] = gap["core_share"], gap["gap_pp"]
        spending_figure = figures.spending_totals_figure(spend)
        allies_figure = figures.ally_pathways_figure(spend)
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
        allies_figure=allies_figure,
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


#: Help beside each lever: what it does and what it rests on.
LEVER_HELP = {
    "russia": "Multiplies every published step of Russia's own production (not North "
    "Korea's or Iran's deliveries). 1.0 = as published; the 2025 figure rests on a copy "
    "of an Estonian intelligence estimate (grade C, see the report's sources).",
    "ramp_speed": "Divides every alliance line's ramp-up time (first output to full "
    "rate): 2 = twice as fast as the published dates.",
    "shape": "How each ally's core defence spending moves from its latest NATO figure "
    "to its target (3.5% of GDP by 2035, the Hague summit, June 2025): linear in share "
    "of GDP, constant growth, or front-loaded. The path is an assumption.",
    "contract_years": "Length of the budgets' ammunition contracts. With 1-year "
    "contracts industry builds nothing beyond its published plans; longer ones let "
    "capacity follow signed demand (the decision rule 'follow contracts').",
    "pooling": "Who signs the budgets' contracts: each ally alone, the EU members "
    "together, or the whole alliance.",
    "samples": "Monte Carlo samples: more give smoother quantiles and take longer.",
    "seed": "The random seed: the same seed gives the same numbers on any machine.",
}
#: The page's state as URL parameters: name -> (type, default, allowed values or range).
QUERY = {
    "russia": (float, 1.0, (0.3, 2.0)),
    "ramp_speed": (float, 1.0, (0.25, 4.0)),
    "shape": (str, "linear", ("linear", "constant_growth", "front_loaded")),
    "contract_years": (int, 1, (1, 11)),
    "pooling": (str, "national", ("national", "eu", "alliance")),
    "samples": (int, 300, (20, MAX_SESSION_SAMPLES)),
    "seed": (int, 20251106, (0, 2**31 - 1)),
}


def state_from_query(params: Any) -> dict[str, Any]:
    """The levers, samples and seed a link asks for; a missing or bad value is the default.

    A link is typed by people: a value that does not parse or is out of range falls
    back to the default rather than stopping the page.
    """
    state = {}
    for name, (kind, default, allowed) in QUERY.items():
        raw = params.get(name)
        try:
            value = kind(raw) if raw is not None else default
        except (TypeError, ValueError):
            value = default
        if kind is str:
            value = value if value in allowed else default
        elif not allowed[0] <= value <= allowed[1]:
            value = default
        state[name] = value
    return state


def query_of(state: dict[str, Any]) -> dict[str, str]:
    """The URL parameters of a state (those that differ from the defaults)."""
    return {
        name: f"{state[name]:g}" if isinstance(state[name], float) else str(state[name])
        for name, (_, default, _) in QUERY.items()
        if name in state and state[name] != default
    }


#: The key figures compared side by side: metric key, label, format.
COMPARED = (
    ("ratio", "Alliance ÷ adversary output, {month} (median)", "{:.2f}"),
    ("p_crossover", "P(alliance durably ahead by 2035)", "{:.0%}"),
    ("crossover_p50", "Durable crossover, median", "{}"),
    ("core_share", "Alliance core spending 2025, % of GDP", "{:.2f}"),
    ("gap_pp", "Gap to 3.5%, percentage points", "{:.2f}"),
    ("p_crossover_following", "P(ahead by 2035) if capacity follows contracts", "{:.0%}"),
)


def differences(left: Views, right: Views, names: tuple[str, str]) -> pd.DataFrame:
    """The key figures of two scenarios in one table, with their difference.

    Full labels in rows (nothing truncated); the difference in the figure's own unit
    (percentage points for probabilities).
    """
    rows = []
    for key, label, form in COMPARED:
        a, b = left.metrics.get(key), right.metrics.get(key)
        if a is None and b is None:
            continue
        shown = [form.format(v) if v is not None else "not by 2035" for v in (a, b)]
        numeric = isinstance(a, int | float) and isinstance(b, int | float)
        if numeric and "%}" in form:
            change = f"{(a - b) * 100:+.0f} pp"
        elif numeric:
            change = f"{a - b:+.2f}"
        else:
            change = "" if a == b else "differs"
        month = left.metrics.get("month", "")
        rows.append([label.format(month=month), *shown, change])
    return pd.DataFrame(rows, columns=["figure", names[0], names[1], "difference"])


def same_axes(*figures: Any) -> None:
    """Give charts compared side by side one y-axis range (from zero to the highest value)."""
    import numpy as np

    top = 0.0
    for figure in figures:
        for trace in figure.data:
            values = _numbers(getattr(trace, "y", None))
            if values.size and np.isfinite(values).any():
                top = max(top, float(np.nanmax(values)))
    for figure in figures:
        figure.update_yaxes(range=[0, top * 1.05], autorange=False)


def _numbers(y: Any) -> Any:
    """A trace's y values as floats.

    Also when plotly holds them as a typed-array spec (``{"dtype", "bdata"}``), as it
    does after the dashboard's cache.
    """
    import base64

    import numpy as np

    if y is None:
        return np.zeros(0)
    if isinstance(y, dict) and "bdata" in y:
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).astype(float)
    return np.asarray(y, dtype=float)


def provenance_tables(scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scenario's assumptions and its sources, as the report lists them.

    Assumptions by name: value, why, sources, field path; sources: title, publisher,
    date, grade, address.
    """
    from outproduce.interfaces.report_methods import assumptions_used
    from outproduce.interfaces.report_sources import sources_used

    assumptions = pd.DataFrame(
        [
            {
                "assumption": a["name"],
                "value": a["value"],
                "why": a["note"],
                "sources": "; ".join(a["sources"]),
                "field": a["path"],
            }
            for a in assumptions_used(scenario)
        ]
    )
    sources = pd.DataFrame(
        [
            {
                "source": s["source_id"],
                "title": s["title"],
                "publisher": s["publisher"],
                "published": s["published"],
                "grade": s["reliability"],
                "address": s["url"],
            }
            for s in sources_used(scenario, {})
        ]
    )
    return assumptions, sources
