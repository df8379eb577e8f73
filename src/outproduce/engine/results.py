"""The engine's outputs as plain arrays (the analyses wrap them in xarray).

A run keeps what the views need, reduced inside the chunk loop: totals per sample by
group of lines and month, per line and year, per order and year, per supplier and per
holder by month, and counts of the binding input. The full (sample x line x month)
and (sample x order x month) arrays exist only when asked for (``full=True``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from outproduce.engine.inputs import InputTable
from outproduce.engine.layout import Layout


@dataclass
class Full:
    """The unreduced arrays of a run (``run(..., full=True)``)."""

    capacity: np.ndarray  # (S, L, M) after utilisation and outages
    production: np.ndarray  # (S, L, M)
    binding: np.ndarray  # (S, L, M) int8: input index, -1 none
    pool_stock: np.ndarray  # (S, P, I, M) end of month
    deliveries: np.ndarray  # (S, O, M)
    backlog: np.ndarray  # (S, O, M) signed, undelivered, end of month


@dataclass
class Results:
    """Engine outputs, reduced where computed; ``full`` holds the unreduced arrays."""

    layout: Layout
    inputs: InputTable
    year: np.ndarray  # (Y,) calendar year of each year slot
    group_output: np.ndarray  # (S, G, M) weighted production of each group of lines
    bound_year_capacity: np.ndarray  # (S, B, Y) capacity per year of the lines that can bind
    line_year_production: np.ndarray  # (S, L, Y)
    binding_count: np.ndarray  # (L, I + 1, M) samples bound by no input (0) or input i (i+1)
    pool_stock_year: np.ndarray  # (S, P, I, Y) input left in the pool at each year's end
    order_year_deliveries: np.ndarray  # (S, O, Y)
    order_on_time: np.ndarray  # (S, O) rounds delivered by the order's delivery end
    order_quantity: np.ndarray  # (S, O) rounds ordered (per sample when drawn)
    seller_deliveries: np.ndarray  # (S, Q, M)
    seller_backlog: np.ndarray  # (S, Q, M) signed, undelivered, end of month
    held: np.ndarray  # (S, Q, M) finished rounds held at the seller, end of month
    sold_elsewhere: np.ndarray  # (S, Q, M) rounds no modelled order took (unsold = sold)
    lead_time: np.ndarray  # (S, Q, M) months until a new 1-round order would be delivered
    built: np.ndarray  # (S, Q, M) capacity a decision rule added for the supplier
    stock: np.ndarray  # (S, H, M) end of month
    shortfall: np.ndarray  # (S, H, M) consumption not covered
    consumption: np.ndarray  # (S, H, M) planned consumption
    received: np.ndarray  # (S, H, M) deliveries from contracts
    transfers_in: np.ndarray  # (S, H, M) actual
    transfers_out: np.ndarray  # (S, H, M) actual
    full: Full | None = None

    @property
    def line_year_capacity(self) -> np.ndarray:
        """(S, L, Y) capacity per year: production where no material can bind the line."""
        capacity = self.line_year_production.copy()
        capacity[:, self.layout.bound_lines] = self.bound_year_capacity
        return capacity

    def __getattr__(self, name: str) -> np.ndarray:
        """The unreduced arrays by name (``res.production``), when the run kept them."""
        full = self.__dict__.get("full")
        if full is not None and name in Full.__dataclass_fields__:
            return getattr(full, name)
        raise AttributeError(
            f"{name!r}: the run kept no full arrays; run the engine with full=True"
            if name in Full.__dataclass_fields__
            else name
        )
