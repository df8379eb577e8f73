"""What a contract costs for its size: the unit price falls with the order (volume curve).

One rule for every budget contract, national or pooled. A contract of ``q`` rounds
costs ``C(q)``, a piecewise-linear curve through the doublings of a reference size
``q_ref`` (the contract size the published price was paid for): at ``q_ref * 2**k`` the
unit price is ``price * ratio**k``, so each doubling of a contract cuts its unit price
by ``1 - ratio`` (lot learning and fixed costs spread over more rounds). The curve is
only assumed over the published contract sizes, ``q_ref / 8`` to ``q_ref * 16``; below
and above, the unit price stays at the end's. ``ratio = 1`` is the flat price.

The unit price never rises with the size (within a segment ``C(q)/q`` falls, and it is
flat outside), so ``C(a + b) <= C(a) + C(b)``: a pooled contract never costs more than
its members' national ones. Why: see ``data/NOTES.md`` ("Volume prices").
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

#: The doublings of the reference size the curve is assumed over (q_ref/8 .. q_ref*16).
LOWEST, HIGHEST = -3, 4


def contract_cost(
    quantity: ArrayLike, price: ArrayLike, ratio: ArrayLike, reference: ArrayLike
) -> np.ndarray:
    """USD a contract of ``quantity`` rounds costs (arrays broadcast together)."""
    x = np.asarray(quantity, dtype=float) / reference
    ratio = np.asarray(ratio, dtype=float)
    inside = np.clip(x, 2.0**LOWEST, 2.0**HIGHEST)
    k = np.clip(np.floor(np.log2(inside)), LOWEST, HIGHEST - 1)
    # cost / (price * reference) on the segment from 2**k: (2 ratio)**k + slope * (x - 2**k)
    on_curve = (2 * ratio) ** k + ratio**k * (2 * ratio - 1) * (inside - 2.0**k)
    below = x * ratio**LOWEST
    above = x * ratio**HIGHEST
    unit = np.where(x < 2.0**LOWEST, below, np.where(x > 2.0**HIGHEST, above, on_curve))
    return unit * np.asarray(price) * reference


def rounds_for(
    money: ArrayLike, price: ArrayLike, ratio: ArrayLike, reference: ArrayLike
) -> np.ndarray:
    """Rounds a contract of ``money`` USD buys: the inverse of ``contract_cost``."""
    ratio = np.asarray(ratio, dtype=float)
    x = np.asarray(money, dtype=float) / (np.asarray(price) * reference)
    low, high = (2 * ratio) ** LOWEST, (2 * ratio) ** HIGHEST
    inside = np.clip(x, low, high)
    k = np.floor(np.log(inside) / np.log(2 * ratio) + 1e-12)
    k = np.clip(k, LOWEST, HIGHEST - 1)
    on_curve = 2.0**k + (inside - (2 * ratio) ** k) / (ratio**k * (2 * ratio - 1))
    size = np.where(x < low, x / ratio**LOWEST, np.where(x > high, x / ratio**HIGHEST, on_curve))
    return size * reference


def budget_rounds(
    money: np.ndarray,
    price: np.ndarray,
    pooled: np.ndarray,
    discount: np.ndarray,
    ratio: np.ndarray,
    reference: float,
    contract_years: int,
) -> np.ndarray:
    """(sample, ally, year) rounds each ally's money buys, priced at its contract's size.

    ``money`` (S, A, Y) USD; ``price`` (S, Y) the reference contract's unit price;
    ``pooled`` (A,) the allies that sign one joint contract (their money summed);
    ``discount`` (S,) a pooled contract's saving beyond the curve; ``ratio`` (S,). A
    contract covers ``contract_years`` years of its buyer's money, so its size (and its
    price) is that many years of rounds. A pool's rounds go to its members in proportion
    to their money.
    """
    pooled_money = np.where(pooled[None, :, None], money, 0.0).sum(axis=1, keepdims=True)
    buyer_money = np.where(pooled[None, :, None], pooled_money, money)
    extra = np.where(pooled[None, :], 1.0 / (1.0 - discount[:, None]), 1.0)[:, :, None]
    bought = (
        rounds_for(
            contract_years * buyer_money * extra,
            price[:, None, :],
            ratio[:, None, None],
            reference,
        )
        / contract_years
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(buyer_money > 0, money / buyer_money, 0.0)
    return bought * share
