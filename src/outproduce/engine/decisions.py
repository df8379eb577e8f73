"""Capacity decisions: industry adding capacity in answer to signed contracts.

``follow_contracts`` is the rule "build what signed contracts ask beyond planned
output": a contract asks for its quantity spread evenly over its delivery months; a
line to meet it can only run ``lead`` months after signing (the time to build it),
so the contract asks only for deliveries still due by then. Built capacity stays (the
running maximum of what open contracts have asked), and is whatever that exceeds the
supplier's planned output that month (its lines after utilisation, outages and input
limits). The engine gives it to the supplier as a *built* line, which then goes
through input pools and the order book like any line (it has no outages of its own).

Annual contracts therefore never pay for a line whose build takes longer than a year:
the case for multi-year contracts, made by arithmetic.
"""

from __future__ import annotations

import numpy as np

from outproduce.engine.layout import Layout


def follow_contracts(
    lay: Layout,
    seller: int,
    quantity: np.ndarray,
    lead: np.ndarray,
    capacity: np.ndarray,
    line: int,
) -> None:
    """Set the built ``line`` of ``seller`` in ``capacity`` (samples, lines, months).

    ``capacity`` holds the planned lines' output; ``quantity`` (samples, orders) is what
    each order asks in total; ``lead`` (samples,) the whole months from signing to a new
    line's first output.
    """
    samples, _, months = capacity.shape
    planned = np.zeros((samples, months))
    for index in lay.seller_lines[seller]:
        if index != line:
            planned += capacity[:, index]
    # What open orders ask per month, as differences added where each order starts
    # asking and taken away after its last month, then summed along the months.
    change = np.zeros((samples, months + 1))
    row = np.arange(samples)
    for order in np.flatnonzero(lay.order_seller == seller):
        opens, ends = int(lay.order_open[order]), int(lay.order_end[order])
        rate = quantity[:, order] / max(ends - opens + 1, 1)
        first = np.maximum(lay.order_signed[order] + lead, opens)
        asks = (first <= ends) & (first < months)
        start = np.clip(first, 0, months)
        np.add.at(change, (row[asks], start[asks]), rate[asks])
        np.add.at(change, (row[asks], np.full(asks.sum(), min(ends + 1, months))), -rate[asks])
    asked = np.maximum(np.cumsum(change[:, :months], axis=1), 0.0)
    kept = np.maximum.accumulate(asked, axis=1)
    capacity[:, line] = np.maximum(kept - planned, 0.0)
