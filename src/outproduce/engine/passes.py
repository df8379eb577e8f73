"""The passes over months, per chunk of samples.

Inputs and bottlenecks, the order book, lead times of a new order, holders' stocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from outproduce.engine.layout import HolderDraws, Layout, onehot
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
    loop; every other line keeps making its capacity (nothing can bind it), and every
    other pool's stock stays zero.
    """
    production = chunk.production
    n_s, _, months = production.shape
    pools = np.flatnonzero(lay.constrained.any(axis=1))
    inputs = np.flatnonzero(lay.constrained.any(axis=0))
    active = np.flatnonzero(np.isin(lay.line_pool, pools))
    if not active.size:
        return
    constrained = lay.constrained[np.ix_(pools, inputs)]  # (P', I')
    line_pool = np.searchsorted(pools, lay.line_pool[active])  # index into pools
    in_pool = onehot(line_pool, len(pools))  # (L', P')
    made_input = lay.input_of_line[active]
    makes = onehot(
        np.where(np.isin(made_input, inputs), np.searchsorted(inputs, made_input), -1), len(inputs)
    )  # (L', I')
    is_round = lay.rounds[active]
    rounds = is_round.astype(float)
    need = bom[chunk.rows][:, inputs]  # (S, I')
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
    chunk.binding[:, active, :] = bound.transpose(1, 2, 0)
    chunk.pool_stock[:, pools[:, None], inputs[None, :], :] = stock.transpose(1, 2, 3, 0)


def seller_output(lay: Layout, production: np.ndarray) -> np.ndarray:
    """Monthly output of each supplier (a line, or the lines of a pool): (S, Q, M)."""
    made = np.zeros((production.shape[0], len(lay.sellers), production.shape[2]))
    for seller, lines in enumerate(lay.seller_lines):  # views, in line order: no copies
        for line in lines:
            made[:, seller] += production[:, line]
    return made


def month_major(shape: tuple[int, int, int]) -> np.ndarray:
    """An (S, X, M) result stored month by month, so a month's slice is contiguous.

    The month loops below write one month at a time; with months last, each write
    would touch one cache line per element. ``by_month`` gives the (M, S, X) view.
    """
    samples, entities, months = shape
    return np.zeros((months, samples, entities)).transpose(1, 2, 0)


def by_month(result: np.ndarray) -> np.ndarray:
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


@dataclass
class OrderFlows:
    """What the stock pass and the lead times need from the order book, month-major."""

    received: np.ndarray  # (M, c, H) deliveries to each holder
    queue: np.ndarray  # (M, c, Q) rounds owed by each supplier on orders signed by then
    held: np.ndarray  # (M, c, Q) rounds held at the supplier at month end


class _Sums:
    """Sums (sample x column) values by group with np.bincount: one pass, in column order.

    Adding in column order makes leaving out all-zero columns exact (x + 0 == x), so the
    order book may work on the live orders only and still give the same bits.
    """

    def __init__(self, samples: int, group: np.ndarray, size: int) -> None:
        valid = np.flatnonzero(group >= 0)
        self.columns, self.size, self.samples = valid, size, samples
        self.index = (np.arange(samples)[:, None] * size + group[None, valid]).ravel()

    def sum(self, values: np.ndarray) -> np.ndarray:
        """(samples, columns) -> (samples, size)."""
        flat = values[:, self.columns].ravel() if self.columns.size else np.zeros(0)
        total = np.bincount(self.index, weights=flat, minlength=self.samples * self.size)
        return total.reshape(self.samples, self.size)


def order_pass(lay: Layout, made: np.ndarray, rows: slice, res: Results, full: bool) -> OrderFlows:
    """First in, first out per supplier, on (sample x supplier) and (sample x order) arrays.

    Each month only the *live* orders take part: signed or open by then and not yet
    delivered in every sample of the chunk (the others add exact zeros). Per-order flows
    are reduced as they are computed (yearly sums, rounds delivered on time; an order's
    backlog is its quantity less what was delivered); per-supplier and per-holder flows
    are kept by month.
    """
    n_s, n_q, months = made.shape
    made = np.ascontiguousarray(made.transpose(2, 0, 1))  # (M, S, Q)
    remaining = res.order_quantity[rows].copy()
    held = np.zeros((n_s, n_q))
    year_of = lay.year_of_month
    n_o, n_h = remaining.shape[1], len(lay.holder_ids)
    yearly = np.zeros((len(lay.years), n_s, n_o))
    on_time = np.zeros((n_s, n_o))
    flows = OrderFlows(
        received=np.zeros((months, n_s, n_h)),
        queue=np.empty((months, n_s, n_q)),
        held=np.empty((months, n_s, n_q)),
    )
    seller_del, seller_back = by_month(res.seller_deliveries), by_month(res.seller_backlog)
    sold = by_month(res.sold_elsewhere)
    if full:
        deliveries, backlog = by_month(res.full.deliveries), by_month(res.full.backlog)
    started = np.minimum(lay.order_signed, lay.order_open)
    alive = np.ones(n_o, dtype=bool)
    plans: dict[bytes, tuple] = {}
    for m in range(months):
        live = (started <= m) & alive
        key = live.tobytes()
        if key not in plans:  # the live set changes a few times a year: plan it once
            cols = np.flatnonzero(live)
            seller = lay.order_seller[cols]
            plans[key] = (
                cols,
                seller,
                np.searchsorted(seller, seller, side="left"),
                _Sums(n_s, seller, n_q),
                _Sums(n_s, lay.order_holder[cols], n_h),
            )
        cols, seller, seg_first, per_seller, per_holder = plans[key]
        available = held + made[m]
        left_now = remaining[:, cols]
        open_now = left_now * (lay.order_open[cols] <= m)[None, :]
        before = np.cumsum(open_now, axis=1) - open_now
        before = before - before[:, seg_first]
        delivered = np.clip(available[:, seller] - before, 0.0, open_now)
        left_now -= delivered
        remaining[:, cols] = left_now
        signed = (lay.order_signed[cols] <= m)[None, :]
        owed = left_now * signed
        given = per_seller.sum(delivered)
        left = available - given
        held = left * lay.seller_keeps[None, :]
        sold[m, rows] = left - held
        yearly[year_of[m]][:, cols] += delivered
        on_time[:, cols] += delivered * (m <= lay.order_end[cols])[None, :]
        seller_del[m, rows] = given
        seller_back[m, rows] = per_seller.sum(owed)
        flows.queue[m] = per_seller.sum(owed + delivered * signed)
        flows.held[m] = held
        flows.received[m] = per_holder.sum(delivered)
        if full:
            deliveries[m, rows][:, cols] = delivered
            backlog[m, rows][:, cols] = owed
        alive[cols] = (left_now > 0).any(axis=0)
    by_month(res.held)[:, rows] = flows.held
    res.order_year_deliveries[rows] = yearly.transpose(1, 2, 0)
    res.order_on_time[rows] = on_time
    return flows


def stock_pass(
    lay: Layout, holders: HolderDraws, flows: OrderFlows, rows: slice, res: Results
) -> None:
    """Deliveries in, transfers (limited to what the sender holds), consumption out."""
    months = res.stock.shape[2]
    n_h = len(lay.holder_ids)
    tracked = np.arange(months)[:, None] >= holders.start[None, :]  # (M, H)
    received = by_month(res.received)[:, rows]
    received[...] = flows.received * tracked[:, None, :]
    stock_at, short = by_month(res.stock)[:, rows], by_month(res.shortfall)[:, rows]
    got_at, sent_at = by_month(res.transfers_in)[:, rows], by_month(res.transfers_out)[:, rows]
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


def lead_times(lay: Layout, made: np.ndarray, flows: OrderFlows, rows: slice, res: Results) -> None:
    """Months until a new one-round order placed in month t would be delivered (NaN: never).

    It queues behind every order of the same supplier signed by t (first in, first
    out): the answer is the first month m >= t in which production from t on, plus
    rounds held at the start of t, covers that backlog plus one round. Order windows
    are ignored here (a marginal order is assumed deliverable at once).

    Cumulative output never falls, so a binary search over months finds m; it runs on
    flat month-major arrays with an infinite sentinel month (no bounds checks).
    """
    n_s, n_q, months = made.shape
    queue = flows.queue  # (M, S, Q)
    cum = np.empty((months + 1, n_s, n_q))
    np.cumsum(made.transpose(2, 0, 1), axis=0, out=cum[:months])
    cum[months] = np.inf
    target = queue + 1.0
    target[1:] += cum[: months - 1] - flows.held[:-1]
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
    by_month(res.lead_time)[:, rows] = np.where(high < months, high - t, np.nan)
