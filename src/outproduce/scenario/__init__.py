"""Scenarios: typed inputs, YAML loading with clear errors, and uncertain values."""

from outproduce.scenario.loading import builtin_names, load_scenario
from outproduce.scenario.model import Line, Scenario, Step

__all__ = ["Line", "Scenario", "Step", "builtin_names", "load_scenario"]
