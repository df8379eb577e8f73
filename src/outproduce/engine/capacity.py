"""Monthly capacity of every line, vectorised over samples, lines and months.

A line's rate is the sum of its steps' increments, each ramping from its first-output
month to its full-rate month:

    rate[s, l, m] = growth[s, l, m] * sum_k delta[s, k] * ramp[s, k, m]
    ramp[s, k, m] = shape(clip((m - a[s, k] + 1) / n[s, k], 0, 1))
    a[s, k] = first_output_k + slip[s] * target_k
    n[s, k] = max(1, round(ramp_months_k * ramp_factor[s, l]))

``delta`` is the step's level minus the previous step's level (per month), each level
times the utilisation draw where the step states a capacity, and times the line's
counted share; target steps have their increment scaled by the attainment draw. After a line's last
full-rate month its rate changes by the yearly ``growth_after_last_step`` draw,
compounded monthly.

How it is computed (see ``capacity_chunk``): a step only touches the months where its
ramp rises (increment x ramp) and, from the month its ramp reaches 1, the line's
running level is added once per segment. Ramps are tabulated once per run; a target
step's ramp is tabulated for every slip value and looked up per sample. Each line is
summed in a cache-sized buffer and written once, so the cost is close to one write
of the (sample x line x month) array.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from outproduce.engine.inputs import InputTable
from outproduce.engine.timegrid import month_grid, month_offset
from outproduce.scenario.model import Scenario
from outproduce.scenario.uncertain import _Uncertain, ppf

#: Samples computed at once; bounds memory at about CHUNK x lines x months floats.
CHUNK = 1024
#: A rate below this share of the sum of a line's absolute increments is zero.
NOISE = 1e-9
#: Steepness of the logistic ramp (normalised to run exactly from 0 to 1).
LOGISTIC_STEEPNESS = 10.0


@dataclass(frozen=True)
class CapacityDraws:
    """Every sampled input of the capacity model, drawn once for all samples."""

    line_ids: list[str]
    step_line: np.ndarray  # (K,) line index of each step
    step_start: np.ndarray  # (K,) first-output month index on the grid (may be < 0)
    step_months: np.ndarray  # (K,) published months from first output to full rate, inclusive
    step_target: np.ndarray  # (K,) bool: a target step (attainment and slip apply)
    step_logistic: np.ndarray  # (K,) bool: logistic rather than linear ramp
    delta: np.ndarray  # (S, K) increment of the rate after utilisation, units per month
    attainment: np.ndarray  # (S,) share of target increments achieved
    slip: np.ndarray  # (S,) months of delay of target steps (integer)
    ramp_factor: np.ndarray  # (S, L) multiplier on every ramp length of the line
    growth: np.ndarray  # (S, L) yearly change after the line's last step
    months: int

    @property
    def samples(self) -> int:
        """Number of samples drawn."""
        return int(self.delta.shape[0])

    @cached_property
    def plan(self) -> _Plan:
        """Ramp tables shared by every chunk, built on first use."""
        return _plan(self)


def draw_capacity_inputs(scenario: Scenario, table: InputTable) -> CapacityDraws:
    """Draw every uncertain capacity input for the table's samples (see ``InputTable``).

    All steps of one line share one uniform draw (comonotone), so a line whose
    sources run high runs high at every step instead of zig-zagging between them.
    The system-wide assumptions (utilisation, attainment, slip) are one draw per
    sample for all lines: they stand for common causes, not plant-by-plant noise.
    """
    assumptions = scenario.assumptions
    samples = table.samples
    line_ids = list(scenario.lines)
    attainment = table.draw("assumption:target_attainment", assumptions.target_attainment)
    slip = np.rint(table.draw("assumption:target_slip_months", assumptions.target_slip_months))
    common_util = table.draw("assumption:utilisation", assumptions.utilisation)

    step_line, step_start, step_months, step_target, step_logistic, deltas = [], [], [], [], [], []
    growth = np.zeros((samples, len(line_ids)))
    ramp_factor = np.ones((samples, len(line_ids)))
    for index, line_id in enumerate(line_ids):
        line = scenario.lines[line_id]
        utilisation = (
            common_util
            if line.utilisation is None
            else table.draw(f"line:{line_id}:utilisation", line.utilisation)
        )
        counted = (
            1.0
            if line.counted_share is None
            else table.draw(f"line:{line_id}:counted", line.counted_share)
        )
        # One uniform for every step's rate; the table shows the last step's rate.
        rate_name = f"line:{line_id}:rate"
        uncertain = any(isinstance(step.rate, _Uncertain) for step in line.steps)
        u_rate = table.u(rate_name) if uncertain else np.full(samples, 0.5)
        previous = np.zeros(samples)
        for step in line.steps:
            # Utilisation turns a stated capacity into output; stated output is counted
            # as it is. Scaling levels (not increments) keeps a line that mixes both right.
            factor = utilisation if (step.measure or line.measure) == "capacity" else 1.0
            rate = np.maximum(ppf(step.rate, u_rate), 0.0)
            level = rate * step.per_year() / 12.0
            level = level * factor * counted
            deltas.append(level - previous)
            previous = level
            first = month_offset(step.first_output, scenario.horizon)
            step_line.append(index)
            step_start.append(first)
            step_months.append(month_offset(step.full_rate, scenario.horizon) - first + 1)
            step_target.append(step.kind == "target")
            step_logistic.append(line.ramp_shape == "logistic")
            if uncertain:
                table.record(rate_name, rate)
        continuation = line.growth_after_last_step
        if continuation is None:  # a line's own 0 (hold flat) is kept, not replaced
            continuation = assumptions.growth_after_last_step
        if continuation is not None:
            growth[:, index] = table.draw(f"line:{line_id}:growth", continuation)
        if line.ramp_length_factor != 1:
            ramp_factor[:, index] = table.draw(f"line:{line_id}:ramp", line.ramp_length_factor)
    return CapacityDraws(
        line_ids=line_ids,
        step_line=np.array(step_line, dtype=int),
        step_start=np.array(step_start, dtype=int),
        step_months=np.array(step_months, dtype=int),
        step_target=np.array(step_target, dtype=bool),
        step_logistic=np.array(step_logistic, dtype=bool),
        delta=np.stack(deltas, axis=1) if deltas else np.zeros((samples, 0)),
        attainment=attainment,
        slip=slip,
        ramp_factor=ramp_factor,
        growth=np.maximum(growth, -1.0),
        months=len(month_grid(scenario.horizon)),
    )


def logistic_shape(x: np.ndarray) -> np.ndarray:
    """S-curve from 0 at x = 0 to 1 at x = 1 (a logistic, rescaled to hit both ends)."""
    k = LOGISTIC_STEEPNESS
    low, high = 1 / (1 + np.exp(k / 2)), 1 / (1 + np.exp(-k / 2))
    return (1 / (1 + np.exp(-k * (x - 0.5))) - low) / (high - low)


def _ramp_matrix(
    start: np.ndarray, months: np.ndarray, logistic: np.ndarray, n_months: int
) -> np.ndarray:
    """Ramp of each step over the grid, (K, M): 0 before first output, 1 from full rate."""
    m = np.arange(n_months)[None, :]
    x = np.clip((m - start[:, None] + 1) / months[:, None], 0.0, 1.0)
    return np.where(logistic[:, None], logistic_shape(x), x)


@dataclass(frozen=True)
class _Plan:
    """What every chunk shares: when each step's ramp rises, and the ramp itself.

    A step adds ``increment x ramp`` over the months where its ramp rises, and its bare
    increment from the month the ramp reaches 1 ("tail"). A target step's ramp depends
    on the sample's slip: ``shifted[k][j]`` is its ramp delayed by ``slip_low + j``
    months, looked up per sample instead of recomputed. Tails are sorted by start so a
    line adds its running level once per segment instead of once per step.
    """

    lines: list[np.ndarray]  # step indices of each line
    varying: np.ndarray  # (L,) bool: the line's ramp length is uncertain
    fixed_n: np.ndarray  # (K,) ramp length in months where it is not uncertain
    rises: list[list[tuple[int, int, int, np.ndarray]]]  # per line: (step, from, to, ramp)
    tails: list[list[tuple[int, int]]]  # per line: (step, month the ramp is 1), sorted
    slip_low: int
    slip_high: int


def _plan(d: CapacityDraws) -> _Plan:
    lines, months = len(d.line_ids), d.months
    varying = np.ptp(d.ramp_factor, axis=0) > 0 if d.samples else np.zeros(lines, bool)
    fixed_n = np.maximum(np.rint(d.step_months * d.ramp_factor[0, d.step_line]), 1).astype(int)
    target = np.flatnonzero(d.step_target & ~varying[d.step_line])
    # A delay beyond these bounds leaves every target ramp all-0 or all-1 on the grid.
    low = int(np.min(-d.step_start[target] - fixed_n[target], initial=0))
    high = int(np.max(months - d.step_start[target], initial=0))
    slips = np.arange(low, high + 1)
    by_line = [np.flatnonzero(d.step_line == line) for line in range(lines)]
    rises: list[list[tuple[int, int, int, np.ndarray]]] = [[] for _ in range(lines)]
    tails: list[list[tuple[int, int]]] = [[] for _ in range(lines)]
    for line in np.flatnonzero(~varying):
        for k in by_line[line]:
            starts = d.step_start[k] + (slips if d.step_target[k] else np.zeros(1, int))
            ramp = _ramp_matrix(
                starts,
                np.full(starts.size, fixed_n[k]),
                np.full(starts.size, d.step_logistic[k]),
                months,
            )  # (slip values or 1, M)
            nonzero, below_one = (ramp > 0).any(axis=0), (ramp < 1).any(axis=0)
            first = int(np.argmax(nonzero)) if nonzero.any() else months
            full = int(months - np.argmax(below_one[::-1])) if below_one.any() else 0
            if first < full:
                rises[line].append((int(k), first, full, ramp[:, first:full]))
            if full < months:
                tails[line].append((int(k), full))
        tails[line].sort(key=lambda pair: pair[1])
    return _Plan(
        lines=by_line,
        varying=varying,
        fixed_n=fixed_n,
        rises=rises,
        tails=tails,
        slip_low=low,
        slip_high=high,
    )


def capacity_chunk(d: CapacityDraws, rows: slice, out: np.ndarray) -> np.ndarray:
    """Capacity of samples ``rows`` written into ``out`` (sample, line, month).

    Line by line and step by step, in a fixed order (so a sample's numbers never depend
    on the chunk it is in), in a small buffer that stays in cache and is written once.
    A line with an uncertain ramp length is evaluated in closed form per sample.
    """
    plan = d.plan
    months = d.months
    slip = d.slip[rows].astype(int)
    slip_index = np.clip(slip, plan.slip_low, plan.slip_high) - plan.slip_low
    delta = d.delta[rows] * np.where(d.step_target[None, :], d.attainment[rows, None], 1.0)
    m = np.arange(months)
    grows = np.any(d.growth[rows] != 0, axis=0)
    rate = np.empty((rows.stop - rows.start, months))
    for line, steps in enumerate(plan.lines):
        rate[...] = 0.0
        if plan.varying[line]:
            for k in steps:
                first = d.step_start[k] + slip * d.step_target[k]
                n = np.maximum(np.rint(d.step_months[k] * d.ramp_factor[rows, line]), 1)
                x = np.clip((m[None, :] - first[:, None] + 1) / n[:, None], 0.0, 1.0)
                rate += delta[:, k, None] * (logistic_shape(x) if d.step_logistic[k] else x)
        for k, first, full, ramp in plan.rises[line]:
            rate[:, first:full] += delta[:, k, None] * (
                ramp[slip_index] if d.step_target[k] else ramp[0]
            )
        tails = plan.tails[line]
        level = np.zeros(rate.shape[0])
        for i, (k, start) in enumerate(tails):
            level = level + delta[:, k]
            end = tails[i + 1][1] if i + 1 < len(tails) else months
            if end > start:
                rate[:, start:end] += level[:, None]
        if grows[line]:
            _grow_after_last_step(d, rows, line, slip, rate)
        if (delta[:, steps] < 0).any():  # a falling step, or attainment above 1
            # Never below zero, and a line that steps back down to zero is zero: the
            # increments cancel only up to float noise (~1e-17), noise is not output.
            # Per sample: only a sample whose line steps down has such residues.
            falling = (delta[:, steps] < 0).any(axis=1)
            noise = np.where(falling, NOISE * np.abs(delta[:, steps]).sum(axis=1), 0.0)
            rate[rate < noise[:, None]] = 0.0
        out[:, line, :] = rate
    return out


def _grow_after_last_step(
    d: CapacityDraws,
    rows: slice,
    line: int,
    slip: np.ndarray,
    rate: np.ndarray,
) -> None:
    """Grow a line's ``rate`` (sample, month) by (1 + g) ** (years) after its last step."""
    plan = d.plan
    last = np.full(rows.stop - rows.start, -(10**9))
    for k in plan.lines[line]:
        if plan.varying[line]:
            n = np.maximum(np.rint(d.step_months[k] * d.ramp_factor[rows, line]), 1)
        else:
            n = plan.fixed_n[k]
        last = np.maximum(last, d.step_start[k] + slip * d.step_target[k] + n - 1)
    growth = d.growth[rows, line]
    dead = growth <= -1  # -100%: nothing after the last step
    monthly = np.log1p(np.where(dead, 0.0, growth)) / 12.0
    # The same factor exp(monthly x j) for month j after the last step, however the
    # samples are chunked: one table per sample, indexed by months since the last step.
    if np.ptp(last) == 0 and not dead.any():
        after = int(np.clip(last[0] + 1, 0, d.months))
        first = after - int(last[0])
        rate[:, after:] *= _compound(monthly, first + d.months - after)[:, first:]
    else:
        months_after = np.maximum(np.arange(d.months)[None, :] - last[:, None], 0)
        factor = np.take_along_axis(
            _compound(monthly, int(months_after.max()) + 1), months_after, axis=1
        )
        factor[dead[:, None] & (months_after > 0)] = 0.0
        rate *= factor


def _compound(monthly: np.ndarray, count: int) -> np.ndarray:
    """exp(monthly[s] x j) for j = 0 .. count - 1, shape (S, count).

    Written as exp(monthly x 16q) x exp(monthly x r) with j = 16q + r: two small tables
    of exponentials and one product, instead of an exponential per element (the
    exponential is the costly part of growth after the last step).
    """
    blocks = -(-count // 16)
    coarse = np.exp(np.multiply.outer(monthly, 16 * np.arange(blocks)))
    fine = np.exp(np.multiply.outer(monthly, np.arange(16)))
    return (coarse[:, :, None] * fine[:, None, :]).reshape(monthly.size, -1)[:, :count]


def capacity_rates(
    draws: CapacityDraws, chunk: int = CHUNK, rows: slice | None = None
) -> np.ndarray:
    """Monthly rate of every line, shape (sample, line, month), in its own units per month.

    ``rows`` selects a range of samples (default all); it is computed ``chunk`` at a time.
    """
    first, last = (0, draws.samples) if rows is None else (rows.start, rows.stop)
    out = np.empty((last - first, len(draws.line_ids), draws.months))
    for begin in range(first, last, chunk):
        part = slice(begin, min(begin + chunk, last))
        capacity_chunk(draws, part, out[part.start - first : part.stop - first])
    return out
