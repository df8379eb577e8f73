"""The packaged economic series as year-by-ally matrices: defence shares, GDP, commitments.

NATO's shares of GDP come from its own GDP (DG ECFIN/OECD), which is not published
with them; multiplying them by the World Bank GDP gives money that will not match
NATO's USD tables exactly (data notes, *Spending*). GDP uses one vintage, the World
Bank series, for every ally; the other vintages in the table serve as checks.
"""

from __future__ import annotations

import pandas as pd

from outproduce.data.catalog import load_table
from outproduce.errors import InputError

#: The GDP vintage the pathways use (complete for all 32 allies, 2010-2023).
GDP_VINTAGE = "World Bank WDI (datahub snapshot 2026-03-20)"


def defence_shares() -> pd.DataFrame:
    """Defence expenditure in per cent of GDP, allies (rows) x years (columns); NaN: none."""
    table = load_table("defence_expenditure")
    return table.pivot(index="iso3", columns="year", values="defence_pct_gdp").rename(columns=int)


def gdp_usd_billion(vintage: str = GDP_VINTAGE) -> pd.DataFrame:
    """GDP in current USD billions of one vintage, allies (rows) x years (columns)."""
    table = load_table("gdp")
    chosen = table[table["vintage"] == vintage]
    if chosen.empty:
        known = ", ".join(sorted(set(table["vintage"])))
        raise InputError(f"unknown GDP vintage {vintage!r}; expected one of: {known}")
    return chosen.pivot(index="iso3", columns="year", values="gdp_usd_billion_current").rename(
        columns=int
    )


def commitment_pct(commitment_id: str) -> float:
    """The share (per cent) of a packaged commitment, e.g. ``hague_core`` -> 3.5."""
    table = load_table("commitments").set_index("commitment_id")
    if commitment_id not in table.index:
        known = ", ".join(table.index)
        raise InputError(f"unknown commitment {commitment_id!r}; expected one of: {known}")
    return float(table.loc[commitment_id, "share_pct"])
