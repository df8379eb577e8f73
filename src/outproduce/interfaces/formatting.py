"""One way to show numbers in tables, for the report, the dashboard and the CLI.

Thousands separators; decimals by column (none from 100, one from 10, else two; none
in a column of whole numbers); years as years; missing values as a dash; an ``ally``
column's ISO3 codes as names (the code on hover in HTML).
Headers are written for people by the view that makes the table (never snake_case
field names): ``HEADERS`` holds the ones shared by several views.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from outproduce.data.catalog import ally_names

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


def number(value: Any, column: str = "", html: bool = True, digits: int | None = None) -> str:
    """One cell as text, by the rules of the module (``html``: markup where it helps).

    ``digits``: the column's decimals (``column_digits``), so a column reads alike;
    without it, decided by the value's own size.
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if hasattr(value, "__html__"):  # already markup (a link, a name with its code)
        return value
    if column == "ally" and isinstance(value, str):  # by name, the code on hover
        return ally(value, html)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Real):  # Python and numpy numbers alike
        if _is_year(value, column):
            return str(int(value))
        places = _digits(abs(float(value))) if digits is None else digits
        return f"{value:,.{places}f}"
    return str(value)


def _is_year(value: float, column: str) -> bool:
    """A year: in a year column ("year", "start year", "year core reached"), whole, plausible."""
    name = column.lower()
    named = name in YEAR_COLUMNS or name.startswith("year") or name.endswith("year")
    return named and float(value).is_integer() and 1900 <= value <= 2200


def _digits(size: float) -> int:
    """Decimals for numbers of this size: none from 100, one from 10, else two."""
    return 0 if size >= 100 else 1 if size >= 10 else 2


def column_digits(values: Any) -> int | None:
    """The decimals of a column: by its largest number; none if all are whole numbers."""
    sizes = [
        abs(float(v))
        for v in values
        if isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)
    ]
    if not sizes:
        return None
    if all(float(v).is_integer() for v in sizes):
        return 0
    return _digits(max(sizes))


def ally(iso3: str, html: bool = True) -> str:
    """An ally by name, its ISO3 code on hover (HTML) or in brackets (text)."""
    name = ally_names().get(iso3, iso3)
    if not html:
        return f"{name} ({iso3})" if name != iso3 else iso3
    return Markup(f'<abbr title="{escape(iso3)}">{escape(name)}</abbr>')


def human_frame(frame: pd.DataFrame, html: bool = True) -> pd.DataFrame:
    """The frame's cells as text by ``number`` (column by column; headers as given)."""
    columns = {}
    for column in frame.columns:
        values = frame[column].astype(object).tolist()
        digits = 0 if str(column).endswith("%") else column_digits(values)
        cells = [number(v, str(column), html, digits) for v in values]
        columns[column] = pd.Series(cells, dtype=object)  # markup would become plain text
    return pd.DataFrame(columns)


def readable(frame: pd.DataFrame, html: bool = False) -> pd.DataFrame:
    """A result table for people: field names in words, chances in %, cells by ``number``.

    ``x_p50`` -> "x, median", ``x_p10`` -> "x, P10", ``p_x`` -> "P(x) %" (times 100),
    ``iso3`` -> "ally" (by name), other underscores -> spaces.
    """
    shown = frame.copy()
    names = {}
    for column in frame.columns:
        name = str(column)
        base, _, quantile = name.rpartition("_")
        if name.startswith("p_"):
            shown[column] = frame[column] * 100
            names[column] = f"P({name[2:].replace('_', ' ')}) %"
        elif name == "iso3":
            names[column] = "ally"
        elif base and quantile in ("p10", "p50", "p90"):
            which = "median" if quantile == "p50" else quantile.upper()
            names[column] = f"{base.replace('_', ' ')}, {which}"
        else:
            names[column] = name.replace("_", " ")
    return human_frame(shown.rename(columns=names), html)


def stock_table(yearly: list[dict[str, Any]]) -> pd.DataFrame:
    """A holder's yearly stock rows with human headers; the shortfall chance in percent."""
    frame = pd.DataFrame(yearly)[list(HEADERS)]
    frame["p_shortfall"] = frame["p_shortfall"] * 100
    return frame.rename(columns=HEADERS)


#: What a missing lead time means (the order would not be filled within the horizon).
BEYOND = "beyond the horizon"


def lead_times(values: pd.Series) -> pd.Series:
    """Lead times of a new order in months; where none, it would not arrive in time."""
    return values.astype(object).where(values.notna(), BEYOND)


def rounds(value: float) -> str:
    """A number of rounds: "1.2 million", "480,000"."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:.2f}".rstrip("0").rstrip(".") + " million"
    return f"{value:,.0f}"


def rate_text(value: Any) -> str:
    """A (possibly uncertain) number of rounds a year in words.

    "1.7 million–2.1 million (central 2 million)"; other distributions as the scenario
    states them.
    """
    from outproduce.scenario.uncertain import Range, describe

    if isinstance(value, int | float):
        return rounds(float(value))
    if isinstance(value, Range):
        text = f"{rounds(value.low)}–{rounds(value.high)}"
        return text + (f" (central {rounds(value.central)})" if value.central is not None else "")
    return describe(value)
