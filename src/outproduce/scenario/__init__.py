"""Scenarios: typed inputs, YAML loading with clear errors, and uncertain values.

Names are imported on first use, so ``outproduce.scenario.limits`` stays cheap.
"""

from importlib import import_module
from typing import Any

_WHERE = {
    "builtin_names": "outproduce.scenario.loading",
    "load_scenario": "outproduce.scenario.loading",
    "Line": "outproduce.scenario.model",
    "Scenario": "outproduce.scenario.model",
    "Step": "outproduce.scenario.model",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'outproduce.scenario' has no attribute {name!r}")
