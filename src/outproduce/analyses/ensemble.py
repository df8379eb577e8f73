"""One chunk of an ensemble: samples ``start .. stop`` of a scenario's Monte Carlo run.

An ensemble (``interfaces.ensemble``) runs every variant of a grid for N samples, a
chunk at a time, on any scheduler. A chunk is an ordinary run of those samples (their
draws are the whole run's: ``run(offset=start)``), reduced to what an ensemble keeps
per sample: the totals by series and month, the holders' stocks, the orders and their
on-time deliveries, the inputs table, and the outcomes asked for (computed here, where
the whole run of the chunk is at hand; ``analyses.outcomes``). The same chunk gives the
same numbers in any process, so any scheduler, worker count or chunk size gives the
same ensemble.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from outproduce.analyses.outcomes import outcome as outcome_of
from outproduce.analyses.run import Run, run
from outproduce.scenario.model import Scenario

#: Per-sample variables of a run an ensemble keeps (besides the outcomes).
KEPT = (
    "series_output",
    "stock",
    "order_quantity",
    "order_on_time",
    "input_uniform",
    "input_value",
)


def default_outcomes(scenario: Scenario) -> list[str]:
    """The outcomes an ensemble keeps unless told: the claim's, the crossover, on time.

    The claim's outcomes only if the speech's month is within the horizon; the output
    of 2030 (or of the horizon's nearest year).
    """
    from outproduce.speech import SPEECH_MONTH

    start, end = str(scenario.horizon.start)[:7], str(scenario.horizon.end)[:7]
    claim = ("ratio", "ahead_at", "ahead_of_russia_at") if start <= SPEECH_MONTH <= end else ()
    year = max(min(2030, int(end[:4])), int(start[:4]))
    return [
        *(f"{kind}:{SPEECH_MONTH}" for kind in claim),
        f"rounds:{year}",
        "crossover",
        "crossover_never",
        "on_time_share",
    ]


def member(
    scenario: Scenario,
    seed: int,
    start: int,
    stop: int,
    outcomes: list[str],
    workers: int | None = 1,
) -> xr.Dataset:
    """Samples ``start .. stop`` of ``scenario``'s run with ``seed``, as an ensemble keeps them.

    The engine runs on ``workers`` threads (one on a Dask worker: the scheduler spreads
    chunks over the cores; the numbers are the same for any number).
    """
    chunk = run(
        scenario,
        samples=stop - start,
        seed=seed,
        calibration=False,
        offset=start,
        workers=workers,
    )
    return _kept(chunk, outcomes).assign_coords(sample=np.arange(start, stop))


def _kept(chunk: Run, outcomes: list[str]) -> xr.Dataset:
    """The per-sample variables an ensemble keeps and the outcomes, without coordinates."""
    kept = chunk.dataset[list(KEPT)]
    kept = kept.drop_vars([c for c in kept.coords if "sample" not in kept[c].dims])
    values = np.stack([outcome_of(chunk, name) for name in outcomes], axis=1)
    kept["outcomes"] = (("sample", "outcome"), values)
    kept.attrs = {}
    return kept.assign_coords(outcome=outcomes)


def template(
    scenario: Scenario, seed: int, outcomes: list[str], samples: int, chunk: int
) -> xr.Dataset:
    """A variant's store before any chunk: its coordinates and empty arrays (lazy, dask).

    From a one-sample run: months, series, holders, orders (their supplier and end),
    inputs and outcomes (an unknown outcome is refused here, before any chunk runs);
    the run's provenance as attributes, with the ensemble's sample count.
    """
    import dask.array as da

    one = run(scenario, samples=1, seed=seed, calibration=False, workers=1)
    kept = _kept(one, outcomes)
    ds = one.dataset
    fixed = ds[list(KEPT)].drop_dims("sample")
    for name in ("order_supplier", "order_end"):
        if name in ds.variables:
            fixed[name] = ds[name]
    for name, variable in kept.data_vars.items():
        shape = (samples, *variable.shape[1:])
        chunks = (min(chunk, samples), *variable.shape[1:])
        empty = da.zeros(shape, chunks=chunks, dtype=variable.dtype)
        fixed[name] = (variable.dims, empty, dict(ds[name].attrs) if name in ds else {})
    fixed = fixed.assign_coords(outcome=outcomes)
    fixed.attrs = dict(ds.attrs) | {"samples": samples, "title": "outproduce ensemble"}
    return fixed
