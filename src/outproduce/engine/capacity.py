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

How it is computed (``capacity_chunk``, a compiled loop in ``kernels.py``): a step only
touches the months where its ramp rises (increment x ramp); from the month its ramp
reaches 1 its whole increment joins the line's running level, added once per month.
Growth after the last step is exp(g x 16q) x exp(g x r) for the j = 16q + r-th month.
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


@dataclass(frozen=True)
class _Plan:
    """What every chunk shares: each line's steps (as CSR arrays) and fixed ramp lengths."""

    line_steps: np.ndarray  # (L + 1,) pointers: steps of line l are step_order[p[l]:p[l+1]]
    step_order: np.ndarray  # (K,)
    varying: np.ndarray  # (L,) bool: the line's ramp length is uncertain
    fixed_n: np.ndarray  # (K,) ramp length in months where it is not uncertain


def _plan(d: CapacityDraws) -> _Plan:
    lines = len(d.line_ids)
    varying = np.ptp(d.ramp_factor, axis=0) > 0 if d.samples else np.zeros(lines, bool)
    fixed_n = np.maximum(np.rint(d.step_months * d.ramp_factor[0, d.step_line]), 1).astype(int)
    order = np.argsort(d.step_line, kind="stable")
    pointers = np.searchsorted(d.step_line[order], np.arange(lines + 1), side="left")
    return _Plan(
        line_steps=pointers.astype(np.int64),
        step_order=order.astype(np.int64),
        varying=varying,
        fixed_n=fixed_n.astype(np.int64),
    )


@dataclass
class Keep:
    """Lines whose capacity is their production, and where to reduce them at once."""

    kept: np.ndarray  # (L,) bool
    year_start: np.ndarray  # (Y + 1,)
    group_ptr: np.ndarray
    line_groups: np.ndarray
    weighted: np.ndarray
    weights: np.ndarray  # (c, L) of the chunk
    yearly: np.ndarray  # (c, L, Y) of the chunk
    groups: np.ndarray  # (c, G, M) of the chunk
    bound: np.ndarray  # (L,) position among lines an input can bind (-1: none)
    bound_yearly: np.ndarray  # (c, B, Y) of the chunk: their capacity per year
    written: np.ndarray  # (L,) bool: a later pass reads the line's capacity


def capacity_chunk(
    d: CapacityDraws, rows: slice, out: np.ndarray, keep: Keep | None = None
) -> np.ndarray:
    """Capacity of samples ``rows`` written into ``out`` (sample, line, month).

    Line by line and step by step for each sample, in a fixed order (so a sample's
    numbers never depend on the chunk it is in), by the compiled loop
    ``kernels.capacity_lines``: a step adds ``increment x ramp`` over the months its
    ramp rises and its whole increment from the month the ramp reaches 1. ``keep``
    reduces the lines whose capacity is their production as they are computed.
    """
    from outproduce.engine.kernels import capacity_lines

    if keep is None:
        none = np.zeros(0, dtype=np.int64)
        keep = Keep(
            kept=np.zeros(len(d.line_ids), dtype=bool),
            year_start=none,
            group_ptr=none,
            line_groups=none,
            weighted=np.zeros(0, dtype=bool),
            weights=np.zeros((0, 0)),
            yearly=np.zeros((0, 0, 0)),
            groups=np.zeros((0, 0, 0)),
            bound=np.full(len(d.line_ids), -1, dtype=np.int64),
            bound_yearly=np.zeros((0, 0, 0)),
            written=np.ones(len(d.line_ids), dtype=bool),
        )

    plan = d.plan
    delta = d.delta[rows] * np.where(d.step_target[None, :], d.attainment[rows, None], 1.0)
    growth = d.growth[rows]
    dead = growth <= -1  # -100%: nothing after the last step
    monthly = np.log1p(np.where(dead, 0.0, growth)) / 12.0
    capacity_lines(
        np.ascontiguousarray(delta),
        plan.line_steps,
        plan.step_order,
        d.step_start,
        d.step_months,
        d.step_target,
        d.step_logistic,
        plan.fixed_n,
        plan.varying,
        np.ascontiguousarray(d.ramp_factor[rows]),
        d.slip[rows].astype(np.int64),
        monthly,
        np.any(d.growth != 0, axis=0),
        dead,
        out,
        keep.kept,
        keep.year_start,
        keep.group_ptr,
        keep.line_groups,
        keep.weighted,
        keep.weights,
        keep.yearly,
        keep.groups,
        keep.bound,
        keep.bound_yearly,
        keep.written,
    )
    return out


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
