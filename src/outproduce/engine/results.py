"""The engine's outputs as plain arrays (the analyses wrap them in xarray)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from outproduce.engine.layout import Layout


@dataclass
class Results:
    """Engine outputs as plain arrays (the analyses wrap them in xarray)."""

    layout: Layout
    capacity: np.ndarray  # (S, L, M) after utilisation and outages
    production: np.ndarray  # (S, L, M)
    binding: np.ndarray  # (S, L, M) int8: input index, -1 none
    pool_stock: np.ndarray  # (S, P, I, M) end of month
    deliveries: np.ndarray  # (S, O, M)
    backlog: np.ndarray  # (S, O, M) signed, undelivered, end of month
    held: np.ndarray  # (S, Q, M) finished rounds held at the seller, end of month
    sold_elsewhere: np.ndarray  # (S, Q, M) rounds no modelled order took (unsold = sold)
    lead_time: np.ndarray  # (S, Q, M) months until a new 1-round order would be delivered
    stock: np.ndarray  # (S, H, M) end of month
    shortfall: np.ndarray  # (S, H, M) consumption not covered
    consumption: np.ndarray  # (S, H, M) planned consumption
    received: np.ndarray  # (S, H, M) deliveries from contracts
    transfers_in: np.ndarray  # (S, H, M) actual
    transfers_out: np.ndarray  # (S, H, M) actual
    order_quantity: np.ndarray  # (S, O) rounds ordered (per sample when drawn)
