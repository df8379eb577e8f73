"""The sustained crossover: the one rule for "the alliance is ahead", used by every view.

Per sample, the first month from which the alliance's output stays at or above the
other side's to the end of the horizon (NaT: not durably ahead within it).
"""

from __future__ import annotations

import numpy as np

from outproduce.analyses.provenance import month_quantile


def at_least(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """Ours >= theirs, counting ties within 1e-9 (relative, or 1e-9 rounds) as ahead.

    Float noise is not a lead: increments that cancel (a line stepping down to zero)
    leave residues of about 1e-17 whose sign depends on the order of summation.
    """
    return ours >= theirs * (1 - 1e-9) - 1e-9


def crossover_index(ahead: np.ndarray) -> np.ndarray:
    """Per sample, first month index from which ``ahead`` holds to the end; -1 if none."""
    stays = np.flip(np.logical_and.accumulate(np.flip(ahead, axis=1), axis=1), axis=1)
    first = np.argmax(stays, axis=1)
    return np.where(stays[:, -1], first, -1)


def crossover_months(ahead: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Sustained-crossover month per sample (NaT where the alliance is not durably ahead)."""
    index = crossover_index(ahead)
    result = np.full(len(index), np.datetime64("NaT"), dtype="datetime64[ns]")
    result[index >= 0] = months[index[index >= 0]]
    return result


def crossover_stats(months: np.ndarray) -> dict[str, str | float | None]:
    """P10/P50/P90 crossover month (None: never within the horizon) and its probability."""
    return {
        "p10": month_quantile(months, 0.1),
        "p50": month_quantile(months, 0.5),
        "p90": month_quantile(months, 0.9),
        "prob_within_horizon": float((~np.isnat(months)).mean()),
    }
