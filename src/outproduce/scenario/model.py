"""Typed scenario inputs (pydantic v2): what a scenario file may say, and the resolved scenario.

A scenario file names a base scenario, the packaged lines it starts from, patches
to them, new lines and assumptions. ``loading.py`` merges and resolves it into a
``Scenario``: every line complete, every assumption explicit, ready for the engine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from outproduce.data.catalog import (
    BLOCS,
    CALIBRES,
    PRODUCT_CLASSES,
    WEAK_MARKER,
    split_sources,
    weak_only,
)
from outproduce.scenario.limits import (
    HORIZON_YEARS,
    MAX_CONTRACTS,
    MAX_HOLDERS,
    MAX_LINES,
    MAX_MAGNITUDE,
    MAX_SAMPLES,
)
from outproduce.scenario.uncertain import Uncertain, bounds

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


class _Strict(BaseModel):
    # Every number is finite: NaN or infinity is never a usable input.
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


def _non_negative(value: Any, what: str) -> Any:
    low, _ = bounds(value)
    if low < 0:
        raise ValueError(f"expected a non-negative {what}, got a lowest value of {low:g}")
    return value


class Step(_Strict):
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
        return _non_negative(value, "rate (capacity cannot be negative)")

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


class Outages(_Strict):
    """Random stoppages: each month an outage starts with this probability and lasts."""

    monthly_probability: float = Field(ge=0, le=1)
    duration_months: int = Field(ge=1, le=120)


InputClass = Literal["shell_bodies", "charges", "explosive_t", "propellant_t"]


class Inputs(_Strict):
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
            _non_negative(amount, f"amount of {name} per round")
        return value


class Contract(_Strict):
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


class Phase(_Strict):
    """Consumption from a month on, in rounds per day (until the next phase)."""

    start: Month
    rounds_per_day: Uncertain

    @field_validator("rounds_per_day")
    @classmethod
    def _non_negative_rate(cls, value: Any) -> Any:
        return _non_negative(value, "consumption")


class Transfer(_Strict):
    """A flow of rounds from one holder to another, per month, between two months."""

    to: str
    start: Month
    end: Month
    rounds_per_month: Uncertain

    @field_validator("rounds_per_month")
    @classmethod
    def _non_negative_rate(cls, value: Any) -> Any:
        return _non_negative(value, "transfer")


class Holder(_Strict):
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
        return _non_negative(value, "initial stock")

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


class Line(_Strict):
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
        return _check_share(value, "utilisation")

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
        return _check_growth(value)


assert set(Line.model_fields["product_class"].annotation.__args__) == set(PRODUCT_CLASSES)  # type: ignore[union-attr]


def _check_growth(value: Any) -> Any:
    if value is not None and not -1 <= bounds(value)[0] <= bounds(value)[1] <= 1:
        raise ValueError(
            "expected a bounded yearly change between -1 (-100%) and 1 (+100%), got "
            f"{bounds(value)[0]:g} .. {bounds(value)[1]:g}"
        )
    return value


def _check_share(value: Any, what: str) -> Any:
    if value is None:
        return value
    low, high = bounds(value)
    if low < 0 or high > 1.5:
        raise ValueError(f"expected {what} as a share between 0 and 1.5, got {low:g} .. {high:g}")
    return value


class Horizon(_Strict):
    """First and last simulated month (inclusive)."""

    start: Month = "2022-01"
    end: Month = "2035-12"

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        if month_number(self.end) < month_number(self.start):
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        for month in (self.start, self.end):
            if not HORIZON_YEARS[0] <= int(month[:4]) <= HORIZON_YEARS[1]:
                raise ValueError(
                    f"{month} is outside {HORIZON_YEARS[0]}..{HORIZON_YEARS[1]}; expected a "
                    "horizon within those years"
                )
        return self


class Assumptions(_Strict):
    """Scenario assumptions: where nothing is published, a labelled value with a range."""

    conversion_155eq: dict[Calibre, Uncertain]
    utilisation: Uncertain
    target_attainment: Uncertain
    target_slip_months: Uncertain
    #: Yearly change of every line after its last published step (one draw per line),
    #: unless the line states its own with a published basis. None: the rate holds.
    growth_after_last_step: Uncertain | None = None

    @field_validator("growth_after_last_step")
    @classmethod
    def _growth(cls, value: Any) -> Any:
        return _check_growth(value)

    @field_validator("utilisation", "target_attainment")
    @classmethod
    def _share(cls, value: Any, info: Any) -> Any:
        return _check_share(value, info.field_name)

    @field_validator("target_slip_months")
    @classmethod
    def _slip(cls, value: Any) -> Any:
        return _non_negative(value, "slip in months")

    @field_validator("conversion_155eq")
    @classmethod
    def _positive_factors(cls, value: dict[str, Any]) -> dict[str, Any]:
        for calibre, factor in value.items():
            low, _ = bounds(factor)
            if low <= 0:
                raise ValueError(f"conversion factor for {calibre} must be > 0, got {low:g}")
        return value


PathShape = Literal["linear", "constant_growth", "front_loaded"]


class AllyPath(_Strict):
    """One ally's departures from the alliance-wide pathway options."""

    shape: PathShape | None = None
    core_pct_gdp: float | None = Field(default=None, gt=0, le=20)
    target_year: int | None = Field(default=None, ge=2026, le=2060)
    note: str = ""


class Spending(_Strict):
    """Pathways to the Hague commitment and the money-to-munitions chain.

    Shares of GDP are in per cent (as NATO publishes them); other shares are
    fractions. Money is in constant ``price_base_year`` US dollars unless a name says
    ``current``.
    """

    target_year: int = Field(default=2035, ge=2026, le=2060)
    #: Defaults: the packaged ``hague_core`` and ``hague_resilience`` commitments.
    core_pct_gdp: float | None = Field(default=None, gt=0, le=20)
    resilience_pct_gdp: float | None = Field(default=None, ge=0, le=20)
    shape: PathShape = "linear"
    allies: dict[str, AllyPath] = {}
    price_base_year: int = Field(default=2025, ge=2024, le=2035)
    real_gdp_growth: Uncertain
    inflation: Uncertain
    resilience_start_pct_gdp: Uncertain
    equipment_share: Uncertain
    ammunition_share: Uncertain
    price_155_usd: Uncertain
    price_real_change: Uncertain
    #: Order book levers: years each budget contract covers, and who buys together.
    contract_years: int = Field(default=1, ge=1, le=15)
    pooling: Literal["national", "eu", "alliance"] = "national"
    pooling_discount: Uncertain = 0.0
    expansion_lead_months: Uncertain = 24.0

    @field_validator("pooling_discount")
    @classmethod
    def _discount(cls, value: Any) -> Any:
        low, high = bounds(value)
        if low < 0 or high >= 1:
            raise ValueError(f"expected a price discount between 0 and 1, got {low:g} .. {high:g}")
        return value

    @field_validator("expansion_lead_months")
    @classmethod
    def _lead(cls, value: Any) -> Any:
        return _non_negative(value, "lead time in months")

    @field_validator("equipment_share", "ammunition_share")
    @classmethod
    def _fraction(cls, value: Any, info: Any) -> Any:
        low, high = bounds(value)
        if low < 0 or high > 1:
            raise ValueError(
                f"expected {info.field_name} as a fraction between 0 and 1, got {low:g} .. {high:g}"
            )
        return value

    @field_validator("price_155_usd")
    @classmethod
    def _price(cls, value: Any) -> Any:
        low, _ = bounds(value)
        if low <= 0:
            raise ValueError(f"expected a price above 0 USD per round, got {low:g}")
        return value

    @field_validator("resilience_start_pct_gdp")
    @classmethod
    def _start(cls, value: Any) -> Any:
        return _non_negative(value, "share of GDP")

    @field_validator("real_gdp_growth", "inflation", "price_real_change")
    @classmethod
    def _rate(cls, value: Any, info: Any) -> Any:
        low, high = bounds(value)
        if low <= -0.5 or high >= 0.5:
            raise ValueError(
                f"expected {info.field_name} as a yearly rate (0.02 = 2%), got {low:g} .. {high:g}"
            )
        return value


class ScenarioFile(_Strict):
    """What a scenario YAML file may contain (after merging with its base)."""

    name: str = Field(min_length=1)
    description: str = ""
    base: str | None = None
    horizon: Horizon = Horizon()
    samples: int = Field(default=2000, ge=1, le=MAX_SAMPLES)
    seed: int = Field(default=20251106, ge=0)
    data_lines: Literal["baseline", "all", "none"] | list[str] = "baseline"
    exclude_lines: list[str] = []
    assumptions: Assumptions
    lines: dict[str, dict[str, Any]] = Field(default={}, max_length=MAX_LINES)
    inputs: Inputs = Inputs()
    contracts: dict[str, Contract] = Field(default={}, max_length=MAX_CONTRACTS)
    holders: dict[str, Holder] = Field(default={}, max_length=MAX_HOLDERS)
    spending: Spending | None = None


class Scenario(_Strict):
    """A resolved scenario: every line complete, every assumption explicit."""

    name: str
    description: str = ""
    horizon: Horizon
    samples: int
    seed: int
    assumptions: Assumptions
    lines: dict[str, Line]
    inputs: Inputs = Inputs()
    contracts: dict[str, Contract] = {}
    holders: dict[str, Holder] = {}
    spending: Spending | None = None
    origin: str = Field(default="", exclude=True)

    def scenario_hash(self) -> str:
        """Stable hash of everything that changes results (not where it was loaded from)."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:12]

    def source_ids(self) -> set[str]:
        """Every source id named anywhere in the scenario (lines, steps, assumptions...)."""
        named: set[str] = set()
        stack: list[Any] = [self.model_dump(mode="json")]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "source" and isinstance(value, str):
                        named.update(split_sources(value))
                    else:
                        stack.append(value)
            elif isinstance(node, list):
                stack.extend(node)
        return named

    def unmarked_weak_figures(self) -> list[str]:
        """Field paths of figures resting on C/D sources alone without saying so.

        Such a figure's note must carry ``[C/D only]``: labelled, not hidden.
        """
        found: list[str] = []
        stack: list[tuple[str, Any]] = [("", self.model_dump(mode="json"))]
        while stack:
            path, node = stack.pop()
            if isinstance(node, dict):
                source = node.get("source")
                if isinstance(source, str) and weak_only(source):
                    if WEAK_MARKER not in str(node.get("note", "")):
                        found.append(path or "<scenario>")
                stack += [(f"{path}.{k}".lstrip("."), v) for k, v in node.items()]
            elif isinstance(node, list):
                stack += [(f"{path}.{i}", v) for i, v in enumerate(node)]
        return sorted(found)

    def used_calibres(self) -> set[str]:
        """Calibres of the lines in the scenario (each needs a conversion factor)."""
        return {line.calibre for line in self.lines.values()}
