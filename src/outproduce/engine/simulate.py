"""The one engine for the whole chain: capacity -> production -> deliveries -> stocks.

Chunked over samples (so memory stays bounded and worker threads share the work);
within a chunk, compiled loops (``kernels.py``) go sample by sample and month by
month, and what the run keeps is reduced as it is computed (``results.py``). Per month,
after capacity (``capacity.py``) and any capacity decision (``decisions.py``):

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
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from outproduce.engine.capacity import Keep, capacity_chunk, draw_capacity_inputs
from outproduce.engine.decisions import follow_contracts
from outproduce.engine.inputs import InputTable
from outproduce.engine.kernels import reduce_lines
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
    Chunk,
    month_major,
    orders_pass,
    production_pass,
    stock_pass,
)
from outproduce.engine.results import Full, Results
from outproduce.scenario.model import Scenario

__all__ = ["DAYS_PER_MONTH", "INPUTS", "Layout", "Results", "layout", "run"]

#: Bytes of (sample x line x month) floats one chunk may hold: it bounds memory (the
#: compiled loops work a sample at a time, so the size barely changes the speed).
CHUNK_BYTES = 16 * 2**20


def chunk_size(lines: int, months: int, orders: int = 0) -> int:
    """Samples per chunk so a chunk's arrays stay within ``CHUNK_BYTES``.

    A chunk holds (sample x line x month) floats and, for the order book, (sample x
    order) floats per year and a few more per order.
    """
    per_sample = 8 * (months * max(lines, 1) + orders * (months // 12 + 6))
    return int(np.clip(CHUNK_BYTES // per_sample, 32, 4096))


def run(
    scenario: Scenario,
    samples: int,
    seed: int,
    chunk: int | None = None,
    workers: int | None = None,
    quantities: dict[str, np.ndarray] | None = None,
    inputs: InputTable | None = None,
    full: bool = False,
    weights: np.ndarray | None = None,
    groups: np.ndarray | None = None,
    weighted: np.ndarray | None = None,
    decisions: dict[str, np.ndarray] | None = None,
) -> Results:
    """Simulate every month of the horizon for ``samples`` samples.

    Every draw comes from ``inputs`` (default: the seeded streams of ``seed``). ``workers``
    threads (default: one per core) compute chunks of samples side by side (numpy
    releases the interpreter lock in its loops); every chunk writes its own rows from
    its own draws, so the numbers are the same for any chunk size and number of workers.

    What is kept is reduced inside the chunk loop (see ``Results``): ``groups`` (G, L)
    selects lines whose production is summed per sample and month (default: one group
    of every line making rounds), times ``weights`` (S, L) where ``weighted`` (G,) says
    so (default: every group, when weights are given). ``full=True``
    also keeps the (sample x line x month) and (sample x order x month) arrays.
    ``quantities`` gives named contracts a quantity per sample (an analysis that derives
    orders from uncertain budgets); other contracts keep the scenario's quantity.
    ``decisions`` maps a supplier to the lead time (months, per sample) of the
    *follow contracts* rule: it builds what the supplier's contracts ask beyond its
    planned capacity (``decisions.follow_contracts``).
    """
    table = InputTable(seed, samples) if inputs is None else inputs
    decisions = decisions or {}
    lay = layout(scenario, tuple(decisions))
    draws = draw_capacity_inputs(scenario, table)
    months = draws.months
    planned = lay.line_ids[: lay.planned_lines]
    avail = availability(scenario, planned, samples, table.seed, months, table.offset)
    bom = draw_bill_of_materials(scenario, lay.inputs, table)
    holders = draw_holders(scenario, table, months)
    n_l, n_p, n_i, n_y = len(lay.line_ids), len(lay.pools), len(lay.inputs), len(lay.years)
    n_o, n_q, n_h = len(lay.order_ids), len(lay.sellers), len(lay.holder_ids)
    if groups is None:
        groups = lay.rounds[None, :]
    group_lines = [np.flatnonzero(g) for g in np.asarray(groups, dtype=bool)]
    if weighted is None:
        weighted = np.full(len(group_lines), weights is not None)
    weighted = np.asarray(weighted, dtype=bool)
    # Each line's groups as CSR arrays, for the compiled reduction.
    of_line = [[g for g, lines in enumerate(group_lines) if line in lines] for line in range(n_l)]
    group_ptr = np.cumsum([0] + [len(g) for g in of_line]).astype(np.int64)
    line_groups = np.array([g for gs in of_line for g in gs], dtype=np.int64)
    ordered = np.broadcast_to(lay.order_quantity, (samples, n_o)).copy()
    for contract_id, values in (quantities or {}).items():
        ordered[:, lay.order_ids.index(contract_id)] = np.maximum(values, 0.0)
    res = Results(
        layout=lay,
        inputs=table,
        year=lay.years,
        group_output=np.zeros((samples, len(group_lines), months)),
        bound_year_capacity=np.zeros((samples, len(lay.bound_lines), n_y)),
        line_year_production=np.zeros((samples, n_l, n_y)),
        binding_count=np.zeros((n_l, n_i + 1, months), dtype=np.int64),
        pool_stock_year=np.zeros((samples, n_p, n_i, n_y)),
        order_year_deliveries=np.zeros((samples, n_o, n_y)),
        order_on_time=np.zeros((samples, n_o)),
        order_quantity=ordered,
        seller_deliveries=month_major((samples, n_q, months)),
        seller_backlog=month_major((samples, n_q, months)),
        held=month_major((samples, n_q, months)),
        sold_elsewhere=month_major((samples, n_q, months)),
        lead_time=month_major((samples, n_q, months)),
        # Without a decision rule nothing is built: a read-only view costs no memory.
        built=np.zeros((samples, n_q, months))
        if decisions
        else np.broadcast_to(0.0, (samples, n_q, months)),
        stock=month_major((samples, n_h, months)),
        shortfall=month_major((samples, n_h, months)),
        consumption=holders.consumption.transpose(1, 2, 0),
        received=month_major((samples, n_h, months)),
        transfers_in=month_major((samples, n_h, months)),
        transfers_out=month_major((samples, n_h, months)),
        full=Full(
            capacity=np.empty((samples, n_l, months)),
            production=np.empty((samples, n_l, months)),
            binding=np.full((samples, n_l, months), -1, dtype=np.int8),
            pool_stock=np.zeros((samples, n_p, n_i, months)),
            deliveries=month_major((samples, n_o, months)),
            backlog=month_major((samples, n_o, months)),
        )
        if full
        else None,
    )
    workers = (os.cpu_count() or 1) if workers is None else workers
    if chunk is None:  # the bound on memory, in a number of chunks the workers share evenly
        count = -(-samples // chunk_size(n_l, months, n_o))
        count = -(-count // workers) * workers
        chunk = max(-(-samples // count), 1)
    chunks = [slice(b, min(b + chunk, samples)) for b in range(0, samples, chunk)]
    counts: list[np.ndarray] = [np.zeros(0)] * len(chunks)
    ones = np.ones((chunk, n_l))
    can_bind = lay.constrained.any(axis=1)[lay.line_pool]
    binds, free = np.flatnonzero(can_bind), np.flatnonzero(~can_bind)
    year_start = np.r_[lay.year_start, months].astype(np.int64)
    # Lines whose capacity is their production (no outage, no input that can bind them,
    # not built) are reduced inside the capacity loop; ``rest`` after the input pass.
    kept = ~can_bind[: lay.planned_lines].copy()
    kept[list(avail)] = False
    # Lines an input can bind keep their capacity per year too: in the capacity loop,
    # or after outages and decisions for the lines those change.
    later = [j for j, line in enumerate(binds) if line >= lay.planned_lines or line in avail]
    bound_later = np.array(later, dtype=np.int64)
    # A kept line's capacity row is read later only if it sells or the run is full.
    written = ~kept | full
    for lines_sold in lay.seller_lines:
        written[lines_sold[lines_sold < lay.planned_lines]] = True
    bound_position = np.full(lay.planned_lines, -1, dtype=np.int64)
    for j, line in enumerate(binds):
        if j not in later:
            bound_position[line] = j
    rest = np.array(
        [line for line in range(n_l) if line >= lay.planned_lines or not kept[line]],
        dtype=np.int64,
    )
    local = threading.local()

    def buffers(rows: slice) -> Chunk:
        """The calling thread's chunk arrays, reused from chunk to chunk (allocated once).

        Capacity overwrites every planned line and the input pass every line and pool
        it touches; the rest keeps its initial value (-1: no binding input; 0 stock).
        """
        n = rows.stop - rows.start
        kept = getattr(local, "chunk", None)
        if kept is None or kept.production.shape[0] != n:
            kept = local.chunk = Chunk(
                rows=rows,
                production=np.zeros((n, n_l, months)),
                binding=np.full((n, n_l, months), -1, dtype=np.int8),
                pool_stock=np.zeros((n, n_p, n_i, months)),
            )
        kept.rows = rows
        return kept

    # Every sample is independent of the others: the whole chain runs a chunk at a time,
    # in arrays local to the chunk, and keeps only what the results hold.
    def one_chunk(number: int) -> None:
        rows = chunks[number]
        part = buffers(rows)
        n = rows.stop - rows.start
        cap = part.production  # capacity first; the input pass lowers it in place
        weight = ones if weights is None else np.ascontiguousarray(weights[rows])
        keep = Keep(
            kept,
            year_start,
            group_ptr,
            line_groups,
            weighted,
            weight,
            res.line_year_production[rows],
            res.group_output[rows],
            bound_position,
            res.bound_year_capacity[rows],
            written,
        )
        capacity_chunk(draws, rows, cap, keep)
        for index, running in avail.items():
            cap[:, index, :] *= running[rows]
        if decisions:
            _decide(lay, part, bom, decisions, res.order_quantity[rows], res.built[rows])
        for j in bound_later:  # outages or a decision changed these lines' capacity
            res.bound_year_capacity[rows, j] = np.add.reduceat(
                cap[:, binds[j]], lay.year_start, axis=1
            )
        if full:
            res.full.capacity[rows] = cap
        production_pass(lay, bom, part)
        production = part.production
        counted = np.zeros((n_l, n_i + 1, months), dtype=np.int64)
        reduce_lines(
            production,
            part.binding,
            rest,
            can_bind,
            year_start,
            group_ptr,
            line_groups,
            weighted,
            weight,
            res.line_year_production[rows],
            res.group_output[rows],
            counted,
        )
        counts[number] = counted
        res.pool_stock_year[rows] = part.pool_stock[..., lay.last_month_of_year]
        if full:
            res.full.production[rows] = production
            res.full.binding[rows] = part.binding
            res.full.pool_stock[rows] = part.pool_stock
        if lay.order_ids:
            received = orders_pass(lay, production, rows, res, full)
        else:
            received = np.zeros((n, n_h, months))
        if lay.holder_ids:
            stock_pass(lay, holders, received, rows, res)

    draws.plan  # noqa: B018 - built once here, not raced for by the workers
    if workers > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(min(workers, len(chunks))) as pool:
            list(pool.map(one_chunk, range(len(chunks))))
    else:
        for number in range(len(chunks)):
            one_chunk(number)
    res.binding_count[free, 0, :] = samples  # lines no material can bind
    for counted in counts:
        res.binding_count[binds] += counted[binds]
    return res


def _decide(
    lay: Layout,
    part: Chunk,
    bom: np.ndarray,
    decisions: dict[str, np.ndarray],
    ordered: np.ndarray,
    built: np.ndarray,
) -> None:
    """Set the built lines' capacity in ``part`` from what the planned lines can make.

    The rule compares contracts with the planned lines' *output* (after outages and
    input limits, without the built lines): a trial input pass on a copy of the chunk.
    """
    trial = Chunk(
        rows=part.rows,
        production=part.production.copy(),
        binding=part.binding.copy(),
        pool_stock=part.pool_stock.copy(),
    )
    production_pass(lay, bom, trial)
    for seller, lead in decisions.items():
        k = lay.sellers.index(seller)
        for line, owner in lay.built.items():
            if owner == k:
                follow_contracts(lay, k, ordered, lead[part.rows], trial.production, line)
                part.production[:, line] = trial.production[:, line]
                built[:, k] = trial.production[:, line]
