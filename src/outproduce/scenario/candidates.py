"""Capacity one could build, for the planner: new lines, expansions and input plants.

The packaged table (``candidates.csv``, sourced) gives the defaults; a scenario adds
its own or replaces one by id under ``candidates:``. Money is USD per unit of yearly
capacity (a round a year, or a tonne a year for explosive and propellant plants).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from outproduce.scenario.fields import Month, Strict, check_lead_months, non_negative
from outproduce.scenario.limits import MAX_MAGNITUDE
from outproduce.scenario.uncertain import Range, Uncertain

if TYPE_CHECKING:  # the scenario model imports this module
    from outproduce.scenario.model import Scenario

#: What a candidate makes: finished rounds, or an input the bill of materials names.
CandidateProduct = Literal["rounds", "shell_bodies", "charges", "explosive_t", "propellant_t"]


class Candidate(Strict):
    """A capacity the planner may build, at any size up to ``max_size``, from a start month.

    ``lead_months`` runs from the start of construction to first output, ``ramp_months``
    from first output to full rate (linear, as the engine ramps a step). ``min_size`` is
    the smallest plant worth building (enforced with ``--integer``). The plan uses each
    uncertain value's median (the planner decides before the uncertainty resolves; its
    robust mode covers the uncertainty of what exists, see ``analyses.plan``).
    """

    name: str
    kind: Literal["new_line", "expansion", "input_plant"]
    country: str = Field(min_length=2)
    product_class: CandidateProduct = "rounds"
    capex_per_unit: Uncertain
    lead_months: Uncertain
    ramp_months: Uncertain = 12.0
    min_size: float = Field(default=0.0, ge=0, le=MAX_MAGNITUDE)
    max_size: float = Field(gt=0, le=MAX_MAGNITUDE)
    unit_cost: Uncertain | None = None
    earliest_start: Month | None = None
    source: str = ""
    note: str = ""

    @field_validator("capex_per_unit", "unit_cost")
    @classmethod
    def _money(cls, value: Uncertain | None) -> Uncertain | None:
        return value if value is None else non_negative(value, "amount of USD")

    @field_validator("lead_months", "ramp_months")
    @classmethod
    def _months(cls, value: Uncertain, info: ValidationInfo) -> Uncertain:
        return check_lead_months(value, str(info.field_name))

    @model_validator(mode="after")
    def _sizes_in_order(self) -> Candidate:
        if self.min_size > self.max_size:
            raise ValueError(
                f"min_size {self.min_size:g} is above max_size {self.max_size:g}; "
                "expected min_size <= max_size"
            )
        if (self.kind == "input_plant") != (self.product_class != "rounds"):
            raise ValueError(
                "an input_plant makes an input and a new_line or expansion makes rounds; "
                f"expected them to agree, got kind {self.kind} with {self.product_class}"
            )
        return self


def all_candidates(scenario: Scenario) -> dict[str, Candidate]:
    """The packaged candidates, then the scenario's own (same id: the scenario's wins)."""
    return packaged_candidates() | scenario.candidates


def packaged_candidates() -> dict[str, Candidate]:
    """The packaged table's candidates (``candidates.csv``), money converted to USD."""
    from outproduce.data.catalog import load_table

    table = load_table("candidates")
    return {str(row["candidate_id"]): candidate_of_row(row) for _, row in table.iterrows()}


#: US dollars per unit of each currency the table uses (low, central, high): a labelled
#: assumption spanning the central banks' reference rates of 2023-2025 (ECB for the euro,
#: NBP for the zloty, Bank of Canada for the Canadian dollar). Capital costs mix price
#: years 2023-2025 at current prices: no deflator is applied (a few per cent at most).
USD_PER = {
    "USD": (1.0, 1.0, 1.0),
    "EUR": (1.05, 1.10, 1.17),
    "PLN": (0.24, 0.26, 0.28),
    "CAD": (0.71, 0.74, 0.76),
    "GBP": (1.22, 1.28, 1.35),
}


def candidate_of_row(row: Any) -> Candidate:
    """One table row as a candidate: capex per unit in USD (range times the rate range)."""
    low, central, high = USD_PER[str(row["currency"])]
    capex = Range(
        low=float(row["capex_per_unit_low"]) * low,
        central=float(row["capex_per_unit_central"]) * central,
        high=float(row["capex_per_unit_high"]) * high,
    )
    return Candidate(
        name=str(row["name"]),
        kind=str(row["kind"]),
        country=str(row["country_iso3"]),
        product_class=str(row["product_class"]),
        capex_per_unit=capex,
        lead_months=float(row["lead_months"]),
        ramp_months=float(row["ramp_months"]),
        max_size=float(row["reference_capacity_per_year"]),
        source=str(row["source_id"]),
        note=str(row["note"]),
    )
