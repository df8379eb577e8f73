"""A plain per-sample, per-month pure-Python implementation of the line model and balance.

Independent of the vectorised engine except for the seeded uniforms and the inverse
CDFs (shared infrastructure). Slow by design: it is the oracle the engine is checked
against.
"""

from __future__ import annotations

import math

from outproduce.engine.sampling import uniforms
from outproduce.scenario.model import Scenario, month_number
from outproduce.scenario.uncertain import ppf


def _value(uncertain, u: float) -> float:
    import numpy as np

    return float(ppf(uncertain, np.array([u]))[0])


def _logistic(x: float, k: float = 10.0) -> float:
    def sigma(z: float) -> float:
        return 1 / (1 + math.exp(-z))

    return (sigma(k * (x - 0.5)) - sigma(-k / 2)) / (sigma(k / 2) - sigma(-k / 2))


def reference_balance(scenario: Scenario, samples: int, seed: int) -> list[dict]:
    """Per sample: {'alliance': [..months..], 'adversary': [..], 'crossover': index or None}."""
    a = scenario.assumptions
    start = month_number(scenario.horizon.start)
    n_months = month_number(scenario.horizon.end) - start + 1
    u_att = uniforms(seed, "assumption:target_attainment", samples)
    u_slip = uniforms(seed, "assumption:target_slip_months", samples)
    u_util = uniforms(seed, "assumption:utilisation", samples)
    u_conv = {
        c: uniforms(seed, f"assumption:conversion_155eq:{c}", samples) for c in a.conversion_155eq
    }
    lines = {k: v for k, v in scenario.lines.items() if v.product_class == "rounds"}
    u_rate = {k: uniforms(seed, f"line:{k}:rate", samples) for k in lines}
    u_growth = {k: uniforms(seed, f"line:{k}:growth", samples) for k in lines}
    u_line_util = {k: uniforms(seed, f"line:{k}:utilisation", samples) for k in lines}
    u_ramp = {k: uniforms(seed, f"line:{k}:ramp", samples) for k in lines}
    results = []
    for s in range(samples):
        attainment = _value(a.target_attainment, u_att[s])
        slip = round(_value(a.target_slip_months, u_slip[s]))
        totals = {"alliance": [0.0] * n_months, "adversary": [0.0] * n_months}
        for line_id, line in lines.items():
            if line.utilisation is not None:
                util = _value(line.utilisation, u_line_util[line_id][s])
            elif line.measure == "capacity":
                util = _value(a.utilisation, u_util[s])
            else:
                util = 1.0
            growth = 0.0
            if line.growth_after_last_step is not None:
                growth = max(_value(line.growth_after_last_step, u_growth[line_id][s]), -1.0)
            factor = _value(a.conversion_155eq[line.calibre], u_conv[line.calibre][s])
            ramp_factor = _value(line.ramp_length_factor, u_ramp[line_id][s])
            steps = []
            previous = 0.0
            for step in line.steps:
                level = max(_value(step.rate, u_rate[line_id][s]), 0.0) * step.per_year() / 12
                shift = slip if step.kind == "target" else 0
                first = month_number(step.first_output) - start + shift
                published = month_number(step.full_rate) - month_number(step.first_output) + 1
                length = max(round(published * ramp_factor), 1)
                increment = (level - previous) * (attainment if step.kind == "target" else 1)
                steps.append((first, first + length - 1, increment))
                previous = level
            last_full = max(full for _, full, _ in steps)
            for m in range(n_months):
                rate = 0.0
                for first, full, increment in steps:
                    if m >= full:
                        rate += increment
                    elif m >= first:
                        x = (m - first + 1) / (full - first + 1)
                        rate += increment * (_logistic(x) if line.ramp_shape == "logistic" else x)
                if m > last_full:
                    rate *= (1 + growth) ** ((m - last_full) / 12)
                totals[line.bloc][m] += max(rate * util, 0.0) * factor
        crossover = None
        for m in range(n_months):
            if all(totals["alliance"][k] >= totals["adversary"][k] for k in range(m, n_months)):
                crossover = m
                break
        results.append({**totals, "crossover": crossover})
    return results


def close(x: float, y: float, rel: float = 1e-9) -> bool:
    """Relative closeness with an absolute floor for zeros."""
    return math.isclose(x, y, rel_tol=rel, abs_tol=1e-9)
