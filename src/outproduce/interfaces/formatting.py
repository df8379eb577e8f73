"""One way to show numbers in tables, for the report, the dashboard and the CLI.

Thousands separators; whole numbers above 100, one decimal above 10, two below;
years as years; missing values as a dash; an ``ally`` column's ISO3 codes as names
(the code on hover in HTML).
Headers are written for people by the view that makes the table (never snake_case
field names): ``HEADERS`` holds the ones shared by several views.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

#: Columns whose numbers are years (no separator, no decimals).
YEAR_COLUMNS = {"year", "start year", "by", "reached"}
#: Human headers for per-holder yearly stock tables (shared by report and dashboard).
HEADERS = {
    "year": "year",
    "stock_end_p10": "stock at year end, P10",
    "stock_end_p50": "stock at year end, median",
    "stock_end_p90": "stock at year end, P90",
    "received_p50": "received (median)",
    "consumption_p50": "used (median)",
    "shortfall_p50": "shortfall (median)",
    "p_shortfall": "P(shortfall) %",
}


def number(value: Any, column: str = "") -> str:
    """One cell as text, by the rules of the module."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if column == "ally" and isinstance(value, str):  # by name, the code on hover
        return ally(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if column in YEAR_COLUMNS:
            return str(int(value))
        size = abs(float(value))
        if float(value).is_integer() and size >= 1:
            return f"{int(value):,}"
        if size >= 100:
            return f"{value:,.0f}"
        if size >= 10:
            return f"{value:,.1f}"
        return f"{value:,.2f}"
    return str(value)


@cache
def ally_names() -> dict[str, str]:
    """ISO3 -> the ally's name (packaged ``allies`` table)."""
    from outproduce.data.catalog import load_table

    allies = load_table("allies")
    return dict(zip(allies["iso3"], allies["name"], strict=True))


def ally(iso3: str, html: bool = True) -> str:
    """An ally by name, its ISO3 code on hover (HTML) or in brackets (text)."""
    name = ally_names().get(iso3, iso3)
    if not html:
        return f"{name} ({iso3})" if name != iso3 else iso3
    return Markup(f'<abbr title="{escape(iso3)}">{escape(name)}</abbr>')


def human_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's cells as text by ``number`` (column by column; headers as given)."""
    return pd.DataFrame(  # object columns: pandas would turn markup into plain text
        {
            column: pd.Series(
                [number(v, str(column)) for v in frame[column].astype(object)], dtype=object
            )
            for column in frame.columns
        }
    )


def stock_table(yearly: list[dict[str, Any]]) -> pd.DataFrame:
    """A holder's yearly stock rows with human headers; the shortfall chance in percent."""
    frame = pd.DataFrame(yearly)[list(HEADERS)]
    frame["p_shortfall"] = frame["p_shortfall"] * 100
    return frame.rename(columns=HEADERS)
