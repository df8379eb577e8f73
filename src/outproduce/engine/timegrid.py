"""The monthly time grid every layer shares."""

from __future__ import annotations

import numpy as np

from outproduce.scenario.model import Horizon, month_number


def month_grid(horizon: Horizon) -> np.ndarray:
    """All months of the horizon as ``datetime64[M]``, start and end included."""
    return np.arange(np.datetime64(horizon.start, "M"), np.datetime64(horizon.end, "M") + 1)


def month_offset(month: str, horizon: Horizon) -> int:
    """Index of ``month`` on the grid (negative before the start, beyond the end after)."""
    return month_number(month) - month_number(horizon.start)


def month_label(grid: np.ndarray, index: int) -> str:
    """'YYYY-MM' of a grid position."""
    return str(grid[index])


def whole_years(months: np.ndarray) -> list[int]:
    """The calendar years whose twelve months are all in ``months`` (a part is no year)."""
    years, counts = np.unique(
        np.asarray(months, "datetime64[Y]").astype(int) + 1970, return_counts=True
    )
    return [int(y) for y in years[counts == 12]]
