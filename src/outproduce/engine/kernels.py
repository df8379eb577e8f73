"""Compiled loops (numba) for capacity, the input pass and what a run keeps of them.

The order book, lead times and stocks are in ``order_kernels.py``. These are loops
over samples, lines and months that numpy can only express with many temporaries;
here they are plain loops, compiled once (``cache=True`` keeps the machine code beside
the source) and run without the interpreter lock, so the engine's worker threads run
them side by side.
They compute the same model as ``capacity.py``'s docstring and ``passes.py``'s input
pass; the pure-Python reference (``tests/reference_model.py``) stays the judge (to
1e-9), and every sample is computed on its own, so chunking changes no number.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from outproduce.engine.capacity import LOGISTIC_STEEPNESS, NOISE

_K = LOGISTIC_STEEPNESS
_LOW = 1.0 / (1.0 + math.exp(_K / 2))
_HIGH = 1.0 / (1.0 + math.exp(-_K / 2))


@njit(cache=True, nogil=True, inline="always")
def _shape(x: float, logistic: bool) -> float:
    if not logistic:
        return x
    return (1.0 / (1.0 + math.exp(-_K * (x - 0.5))) - _LOW) / (_HIGH - _LOW)


@njit(cache=True, nogil=True, inline="always")
def _yearly(row: np.ndarray, year_start: np.ndarray, out: np.ndarray) -> None:
    """Sums of ``row`` over each year's months into ``out``, each year's months in order."""
    years = out.shape[0]
    whole = year_start[0] == 0
    for y in range(years):
        whole = whole and year_start[y + 1] - year_start[y] == 12
    if whole:  # a fixed count the compiler unrolls
        for y in range(years):
            total = 0.0
            for k in range(12):
                total += row[12 * y + k]
            out[y] = total
        return
    for y in range(years):
        total = 0.0
        for m in range(year_start[y], year_start[y + 1]):
            total += row[m]
        out[y] = total


@njit(cache=True, nogil=True, inline="always")
def _keep_row(
    row: np.ndarray,  # (M,) one sample's production of one line
    s: int,
    line: int,
    year_start: np.ndarray,  # (Y + 1,) first month of each year, then the month count
    group_ptr: np.ndarray,
    line_groups: np.ndarray,
    weighted: np.ndarray,
    weights: np.ndarray,
    yearly: np.ndarray,  # (c, L, Y) out
    groups: np.ndarray,  # (c, G, M) out, added to
) -> None:
    """What a run keeps of one row of production: its yearly sums and its groups' sums."""
    _yearly(row, year_start, yearly[s, line])
    for j in range(group_ptr[line], group_ptr[line + 1]):
        g = line_groups[j]
        if weighted[g]:
            w = weights[s, line]
            for m in range(row.shape[0]):
                groups[s, g, m] += row[m] * w
        else:
            for m in range(row.shape[0]):
                groups[s, g, m] += row[m]


@njit(cache=True, nogil=True)
def capacity_lines(
    delta: np.ndarray,  # (c, K) increments, attainment applied
    line_steps: np.ndarray,  # (L + 1,) CSR pointers into step_order
    step_order: np.ndarray,  # (K,) steps of each line, in order
    step_start: np.ndarray,  # (K,)
    step_months: np.ndarray,  # (K,)
    step_target: np.ndarray,  # (K,) bool
    step_logistic: np.ndarray,  # (K,) bool
    fixed_n: np.ndarray,  # (K,) ramp months where the line's ramp length is certain
    varying: np.ndarray,  # (L,) bool
    ramp_factor: np.ndarray,  # (c, L)
    slip: np.ndarray,  # (c,) int
    monthly: np.ndarray,  # (c, L) log(1 + yearly growth) / 12
    grows: np.ndarray,  # (L,) bool
    dead: np.ndarray,  # (c, L) bool: -100%, nothing after the last step
    out: np.ndarray,  # (c, L_total, M): the first L lines are written
    kept: np.ndarray,  # (L,) bool: the rate is the line's production (reduce it here)
    year_start: np.ndarray,
    group_ptr: np.ndarray,
    line_groups: np.ndarray,
    weighted: np.ndarray,
    weights: np.ndarray,
    yearly: np.ndarray,
    groups: np.ndarray,
    bound: np.ndarray,  # (L,) position among the lines an input can bind, -1: none
    bound_yearly: np.ndarray,  # (c, B, Y) out: their capacity per year
    written: np.ndarray,  # (L,) bool: a later pass reads the line's row of ``out``
) -> None:
    """Monthly rate of every line for every sample of the chunk (see ``capacity.py``).

    Where nothing changes a line's rate after this (no outage, no input that can bind
    it), it is its production: what the run keeps of it is reduced here, while the row
    is in cache (``_keep_row``), and ``reduce_lines`` skips it; its row of ``out`` is
    written only if a later pass reads it (``written``: a supplier's line, a full run).
    """
    samples, months = out.shape[0], out.shape[2]
    lines = line_steps.shape[0] - 1
    row = np.empty(months)  # one line of one sample, in cache; written out once
    fine = np.empty(16)
    for s in range(samples):
        for line in range(lines):
            row[:] = 0.0
            last = -(10**9)
            falling = False
            spread = 0.0
            for j in range(line_steps[line], line_steps[line + 1]):
                k = step_order[j]
                d = delta[s, k]
                if d < 0:
                    falling = True
                spread += abs(d)
                if varying[line]:
                    n = max(1.0, np.rint(step_months[k] * ramp_factor[s, line]))
                else:
                    n = float(fixed_n[k])
                first = step_start[k] + (slip[s] if step_target[k] else 0)
                full = first + int(n) - 1  # the month the ramp reaches 1
                for m in range(max(first, 0), min(full, months)):
                    row[m] += d * _shape((m - first + 1) / n, step_logistic[k])
                for m in range(max(full, 0), months):  # the whole increment from then on
                    row[m] += d
                if full > last:
                    last = full
            # From the month after the last step the rate changes by the growth draw:
            # exp(mu x 16)^q x exp(mu)^r for month j = 16q + r after it (0 if -100%).
            if grows[line]:
                after = min(max(last + 1, 0), months)
                if dead[s, line]:
                    row[after:] = 0.0
                else:
                    # Two exponentials per line and sample, then products: exp is the
                    # costly part (powers by repeated products drift < 30 ulp).
                    mu = monthly[s, line]
                    step, block = math.exp(mu), math.exp(16.0 * mu)
                    fine[0] = 1.0
                    for r in range(1, 16):
                        fine[r] = fine[r - 1] * step
                    j = after - last  # months after the last step at the first month
                    power = 1.0
                    for _ in range(j // 16):
                        power *= block
                    m, r = after, j % 16
                    while m < months and r < 16:  # the rest of the first block of 16
                        row[m] *= power * fine[r]
                        m += 1
                        r += 1
                    power *= block
                    while m + 16 <= months:  # whole blocks
                        for r in range(16):
                            row[m + r] *= power * fine[r]
                        m += 16
                        power *= block
                    for r in range(months - m):
                        row[m + r] *= power * fine[r]
            if falling:  # a line that steps down to zero is zero, not float noise
                noise = NOISE * spread
                for m in range(months):
                    if row[m] < noise:
                        row[m] = 0.0
            if written[line]:
                out[s, line, :] = row
            rate = row
            if bound[line] >= 0:  # its capacity per year, before the input pass
                _yearly(rate, year_start, bound_yearly[s, bound[line]])
            if kept[line]:
                _keep_row(
                    rate,
                    s,
                    line,
                    year_start,
                    group_ptr,
                    line_groups,
                    weighted,
                    weights,
                    yearly,
                    groups,
                )


@njit(cache=True, nogil=True)
def input_pass(
    production: np.ndarray,  # (c, L, M): capacity on entry, output on exit
    binding: np.ndarray,  # (c, L, M) int8: material index (-1: none), active lines written
    pool_stock: np.ndarray,  # (c, P, I, M): constrained cells written
    active: np.ndarray,  # (A,) lines in pools where some material is constrained
    pool_of: np.ndarray,  # (A,) index into pools
    makes: np.ndarray,  # (A,) index into materials of what the line makes, -1: rounds
    is_round: np.ndarray,  # (A,) bool
    pools: np.ndarray,  # (P',) global pool index of each pool taking part
    materials: np.ndarray,  # (I',) global material index of each material taking part
    need: np.ndarray,  # (c, I') material per finished round
    constrained: np.ndarray,  # (P', I') bool
    initial: np.ndarray,  # (P', I') stock at the start
) -> None:
    """Output = capacity x the smallest pro-rata share of any constrained material.

    Per sample and month: input lines add their output to their pool; every round line
    of a pool asks ``capacity x need``; where the pool holds less than asked, each line
    gets the same share; a line's output is its capacity times its smallest share, and
    the material with that share (if below 1) is its binding input.
    """
    samples, months = production.shape[0], production.shape[2]
    n_p, n_i = constrained.shape
    n_a = active.shape[0]
    pool = np.empty((n_p, n_i))
    share = np.empty((n_p, n_i))
    asked = np.empty(n_p)
    made = np.empty(n_p)
    for s in range(samples):
        pool[:, :] = initial
        for m in range(months):
            asked[:] = 0.0
            for a in range(n_a):
                now = production[s, active[a], m]
                if makes[a] >= 0:
                    pool[pool_of[a], makes[a]] += now
                elif is_round[a]:
                    asked[pool_of[a]] += now
            for p in range(n_p):
                for i in range(n_i):
                    request = asked[p] * need[s, i]
                    if constrained[p, i] and request > pool[p, i]:
                        share[p, i] = pool[p, i] / request
                    else:
                        share[p, i] = 1.0
            made[:] = 0.0
            for a in range(n_a):
                line = active[a]
                binding[s, line, m] = -1
                if not is_round[a]:
                    continue
                p = pool_of[a]
                worst, which = share[p, 0], 0
                for i in range(1, n_i):
                    if share[p, i] < worst:
                        worst, which = share[p, i], i
                out = production[s, line, m] * worst
                production[s, line, m] = out
                made[p] += out
                if worst < 1.0:
                    binding[s, line, m] = materials[which]
            for p in range(n_p):
                for i in range(n_i):
                    left = pool[p, i] - made[p] * need[s, i]
                    pool[p, i] = left if constrained[p, i] and left > 0.0 else 0.0
                    pool_stock[s, pools[p], materials[i], m] = pool[p, i]


@njit(cache=True, nogil=True)
def reduce_lines(
    production: np.ndarray,  # (c, L, M)
    binding: np.ndarray,  # (c, L, M) int8
    lines: np.ndarray,  # lines not yet reduced (``capacity_lines`` kept the others)
    binds: np.ndarray,  # (L,) bool: the line's pool has a constrained material
    year_start: np.ndarray,
    group_ptr: np.ndarray,
    line_groups: np.ndarray,
    weighted: np.ndarray,
    weights: np.ndarray,
    yearly: np.ndarray,  # (c, L, Y) out
    groups: np.ndarray,  # (c, G, M) out, added to
    counts: np.ndarray,  # (L, I + 1, M) out, added to: samples per binding material
) -> None:
    """What a run keeps of the chunk's production for the given lines, in one pass.

    Yearly sums per line, monthly sums per group of lines (lines in order, so the sums
    are the same for any chunk), and the samples each material binds.
    """
    samples, months = production.shape[0], production.shape[2]
    for s in range(samples):
        for line in lines:
            _keep_row(
                production[s, line],
                s,
                line,
                year_start,
                group_ptr,
                line_groups,
                weighted,
                weights,
                yearly,
                groups,
            )
            if binds[line]:
                for m in range(months):
                    counts[line, binding[s, line, m] + 1, m] += 1
