"""Scenarios: typed inputs, YAML loading with clear errors, and uncertain values.

Names are imported on first use, so ``outproduce.scenario.limits`` stays cheap.
"""

from outproduce.lazy import lazy_getattr

_WHERE = {
    "builtin_names": "outproduce.scenario.loading",
    "load_scenario": "outproduce.scenario.loading",
    "Line": "outproduce.scenario.model",
    "Scenario": "outproduce.scenario.model",
    "Step": "outproduce.scenario.model",
}
__all__ = sorted(_WHERE)
__getattr__ = lazy_getattr(__name__, _WHERE)
