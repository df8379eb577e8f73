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
from dataclasses import dataclass, field

import numpy as np

from outproduce.engine.capacity import CHUNK, capacity_chunk, draw_capacity_inputs
from outproduce.engine.outages import availability
from outproduce.engine.sampling import uniforms
from outproduce.engine.timegrid import month_offset
from outproduce.scenario.model import Scenario
from outproduce.scenario.uncertain import ppf

INPUTS = ("shell_bodies", "charges", "explosive_t", "propellant_t")
DAYS_PER_MONTH = 365.25 / 12


@dataclass
class Layout:
    """Index structures of one scenario: who is in which pool, seller, holder."""

    line_ids: list[str]
    rounds: np.ndarray  # (L,) bool: line makes finished rounds
    pools: list[str]
    line_pool: np.ndarray  # (L,) pool index
    inputs: list[str]  # input classes constrained somewhere
    input_of_line: np.ndarray  # (L,) index into inputs, -1 if the line makes no such input
    constrained: np.ndarray  # (P, I) bool
    initial_pool: np.ndarray  # (P, I)
    sellers: list[str]
    line_seller: np.ndarray  # (L,) seller index or -1
    seller_keeps: np.ndarray  # (Q,) bool: unsold rounds are held (else sold elsewhere)
    order_ids: list[str]  # sorted by (seller, signed month, id)
    order_seller: np.ndarray
    order_open: np.ndarray  # first month index deliveries may be made
    order_signed: np.ndarray
    order_end: np.ndarray
    order_quantity: np.ndarray
    order_holder: np.ndarray  # holder index of the buyer, or -1
    holder_ids: list[str] = field(default_factory=list)


def layout(scenario: Scenario) -> Layout:
    """Derive the static index structures the month loop needs."""
    line_ids = list(scenario.lines)
    lines = [scenario.lines[i] for i in line_ids]
    pools = sorted({ln.pool_name(scenario.inputs.pools) for ln in lines})
    line_pool = np.array(
        [pools.index(ln.pool_name(scenario.inputs.pools)) for ln in lines], dtype=int
    )
    produced = {
        (pools.index(ln.pool_name(scenario.inputs.pools)), ln.product_class)
        for ln in lines
        if ln.product_class in INPUTS
    }
    stocked = {
        (pools.index(p), i)
        for p, amounts in scenario.inputs.initial_stock.items()
        if p in pools
        for i in amounts
    }
    wanted = set(scenario.inputs.bill_of_materials)
    inputs = [i for i in INPUTS if i in wanted and any(c == i for _, c in produced | stocked)]
    constrained = np.zeros((len(pools), len(inputs)), dtype=bool)
    initial_pool = np.zeros((len(pools), len(inputs)))
    for p, c in produced | stocked:
        if c in inputs:
            constrained[p, inputs.index(c)] = True
    for pool, amounts in scenario.inputs.initial_stock.items():
        for c, amount in amounts.items():
            if pool in pools and c in inputs:
                initial_pool[pools.index(pool), inputs.index(c)] = amount
    input_of_line = np.array(
        [inputs.index(ln.product_class) if ln.product_class in inputs else -1 for ln in lines],
        dtype=int,
    )

    contracts = scenario.contracts
    sellers = sorted({c.supplier for c in contracts.values()})
    line_seller = np.full(len(lines), -1, dtype=int)
    for index, (line_id, line) in enumerate(zip(line_ids, lines, strict=True)):
        if line_id in sellers:
            line_seller[index] = sellers.index(line_id)
        elif line.seller_pool(scenario.inputs.pools) in sellers and line.product_class == "rounds":
            line_seller[index] = sellers.index(line.seller_pool(scenario.inputs.pools))
    seller_keeps = np.array(
        [
            all(ln.unsold == "held" for ln, q in zip(lines, line_seller, strict=True) if q == k)
            for k in range(len(sellers))
        ],
        dtype=bool,
    )
    h = scenario.horizon
    order_ids = sorted(
        contracts,
        key=lambda k: (
            sellers.index(contracts[k].supplier),
            month_offset(contracts[k].signed, h),
            k,
        ),
    )
    holder_ids = list(scenario.holders)

    def column(get):
        return np.array([get(contracts[k]) for k in order_ids], dtype=float).reshape(-1)

    return Layout(
        line_ids=line_ids,
        rounds=np.array([ln.product_class == "rounds" for ln in lines], dtype=bool),
        pools=pools,
        line_pool=line_pool,
        inputs=inputs,
        input_of_line=input_of_line,
        constrained=constrained,
        initial_pool=initial_pool,
        sellers=sellers,
        line_seller=line_seller,
        seller_keeps=seller_keeps,
        order_ids=order_ids,
        order_seller=column(lambda c: sellers.index(c.supplier)).astype(int),
        order_open=column(lambda c: month_offset(c.opens(), h)).astype(int),
        order_signed=column(lambda c: month_offset(c.signed, h)).astype(int),
        order_end=column(lambda c: month_offset(c.delivery_end, h)).astype(int),
        order_quantity=column(lambda c: c.quantity),
        order_holder=column(
            lambda c: holder_ids.index(c.buyer) if c.buyer in holder_ids else -1
        ).astype(int),
        holder_ids=holder_ids,
    )


def _onehot(index: np.ndarray, size: int) -> np.ndarray:
    matrix = np.zeros((len(index), size))
    valid = index >= 0
    matrix[np.flatnonzero(valid), index[valid]] = 1.0
    return matrix


@dataclass
class HolderDraws:
    """Sampled holder inputs: initial stocks, monthly consumption and planned transfers.

    Stored month-major (month first) because the stock pass reads one month at a time;
    transfers are kept per planned (sender, recipient) pair, not as a dense H x H grid.
    """

    initial: np.ndarray  # (S, H)
    start: np.ndarray  # (H,) month index from which the stock is tracked
    consumption: np.ndarray  # (M, S, H) rounds per month
    transfers: np.ndarray  # (M, S, P) planned rounds per month of each transfer
    sender: np.ndarray  # (P,) holder index
    recipient: np.ndarray  # (P,) holder index


def draw_holders(scenario: Scenario, samples: int, seed: int, months: int) -> HolderDraws:
    """Draw initial stocks, consumption phases and transfer schedules per holder."""
    ids = list(scenario.holders)
    h = scenario.horizon
    initial = np.zeros((samples, len(ids)))
    start = np.array(
        [max(month_offset(scenario.holders[i].stock_month or h.start, h), 0) for i in ids],
        dtype=int,
    )
    pairs = [(a, ids.index(t.to)) for a, i in enumerate(ids) for t in scenario.holders[i].transfers]
    consumption = np.zeros((months, samples, len(ids)))
    transfers = np.zeros((months, samples, len(pairs)))
    pair = 0
    for a, holder_id in enumerate(ids):
        holder = scenario.holders[holder_id]
        initial[:, a] = ppf(
            holder.initial_stock, uniforms(seed, f"holder:{holder_id}:stock", samples)
        )
        for k, phase in enumerate(holder.consumption):
            first = max(month_offset(phase.start, h), 0)
            last = (
                month_offset(holder.consumption[k + 1].start, h)
                if k + 1 < len(holder.consumption)
                else months
            )
            rate = ppf(
                phase.rounds_per_day, uniforms(seed, f"holder:{holder_id}:consumption:{k}", samples)
            )
            consumption[first : max(last, first), :, a] = np.maximum(rate, 0) * DAYS_PER_MONTH
        for k, transfer in enumerate(holder.transfers):
            first = max(month_offset(transfer.start, h), 0)
            last = min(month_offset(transfer.end, h) + 1, months)
            rate = ppf(
                transfer.rounds_per_month,
                uniforms(seed, f"holder:{holder_id}:transfer:{k}", samples),
            )
            transfers[first : max(last, first), :, pair] = np.maximum(rate, 0)
            pair += 1
    tracked = np.arange(months)[:, None] >= start[None, :]  # (M, H)
    consumption *= tracked[:, None, :]
    sender = np.array([p[0] for p in pairs], dtype=int)
    recipient = np.array([p[1] for p in pairs], dtype=int)
    transfers *= (tracked[:, sender] & tracked[:, recipient])[:, None, :]
    return HolderDraws(
        initial=initial,
        start=start,
        consumption=consumption,
        transfers=transfers,
        sender=sender,
        recipient=recipient,
    )


def draw_bill_of_materials(
    scenario: Scenario, inputs: list[str], samples: int, seed: int
) -> np.ndarray:
    """Amount of each constrained input per finished round, (S, I)."""
    bom = scenario.inputs.bill_of_materials
    return (
        np.stack(
            [
                np.maximum(ppf(bom[i], uniforms(seed, f"input:{i}:per_round", samples)), 0)
                for i in inputs
            ],
            axis=1,
        )
        if inputs
        else np.zeros((samples, 0))
    )


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
        deliveries=_month_major((samples, n_o, months)),
        backlog=_month_major((samples, n_o, months)),
        held=_month_major((samples, n_q, months)),
        sold_elsewhere=_month_major((samples, n_q, months)),
        lead_time=_month_major((samples, n_q, months)),
        stock=_month_major((samples, n_h, months)),
        shortfall=_month_major((samples, n_h, months)),
        consumption=holders.consumption.transpose(1, 2, 0),
        received=_month_major((samples, n_h, months)),
        transfers_in=_month_major((samples, n_h, months)),
        transfers_out=_month_major((samples, n_h, months)),
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
            _production_pass(lay, bom[rows], rows, res)
        if lay.order_ids:
            made = seller_output(lay, res.production[rows])
            _order_pass(lay, made, rows, res)
            _lead_times(lay, made, rows, res)
        if lay.holder_ids:
            _stock_pass(lay, holders, rows, res)

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


def _production_pass(lay: Layout, bom: np.ndarray, rows: slice, res: Results) -> None:
    """Output = capacity x the smallest pro-rata share of any constrained input.

    ``res.production[rows]`` holds capacity on entry. Only the pools and inputs where
    some input is constrained, and the lines in those pools, take part in the month
    loop; every other line keeps making its capacity (nothing can bind it), and every
    other pool's stock stays zero.
    """
    production = res.production[rows]
    n_s, _, months = production.shape
    pools = np.flatnonzero(lay.constrained.any(axis=1))
    inputs = np.flatnonzero(lay.constrained.any(axis=0))
    active = np.flatnonzero(np.isin(lay.line_pool, pools))
    if not active.size:
        return
    constrained = lay.constrained[np.ix_(pools, inputs)]  # (P', I')
    line_pool = np.searchsorted(pools, lay.line_pool[active])  # index into pools
    in_pool = _onehot(line_pool, len(pools))  # (L', P')
    made_input = lay.input_of_line[active]
    makes = _onehot(
        np.where(np.isin(made_input, inputs), np.searchsorted(inputs, made_input), -1), len(inputs)
    )  # (L', I')
    is_round = lay.rounds[active]
    rounds = is_round.astype(float)
    need = bom[:, inputs]  # (S, I')
    pool = np.broadcast_to(
        lay.initial_pool[np.ix_(pools, inputs)], (n_s, len(pools), len(inputs))
    ).copy()
    # Month-major copies of the active lines: each month's slice is contiguous.
    by_month = np.ascontiguousarray(production[:, active, :].transpose(2, 0, 1))  # (M, S, L')
    made = np.empty_like(by_month)
    bound = np.empty(by_month.shape, dtype=np.int8)
    stock = np.empty((months, n_s, len(pools), len(inputs)))
    for m in range(months):
        now = by_month[m]
        pool += np.einsum("sl,lp,li->spi", now, in_pool, makes)
        request = ((now * rounds) @ in_pool)[:, :, None] * need[:, None, :]
        share = np.ones_like(pool)
        short = constrained[None] & (request > pool)
        np.divide(pool, request, out=share, where=short)
        line_share = share[:, line_pool, :]  # (s, L', I')
        worst = line_share.min(axis=2)
        binds = np.where((worst < 1) & is_round[None, :], inputs[line_share.argmin(axis=2)], -1)
        out = np.where(is_round[None, :], now * worst, now)
        pool -= np.einsum("sl,lp->sp", out * rounds, in_pool)[:, :, None] * need[:, None, :]
        pool = np.maximum(pool, 0.0) * constrained[None]
        made[m] = out
        bound[m] = binds
        stock[m] = pool
    production[:, active, :] = made.transpose(1, 2, 0)
    res.binding[rows, active, :] = bound.transpose(1, 2, 0)
    res.pool_stock[rows][:, pools[:, None], inputs[None, :], :] = stock.transpose(1, 2, 3, 0)


def seller_output(lay: Layout, production: np.ndarray) -> np.ndarray:
    """Monthly output of each supplier (a line, or the lines of a pool): (S, Q, M)."""
    made = np.zeros((production.shape[0], len(lay.sellers), production.shape[2]))
    for line in np.flatnonzero(lay.line_seller >= 0):  # views, in line order: no copies
        made[:, lay.line_seller[line]] += production[:, line]
    return made


def _month_major(shape: tuple[int, int, int]) -> np.ndarray:
    """An (S, X, M) result stored month by month, so a month's slice is contiguous.

    The month loops below write one month at a time; with months last, each write
    would touch one cache line per element. ``_by_month`` gives the (M, S, X) view.
    """
    samples, entities, months = shape
    return np.zeros((months, samples, entities)).transpose(1, 2, 0)


def _by_month(result: np.ndarray) -> np.ndarray:
    """The (M, S, X) view of an (S, X, M) result."""
    return result.transpose(2, 0, 1)


@dataclass(frozen=True)
class _Groups:
    """Sums columns by group in a fixed order (no BLAS: the same bits for any chunk)."""

    order: np.ndarray  # columns sorted by group (stable)
    starts: np.ndarray  # first sorted column of each non-empty group
    present: np.ndarray  # the group of each start
    size: int

    @classmethod
    def of(cls, group: np.ndarray, size: int) -> _Groups:
        """Groups of columns; negative group numbers are left out."""
        order = np.flatnonzero(group >= 0)
        order = order[np.argsort(group[order], kind="stable")]
        sorted_group = group[order]
        starts = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
        return cls(
            order,
            starts if order.size else order,
            sorted_group[starts] if order.size else order,
            size,
        )

    def sum(self, values: np.ndarray) -> np.ndarray:
        """Sum the last axis of ``values`` (..., N) by group: (..., size)."""
        out = np.zeros((*values.shape[:-1], self.size))
        if self.order.size:
            out[..., self.present] = np.add.reduceat(values[..., self.order], self.starts, axis=-1)
        return out


def _order_pass(lay: Layout, made: np.ndarray, rows: slice, res: Results) -> None:
    """First in, first out per supplier, on (sample x supplier) and (sample x order) arrays."""
    n_s, _, months = made.shape
    made = np.ascontiguousarray(made.transpose(2, 0, 1))  # (M, S, Q)
    per_seller = _Groups.of(lay.order_seller, len(lay.sellers))
    remaining = res.order_quantity[rows].copy()
    held = np.zeros((n_s, len(lay.sellers)))
    seg_first = np.searchsorted(lay.order_seller, lay.order_seller, side="left")
    deliveries, backlog = _by_month(res.deliveries), _by_month(res.backlog)
    held_at, sold = _by_month(res.held), _by_month(res.sold_elsewhere)
    for m in range(months):
        available = held + made[m]
        open_now = remaining * (lay.order_open[None, :] <= m)
        before = np.cumsum(open_now, axis=1) - open_now
        before = before - before[:, seg_first]
        delivered = np.clip(available[:, lay.order_seller] - before, 0.0, open_now)
        remaining -= delivered
        left = available - per_seller.sum(delivered)
        held = left * lay.seller_keeps[None, :]
        sold[m, rows] = left - held
        deliveries[m, rows] = delivered
        backlog[m, rows] = remaining * (lay.order_signed[None, :] <= m)
        held_at[m, rows] = held


def _stock_pass(lay: Layout, holders: HolderDraws, rows: slice, res: Results) -> None:
    """Deliveries in, transfers (limited to what the sender holds), consumption out."""
    months = res.stock.shape[2]
    n_h = len(lay.holder_ids)
    tracked = np.arange(months)[:, None] >= holders.start[None, :]  # (M, H)
    received = _by_month(res.received)[:, rows]
    received[...] = _Groups.of(lay.order_holder, n_h).sum(_by_month(res.deliveries)[:, rows])
    received *= tracked[:, None, :]
    stock_at, short = _by_month(res.stock)[:, rows], _by_month(res.shortfall)[:, rows]
    got_at, sent_at = _by_month(res.transfers_in)[:, rows], _by_month(res.transfers_out)[:, rows]
    sends, gets = _Groups.of(holders.sender, n_h), _Groups.of(holders.recipient, n_h)
    moves = holders.sender.size > 0
    initial = holders.initial[rows]
    stock = np.zeros((rows.stop - rows.start, n_h))
    for m in range(months):
        stock += received[m]
        stock += initial * (holders.start == m)[None, :]
        if moves:
            planned = holders.transfers[m, rows]  # (s, pair)
            wanted = sends.sum(planned)
            scale = np.ones_like(wanted)
            np.divide(stock, wanted, out=scale, where=wanted > stock)
            actual = planned * scale[:, holders.sender]
            sent, got = sends.sum(actual), gets.sum(actual)
            stock += got - sent
            got_at[m], sent_at[m] = got, sent
        stock -= holders.consumption[m, rows]
        np.maximum(-stock, 0.0, out=short[m])
        np.maximum(stock, 0.0, out=stock)
        stock_at[m] = stock


def _lead_times(lay: Layout, made: np.ndarray, rows: slice, res: Results) -> None:
    """Months until a new one-round order placed in month t would be delivered (NaN: never).

    It queues behind every order of the same supplier signed by t (first in, first
    out): the answer is the first month m >= t in which production from t on, plus
    rounds held at the start of t, covers that backlog plus one round. Order windows
    are ignored here (a marginal order is assumed deliverable at once).

    Cumulative output never falls, so a binary search over months finds m; it runs on
    flat month-major arrays with an infinite sentinel month (no bounds checks).
    """
    n_s, n_q, months = made.shape
    signed_by = lay.order_signed[None, None, :] <= np.arange(months)[:, None, None]
    owed = _by_month(res.backlog)[:, rows] + _by_month(res.deliveries)[:, rows]
    queue = _Groups.of(lay.order_seller, n_q).sum(owed * signed_by)  # (M, S, Q)
    cum = np.empty((months + 1, n_s, n_q))
    np.cumsum(made.transpose(2, 0, 1), axis=0, out=cum[:months])
    cum[months] = np.inf
    target = queue + 1.0
    target[1:] += cum[: months - 1] - _by_month(res.held)[:-1, rows]
    target -= 1e-9 * np.abs(target)  # reached when cum[m] >= target (relative tolerance)
    # int32 indices: half the memory traffic of int64 (checked to fit below).
    index = np.int32 if (months + 1) * n_s * n_q < 2**31 else np.int64
    t = np.broadcast_to(np.arange(months, dtype=index)[:, None, None], target.shape)
    low, high = t.copy(), np.full(target.shape, months, dtype=index)
    base = np.arange(n_s * n_q, dtype=index).reshape(1, n_s, n_q)
    stride = index(n_s * n_q)
    flat = cum.reshape(-1)
    mid = np.empty_like(low)
    ok = np.empty(target.shape, dtype=bool)
    for _ in range(int(np.ceil(np.log2(months + 1))) + 1):
        np.add(low, high, out=mid)
        mid >>= 1
        np.greater_equal(flat[mid * stride + base], target, out=ok)
        np.copyto(high, mid, where=ok)
        mid += 1
        np.copyto(low, mid, where=~ok)
    _by_month(res.lead_time)[:, rows] = np.where(high < months, high - t, np.nan)
