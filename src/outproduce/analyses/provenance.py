"""What every run and view shares: scenario, samples and seed, memory, provenance.

Resolving a scenario, checking samples and seed (the one place), refusing runs that
cannot fit in memory, and the provenance attributes every result carries.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from outproduce.data.catalog import DATA_VERSION
from outproduce.engine.timegrid import month_grid
from outproduce.errors import InputError
from outproduce.scenario.loading import load_scenario
from outproduce.scenario.model import Scenario
from outproduce.version import __version__


def resolve(scenario: Scenario | str | Path) -> Scenario:
    """Accept a loaded scenario, a built-in name or a YAML path."""
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def samples_and_seed(scenario: Scenario, samples: int | None, seed: int | None) -> tuple[int, int]:
    """The scenario's defaults for samples and seed, checked (the one place that checks)."""
    samples = scenario.samples if samples is None else samples
    seed = scenario.seed if seed is None else seed
    if samples < 1:
        raise InputError(f"expected at least 1 sample, got {samples}", field="samples")
    if seed < 0:
        raise InputError(f"expected a non-negative seed, got {seed}", field="seed")
    return samples, seed


#: Floats a run keeps per sample, besides its lines and orders: series, suppliers and
#: holders by month (about 40 x months) and the spending pathways (per ally and year).
FLOATS_PER_MONTH = 40
SPENDING_FLOATS = 32 * 30 * 14
#: Headroom for temporaries (views, quantiles, the chunk buffers).
HEADROOM = 2.0
#: Share of the machine's memory one run may plan to use.
MEMORY_SHARE = 0.6


def check_fits(scenario: Scenario, samples: int, full: bool = False) -> None:
    """Refuse, before any allocation, a run that cannot fit in this machine's memory."""
    months = len(month_grid(scenario.horizon))
    years = -(-months // 12) + 1
    lines = max(len(scenario.lines), 1) + 1
    orders = len(scenario.contracts)
    floats = 2 * lines * years + FLOATS_PER_MONTH * months
    if scenario.spending is not None:
        span = max(scenario.spending.target_year - scenario.spending.price_base_year + 1, 1)
        orders += span  # the budgets' book: at most one order per year
        floats += SPENDING_FLOATS + 32 * span  # pathways; each buyer's contract quantity
    floats += orders * (years + 3)
    if full:
        floats += 3 * lines * months + 2 * orders * months
    per_sample = 8 * floats * HEADROOM
    need = samples * per_sample
    total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    if need > MEMORY_SHARE * total:
        most = int(MEMORY_SHARE * total / per_sample)
        raise InputError(
            f"{samples:,} samples need about {need / 2**30:,.1f} GiB for this scenario's "
            f"{len(scenario.lines)} lines and {orders} orders x {months} months"
            f"{' with full arrays' if full else ''}; at most {most:,} fit in this machine's "
            f"{total / 2**30:.0f} GiB. Expected fewer samples (or several runs with "
            "different seeds)",
            file=scenario.origin or None,
            field="samples",
        )


def attrs(scenario: Scenario, samples: int, seed: int, title: str) -> dict[str, object]:
    """Provenance attributes every result carries."""
    return {
        "title": title,
        "scenario": scenario.name,
        "scenario_hash": scenario.scenario_hash(),
        "data_version": DATA_VERSION,
        "seed": seed,
        "samples": samples,
        "package_version": __version__,
    }


def month_quantile(values: np.ndarray, q: float) -> str | None:
    """Quantile of per-sample months as 'YYYY-MM'; NaT counts as 'never' (None if chosen)."""
    index = np.where(np.isnat(values), np.inf, values.astype("datetime64[M]").astype(float))
    if index.size == 0:
        return None
    chosen = float(np.quantile(index, q, method="inverted_cdf"))
    return None if not np.isfinite(chosen) else str(np.datetime64(int(chosen), "M"))
