"""Building blocks of every scenario model.

Months, calibres, blocs, rate units, the strict base model and the shared checks.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
)

from outproduce.data.catalog import (
    BLOCS,
    CALIBRES,
)
from outproduce.scenario.uncertain import bounds

_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(value: Any) -> str:
    """Accept 'YYYY-MM' (or a YAML date) and return 'YYYY-MM'; ValueError otherwise."""
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, str) and _MONTH_RE.match(value.strip()):
        return value.strip()
    raise ValueError(f"expected a month 'YYYY-MM', got {value!r}")


Month = Annotated[str, BeforeValidator(parse_month)]
Calibre = Literal["155mm", "152mm", "122mm", "artillery_all", "152mm_equiv"]
assert set(Calibre.__args__) == set(CALIBRES)  # type: ignore[attr-defined]
#: ``partners`` (states outside the alliance that supply it or Ukraine) are shown beside
#: the alliance, never summed into it: the speech's claim is about allies.
Bloc = Literal["alliance", "adversary", "partners"]
assert set(Bloc.__args__) == set(BLOCS)  # type: ignore[attr-defined]

#: Per-year factors from the unit a step's rate is stated in.
RATE_UNITS: dict[str, float] = {
    "rounds_per_year": 1.0,
    "rounds_per_month": 12.0,
    "rounds_per_day": 365.25,
    "tonnes_per_year": 1.0,
}


def month_number(month: str) -> int:
    """Months since year 0, so that month arithmetic is integer arithmetic."""
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


class Strict(BaseModel):
    """Base of every scenario model: unknown fields refused, frozen, numbers finite."""

    # Every number is finite: NaN or infinity is never a usable input.
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


def non_negative(value: Any, what: str) -> Any:
    """The value, if its lowest draw is not below zero (else a ValueError naming it)."""
    low, _ = bounds(value)
    if low < 0:
        raise ValueError(f"expected a non-negative {what}, got a lowest value of {low:g}")
    return value


#: The longest lead from a signed contract to new capacity (20 years: beyond any horizon).
MAX_LEAD_MONTHS = 240


def check_lead_months(value: Any, what: str = "lead_months") -> Any:
    """The value, if all its draws are lead times between 0 and ``MAX_LEAD_MONTHS``."""
    low, high = bounds(value)
    if low < 0 or high > MAX_LEAD_MONTHS:
        raise ValueError(
            f"expected {what} between 0 and {MAX_LEAD_MONTHS} months, got {low:g} .. {high:g}"
        )
    return value


def check_growth(value: Any) -> Any:
    """The value, if it is a bounded yearly change between -1 and +1."""
    if value is not None and not -1 <= bounds(value)[0] <= bounds(value)[1] <= 1:
        raise ValueError(
            "expected a bounded yearly change between -1 (-100%) and 1 (+100%), got "
            f"{bounds(value)[0]:g} .. {bounds(value)[1]:g}"
        )
    return value


def check_share(value: Any, what: str) -> Any:
    """The value, if all its draws are shares between 0 and 1.5."""
    if value is None:
        return value
    low, high = bounds(value)
    if low < 0 or high > 1.5:
        raise ValueError(f"expected {what} as a share between 0 and 1.5, got {low:g} .. {high:g}")
    return value
