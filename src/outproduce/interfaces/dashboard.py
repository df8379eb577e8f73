"""What the dashboard computes, without Streamlit: uploads, levers, views, downloads.

The Streamlit page (``app.py``) only lays these out, so they are tested like any
other function, and the page stays a thin layer over the same Python API.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
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
from outproduce.interfaces import figures, figures_spending
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


@contextlib.contextmanager
def computation_slot() -> Iterator[None]:
    """One of the server's ``MAX_CONCURRENT`` computation slots, or ``Busy`` after a wait."""
    if not _SLOTS.acquire(timeout=BUSY_WAIT_SECONDS):
        raise Busy(f"the server is busy ({MAX_CONCURRENT} computations running); try again shortly")
    try:
        yield
    finally:
        _SLOTS.release()


def compute_limited(
    scenario: Scenario, samples: int, seed: int, on_stage: Callable[[str], None] | None = None
) -> Views:
    """``compute_views`` within the server-wide cap on concurrent computations."""
    if not 1 <= samples <= MAX_SESSION_SAMPLES:
        raise InputError(
            f"expected 1 to {MAX_SESSION_SAMPLES:,} samples in the dashboard, got {samples:,}",
            field="samples",
        )
    with computation_slot():
        started = time.perf_counter()
        views = compute_views(scenario, samples, seed, on_stage)
        record_time(samples, time.perf_counter() - started)
        return views


#: Views computed on this server, by (scenario JSON, samples, seed), newest last; a few
#: MB each (figures and tables, not the run), at most ``VIEWS_KEPT``.
_VIEWS: OrderedDict[tuple[str, int, int], Views] = OrderedDict()
_VIEWS_LOCK = threading.Lock()
VIEWS_KEPT = 16


def cached_views(scenario_json: str, samples: int, seed: int) -> Views | None:
    """The views of a scenario (as JSON), samples and seed if computed already, else None."""
    with _VIEWS_LOCK:
        views = _VIEWS.get((scenario_json, samples, seed))
        if views is not None:
            _VIEWS.move_to_end((scenario_json, samples, seed))
        return views


def _keep(key: tuple[str, int, int], views: Views) -> None:
    with _VIEWS_LOCK:
        _VIEWS[key] = views
        while len(_VIEWS) > VIEWS_KEPT:
            _VIEWS.popitem(last=False)


class Update:
    """The views of one or more scenarios computed in a background thread.

    The page polls it to draw a progress bar (its share of the estimated time, and the
    stage being computed) instead of a bare spinner; ``result`` gives the views in the
    order asked, or raises the computation's error in the caller's thread.
    """

    def __init__(self, scenario_jsons: list[str], samples: int, seed: int) -> None:
        self.samples, self.seed = samples, seed
        self.asked = scenario_jsons
        self.todo = [
            text for text in dict.fromkeys(scenario_jsons) if not cached_views(text, samples, seed)
        ]
        self.estimate = estimate_seconds(samples) * len(self.todo)
        self.stage = "starting"
        self.started = time.monotonic()
        self._error: BaseException | None = None
        self._made: dict[str, Views] = {}
        self._thread = threading.Thread(target=self._work, daemon=True)
        if self.todo:
            self._thread.start()

    def _work(self) -> None:
        count = len(self.todo)
        try:
            for number, text in enumerate(self.todo, 1):

                def on_stage(name: str, number: int = number) -> None:
                    self.stage = name if count == 1 else f"scenario {number} of {count}: {name}"

                scenario = Scenario.model_validate_json(text)
                views = compute_limited(scenario, self.samples, self.seed, on_stage)
                self._made[text] = views
                _keep((text, self.samples, self.seed), views)
        except BaseException as exc:  # raised again in the page's thread by ``result``
            self._error = exc

    @property
    def done(self) -> bool:
        """True once every view is computed (or the computation failed)."""
        return not self._thread.is_alive()

    def progress(self) -> tuple[float, float]:
        """The share of the estimated time gone (below 1 until done) and seconds left."""
        elapsed = time.monotonic() - self.started
        share = min(elapsed / self.estimate, 0.99) if self.estimate > 0 else 0.99
        return share, max(self.estimate - elapsed, 0.0)

    def result(self) -> list[Views]:
        """The views in the order asked (waits for the thread).

        A view found in the cache when the update started and evicted since by other
        sessions is computed again here.
        """
        if self.todo:
            self._thread.join()
        if self._error is not None:
            raise self._error
        views = []
        for text in self.asked:
            found = self._made.get(text) or cached_views(text, self.samples, self.seed)
            if found is None:
                scenario = Scenario.model_validate_json(text)
                found = compute_limited(scenario, self.samples, self.seed)
            views.append(found)
        return views


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
    from functools import partial

    from outproduce.analyses.discover import claim_discoveries
    from outproduce.analyses.sensitivity import (
        QUICK_SAMPLES,
        claim_outcomes,
        group_inputs,
        sensitivities,
        varying_inputs,
    )
    from outproduce.interfaces.report_methods import drives_title, input_label
    from outproduce.interfaces.report_verdict import discovery_paragraph

    with computation_slot():
        the_run = run(scenario, samples=samples, seed=seed, calibration=False)
        names = varying_inputs(the_run.inputs())
        if len(group_inputs(names)) < 2:
            return {"charts": {}, "boxes": []}
        found = sensitivities(
            scenario, claim_outcomes(scenario), samples=QUICK_SAMPLES, seed=seed, names=names
        )
        label = partial(input_label, scenario)
        charts = {
            name: figures.sensitivity_figure(result.table, drives_title(name), label)
            for name, result in found.items()
        }
        boxes = [discovery_paragraph(d, scenario) for d in claim_discoveries(the_run)]
        return {"charts": charts, "boxes": boxes}


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


def compute_views(
    scenario: Scenario, samples: int, seed: int, on_stage: Callable[[str], None] | None = None
) -> Views:
    """One run of the chain; the balance, spending (with its order book) and sustainment views.

    ``on_stage`` is told each stage as it starts (the page's progress bar names it).
    """
    stage = on_stage or (lambda _: None)
    stage("running the engine")
    the_run = run(scenario, samples=samples, seed=seed)
    stage("the balance")
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
        stage("spending and contracts")
        spend = spending(the_run)
        tables = summarise_spending(spend)
        gap = alliance_gap(spend)
        metrics["core_share"], metrics["gap_pp"] = gap["core_share"], gap["gap_pp"]
        metrics |= _spending_figures(spend)
        spending_figure = figures_spending.spending_totals_figure(spend)
        allies_figure = figures_spending.ally_pathways_figure(spend)
        allies = pd.DataFrame(tables["allies"])
        if tables["order_book"]:
            contracts = tables["contracts"]
            metrics["on_time"] = contracts["on_time_share"]
            metrics["p_crossover_following"] = contracts["crossover_following"][
                "prob_within_horizon"
            ]
            order_book_figure = figures_spending.order_book_figure(tables["order_book"])
            book = pd.DataFrame(tables["order_book"])
    if scenario.holders:
        stage("stocks")
        view = sustain(the_run)
        sustain_figure = figures.sustain_figure(view)
        for entry in summarise_sustain(view, scenario):
            sentence = target_sentence(entry)
            if sentence:
                metrics.setdefault("targets", []).append(sentence)
                metrics.setdefault("stocks", []).append(_stock_figures(entry))
    stage("the charts")
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


def _spending_figures(spend: Any) -> dict[str, Any]:
    """The spending figures compared between scenarios (medians over samples)."""
    last = int(spend["year"].values[-1])
    figures_: dict[str, Any] = {
        "last_year": last,
        "core_usd_last": float(
            spend["group_core_usd_bn"].sel(group="alliance", year=last).median("sample")
        ),
    }
    if "delivered_rounds" in spend:
        years = spend["book_year"].values
        figures_["book_years"] = f"{int(years[0])}–{int(years[-1])}"
        figures_["delivered_total"] = float(
            spend["delivered_rounds"].sum("book_year").median("sample")
        )
    return figures_


def _stock_figures(entry: dict[str, Any]) -> dict[str, Any]:
    """A holder's target figures compared between scenarios (from its summary entry)."""
    rebuild = entry["rebuild"]
    year = int(rebuild["target_month"][:4])
    ends = {row["year"]: row["stock_end_p50"] for row in entry["yearly"]}
    return {
        "name": entry["name"],
        "target": rebuild["target_stock"],
        "month": rebuild["target_month"],
        "p_reached": rebuild["p_reached_by_target_month"],
        "year": year,
        "stock_end": ends.get(year),
    }
