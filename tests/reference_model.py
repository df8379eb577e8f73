"""A plain per-sample, per-month pure-Python implementation of the engine's chain.

Independent of the vectorised engine except for the seeded uniforms and the inverse
CDFs (shared infrastructure). Slow by design: it is the oracle the engine is checked
against (capacity, outages, input pools, order book, lead times, stocks, balance).
"""

from __future__ import annotations

import math

import numpy as np

from outproduce.engine.sampling import uniforms
from outproduce.scenario.model import Scenario, month_number
from outproduce.scenario.uncertain import ppf

INPUTS = ("shell_bodies", "charges", "explosive_t", "propellant_t")
DAYS = 365.25 / 12


def _value(uncertain, u: float) -> float:
    return float(ppf(uncertain, np.array([u]))[0])


def _logistic(x: float, k: float = 10.0) -> float:
    def sigma(z: float) -> float:
        return 1 / (1 + math.exp(-z))

    return (sigma(k * (x - 0.5)) - sigma(-k / 2)) / (sigma(k / 2) - sigma(-k / 2))


def _pool(line, pools: str) -> str:
    return line.pool or (line.bloc if pools == "bloc" else line.country)


def reference_capacity(scenario: Scenario, samples: int, seed: int) -> list[dict[str, list]]:
    """Per sample: line id -> monthly capacity after utilisation, growth and outages."""
    a = scenario.assumptions
    start = month_number(scenario.horizon.start)
    n_months = month_number(scenario.horizon.end) - start + 1
    u_att = uniforms(seed, "assumption:target_attainment", samples)
    u_slip = uniforms(seed, "assumption:target_slip_months", samples)
    u_util = uniforms(seed, "assumption:utilisation", samples)
    draws = {
        k: {
            name: uniforms(seed, f"line:{k}:{name}", samples)
            for name in ("rate", "growth", "utilisation", "ramp", "counted")
        }
        for k in scenario.lines
    }
    outage_u = {
        k: uniforms(seed, f"line:{k}:outage", samples * n_months)
        for k, line in scenario.lines.items()
        if line.outages is not None
    }
    result = []
    for s in range(samples):
        attainment = _value(a.target_attainment, u_att[s])
        slip = round(_value(a.target_slip_months, u_slip[s]))
        sample: dict[str, list] = {}
        for line_id, line in scenario.lines.items():
            d = draws[line_id]
            if line.utilisation is not None:
                util = _value(line.utilisation, d["utilisation"][s])
            else:
                util = _value(a.utilisation, u_util[s])
            counted = 1.0
            if line.counted_share is not None:
                counted = _value(line.counted_share, d["counted"][s])
            growth = 0.0
            continuation = line.growth_after_last_step
            if continuation is None:
                continuation = a.growth_after_last_step
            if continuation is not None:
                growth = max(_value(continuation, d["growth"][s]), -1.0)
            ramp_factor = _value(line.ramp_length_factor, d["ramp"][s])
            steps, previous = [], 0.0
            for step in line.steps:
                level = max(_value(step.rate, d["rate"][s]), 0.0) * step.per_year() / 12
                # utilisation only on stated capacity; the counted share on everything
                level = level * (util if (step.measure or line.measure) == "capacity" else 1.0)
                level = level * counted
                shift = slip if step.kind == "target" else 0
                first = month_number(step.first_output) - start + shift
                published = month_number(step.full_rate) - month_number(step.first_output) + 1
                length = max(round(published * ramp_factor), 1)
                increment = (level - previous) * (attainment if step.kind == "target" else 1)
                steps.append((first, first + length - 1, increment))
                previous = level
            last_full = max(full for _, full, _ in steps)
            series = []
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
                # A line with a falling step: below 1e-9 of its increments is zero.
                falling = any(i < 0 for _, _, i in steps)
                noise = 1e-9 * sum(abs(i) for _, _, i in steps) if falling else 0.0
                series.append(0.0 if rate < noise else rate)
            if line.outages is not None and line.outages.monthly_probability > 0:
                u = outage_u[line_id]
                for m in range(n_months):
                    window = range(max(0, m - line.outages.duration_months + 1), m + 1)
                    if any(u[s * n_months + k] < line.outages.monthly_probability for k in window):
                        series[m] = 0.0
            sample[line_id] = series
        result.append(sample)
    return result


def reference_chain(scenario: Scenario, samples: int, seed: int) -> list[dict]:
    """Per sample: production, binding input, deliveries, held, lead times, stocks."""
    start = month_number(scenario.horizon.start)
    n_months = month_number(scenario.horizon.end) - start + 1
    capacity = reference_capacity(scenario, samples, seed)
    lines = scenario.lines
    pools_mode = scenario.inputs.pools
    bom = scenario.inputs.bill_of_materials
    makers = {
        (_pool(ln, pools_mode), ln.product_class)
        for ln in lines.values()
        if ln.product_class in INPUTS
    }
    stocked = {(p, i) for p, amounts in scenario.inputs.initial_stock.items() for i in amounts}
    pool_names = {_pool(ln, pools_mode) for ln in lines.values()}
    inputs = [
        i
        for i in INPUTS
        if i in bom and any(c == i for _, c in makers | stocked if _ in pool_names)
    ]
    constrained = {(p, i) for p, i in makers | stocked if i in inputs and p in pool_names}
    u_bom = {i: uniforms(seed, f"input:{i}:per_round", samples) for i in inputs}

    contracts = scenario.contracts
    sellers = sorted({c.supplier for c in contracts.values()})

    def seller_of(line_id: str) -> str | None:
        if line_id in sellers:
            return line_id
        line = lines[line_id]
        pool = line.bloc if pools_mode == "bloc" else line.country  # not the input pool
        if pool in sellers and line.product_class == "rounds":
            return pool
        return None

    seller_lines = {q: [k for k in lines if seller_of(k) == q] for q in sellers}
    keeps = {q: all(lines[k].unsold == "held" for k in seller_lines[q]) for q in sellers}
    order_ids = sorted(
        contracts,
        key=lambda k: (sellers.index(contracts[k].supplier), month_number(contracts[k].signed), k),
    )
    holders = scenario.holders
    results = []
    for s in range(samples):
        cap = capacity[s]
        per_round = {i: max(_value(bom[i], u_bom[i][s]), 0.0) for i in inputs}
        pool = {
            (p, i): scenario.inputs.initial_stock.get(p, {}).get(i, 0.0) for p, i in constrained
        }
        production = {k: [0.0] * n_months for k in lines}
        binding = {k: [-1] * n_months for k in lines}
        remaining = {o: contracts[o].quantity for o in order_ids}
        deliveries = {o: [0.0] * n_months for o in order_ids}
        backlog = {o: [0.0] * n_months for o in order_ids}
        held = {q: 0.0 for q in sellers}
        held_path = {q: [0.0] * n_months for q in sellers}
        sold = {q: [0.0] * n_months for q in sellers}
        h_start = {
            h: max(month_number(v.stock_month or scenario.horizon.start) - start, 0)
            for h, v in holders.items()
        }
        h_initial = {
            h: _value(v.initial_stock, uniforms(seed, f"holder:{h}:stock", samples)[s])
            for h, v in holders.items()
        }
        consumption = {h: [0.0] * n_months for h in holders}
        planned = {(a, b): [0.0] * n_months for a in holders for b in holders}
        for h, v in holders.items():
            for k, phase in enumerate(v.consumption):
                rate = _value(
                    phase.rounds_per_day, uniforms(seed, f"holder:{h}:consumption:{k}", samples)[s]
                )
                first = max(month_number(phase.start) - start, 0)
                last = (
                    month_number(v.consumption[k + 1].start) - start
                    if k + 1 < len(v.consumption)
                    else n_months
                )
                for m in range(first, max(last, first)):
                    if m < n_months and m >= h_start[h]:
                        consumption[h][m] = max(rate * DAYS, 0.0)
            for k, transfer in enumerate(v.transfers):
                rate = _value(
                    transfer.rounds_per_month,
                    uniforms(seed, f"holder:{h}:transfer:{k}", samples)[s],
                )
                first = max(month_number(transfer.start) - start, 0)
                last = min(month_number(transfer.end) - start + 1, n_months)
                for m in range(first, max(last, first)):
                    if m >= h_start[h] and m >= h_start[transfer.to]:
                        planned[(h, transfer.to)][m] += max(rate, 0.0)
        stock = {h: 0.0 for h in holders}
        stock_path = {h: [0.0] * n_months for h in holders}
        shortfall = {h: [0.0] * n_months for h in holders}
        for m in range(n_months):
            for p, i in constrained:
                pool[(p, i)] += sum(
                    cap[k][m]
                    for k, ln in lines.items()
                    if ln.product_class == i and _pool(ln, pools_mode) == p
                )
            share = {}
            for p, i in constrained:
                request = sum(
                    cap[k][m] * per_round[i]
                    for k, ln in lines.items()
                    if ln.product_class == "rounds" and _pool(ln, pools_mode) == p
                )
                share[(p, i)] = pool[(p, i)] / request if request > pool[(p, i)] else 1.0
            for k, ln in lines.items():
                production[k][m] = cap[k][m]
                if ln.product_class != "rounds":
                    continue
                p = _pool(ln, pools_mode)
                worst, which = 1.0, -1
                for index, i in enumerate(inputs):
                    if (p, i) in share and share[(p, i)] < worst:
                        worst, which = share[(p, i)], index
                production[k][m] = cap[k][m] * worst
                binding[k][m] = which
            for p, i in constrained:
                used = sum(
                    production[k][m] * per_round[i]
                    for k, ln in lines.items()
                    if ln.product_class == "rounds" and _pool(ln, pools_mode) == p
                )
                pool[(p, i)] = max(pool[(p, i)] - used, 0.0)
            for q in sellers:
                available = held[q] + sum(production[k][m] for k in seller_lines[q])
                taken = 0.0
                for o in order_ids:
                    c = contracts[o]
                    if c.supplier != q or month_number(c.opens()) - start > m:
                        continue
                    got = min(remaining[o], max(available - taken, 0.0))
                    deliveries[o][m] = got
                    remaining[o] -= got
                    taken += got
                left = available - taken
                held[q] = left if keeps[q] else 0.0
                sold[q][m] = left - held[q]
                held_path[q][m] = held[q]
            for o in order_ids:
                signed = month_number(contracts[o].signed) - start
                backlog[o][m] = remaining[o] if signed <= m else 0.0
            for h in holders:
                if m >= h_start[h]:
                    stock[h] += sum(deliveries[o][m] for o in order_ids if contracts[o].buyer == h)
                if m == h_start[h]:
                    stock[h] += h_initial[h]
            wanted = {a: sum(planned[(a, b)][m] for b in holders) for a in holders}
            scale = {a: (stock[a] / wanted[a] if wanted[a] > stock[a] else 1.0) for a in holders}
            moved = {(a, b): planned[(a, b)][m] * scale[a] for a in holders for b in holders}
            for h in holders:
                stock[h] += sum(moved[(a, h)] for a in holders) - sum(
                    moved[(h, b)] for b in holders
                )
                stock[h] -= consumption[h][m]
                shortfall[h][m] = max(-stock[h], 0.0)
                stock[h] = max(stock[h], 0.0)
                stock_path[h][m] = stock[h]
        lead = {}
        for q in sellers:
            made = [sum(production[k][m] for k in seller_lines[q]) for m in range(n_months)]
            cum = list(np.cumsum(made))
            lead[q] = []
            for t in range(n_months):
                queue = sum(
                    backlog[o][t] + deliveries[o][t]
                    for o in order_ids
                    if contracts[o].supplier == q and month_number(contracts[o].signed) - start <= t
                )
                before = cum[t - 1] if t else 0.0
                held_before = held_path[q][t - 1] if t else 0.0
                target = before + queue + 1.0 - held_before
                found = next(
                    (m for m in range(t, n_months) if cum[m] >= target - 1e-9 * abs(target)), None
                )
                lead[q].append(math.nan if found is None else float(found - t))
        results.append(
            {
                "production": production,
                "binding": binding,
                "deliveries": deliveries,
                "backlog": backlog,
                "held": held_path,
                "sold": sold,
                "stock": stock_path,
                "shortfall": shortfall,
                "lead_time": lead,
                "inputs": inputs,
            }
        )
    return results


def reference_balance(scenario: Scenario, samples: int, seed: int) -> list[dict]:
    """Per sample: {'alliance': [..months..], 'adversary': [..], 'crossover': index or None}."""
    a = scenario.assumptions
    chain = reference_chain(scenario, samples, seed)
    u_conv = {
        c: uniforms(seed, f"assumption:conversion_155eq:{c}", samples) for c in a.conversion_155eq
    }
    n_months = month_number(scenario.horizon.end) - month_number(scenario.horizon.start) + 1
    results = []
    for s in range(samples):
        totals = {b: [0.0] * n_months for b in ("alliance", "adversary", "partners")}
        for line_id, line in scenario.lines.items():
            if line.product_class != "rounds":
                continue
            factor = _value(a.conversion_155eq[line.calibre], u_conv[line.calibre][s])
            for m in range(n_months):
                totals[line.bloc][m] += chain[s]["production"][line_id][m] * factor
        crossover = None
        for m in range(n_months):
            if all(
                totals["alliance"][k] >= totals["adversary"][k] * (1 - 1e-9) - 1e-9
                for k in range(m, n_months)
            ):
                crossover = m
                break
        results.append({**totals, "crossover": crossover})
    return results


def close(x: float, y: float, rel: float = 1e-9) -> bool:
    """Relative closeness with an absolute floor for zeros (NaN equals NaN)."""
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return math.isclose(x, y, rel_tol=rel, abs_tol=1e-9)
