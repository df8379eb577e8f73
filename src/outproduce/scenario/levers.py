"""The dashboard's levers as one function: a scenario with the key assumptions changed.

Each lever is a multiplier or a choice applied to a resolved scenario, so the same
change can be made from Python, the dashboard, or by hand in a YAML file (the result
dumps to YAML like any scenario).
"""

from __future__ import annotations

import math

from pydantic import ValidationError

from outproduce.errors import InputError
from outproduce.scenario.model import PathShape, Scenario, Spending
from outproduce.scenario.uncertain import scale
from outproduce.scenario.validation import validation_error


def apply_levers(
    scenario: Scenario,
    russia: float = 1.0,
    ramp_speed: float = 1.0,
    shape: PathShape | None = None,
    contract_years: int | None = None,
    pooling: str | None = None,
) -> Scenario:
    """Return ``scenario`` with the levers applied (1.0 / None leave a lever alone).

    - ``russia``: multiplies every step rate of Russia's own lines (not the transfers
      of its suppliers) — "what if Russian output is 20% lower than estimated?";
    - ``ramp_speed``: divides every alliance line's ramp length (2 = twice as fast);
    - ``shape``, ``contract_years``, ``pooling``: the spending section's options.
    """
    for name, value in (("russia", russia), ("ramp_speed", ramp_speed)):
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise InputError(f"expected a positive finite multiplier, got {value!r}", field=name)
    lines = {}
    for line_id, line in scenario.lines.items():
        update = {}
        if line.bloc == "adversary" and line.country == "RUS" and russia != 1.0:
            said = f"[Rate scaled x{russia:g} by the lever 'russia'; the source gives the rest.]"
            update["steps"] = [
                step.model_copy(
                    update={"rate": scale(step.rate, russia), "note": _noted(step.note, said)}
                )
                for step in line.steps
            ]
        if line.bloc == "alliance" and ramp_speed != 1.0:
            update["ramp_length_factor"] = scale(line.ramp_length_factor, 1 / ramp_speed)
        lines[line_id] = line.model_copy(update=update) if update else line
    changes: dict[str, object] = {"lines": lines}
    if scenario.spending is not None:
        spending = {
            key: value
            for key, value in (
                ("shape", shape),
                ("contract_years", contract_years),
                ("pooling", pooling),
            )
            if value is not None
        }
        if spending:
            # Validated like the scenario file's own spending section.
            try:
                changes["spending"] = Spending.model_validate(
                    scenario.spending.model_dump() | spending
                )
            except ValidationError as exc:
                raise validation_error(exc, Spending, "levers", ("levers",), None) from None
    return scenario.model_copy(update=changes)


def _noted(note: str, said: str) -> str:
    """A note that says what a lever changed, so it stays true to the value beside it."""
    return f"{note} {said}".strip()
