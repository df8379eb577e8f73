"""The passes over months, per chunk of samples, around the compiled loops.

Inputs and bottlenecks, the order book (with lead times of a new order) and holders'
stocks: each prepares the index arrays a loop in ``kernels.py`` needs and hands it
the chunk's arrays and the rows of the results it fills.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from outproduce.engine.layout import HolderDraws, Layout
from outproduce.engine.results import Results


@dataclass
class Chunk:
    """One chunk of samples' unreduced arrays, local to the worker computing it."""

    rows: slice
    production: np.ndarray  # (c, L, M): capacity on entry, output after the input pass
    binding: np.ndarray  # (c, L, M) int8, -1 where no input binds
    pool_stock: np.ndarray  # (c, P, I, M) end of month


def production_pass(lay: Layout, bom: np.ndarray, chunk: Chunk) -> None:
    """Output = capacity x the smallest pro-rata share of any constrained input.

    ``chunk.production`` holds capacity on entry. Only the pools and inputs where
    some input is constrained, and the lines in those pools, take part in the month
    loop (``kernels.input_pass``); every other line keeps making its capacity (nothing
    can bind it), and every other pool's stock stays zero.
    """
    from outproduce.engine.kernels import input_pass

    pools = np.flatnonzero(lay.constrained.any(axis=1))
    inputs = np.flatnonzero(lay.constrained.any(axis=0))
    active = np.flatnonzero(np.isin(lay.line_pool, pools))
    if not active.size:
        return
    made_input = lay.input_of_line[active]
    input_pass(
        chunk.production,
        chunk.binding,
        chunk.pool_stock,
        active.astype(np.int64),
        np.searchsorted(pools, lay.line_pool[active]).astype(np.int64),
        np.where(np.isin(made_input, inputs), np.searchsorted(inputs, made_input), -1).astype(
            np.int64
        ),
        lay.rounds[active],
        pools.astype(np.int64),
        inputs.astype(np.int64),
        np.ascontiguousarray(bom[chunk.rows][:, inputs]),
        np.ascontiguousarray(lay.constrained[np.ix_(pools, inputs)]),
        np.ascontiguousarray(lay.initial_pool[np.ix_(pools, inputs)]),
    )


def month_major(shape: tuple[int, int, int]) -> np.ndarray:
    """An (S, X, M) result stored month by month (a month's slice is contiguous)."""
    samples, entities, months = shape
    return np.zeros((months, samples, entities)).transpose(1, 2, 0)


def orders_pass(
    lay: Layout, production: np.ndarray, rows: slice, res: Results, full: bool
) -> np.ndarray:
    """The order book and the lead times of a new order; returns holders' receipts.

    Fills the rows of the results: per order its yearly deliveries and what arrived by
    its end; per supplier, by month, deliveries, backlog, held, sold elsewhere, lead time.
    """
    from outproduce.engine.order_kernels import lead_times, order_book

    n, months = production.shape[0], production.shape[2]
    n_q, n_o = len(lay.sellers), len(lay.order_ids)
    seller_ptr = np.cumsum([0] + [len(lines) for lines in lay.seller_lines]).astype(np.int64)
    seller_line = (
        np.concatenate(lay.seller_lines).astype(np.int64)
        if lay.seller_lines
        else np.zeros(0, np.int64)
    )
    made = np.empty((n, n_q, months))
    queue = np.empty((n, n_q, months))
    received = np.zeros((n, len(lay.holder_ids), months))
    yearly = np.zeros((n, n_o, len(lay.years)))
    on_time = np.zeros((n, n_o))
    empty = np.zeros((0, 0, 0))
    order_book(
        production,
        seller_ptr,
        seller_line,
        np.ascontiguousarray(res.order_quantity[rows]),
        np.searchsorted(lay.order_seller, np.arange(n_q + 1)).astype(np.int64),
        lay.order_open.astype(np.int64),
        lay.order_signed.astype(np.int64),
        lay.order_end.astype(np.int64),
        lay.order_holder.astype(np.int64),
        lay.seller_keeps,
        lay.year_of_month.astype(np.int64),
        made,
        yearly,
        on_time,
        res.seller_deliveries[rows],
        res.seller_backlog[rows],
        res.held[rows],
        res.sold_elsewhere[rows],
        queue,
        received,
        full,
        res.full.deliveries[rows] if full else empty,
        res.full.backlog[rows] if full else empty,
    )
    res.order_year_deliveries[rows] = yearly
    res.order_on_time[rows] = on_time
    lead_times(made, queue, res.held[rows], res.lead_time[rows])
    return received


def stock_pass(
    lay: Layout, holders: HolderDraws, received: np.ndarray, rows: slice, res: Results
) -> None:
    """Deliveries in, transfers (limited to what the sender holds), consumption out."""
    from outproduce.engine.order_kernels import stocks

    months = received.shape[2]
    tracked = np.arange(months)[:, None] >= holders.start[None, :]  # (M, H)
    stocks(
        received,
        tracked,
        holders.start.astype(np.int64),
        np.ascontiguousarray(holders.initial[rows]),
        holders.consumption[:, rows],
        holders.transfers[:, rows],
        holders.sender.astype(np.int64),
        holders.recipient.astype(np.int64),
        res.stock[rows],
        res.shortfall[rows],
        res.transfers_out[rows],
        res.transfers_in[rows],
    )
    res.received[rows] = received
