"""Typed scenario inputs (pydantic v2): what a scenario file may say, and the resolved scenario.

A scenario file names a base scenario, the packaged lines it starts from, patches
to them, new lines and assumptions. ``loading.py`` merges and resolves it into a
``Scenario``: every line complete, every assumption explicit, ready for the engine.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from outproduce.data.catalog import (
    WEAK_MARKER,
    split_sources,
    weak_only,
)
from outproduce.scenario.candidates import Candidate
from outproduce.scenario.components import (
    CapacityRule,
    Contract,
    Holder,
    InputClass,
    Inputs,
    Line,
    Outages,
    Phase,
    Step,
    Transfer,
)
from outproduce.scenario.fields import (
    RATE_UNITS,
    Bloc,
    Calibre,
    Month,
    Strict,
    check_growth,
    check_share,
    month_number,
    non_negative,
    parse_month,
)
from outproduce.scenario.limits import (
    HORIZON_YEARS,
    MAX_CONTRACTS,
    MAX_HOLDERS,
    MAX_LINES,
    MAX_SAMPLES,
)
from outproduce.scenario.spending_options import AllyPath, PathShape, Spending
from outproduce.scenario.uncertain import Uncertain, bounds

__all__ = [
    "RATE_UNITS",
    "AllyPath",
    "Assumptions",
    "Bloc",
    "Calibre",
    "Contract",
    "Holder",
    "Horizon",
    "InputClass",
    "Inputs",
    "Line",
    "Month",
    "Outages",
    "PathShape",
    "Phase",
    "Scenario",
    "ScenarioFile",
    "Spending",
    "Step",
    "Transfer",
    "month_number",
    "parse_month",
]


class Horizon(Strict):
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


class Assumptions(Strict):
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
        return check_growth(value)

    @field_validator("utilisation", "target_attainment")
    @classmethod
    def _share(cls, value: Any, info: Any) -> Any:
        return check_share(value, info.field_name)

    @field_validator("target_slip_months")
    @classmethod
    def _slip(cls, value: Any) -> Any:
        return non_negative(value, "slip in months")

    @field_validator("conversion_155eq")
    @classmethod
    def _positive_factors(cls, value: dict[str, Any]) -> dict[str, Any]:
        for calibre, factor in value.items():
            low, _ = bounds(factor)
            if low <= 0:
                raise ValueError(f"conversion factor for {calibre} must be > 0, got {low:g}")
        return value


class ScenarioFile(Strict):
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
    capacity_rules: dict[str, CapacityRule] = Field(default={}, max_length=MAX_CONTRACTS)
    spending: Spending | None = None
    candidates: dict[str, Candidate] = Field(default={}, max_length=MAX_LINES)


class Scenario(Strict):
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
    #: Capacity decision rules of the scenario's suppliers (a line id or a pool).
    capacity_rules: dict[str, CapacityRule] = {}
    spending: Spending | None = None
    #: The planner's own candidates, beside (or replacing by id) the packaged ones.
    candidates: dict[str, Candidate] = {}
    origin: str = Field(default="", exclude=True)

    def scenario_hash(self) -> str:
        """Stable hash of everything that changes results (not where it was loaded from)."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:12]

    def source_ids(self) -> set[str]:
        """Every source id named anywhere in the scenario (lines, steps, assumptions...)."""
        return source_ids_in(self.model_dump(mode="json"))

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


def source_ids_in(node: Any) -> set[str]:
    """Every source id named in a dumped (JSON-like) part of a scenario."""
    named: set[str] = set()
    stack: list[Any] = [node]
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
