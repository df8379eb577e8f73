"""Compiled month loops (numba) for the order book, lead times of a new order and stocks.

Per sample, month by month, as ``passes.py`` describes; compiled once (``cache=True``)
and run without the interpreter lock. The pure-Python reference
(``tests/reference_model.py``) stays the judge (to 1e-9).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def order_book(
    production: np.ndarray,  # (c, L, M)
    seller_ptr: np.ndarray,  # (Q + 1,) CSR pointers into seller_line
    seller_line: np.ndarray,  # lines each seller sells from
    quantity: np.ndarray,  # (c, O)
    order_ptr: np.ndarray,  # (Q + 1,) each seller's orders: order_ptr[q]..order_ptr[q+1]
    order_open: np.ndarray,  # (O,)
    order_signed: np.ndarray,  # (O,)
    order_end: np.ndarray,  # (O,)
    order_holder: np.ndarray,  # (O,) -1: none
    seller_keeps: np.ndarray,  # (Q,) bool
    year_of: np.ndarray,  # (M,)
    made: np.ndarray,  # (c, Q, M) out: each seller's output
    yearly: np.ndarray,  # (c, O, Y) out, added to
    on_time: np.ndarray,  # (c, O) out
    delivered_q: np.ndarray,  # (c, Q, M) out
    backlog_q: np.ndarray,  # (c, Q, M) out
    held_q: np.ndarray,  # (c, Q, M) out
    sold_q: np.ndarray,  # (c, Q, M) out
    queue_q: np.ndarray,  # (c, Q, M) out: owed on orders signed by then, before delivery
    received: np.ndarray,  # (c, H, M) out, added to
    full: bool,
    deliveries: np.ndarray,  # (c, O, M) out if full
    backlog: np.ndarray,  # (c, O, M) out if full
) -> None:
    """First in, first out per supplier.

    Each month a supplier's output (plus what it holds) goes to its open orders in
    signing order; what no order takes is held (or sold elsewhere). Per order the
    deliveries are summed by year and by its delivery end.
    """
    samples, months = production.shape[0], production.shape[2]
    n_q = seller_ptr.shape[0] - 1
    remaining = np.empty(quantity.shape[1])
    for s in range(samples):
        for q in range(n_q):
            for m in range(months):
                total = 0.0
                for j in range(seller_ptr[q], seller_ptr[q + 1]):
                    total += production[s, seller_line[j], m]
                made[s, q, m] = total
        remaining[:] = quantity[s]
        for q in range(n_q):
            held = 0.0
            for m in range(months):
                available = held + made[s, q, m]
                before = 0.0
                given = 0.0
                owed_total = 0.0
                queue = 0.0
                for o in range(order_ptr[q], order_ptr[q + 1]):
                    open_now = remaining[o] if order_open[o] <= m else 0.0
                    d = min(max(available - before, 0.0), open_now)
                    before += open_now
                    remaining[o] -= d
                    given += d
                    yearly[s, o, year_of[m]] += d
                    if m <= order_end[o]:
                        on_time[s, o] += d
                    if order_holder[o] >= 0:
                        received[s, order_holder[o], m] += d
                    owed = remaining[o] if order_signed[o] <= m else 0.0
                    owed_total += owed
                    queue += owed + (d if order_signed[o] <= m else 0.0)
                    if full:
                        deliveries[s, o, m] = d
                        backlog[s, o, m] = owed
                left = available - given
                held = left if seller_keeps[q] else 0.0
                sold_q[s, q, m] = left - held
                delivered_q[s, q, m] = given
                backlog_q[s, q, m] = owed_total
                held_q[s, q, m] = held
                queue_q[s, q, m] = queue


@njit(cache=True, nogil=True)
def lead_times(
    made: np.ndarray,  # (c, Q, M)
    queue: np.ndarray,  # (c, Q, M)
    held: np.ndarray,  # (c, Q, M)
    lead: np.ndarray,  # (c, Q, M) out: months until a new one-round order is delivered
) -> None:
    """Months until a one-round order placed in month t would be delivered (NaN: never).

    The first month m >= t in which output from t on, plus what was held at the start
    of t, covers the backlog of orders signed by t plus one round.
    """
    samples, sellers, months = made.shape
    cum = np.empty(months)
    for s in range(samples):
        for q in range(sellers):
            total = 0.0
            for m in range(months):
                total += made[s, q, m]
                cum[m] = total
            for t in range(months):
                target = queue[s, q, t] + 1.0
                if t > 0:
                    target += cum[t - 1] - held[s, q, t - 1]
                target -= 1e-9 * abs(target)  # reached within a relative tolerance
                low, high = t, months
                while low < high:  # the first m with cum[m] >= target (cum never falls)
                    mid = (low + high) // 2
                    if cum[mid] >= target:
                        high = mid
                    else:
                        low = mid + 1
                lead[s, q, t] = float(low - t) if low < months else np.nan


@njit(cache=True, nogil=True)
def stocks(
    received: np.ndarray,  # (c, H, M) deliveries to each holder
    tracked: np.ndarray,  # (M, H) bool: the holder's stock is tracked that month
    start: np.ndarray,  # (H,) month its initial stock arrives
    initial: np.ndarray,  # (c, H)
    consumption: np.ndarray,  # (M, c, H)
    transfers: np.ndarray,  # (M, c, P) planned rounds of each transfer
    sender: np.ndarray,  # (P,)
    recipient: np.ndarray,  # (P,)
    stock: np.ndarray,  # (c, H, M) out
    shortfall: np.ndarray,  # (c, H, M) out
    sent_out: np.ndarray,  # (c, H, M) out
    got_in: np.ndarray,  # (c, H, M) out
) -> None:
    """Deliveries in, transfers out and in, consumption out, per holder and month.

    Transfers are limited to what the sender holds (pro rata); consumption a holder
    cannot cover is a shortfall, never a negative stock.
    """
    samples, holders, months = received.shape
    pairs = sender.shape[0]
    level = np.empty(holders)
    wanted = np.empty(holders)
    sent = np.empty(holders)
    got = np.empty(holders)
    for s in range(samples):
        level[:] = 0.0
        for m in range(months):
            for h in range(holders):
                if not tracked[m, h]:  # before its stock is tracked, nothing counts
                    received[s, h, m] = 0.0
                level[h] += received[s, h, m]
                if start[h] == m:
                    level[h] += initial[s, h]
            if pairs:
                wanted[:] = 0.0
                sent[:] = 0.0
                got[:] = 0.0
                for p in range(pairs):
                    wanted[sender[p]] += transfers[m, s, p]
                for p in range(pairs):
                    a = sender[p]
                    scale = level[a] / wanted[a] if wanted[a] > level[a] else 1.0
                    actual = transfers[m, s, p] * scale
                    sent[a] += actual
                    got[recipient[p]] += actual
                for h in range(holders):
                    level[h] += got[h] - sent[h]
                    got_in[s, h, m] = got[h]
                    sent_out[s, h, m] = sent[h]
            for h in range(holders):
                level[h] -= consumption[m, s, h]
                shortfall[s, h, m] = max(-level[h], 0.0)
                level[h] = max(level[h], 0.0)
                stock[s, h, m] = level[h]
