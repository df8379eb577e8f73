"""The one engine for the whole chain: capacity -> production -> deliveries -> stocks.

Vectorised over samples (arrays shaped sample x entity), looping only over months,
and chunked over samples so memory stays bounded. Per month:

1. **Inputs.** Input lines (shell bodies, charges, explosives, propellant) add their
   output to a pool (per bloc or per country). Each finished-round line asks for
   ``capacity x bill of materials``; where a pool holds less than asked, every line of
   that pool gets the same share of its request (pro rata) and its output is
   ``capacity x min over inputs of that share``. The input with the smallest share is
   the line's *binding input* that month. Unused inputs stay in the pool. An input is
   constrained only where the scenario has a line making it in that pool, or an
   initial stock of it there.
2. **Order book.** Production of a line named as a contract's supplier (or of the
   pool named) goes first to the oldest open order of that supplier (first in, first
   out by signing date), from the order's delivery start; what no order takes is held
   at the plant and serves the next orders first.
3. **Stocks.** Each holder receives its contracts' deliveries, sends and receives
   transfers (limited to what the sender holds, pro rata), and consumes rounds;
   consumption it cannot cover is a shortfall, never a negative stock.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from outproduce.engine.capacity import CHUNK, capacity_chunk, draw_capacity_inputs
from outproduce.engine.layout import (
    DAYS_PER_MONTH,
    INPUTS,
    Layout,
    draw_bill_of_materials,
    draw_holders,
    layout,
)
from outproduce.engine.outages import availability
from outproduce.engine.passes import (
    lead_times,
    month_major,
    order_pass,
    production_pass,
    seller_output,
    stock_pass,
)
from outproduce.engine.results import Results
from outproduce.scenario.model import Scenario

__all__ = ["DAYS_PER_MONTH", "INPUTS", "Layout", "Results", "layout", "run", "seller_output"]


def run(
    scenario: Scenario,
    samples: int,
    seed: int,
    chunk: int = CHUNK,
    keep_capacity: bool = True,
    workers: int | None = None,
    quantities: dict[str, np.ndarray] | None = None,
) -> Results:
    """Simulate every month of the horizon for ``samples`` samples.

    ``keep_capacity=False`` drops the (sample x line x month) capacity array from the
    results (production is kept): it halves peak memory for large runs. ``workers``
    threads (default: one per core) compute chunks of samples side by side (numpy
    releases the interpreter lock in its loops); every chunk writes its own rows from
    its own draws, so the numbers are the same for any number of workers.
    ``quantities`` gives named contracts a quantity per sample (an analysis that derives
    orders from uncertain budgets); other contracts keep the scenario's quantity.
    """
    lay = layout(scenario)
    draws = draw_capacity_inputs(scenario, samples, seed)
    months = draws.months
    avail = availability(scenario, lay.line_ids, samples, seed, months)
    bom = draw_bill_of_materials(scenario, lay.inputs, samples, seed)
    holders = draw_holders(scenario, samples, seed, months)
    n_l, n_p, n_i = len(lay.line_ids), len(lay.pools), len(lay.inputs)
    n_o, n_q, n_h = len(lay.order_ids), len(lay.sellers), len(lay.holder_ids)
    unconstrained = not lay.inputs
    ordered = np.broadcast_to(lay.order_quantity, (samples, len(lay.order_ids))).copy()
    for contract_id, values in (quantities or {}).items():
        ordered[:, lay.order_ids.index(contract_id)] = np.maximum(values, 0.0)
    res = Results(
        layout=lay,
        capacity=np.empty((samples, n_l if keep_capacity else 0, months)),
        production=np.empty((samples, n_l, months)),
        # Without constrained inputs nothing ever binds: a read-only view costs no memory.
        binding=np.broadcast_to(np.int8(-1), (samples, n_l, months))
        if unconstrained
        else np.full((samples, n_l, months), -1, dtype=np.int8),
        pool_stock=np.zeros((samples, n_p, n_i, months)),
        deliveries=month_major((samples, n_o, months)),
        backlog=month_major((samples, n_o, months)),
        held=month_major((samples, n_q, months)),
        sold_elsewhere=month_major((samples, n_q, months)),
        lead_time=month_major((samples, n_q, months)),
        stock=month_major((samples, n_h, months)),
        shortfall=month_major((samples, n_h, months)),
        consumption=holders.consumption.transpose(1, 2, 0),
        received=month_major((samples, n_h, months)),
        transfers_in=month_major((samples, n_h, months)),
        transfers_out=month_major((samples, n_h, months)),
        order_quantity=ordered,
    )

    # Every sample is independent of the others: the whole chain runs a chunk at a time.
    # Capacity is written straight into production; the input pass then lowers the
    # output of the lines whose inputs run short, in place.
    def one_chunk(rows: slice) -> None:
        cap = res.production[rows]
        capacity_chunk(draws, rows, cap)
        for index, running in avail.items():
            cap[:, index, :] *= running[rows]
        if keep_capacity:
            res.capacity[rows] = cap
        if not unconstrained:
            production_pass(lay, bom[rows], rows, res)
        if lay.order_ids:
            made = seller_output(lay, res.production[rows])
            order_pass(lay, made, rows, res)
            lead_times(lay, made, rows, res)
        if lay.holder_ids:
            stock_pass(lay, holders, rows, res)

    chunks = [slice(b, min(b + chunk, samples)) for b in range(0, samples, chunk)]
    draws.plan  # noqa: B018 - built once here, not raced for by the workers
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(min(workers, len(chunks))) as pool:
            list(pool.map(one_chunk, chunks))
    else:
        for rows in chunks:
            one_chunk(rows)
    return res
