"""The one shape of a summary: P10, P50 and P90 over samples along a ``quantile`` dimension.

Every view's tables come from ``quantiles`` (xarray's quantile, once per variable), so
a summary is a DataArray or Dataset with a ``quantile`` dimension that ``to_dataframe``
turns into a table; the JSON documents and CLI tables read the same numbers.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import xarray as xr

#: The quantiles every summary shows: P10, P50 (the headline) and P90.
QUANTILES = (0.1, 0.5, 0.9)


def quantiles(values: xr.DataArray | xr.Dataset, skipna: bool = True) -> Any:
    """P10/P50/P90 over samples along a ``quantile`` dimension.

    ``skipna=False`` is exact, and faster, where a value is NaN in every sample or in
    none (e.g. a year before a pathway starts), and keeps such cells NaN.
    """
    with warnings.catch_warnings():  # an all-NaN cell stays NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return values.quantile(list(QUANTILES), dim="sample", skipna=skipna)


def columns(q: xr.DataArray | np.ndarray, prefix: str, *index: Any) -> dict[str, float]:
    """P50 under ``prefix`` and P10/P90 under ``prefix_p10``/``prefix_p90``."""
    low, mid, high = (float(v) for v in np.asarray(q)[(slice(None), *index)])
    return {prefix: mid, f"{prefix}_p10": low, f"{prefix}_p90": high}


class Summary:
    """What every view's summary has: its numbers as one ``xarray.Dataset`` (``table``).

    Uncertain numbers are P10/P50/P90 along a ``quantile`` dimension; probabilities and
    fixed facts are plain variables. The CLI tables, the JSON documents and the report
    read the same numbers in the shapes they print; ``to_frame`` gives the table as a
    pandas DataFrame (one row per coordinate combination).
    """

    table: xr.Dataset

    def to_frame(self) -> Any:
        """The summary table as a pandas DataFrame."""
        return self.table.to_dataframe()


class SummaryDict(dict, Summary):
    """A summary whose printed form is a mapping of tables (``summarise_spending``)."""

    def __init__(self, tables: dict[str, Any], table: xr.Dataset) -> None:
        super().__init__(tables)
        self.table = table


class SummaryList(list, Summary):
    """A summary whose printed form is a list of entries (``summarise_sustain``)."""

    def __init__(self, entries: list[Any], table: xr.Dataset) -> None:
        super().__init__(entries)
        self.table = table


def months(values: list[str | None]) -> np.ndarray:
    """'YYYY-MM' strings (None: never) as datetime64 months (NaT: never)."""
    return np.array(
        [np.datetime64(v, "M") if v else np.datetime64("NaT", "M") for v in values],
        dtype="datetime64[M]",
    ).astype("datetime64[ns]")
