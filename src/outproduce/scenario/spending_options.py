"""The spending section of a scenario.

Pathways to the Hague commitment and the options of the money-to-munitions chain.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    Field,
    field_validator,
)

from outproduce.scenario.fields import Strict, check_lead_months, non_negative
from outproduce.scenario.uncertain import Uncertain, bounds

PathShape = Literal["linear", "constant_growth", "front_loaded"]


class AllyPath(Strict):
    """One ally's departures from the alliance-wide pathway options."""

    shape: PathShape | None = None
    core_pct_gdp: float | None = Field(default=None, gt=0, le=20)
    target_year: int | None = Field(default=None, ge=2026, le=2060)
    note: str = ""


class Spending(Strict):
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
    #: A pooled contract's saving beyond the volume curve (shared overheads); 0 by default.
    pooling_discount: Uncertain = 0.0
    #: The volume curve (``analyses.volume_prices``): a contract's unit price falls by
    #: ``1 - volume_price_ratio`` with each doubling of its size from
    #: ``volume_reference_rounds`` (the size the ``price_155_usd`` was paid for); 1 = flat.
    volume_price_ratio: Uncertain = 1.0
    volume_reference_rounds: float = Field(default=200_000, gt=0, le=1e9)
    expansion_lead_months: Uncertain = 24.0
    #: How industry answers the budgets' contracts (an engine decision rule):
    #: ``follow_contracts`` builds what signed contracts ask beyond planned capacity,
    #: ``expansion_lead_months`` after signing; ``none`` builds nothing.
    capacity_rule: Literal["none", "follow_contracts"] = "follow_contracts"

    @field_validator("pooling_discount")
    @classmethod
    def _discount(cls, value: Any) -> Any:
        low, high = bounds(value)
        if low < 0 or high >= 1:
            raise ValueError(f"expected a price discount between 0 and 1, got {low:g} .. {high:g}")
        return value

    @field_validator("volume_price_ratio")
    @classmethod
    def _ratio(cls, value: Any) -> Any:
        low, high = bounds(value)
        if low <= 0.5 or high > 1:
            raise ValueError(
                "expected the unit price ratio per doubling of a contract's size above 0.5 and "
                f"at most 1 (1 = no volume effect), got {low:g} .. {high:g}"
            )
        return value

    @field_validator("expansion_lead_months")
    @classmethod
    def _lead(cls, value: Any) -> Any:
        return check_lead_months(value, "expansion_lead_months")

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
        return non_negative(value, "share of GDP")

    @field_validator("real_gdp_growth", "inflation", "price_real_change")
    @classmethod
    def _rate(cls, value: Any, info: Any) -> Any:
        low, high = bounds(value)
        if low <= -0.5 or high >= 0.5:
            raise ValueError(
                f"expected {info.field_name} as a yearly rate (0.02 = 2%), got {low:g} .. {high:g}"
            )
        return value
