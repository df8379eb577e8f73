"""Monthly capacity of every line, vectorised over samples, lines and months.

A line's rate is the sum of its steps' increments, each ramping from its first-output
month to its full-rate month:

    rate[s, l, m] = util[s, l] * growth[s, l, m] * sum_k delta[s, k] * ramp[s, k, m]
    ramp[s, k, m] = shape(clip((m - a[s, k] + 1) / n[s, k], 0, 1))
    a[s, k] = first_output_k + slip[s] * target_k
    n[s, k] = max(1, round(ramp_months_k * ramp_factor[s, l]))

``delta`` is the step's level minus the previous step's level (per month); target
steps have their increment scaled by the attainment draw. After a line's last
full-rate month its rate changes by the yearly ``growth_after_last_step`` draw,
compounded monthly.

Why the double cumulative sum: a linear ramp's second difference is +1/n at ``a``
and -1/n at ``a + n``, so scattering two numbers per step and summing twice over
months builds every ramp in O(sample x line x month), not O(sample x step x month).
A logistic ramp adds its (small, windowed) difference from the linear one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from outproduce.engine.sampling import uniforms
from outproduce.engine.timegrid import month_grid, month_offset
from outproduce.scenario.model import Scenario
from outproduce.scenario.uncertain import ppf

#: Samples computed at once; bounds memory at about CHUNK x lines x months floats.
CHUNK = 1024
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
    delta: np.ndarray  # (S, K) increment of the rate, units per month
    attainment: np.ndarray  # (S,) share of target increments achieved
    slip: np.ndarray  # (S,) months of delay of target steps (integer)
    ramp_factor: np.ndarray  # (S, L) multiplier on every ramp length of the line
    utilisation: np.ndarray  # (S, L) capacity-to-output factor (1 for output/transfer lines)
    growth: np.ndarray  # (S, L) yearly change after the line's last step
    months: int

    @property
    def samples(self) -> int:
        """Number of samples drawn."""
        return int(self.delta.shape[0])


def draw_capacity_inputs(scenario: Scenario, samples: int, seed: int) -> CapacityDraws:
    """Draw every uncertain capacity input for ``samples`` samples from ``seed``.

    All steps of one line share one uniform draw (comonotone), so a line whose
    sources run high runs high at every step instead of zig-zagging between them.
    The system-wide assumptions (utilisation, attainment, slip) are one draw per
    sample for all lines: they stand for common causes, not plant-by-plant noise.
    """
    assumptions = scenario.assumptions
    line_ids = list(scenario.lines)
    attainment = ppf(
        assumptions.target_attainment, uniforms(seed, "assumption:target_attainment", samples)
    )
    slip = np.rint(
        ppf(
            assumptions.target_slip_months, uniforms(seed, "assumption:target_slip_months", samples)
        )
    )
    common_util = ppf(assumptions.utilisation, uniforms(seed, "assumption:utilisation", samples))

    step_line, step_start, step_months, step_target, step_logistic, deltas = [], [], [], [], [], []
    utilisation = np.ones((samples, len(line_ids)))
    growth = np.zeros((samples, len(line_ids)))
    ramp_factor = np.ones((samples, len(line_ids)))
    for index, line_id in enumerate(line_ids):
        line = scenario.lines[line_id]
        u_rate = uniforms(seed, f"line:{line_id}:rate", samples)
        previous = np.zeros(samples)
        for step in line.steps:
            level = np.maximum(ppf(step.rate, u_rate), 0.0) * step.per_year() / 12.0
            deltas.append(level - previous)
            previous = level
            first = month_offset(step.first_output, scenario.horizon)
            step_line.append(index)
            step_start.append(first)
            step_months.append(month_offset(step.full_rate, scenario.horizon) - first + 1)
            step_target.append(step.kind == "target")
            step_logistic.append(line.ramp_shape == "logistic")
        if line.utilisation is not None:
            utilisation[:, index] = ppf(
                line.utilisation, uniforms(seed, f"line:{line_id}:utilisation", samples)
            )
        elif line.measure == "capacity":
            utilisation[:, index] = common_util
        if line.growth_after_last_step is not None:
            growth[:, index] = ppf(
                line.growth_after_last_step, uniforms(seed, f"line:{line_id}:growth", samples)
            )
        if line.ramp_length_factor != 1:
            ramp_factor[:, index] = ppf(
                line.ramp_length_factor, uniforms(seed, f"line:{line_id}:ramp", samples)
            )
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
        utilisation=utilisation,
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


def _padded(steps_of_line: list[np.ndarray]) -> np.ndarray:
    """(L, Kmax) step indices per line, -1 where a line has fewer steps."""
    width = max((len(k) for k in steps_of_line), default=0)
    table = np.full((len(steps_of_line), max(width, 1)), -1, dtype=int)
    for line, steps in enumerate(steps_of_line):
        table[line, : len(steps)] = steps
    return table


def _batched(
    delta: np.ndarray, table: np.ndarray, ramps: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """sum_k delta[s, k] ramps[k, m] per line: (s, L, M), written into ``out`` if given."""
    valid = table >= 0
    d = np.where(valid[None], delta[:, np.maximum(table, 0)], 0.0)  # (s, L, Kmax)
    r = np.where(valid[:, :, None], ramps[np.maximum(table, 0)], 0.0)  # (L, Kmax, M)
    # einsum's own loop sums over k in a fixed order for every element, so results do not
    # depend on how samples are chunked (a BLAS product may block, and round, differently).
    return np.einsum("slk,lkm->slm", d, r, optimize=False, out=out)


def capacity_chunk(d: CapacityDraws, rows: slice, out: np.ndarray) -> np.ndarray:
    """Capacity of samples ``rows`` written into ``out`` (sample, line, month).

    Steps whose timing is the same in every sample (not a target, fixed ramp length)
    form one ramp matrix; target steps get one ramp matrix per slip value (slip is one
    draw per sample, so samples group by it); lines with an uncertain ramp length are
    evaluated sample by sample in closed form.
    """
    lines, months = len(d.line_ids), d.months
    slip = d.slip[rows].astype(int)
    # Utilisation scales every increment of its line: folding it in here saves a pass.
    delta = d.delta[rows] * np.where(d.step_target[None, :], d.attainment[rows, None], 1.0)
    delta *= d.utilisation[rows][:, d.step_line]
    factor = d.ramp_factor[rows]
    varying = np.ptp(d.ramp_factor, axis=0) > 0 if d.samples else np.zeros(lines, bool)
    fixed_n = np.maximum(np.rint(d.step_months * d.ramp_factor[0, d.step_line]), 1)
    by_line = [np.flatnonzero(d.step_line == line) for line in range(lines)]
    plain = [k[~d.step_target[k] & ~varying[line]] for line, k in enumerate(by_line)]
    target = [k[d.step_target[k] & ~varying[line]] for line, k in enumerate(by_line)]
    _batched(
        delta, _padded(plain), _ramp_matrix(d.step_start, fixed_n, d.step_logistic, months), out=out
    )
    with_target = np.flatnonzero([len(k) > 0 for k in target])
    if with_target.size:
        table = _padded([target[line] for line in with_target])
        for value in np.unique(slip):
            group = np.flatnonzero(slip == value)
            ramps = _ramp_matrix(d.step_start + value, fixed_n, d.step_logistic, months)
            out[np.ix_(group, with_target)] += _batched(delta[group], table, ramps)
    m = np.arange(months)
    for line in np.flatnonzero(varying):
        for k in by_line[line]:
            first = d.step_start[k] + slip * d.step_target[k]
            n = np.maximum(np.rint(d.step_months[k] * factor[:, line]), 1)
            x = np.clip((m[None, :] - first[:, None] + 1) / n[:, None], 0.0, 1.0)
            out[:, line] += delta[:, k, None] * (logistic_shape(x) if d.step_logistic[k] else x)
    for line in np.flatnonzero(np.any(d.growth[rows] != 0, axis=0)):
        _grow_after_last_step(d, rows, line, by_line[line], slip, fixed_n, out)
    if (delta < 0).any():  # a falling step (or attainment above 1) could undershoot zero
        np.maximum(out, 0.0, out=out)
    return out


def _grow_after_last_step(
    d: CapacityDraws,
    rows: slice,
    line: int,
    steps: np.ndarray,
    slip: np.ndarray,
    fixed_n: np.ndarray,
    out: np.ndarray,
) -> None:
    """Multiply a line's rate after its last full-rate month by (1 + g) ** (months / 12)."""
    last = np.full(rows.stop - rows.start, -(10**9))
    for k in steps:
        if np.ptp(d.ramp_factor[:, line]) > 0:
            n = np.maximum(np.rint(d.step_months[k] * d.ramp_factor[rows, line]), 1)
        else:
            n = fixed_n[k]
        last = np.maximum(last, d.step_start[k] + slip * d.step_target[k] + n - 1)
    growth = d.growth[rows, line]
    if (growth <= -1).any():  # -100%: nothing after the last step
        years = np.maximum(np.arange(d.months)[None, :] - last[:, None], 0) / 12.0
        out[:, line] *= np.where(years == 0, 1.0, (1.0 + growth[:, None]) ** years)
        return
    rate = np.log1p(growth) / 12.0
    if np.ptp(last) == 0:  # the same last month in every sample: one outer product
        months_after = np.maximum(np.arange(d.months) - last[0], 0)
        out[:, line] *= np.exp(np.multiply.outer(rate, months_after))
    else:
        months_after = np.maximum(np.arange(d.months)[None, :] - last[:, None], 0)
        out[:, line] *= np.exp(rate[:, None] * months_after)


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
