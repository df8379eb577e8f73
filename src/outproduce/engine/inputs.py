"""The inputs table: every uncertain input of a run, by name, as a uniform and a value.

Every draw of a run goes through one ``InputTable``. An input has a stable name (the
name of its seeded stream, e.g. ``assumption:utilisation``, ``line:<id>:rate``,
``spending:price_155_usd``, ``holder:<id>:stock``) and per sample a uniform ``u`` in
(0, 1) and the value it maps to. Monte Carlo takes ``u`` from the input's seeded
stream (``sampling.uniforms``: the same numbers as before the table existed); a
*design* (a sensitivity design, a user's own draws) supplies ``u`` for the inputs it
names and leaves the others to their streams.

Only uncertain inputs are in the table (a fixed number has nothing to draw). Outages
are not in it either: they are one uniform per sample *and month* (noise, not a
parameter), always from their seeded stream.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from outproduce.engine.sampling import uniforms
from outproduce.errors import InputError
from outproduce.scenario.limits import U_MIN
from outproduce.scenario.uncertain import _Uncertain, ppf


class InputTable:
    """Uniforms and values of the uncertain inputs of one run, filled as they are drawn."""

    def __init__(
        self,
        seed: int,
        samples: int,
        design: Mapping[str, Any] | None = None,
        offset: int = 0,
    ) -> None:
        self.seed = seed
        self.samples = samples
        self.offset = offset  # the first sample's index in the whole Monte Carlo run
        self.design = _checked_design(design, samples)
        self.uniform: dict[str, np.ndarray] = {}
        self.value: dict[str, np.ndarray] = {}

    def u(self, name: str) -> np.ndarray:
        """The uniforms of input ``name``: from the design if it names it, else its stream."""
        if name not in self.uniform:
            column = self.design.get(name)
            self.uniform[name] = (
                uniforms(self.seed, name, self.samples, self.offset) if column is None else column
            )
        return self.uniform[name]

    def draw(self, name: str, value: float | _Uncertain) -> np.ndarray:
        """Per-sample values of ``value``; an uncertain one is drawn and recorded as ``name``."""
        if not isinstance(value, _Uncertain):
            return np.full(self.samples, float(value))
        drawn = ppf(value, self.u(name))
        self.value.setdefault(name, drawn)
        return drawn

    def record(self, name: str, value: np.ndarray) -> None:
        """Record the value an input stands for when its uniform is used in several places."""
        self.value[name] = value

    def shadow(self) -> InputTable:
        """A table with the same uniforms that records nothing here (for variants of a run)."""
        twin = InputTable(self.seed, self.samples, offset=self.offset)
        twin.design = dict(self.design) | self.uniform
        return twin

    def unused_design(self) -> list[str]:
        """Design columns no draw asked for (a misspelt or absent input)."""
        return sorted(set(self.design) - set(self.uniform))

    def check_design_used(self, origin: str = "") -> None:
        """Refuse a design that names inputs the run does not have."""
        unused = self.unused_design()
        if unused:
            known = ", ".join(sorted(self.uniform)[:12])
            raise InputError(
                f"the design names input(s) {', '.join(unused[:5])} that this scenario does not "
                f"draw; expected names of its uncertain inputs (e.g. {known})",
                file=origin or "design",
                field="design",
            )

    def names(self) -> list[str]:
        """Inputs drawn, in the order first drawn."""
        return list(self.uniform)


def _checked_design(design: Mapping[str, Any] | None, samples: int) -> dict[str, np.ndarray]:
    """A design as name -> (samples,) uniforms strictly inside (0, 1)."""
    if design is None:
        return {}
    if hasattr(design, "to_dict") and hasattr(design, "columns"):  # a pandas DataFrame
        design = {str(c): design[c].to_numpy() for c in design.columns}
    checked = {}
    for name, column in design.items():
        try:
            values = np.asarray(column, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise InputError(
                f"design column {name!r} is not numeric; expected uniforms in (0, 1)",
                file="design",
                field=str(name),
            ) from None
        if values.size != samples:
            raise InputError(
                f"design column {name!r} has {values.size} values; expected one per sample "
                f"({samples})",
                file="design",
                field=str(name),
            )
        if not np.all((values > 0) & (values < 1)):
            raise InputError(
                f"design column {name!r} has values outside (0, 1); expected uniforms "
                "strictly between 0 and 1",
                file="design",
                field=str(name),
            )
        checked[str(name)] = np.clip(values, U_MIN, 1 - U_MIN)
    return checked
