"""Property test: the vectorised engine equals the pure-Python reference on random scenarios."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outproduce import balance
from outproduce.scenario.model import Assumptions, Horizon, Line, Outages, Scenario, Step

from reference_model import close, reference_balance

MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)]


@st.composite
def lines(draw, bloc: str, country: str):
    n_steps = draw(st.integers(1, 3))
    cuts = sorted(
        draw(st.lists(st.integers(0, len(MONTHS) - 1), min_size=2 * n_steps, max_size=2 * n_steps))
    )
    steps = []
    for k in range(n_steps):
        low = draw(st.floats(0, 1e6))
        high = low + draw(st.floats(0, 1e6))
        rate = draw(
            st.sampled_from(
                [
                    low,
                    {"low": low, "high": high},
                    {"low": low, "central": (low + high) / 2, "high": high},
                ]
            )
        )
        steps.append(
            Step(
                first_output=MONTHS[cuts[2 * k]],
                full_rate=MONTHS[cuts[2 * k + 1]],
                rate=rate,
                kind=draw(st.sampled_from(["actual", "target"])),
                measure=draw(st.sampled_from([None, "capacity", "output"])),
            )
        )
    growth = draw(st.sampled_from([None, -0.5, {"low": -0.3, "high": 0.2}]))
    counted = draw(st.sampled_from([None, 0.5, {"low": 0.4, "high": 1.0}]))
    return Line(
        name="x",
        bloc=bloc,
        country=country,
        calibre=draw(st.sampled_from(["155mm", "152mm"])),
        measure=draw(st.sampled_from(["capacity", "output", "transfer"])),
        steps=steps,
        growth_after_last_step=growth,
        counted_share=counted,
    )


@st.composite
def scenarios(draw):
    alliance = draw(st.lists(lines("alliance", "FRA"), min_size=1, max_size=3))
    adversary = draw(st.lists(lines("adversary", "RUS"), min_size=1, max_size=2))
    partners = draw(st.lists(lines("partners", "KOR"), min_size=0, max_size=1))
    all_lines = {f"a{i}": ln for i, ln in enumerate(alliance)}
    all_lines |= {f"r{i}": ln for i, ln in enumerate(adversary)}
    all_lines |= {f"p{i}": ln for i, ln in enumerate(partners)}
    return Scenario(
        name="random",
        horizon=Horizon(start="2024-01", end="2026-12"),
        samples=3,
        seed=draw(st.integers(0, 2**32)),
        assumptions=Assumptions(
            conversion_155eq={"155mm": 1.0, "152mm": {"low": 0.8, "high": 1.0}},
            utilisation={"low": 0.5, "central": 0.7, "high": 1.0},
            target_attainment={"low": 0.3, "high": 1.0},
            target_slip_months={"dist": "triangular", "low": 0, "mode": 3, "high": 12},
            growth_after_last_step=draw(st.sampled_from([None, {"low": -0.1, "high": 0.1}])),
        ),
        lines=all_lines,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_vectorised_engine_matches_reference(scenario):
    ds = balance(scenario)
    reference = reference_balance(scenario, scenario.samples, scenario.seed)
    grid = ds["month"].values
    for s, ref in enumerate(reference):
        for bloc in ("alliance", "adversary"):
            got = ds["output"].sel(bloc=bloc).values[s]
            assert all(close(g, r) for g, r in zip(got, ref[bloc], strict=True)), bloc
        want = None if ref["crossover"] is None else grid[ref["crossover"]]
        got_cross = ds["crossover"].values[s]
        assert (np.isnat(got_cross) and want is None) or got_cross == want


@st.composite
def chain_scenarios(draw):
    """Random scenarios with input lines, contracts, holders, transfers and outages."""
    base = draw(scenarios())
    lines = dict(base.lines)
    for k in range(draw(st.integers(0, 2))):
        product = draw(st.sampled_from(["explosive_t", "shell_bodies"]))
        rate = draw(st.floats(0, 50)) if product == "explosive_t" else draw(st.floats(0, 5e5))
        lines[f"input{k}"] = Line(
            name="input",
            bloc="alliance",
            country="POL",
            calibre="155mm",
            measure="output",
            product_class=product,
            steps=[
                Step(
                    first_output=MONTHS[0],
                    full_rate=MONTHS[draw(st.integers(0, 12))],
                    rate=rate,
                    unit="tonnes_per_year" if product.endswith("_t") else "rounds_per_year",
                )
            ],
        )
    first = next(k for k in lines if k.startswith("a"))
    lines[first] = lines[first].model_copy(
        update={
            "outages": draw(
                st.sampled_from([None, Outages(monthly_probability=0.1, duration_months=2)])
            ),
            "unsold": draw(st.sampled_from(["held", "sold"])),
        }
    )
    contracts = {}
    for k in range(draw(st.integers(0, 3))):
        signed = draw(st.integers(0, 20))
        opens = signed + draw(st.integers(0, 6))
        contracts[f"c{k}"] = {
            "buyer": draw(st.sampled_from(["UKR", "DEU", "XXX"])),
            "supplier": draw(st.sampled_from([first, "alliance"])),
            "quantity": draw(st.floats(1, 5e5)),
            "signed": MONTHS[signed],
            "delivery_start": MONTHS[opens],
            "delivery_end": MONTHS[opens + draw(st.integers(0, 9))],
        }
    holders = {
        "UKR": {
            "name": "Ukraine",
            "initial_stock": draw(st.floats(0, 1e5)),
            "stock_month": MONTHS[draw(st.integers(0, 6))],
            "consumption": [
                {"start": MONTHS[2], "rounds_per_day": {"low": 0, "high": 3000}},
                {"start": MONTHS[20], "rounds_per_day": 100},
            ],
        },
        "DEU": {
            "name": "Germany",
            "initial_stock": {"low": 0, "high": 5e4},
            "transfers": [
                {
                    "to": "UKR",
                    "start": MONTHS[1],
                    "end": MONTHS[30],
                    "rounds_per_month": draw(st.floats(0, 2e4)),
                }
            ],
        },
    }
    inputs = {
        "bill_of_materials": {"explosive_t": {"low": 0.006, "high": 0.011}, "shell_bodies": 1},
        "initial_stock": {"alliance": {"explosive_t": draw(st.floats(0, 100))}},
    }
    return Scenario.model_validate(
        base.model_dump()
        | {"lines": lines, "contracts": contracts, "holders": holders, "inputs": inputs}
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chain_scenarios())
def test_chain_matches_reference_and_keeps_its_invariants(scenario):
    from outproduce.engine.simulate import run

    from reference_model import reference_chain

    res = run(scenario, scenario.samples, scenario.seed, full=True)
    ref = reference_chain(scenario, scenario.samples, scenario.seed)
    lay = res.layout
    assert lay.inputs == ref[0]["inputs"]
    for s in range(scenario.samples):
        for k, line_id in enumerate(lay.line_ids):
            assert all(
                close(a, b)
                for a, b in zip(res.production[s, k], ref[s]["production"][line_id], strict=True)
            )
            assert res.binding[s, k].tolist() == ref[s]["binding"][line_id]
        for k, order in enumerate(lay.order_ids):
            assert all(
                close(a, b)
                for a, b in zip(res.deliveries[s, k], ref[s]["deliveries"][order], strict=True)
            )
            assert all(
                close(a, b)
                for a, b in zip(res.backlog[s, k], ref[s]["backlog"][order], strict=True)
            )
        for k, seller in enumerate(lay.sellers):
            assert all(
                close(a, b) for a, b in zip(res.held[s, k], ref[s]["held"][seller], strict=True)
            )
            assert all(
                close(a, b)
                for a, b in zip(res.lead_time[s, k], ref[s]["lead_time"][seller], strict=True)
            )
        for k, holder in enumerate(lay.holder_ids):
            assert all(
                close(a, b) for a, b in zip(res.stock[s, k], ref[s]["stock"][holder], strict=True)
            )
            assert all(
                close(a, b)
                for a, b in zip(res.shortfall[s, k], ref[s]["shortfall"][holder], strict=True)
            )
    # Invariants.
    tol = 1e-6
    assert (res.production <= res.capacity * (1 + 1e-12) + tol).all()
    assert (res.stock >= 0).all() and (res.pool_stock >= 0).all()
    sells = np.zeros((len(lay.line_ids), len(lay.sellers)))
    for q, lines in enumerate(lay.seller_lines):
        sells[lines, q] = 1
    made = np.einsum("slm,lq->sqm", res.production, sells).cumsum(axis=2)
    delivered = np.zeros_like(made)
    for k, q in enumerate(lay.order_seller):
        delivered[:, q, :] += res.deliveries[:, k, :].cumsum(axis=1)
    accounted = delivered + res.held + res.sold_elsewhere.cumsum(axis=2)
    assert np.allclose(made, accounted, rtol=1e-9, atol=tol)
    total = res.deliveries.sum(axis=2) + res.backlog[:, :, -1]
    signed_by_end = lay.order_signed <= res.deliveries.shape[2] - 1
    assert np.allclose(total[:, signed_by_end], lay.order_quantity[signed_by_end], rtol=1e-9)

    # What a run keeps without full=True is the full arrays reduced (independently here).
    def yearly(values):
        return np.stack(
            [values[..., lay.year_of_month == y].sum(-1) for y in range(len(lay.years))], -1
        )

    assert np.allclose(res.line_year_production, yearly(res.production))
    assert np.allclose(res.line_year_capacity, yearly(res.capacity))
    assert np.allclose(res.order_year_deliveries, yearly(res.deliveries))
    assert np.allclose(res.group_output[:, 0], res.production[:, lay.rounds].sum(axis=1))
    by_end = np.arange(res.deliveries.shape[2])[None, :] <= lay.order_end[:, None]
    assert np.allclose(res.order_on_time, (res.deliveries * by_end[None]).sum(axis=2))
    for q in range(len(lay.sellers)):
        mine = lay.order_seller == q
        assert np.allclose(res.seller_deliveries[:, q], res.deliveries[:, mine].sum(axis=1))
        assert np.allclose(res.seller_backlog[:, q], res.backlog[:, mine].sum(axis=1))
    for i in range(-1, len(lay.inputs)):
        assert (res.binding_count[:, i + 1] == (res.binding == i).sum(axis=0)).all()
