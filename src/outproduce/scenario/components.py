"""A scenario's parts: lines and their steps, inputs, contracts, holders and their flows."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from outproduce.data.catalog import (
    PRODUCT_CLASSES,
)
from outproduce.scenario.fields import (
    RATE_UNITS,
    Bloc,
    Calibre,
    Month,
    Strict,
    check_growth,
    check_lead_months,
    check_share,
    month_number,
    non_negative,
)
from outproduce.scenario.limits import (
    MAX_MAGNITUDE,
)
from outproduce.scenario.uncertain import Uncertain, bounds


class Step(Strict):
    """One capacity step: the rate ramps linearly from the previous step's level.

    Output starts in ``first_output`` (1/n of the increment, n = months of ramp) and
    the full increment is reached in ``full_rate``.
    """

    first_output: Month
    full_rate: Month
    rate: Uncertain
    unit: Literal["rounds_per_year", "rounds_per_month", "rounds_per_day", "tonnes_per_year"] = (
        "rounds_per_year"
    )
    kind: Literal["actual", "estimate", "target"] = "estimate"
    #: What the figure states: ``capacity`` (utilisation turns it into output), ``output``
    #: or ``transfer`` (counted as stated). Default: the line's measure.
    measure: Literal["capacity", "output", "transfer"] | None = None
    source: str = ""
    note: str = ""

    @field_validator("rate")
    @classmethod
    def _rate_non_negative(cls, value: Any) -> Any:
        return non_negative(value, "rate (capacity cannot be negative)")

    @model_validator(mode="after")
    def _dates_ordered(self) -> Step:
        if month_number(self.full_rate) < month_number(self.first_output):
            raise ValueError(
                f"full_rate ({self.full_rate}) is before first_output ({self.first_output}); "
                "expected first_output <= full_rate"
            )
        return self

    def per_year(self) -> float:
        """Factor from the stated unit to per-year."""
        return RATE_UNITS[self.unit]


class Outages(Strict):
    """Random stoppages: each month an outage starts with this probability and lasts."""

    monthly_probability: float = Field(ge=0, le=1)
    duration_months: int = Field(ge=1, le=120)


InputClass = Literal["shell_bodies", "charges", "explosive_t", "propellant_t"]


class Inputs(Strict):
    """Bill of materials per finished round, and how input production is pooled.

    An input is constrained only where the scenario has a line making it in the
    same pool (or an initial stock of it there): without data, no constraint.
    """

    pools: Literal["bloc", "country"] = "bloc"
    bill_of_materials: dict[InputClass, Uncertain] = {}
    initial_stock: dict[str, dict[InputClass, float]] = {}

    @field_validator("bill_of_materials")
    @classmethod
    def _positive(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name, amount in value.items():
            non_negative(amount, f"amount of {name} per round")
        return value


class Contract(Strict):
    """An order: ``buyer`` buys ``quantity`` rounds from a line (or a pool) after signing.

    Deliveries run first in, first out per supplier, from ``delivery_start``; the
    part delivered by ``delivery_end`` counts as on time.
    """

    buyer: str
    supplier: str
    quantity: float = Field(gt=0, le=MAX_MAGNITUDE)
    signed: Month
    delivery_start: Month | None = None
    delivery_end: Month
    source: str = ""
    note: str = ""

    @model_validator(mode="after")
    def _dates(self) -> Contract:
        start = self.delivery_start or self.signed
        if not month_number(self.signed) <= month_number(start) <= month_number(self.delivery_end):
            raise ValueError(
                f"dates out of order: signed ({self.signed}) <= delivery_start ({start}) "
                f"<= delivery_end ({self.delivery_end}) expected"
            )
        return self

    def opens(self) -> str:
        """First month deliveries may be made."""
        return self.delivery_start or self.signed


class CapacityRule(Strict):
    """How a supplier's capacity answers its signed contracts (an engine decision rule).

    ``follow_contracts`` builds what signed contracts ask beyond the supplier's planned
    output, ``lead_months`` after signing, only for deliveries still due by then, and
    keeps it; ``none`` builds nothing.
    """

    rule: Literal["none", "follow_contracts"] = "follow_contracts"
    lead_months: Uncertain = 24.0
    source: str = ""
    note: str = ""

    @field_validator("lead_months")
    @classmethod
    def _lead(cls, value: Any) -> Any:
        return check_lead_months(value)


class Phase(Strict):
    """Consumption from a month on, in rounds per day (until the next phase)."""

    start: Month
    rounds_per_day: Uncertain

    @field_validator("rounds_per_day")
    @classmethod
    def _non_negative_rate(cls, value: Any) -> Any:
        return non_negative(value, "consumption")


class Transfer(Strict):
    """A flow of rounds from one holder to another, per month, between two months."""

    to: str
    start: Month
    end: Month
    rounds_per_month: Uncertain

    @field_validator("rounds_per_month")
    @classmethod
    def _non_negative_rate(cls, value: Any) -> Any:
        return non_negative(value, "transfer")


class Holder(Strict):
    """A stock of rounds (an ally, a group, or a recipient such as Ukraine).

    stock = initial + deliveries of its contracts + transfers in - transfers out -
    consumption; where it would go negative, the missing rounds are a shortfall.
    The stock is known from ``stock_month`` (default: the horizon's start) on;
    ``target_stock`` (and ``target_month``) drive the rebuild view.
    """

    name: str
    initial_stock: Uncertain = 0.0
    stock_month: Month | None = None
    target_stock: Uncertain | None = None
    target_month: Month | None = None
    consumption: list[Phase] = []
    transfers: list[Transfer] = []
    source: str = ""
    note: str = ""

    @field_validator("initial_stock")
    @classmethod
    def _non_negative_stock(cls, value: Any) -> Any:
        return non_negative(value, "initial stock")

    @model_validator(mode="after")
    def _phases_in_order(self) -> Holder:
        months = [month_number(p.start) for p in self.consumption]
        if months != sorted(months):
            raise ValueError("consumption phases must be in date order")
        for transfer in self.transfers:
            if month_number(transfer.end) < month_number(transfer.start):
                raise ValueError(
                    f"transfer end ({transfer.end}) is before start ({transfer.start})"
                )
        return self


class Line(Strict):
    """A producer or a supply flow: its bloc, calibre, measure and capacity timeline.

    ``counted_share`` is the share of the stated figure that counts as complete rounds
    of this bloc (default 1): e.g. projectiles not yet filled into complete rounds, or
    transfers that reappear in another line's "produced or refurbished" count. Without
    its own ``growth_after_last_step`` a line follows the scenario's common one, the
    same rule for every line on either side.

    ``ramp_length_factor`` scales every step's published ramp (first output to full
    rate): 1.5 means ramps take half as long again. ``ramp_shape`` is linear or a
    logistic S-curve over the same months. ``unsold`` says what happens to rounds no
    modelled order takes: ``held`` at the plant (and delivered to the next orders
    first), or ``sold`` to buyers the scenario does not model (aggregate lines).
    """

    name: str
    bloc: Bloc
    country: str
    calibre: Calibre
    measure: Literal["capacity", "output", "transfer"]
    product_class: Literal["rounds", "shell_bodies", "charges", "explosive_t", "propellant_t"] = (
        "rounds"
    )
    steps: list[Step] = Field(min_length=1)
    growth_after_last_step: Uncertain | None = None
    utilisation: Uncertain | None = None
    counted_share: Uncertain | None = None
    ramp_shape: Literal["linear", "logistic"] = "linear"
    ramp_length_factor: Uncertain = 1.0
    outages: Outages | None = None
    pool: str | None = None
    unsold: Literal["held", "sold"] = "held"
    source: str = ""
    note: str = ""

    @model_validator(mode="after")
    def _steps_in_order(self) -> Line:
        for i in range(1, len(self.steps)):
            before, step = self.steps[i - 1], self.steps[i]
            if month_number(step.first_output) < month_number(before.full_rate):
                raise ValueError(
                    f"steps[{i}].first_output ({step.first_output}) is before "
                    f"steps[{i - 1}].full_rate ({before.full_rate}); expected steps in date order"
                )
        return self

    @field_validator("utilisation")
    @classmethod
    def _utilisation_share(cls, value: Any) -> Any:
        return check_share(value, "utilisation")

    @field_validator("counted_share")
    @classmethod
    def _counted_share(cls, value: Any) -> Any:
        if value is not None and not 0 <= bounds(value)[0] <= bounds(value)[1] <= 1:
            raise ValueError("expected counted_share as a fraction between 0 and 1")
        return value

    def seller_pool(self, pools: str) -> str:
        """The pooled supplier a contract may name for this line: its bloc or country.

        Independent of ``pool``, which only says which inputs the line draws on.
        """
        return self.bloc if pools == "bloc" else self.country

    def pool_name(self, pools: str) -> str:
        """The input pool of the line: ``pool`` if set, else its bloc or its country."""
        if self.pool:
            return self.pool
        return self.bloc if pools == "bloc" else self.country

    @field_validator("ramp_length_factor")
    @classmethod
    def _ramp_factor_positive(cls, value: Any) -> Any:
        if bounds(value)[0] <= 0:
            raise ValueError("expected a ramp length factor above 0 (1 = as published)")
        return value

    @field_validator("growth_after_last_step")
    @classmethod
    def _growth_above_minus_one(cls, value: Any) -> Any:
        return check_growth(value)


assert set(Line.model_fields["product_class"].annotation.__args__) == set(PRODUCT_CLASSES)  # type: ignore[union-attr]
