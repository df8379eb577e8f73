"""A planning goal checked before any work: one clear error naming the option at fault."""

from __future__ import annotations

from typing import Any

import numpy as np

from outproduce.errors import InputError
from outproduce.scenario.model import Scenario

OBJECTIVES = ("min-cost", "max-output", "earliest")
#: Largest robust sample (the SAA problem grows with it; 200 solves in under a minute).
MAX_ROBUST = 1000


def check_goal(
    scenario: Scenario,
    objective: str,
    target: Any,
    by: str | None,
    budget: Any,
    robust: Any,
    shortfall_price: Any,
    start: str,
) -> dict[str, Any]:
    """The goal as recorded, or one clear InputError naming the option at fault.

    Every number finite and in range; an option the objective does not use is refused
    rather than ignored; the goal's year must be a whole calendar year of the horizon.
    """
    if objective not in OBJECTIVES:
        raise InputError(
            f"unknown objective {objective!r}; expected one of {', '.join(OBJECTIVES)}",
            field="--objective",
        )
    target = _number(target, "--target", "rounds a year", MAX_TARGET)
    budget = _number(budget, "--budget", "USD", MAX_BUDGET)
    shortfall_price = _number(shortfall_price, "--shortfall-price", "USD a round", MAX_BUDGET)
    if robust is not None and (
        isinstance(robust, bool) or not isinstance(robust, int | np.integer)
    ):
        raise InputError(f"expected a whole number of samples, got {robust!r}", field="--robust")
    first = _month(start, "--start")
    end = np.datetime64(scenario.horizon.end, "M")
    if not np.datetime64(scenario.horizon.start, "M") <= first < end:
        raise InputError(
            f"the plan's start {start} is outside the horizon "
            f"{scenario.horizon.start} .. {scenario.horizon.end}",
            field="--start",
        )
    unused = {
        "min-cost": ("--budget", budget),
        "earliest": ("--by", by) if by is not None else ("--budget", budget),
        "max-output": ("--target", target),
    }[objective]
    if unused[1] is not None:
        raise InputError(f"{objective} does not use {unused[0]}; leave it out", field=unused[0])
    if objective in ("min-cost", "earliest") and target is None:
        raise InputError(
            f"expected a target of rounds a year (more than 0, at most {MAX_TARGET:,.0f})",
            field="--target",
        )
    if objective != "earliest":
        if by is None:
            raise InputError(
                "expected a month YYYY-MM (the target's or the deadline's)", field="--by"
            )
        month = _month(by, "--by")
        if not first <= month <= end:
            raise InputError(
                f"expected --by between the plan's start {start} and the horizon's end "
                f"{scenario.horizon.end}, got {by}",
                field="--by",
            )
    last_whole = int(scenario.horizon.end[:4]) - (scenario.horizon.end[5:] != "12")
    year = int((by or start)[:4])
    if objective != "max-output" and year > last_whole:
        raise InputError(
            f"a yearly target needs a whole calendar year in the horizon (ending "
            f"{scenario.horizon.end}); expected a year up to {last_whole}, got {year}",
            field="--by" if by else "--start",
        )
    if objective == "max-output" and budget is None:
        raise InputError("expected a capital budget in USD (more than 0)", field="--budget")
    if robust is not None and not 1 <= robust <= MAX_ROBUST:
        raise InputError(f"expected 1 to {MAX_ROBUST} samples, got {robust}", field="--robust")
    if shortfall_price is not None and (robust is None or objective != "min-cost"):
        raise InputError(
            "a shortfall price only applies to a robust min-cost plan (--robust K, "
            "--objective min-cost); without it the target must hold",
            field="--shortfall-price",
        )
    return {
        "objective": objective,
        "target": target,
        "by": by,
        "budget_usd": budget,
        "start": start,
    }


#: Largest target (rounds a year) and budget or price (USD) a goal may state.
MAX_TARGET = 1e9
MAX_BUDGET = 1e13


def _number(value: Any, option: str, unit: str, most: float) -> float | None:
    """A finite number above 0 and at most ``most`` (or None), else one InputError."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"expected a number of {unit}, got {value!r}", field=option) from None
    if not (np.isfinite(number) and 0 < number <= most):
        raise InputError(
            f"expected more than 0 and at most {most:,.0f} {unit}, got {value!r}", field=option
        )
    return number


def _month(value: str, option: str) -> np.datetime64:
    try:
        if len(value) != 7:
            raise ValueError
        return np.datetime64(value, "M")
    except (ValueError, TypeError):
        raise InputError(f"expected a month YYYY-MM, got {value!r}", field=option) from None
