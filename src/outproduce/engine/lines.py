"""Monthly rates of every line, vectorised over samples, steps and months.

A line's rate is the sum of its steps' increments, each ramping linearly from its
first-output month to its full-rate month:

    rate[s, l, m] = util[s, l] * growth[s, l, m] * sum_k delta[s, k] * ramp[s, k, m]
    ramp[s, k, m] = clip((m - start_k - slip[s, k] + 1) / n_k, 0, 1),  n_k = ramp months

``delta`` is the step's level minus the previous step's level (per month); target
steps have their increment scaled by the attainment draw and their dates shifted by
the slip draw. After a line's last full-rate month its rate changes by the yearly
``growth_after_last_step`` draw, compounded monthly. The only Python loops are over
lines and steps while drawing inputs, never over samples or months.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from outproduce.engine.sampling import uniforms
from outproduce.engine.timegrid import month_grid, month_offset
from outproduce.scenario.model import Scenario
from outproduce.scenario.uncertain import ppf

#: Samples computed at once; bounds memory at about CHUNK x steps x months floats.
CHUNK = 512


@dataclass(frozen=True)
class LineDraws:
    """Every sampled input the line model needs, drawn once for all samples."""

    line_ids: list[str]
    step_line: np.ndarray  # (K,) line index of each step
    step_start: np.ndarray  # (K,) first-output month index on the grid
    step_months: np.ndarray  # (K,) months from first output to full rate, inclusive
    step_target: np.ndarray  # (K,) bool: a target step (attainment and slip apply)
    delta: np.ndarray  # (S, K) increment of the rate, rounds (or tonnes) per month
    attainment: np.ndarray  # (S,) share of target increments achieved
    slip: np.ndarray  # (S,) months of delay of target steps (integer)
    utilisation: np.ndarray  # (S, L) capacity-to-output factor (1 for output/transfer lines)
    growth: np.ndarray  # (S, L) yearly change after the line's last step
    months: int


def draw_line_inputs(scenario: Scenario, samples: int, seed: int) -> LineDraws:
    """Draw every uncertain line input for ``samples`` samples from ``seed``.

    All steps of one line share one uniform draw (comonotone), so a line whose
    sources run high runs high at every step instead of zig-zagging between them.
    The system-wide assumptions (utilisation, attainment, slip) are one draw per
    sample for all lines: they stand for common causes, not plant-by-plant noise.
    """
    assumptions = scenario.assumptions
    grid = month_grid(scenario.horizon)
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

    step_line, step_start, step_months, step_target, deltas = [], [], [], [], []
    utilisation = np.ones((samples, len(line_ids)))
    growth = np.zeros((samples, len(line_ids)))
    for index, line_id in enumerate(line_ids):
        line = scenario.lines[line_id]
        u_rate = uniforms(seed, f"line:{line_id}:rate", samples)
        previous = np.zeros(samples)
        for step in line.steps:
            level = np.maximum(ppf(step.rate, u_rate), 0.0) * step.per_year() / 12.0
            deltas.append(level - previous)
            previous = level
            step_line.append(index)
            step_start.append(month_offset(step.first_output, scenario.horizon))
            step_months.append(
                month_offset(step.full_rate, scenario.horizon)
                - month_offset(step.first_output, scenario.horizon)
                + 1
            )
            step_target.append(step.kind == "target")
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
    return LineDraws(
        line_ids=line_ids,
        step_line=np.array(step_line, dtype=int),
        step_start=np.array(step_start, dtype=int),
        step_months=np.array(step_months, dtype=int),
        step_target=np.array(step_target, dtype=bool),
        delta=np.stack(deltas, axis=1) if deltas else np.zeros((samples, 0)),
        attainment=attainment,
        slip=slip,
        utilisation=utilisation,
        growth=np.maximum(growth, -1.0),
        months=len(grid),
    )


def _rates_chunk(d: LineDraws, rows: slice) -> np.ndarray:
    month = np.arange(d.months)
    slip = d.slip[rows, None] * d.step_target[None, :]  # (s, K)
    start = d.step_start[None, :] + slip  # (s, K)
    ramp = np.clip(
        (month[None, None, :] - start[:, :, None] + 1) / d.step_months[None, :, None], 0.0, 1.0
    )  # (s, K, M)
    delta = d.delta[rows] * np.where(d.step_target[None, :], d.attainment[rows, None], 1.0)
    lines = len(d.line_ids)
    onehot = np.zeros((lines, len(d.step_line)))
    onehot[d.step_line, np.arange(len(d.step_line))] = 1.0
    rates = np.einsum("skm,lk->slm", delta[:, :, None] * ramp, onehot)
    # Last full-rate month of each line (after slip), then compound yearly growth.
    full = start + d.step_months[None, :] - 1  # (s, K)
    last_full = np.full((full.shape[0], lines), -(10**9), dtype=float)
    np.maximum.at(last_full.T, d.step_line, full.T)
    years_after = np.maximum(month[None, None, :] - last_full[:, :, None], 0) / 12.0
    rates *= (1.0 + d.growth[rows, :, None]) ** years_after
    rates *= d.utilisation[rows, :, None]
    return np.maximum(rates, 0.0)


def line_rates(draws: LineDraws, chunk: int = CHUNK) -> np.ndarray:
    """Monthly rate of every line, shape (sample, line, month), in its own units per month."""
    samples = draws.delta.shape[0]
    out = np.empty((samples, len(draws.line_ids), draws.months))
    for begin in range(0, samples, chunk):
        rows = slice(begin, min(begin + chunk, samples))
        out[rows] = _rates_chunk(draws, rows)
    return out
