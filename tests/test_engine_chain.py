"""The engine's chain by hand: input bottlenecks, the order book, stocks and outages."""

from __future__ import annotations

import numpy as np
import pytest

from outproduce import load_scenario
from outproduce.engine.simulate import DAYS_PER_MONTH, run

HEAD = """\
name: chain
horizon: {start: 2024-01, end: 2024-12}
samples: 4
seed: 3
data_lines: none
assumptions:
  conversion_155eq: {155mm: 1.0}
  utilisation: 1.0
  target_attainment: 1.0
  target_slip_months: 0
"""

PLANT = """\
  plant:
    name: Plant
    bloc: alliance
    country: DEU
    calibre: 155mm
    measure: output
    steps: [{first_output: 2024-01, full_rate: 2024-01, rate: 100, unit: rounds_per_month}]
"""


def scenario(write_yaml, body: str):
    return load_scenario(write_yaml(HEAD + body, "chain.yaml"))


def test_explosive_bottleneck_with_initial_stock(write_yaml):
    # Plant asks 100 rounds x 0.01 t = 1 t a month; the explosive line adds 0.5 t a month
    # and the pool starts with 1 t: 1.5 t -> 100 rounds (0.5 t left), 1.0 t -> 100 rounds,
    # then 0.5 t -> 50 rounds a month, with explosive as the binding input.
    body = (
        "lines:\n"
        + PLANT
        + """\
  tnt:
    name: TNT
    bloc: alliance
    country: POL
    calibre: 155mm
    measure: output
    product_class: explosive_t
    steps: [{first_output: 2024-01, full_rate: 2024-01, rate: 6, unit: tonnes_per_year}]
inputs:
  bill_of_materials: {explosive_t: 0.01, shell_bodies: 1}
  initial_stock: {alliance: {explosive_t: 1.0}}
"""
    )
    res = run(scenario(write_yaml, body), 2, 1, full=True)
    plant = res.layout.line_ids.index("plant")
    assert res.layout.inputs == ["explosive_t"]  # no line makes bodies: unconstrained
    assert res.production[0, plant, :4] == pytest.approx([100, 100, 50, 50])
    assert res.binding[0, plant, :4].tolist() == [-1, -1, 0, 0]
    assert res.pool_stock[0, 0, 0, :3] == pytest.approx([0.5, 0.0, 0.0])
    assert (res.production <= res.capacity + 1e-9).all()


def test_pool_is_shared_pro_rata(write_yaml):
    body = "lines:\n" + PLANT + PLANT.replace("plant:", "big:").replace("rate: 100", "rate: 300")
    body += """\
  tnt:
    name: TNT
    bloc: alliance
    country: POL
    calibre: 155mm
    measure: output
    product_class: explosive_t
    steps: [{first_output: 2024-01, full_rate: 2024-01, rate: 24, unit: tonnes_per_year}]
inputs:
  bill_of_materials: {explosive_t: 0.01}
"""
    res = run(scenario(write_yaml, body), 1, 1, full=True)
    ids = res.layout.line_ids
    # 2 t a month for a request of 4 t: every line gets half.
    assert res.production[0, ids.index("plant"), 0] == pytest.approx(50)
    assert res.production[0, ids.index("big"), 0] == pytest.approx(150)


ORDERS = """\
contracts:
  first:
    {buyer: UKR, supplier: plant, quantity: 250, signed: 2024-01, delivery_end: 2024-02}
  second:
    {buyer: UKR, supplier: plant, quantity: 100, signed: 2024-02, delivery_end: 2024-06}
"""


def test_order_book_first_in_first_out_and_lead_times(write_yaml):
    res = run(scenario(write_yaml, "lines:\n" + PLANT + ORDERS), 1, 1, full=True)
    first, second = (res.layout.order_ids.index(k) for k in ("first", "second"))
    assert res.deliveries[0, first, :4].tolist() == [100, 100, 50, 0]
    assert res.deliveries[0, second, :4].tolist() == [0, 0, 50, 50]
    assert res.backlog[0, first, :3].tolist() == [150, 50, 0]
    assert res.held[0, 0, :5].tolist() == [0, 0, 0, 50, 150]
    # Lead time of a new one-round order: queue 250 in Jan -> delivered in March (2);
    # queue 150 + 100 in Feb -> April (2); nothing owed and 50 held in May -> at once (0).
    assert res.lead_time[0, 0, [0, 1, 4]].tolist() == [2, 2, 0]
    # Conservation: production = deliveries + held; orders = deliveries + backlog.
    made = res.production[0, 0].cumsum()
    assert made == pytest.approx(res.deliveries[0].sum(axis=0).cumsum() + res.held[0, 0])
    assert res.deliveries[0].sum() + res.backlog[0, :, -1].sum() == pytest.approx(350)


def test_stocks_consumption_transfers_and_shortfall(write_yaml):
    body = (
        "lines:\n"
        + PLANT
        + """\
holders:
  UKR:
    name: Ukraine
    initial_stock: 1000
    consumption: [{start: 2024-01, rounds_per_day: 10}]
  DEU:
    name: Germany
    initial_stock: 100
    transfers: [{to: UKR, start: 2024-01, end: 2024-12, rounds_per_month: 60}]
"""
    )
    res = run(scenario(write_yaml, body), 1, 1, full=True)
    ukr, deu = 0, 1
    per_month = 10 * DAYS_PER_MONTH
    assert res.transfers_out[0, deu, :3].tolist() == [60, 40, 0]  # limited to what DEU holds
    assert res.stock[0, deu, :2].tolist() == [40, 0]
    expected = 1000 + np.cumsum([60, 40] + [0] * 10) - per_month * np.arange(1, 13)
    assert res.stock[0, ukr] == pytest.approx(np.maximum(expected, 0))
    assert res.shortfall[0, ukr, 3] == pytest.approx(-expected[3])
    assert res.shortfall[0, ukr, 4] == pytest.approx(per_month)
    assert (res.stock >= 0).all()


def test_deliveries_fill_the_buyers_stock(write_yaml):
    body = (
        "lines:\n"
        + PLANT
        + ORDERS
        + """\
holders:
  UKR: {name: Ukraine, initial_stock: 0}
"""
    )
    res = run(scenario(write_yaml, body), 1, 1, full=True)
    assert res.stock[0, 0, :4].tolist() == [100, 200, 300, 350]


def test_outages_stop_a_line_for_their_duration(write_yaml):
    body = "lines:\n" + PLANT + "    outages: {monthly_probability: 0.2, duration_months: 3}\n"
    res = run(scenario(write_yaml, body), 200, 5, full=True)
    produced = res.production[:, 0, :]
    assert set(np.unique(produced)) <= {0.0, 100.0}
    stopped = produced == 0
    # Every stop lasts at least three months unless cut by the horizon's end.
    for row in stopped:
        runs = np.diff(np.flatnonzero(np.diff(np.r_[0, row.astype(int), 0])))[::2]
        assert (runs[:-1] >= 3).all() if len(runs) > 1 else True
    # P(running) = (1 - p)^3 after the first months.
    assert stopped[:, 6:].mean() == pytest.approx(1 - 0.8**3, abs=0.05)


def test_chunk_size_and_worker_count_change_no_number():
    """Same seed, same numbers: every result of the baseline chain, bit for bit."""
    baseline = load_scenario("baseline")
    one = run(baseline, 50, 9, chunk=50, workers=1, full=True)
    many = run(baseline, 50, 9, chunk=7, workers=3, full=True)
    for name in ("capacity", "production", "deliveries", "backlog", "held", "lead_time", "stock"):
        assert np.array_equal(getattr(one, name), getattr(many, name), equal_nan=True), name
    reduced = (
        "group_output",
        "line_year_capacity",
        "line_year_production",
        "binding_count",
        "order_year_deliveries",
        "order_on_time",
        "seller_deliveries",
        "seller_backlog",
        "received",
    )
    for name in reduced:
        assert np.array_equal(getattr(one, name), getattr(many, name), equal_nan=True), name


def test_follow_contracts_builds_what_a_contract_asks_beyond_output(write_yaml):
    """By hand: a 12-month order of 2,400 rounds asks 200 a month; the plant makes 100.

    With a 3-month lead, capacity for the other 100 a month exists from April (signed
    in January) and stays; the order gets 100 a month for three months, then 200:
    300 + 9 x 200 = 2,100 by December, i.e. backlog 300 and 87.5% on time.
    """
    from outproduce.engine.layout import layout
    from outproduce.scenario.model import Contract

    loaded = scenario(write_yaml, "lines:\n" + PLANT)
    book = "budgets:alliance"
    order = Contract(
        buyer="DEU", supplier=book, quantity=2400, signed="2024-01", delivery_end="2024-12"
    )
    chain = loaded.model_copy(update={"contracts": {"order": order}})
    res = run(chain, 2, 1, decisions={book: np.array([3, 3])}, full=True)
    built = layout(chain, (book,)).line_ids.index(f"built:{book}")
    assert res.production[0, built].tolist() == [0, 0, 0] + [100] * 9
    assert res.built[0, 0].tolist() == [0, 0, 0] + [100] * 9
    assert res.deliveries[0, 0].tolist() == [100] * 3 + [200] * 9
    assert res.order_on_time[0, 0] == pytest.approx(2100)
    assert res.seller_backlog[0, 0, -1] == pytest.approx(300)
    # A lead longer than the contract: nothing is ever asked in time, nothing built.
    late = run(chain, 2, 1, decisions={book: np.array([12, 12])}, full=True)
    assert (late.built == 0).all() and late.deliveries[0, 0].sum() == pytest.approx(1200)


def test_a_separate_book_does_not_take_from_the_scenarios_contracts(write_yaml):
    """The budgets' book and the scenario's orders both see the plant's whole output."""
    from outproduce.scenario.model import Contract

    loaded = scenario(write_yaml, "lines:\n" + PLANT)
    own = Contract(
        buyer="DEU", supplier="plant", quantity=600, signed="2024-01", delivery_end="2024-12"
    )
    budget = Contract(
        buyer="DEU",
        supplier="budgets:alliance",
        quantity=600,
        signed="2024-01",
        delivery_end="2024-12",
    )
    chain = loaded.model_copy(update={"contracts": {"own": own, "budget": budget}})
    res = run(chain, 1, 1, full=True)
    ids = res.layout.order_ids
    for order in ("own", "budget"):
        assert res.deliveries[0, ids.index(order)].tolist() == [100] * 6 + [0] * 6


def test_a_scenario_supplier_follows_its_contracts(write_yaml):
    """`capacity_rules` in a scenario: the same rule for a named line, through a run."""
    import outproduce

    body = (
        "lines:\n"
        + PLANT
        + """\
contracts:
  big: {buyer: DEU, supplier: plant, quantity: 2400, signed: 2024-01, delivery_end: 2024-12}
capacity_rules:
  plant: {rule: follow_contracts, lead_months: 3}
"""
    )
    ds = outproduce.run(scenario(write_yaml, body), samples=2, seed=1).dataset
    assert ds["line_origin"].sel(line="built:plant").item() == "built"
    assert ds["line_country"].sel(line="built:plant").item() == "DEU"
    built = ds["built_capacity"].sel(supplier="plant").isel(sample=0).values
    assert built.tolist() == [0, 0, 0] + [100] * 9
    assert float(ds["order_on_time"].sel(order="big").isel(sample=0)) == pytest.approx(2100)
    assert "capacity_rule:plant:lead_months" not in ds["input"].values  # a fixed lead
    # The rule switched off builds nothing.
    off = body.replace("rule: follow_contracts", "rule: none")
    ds = outproduce.run(scenario(write_yaml, off), samples=2, seed=1).dataset
    assert "built:plant" not in ds["line"].values
    assert float(ds["order_on_time"].sel(order="big").isel(sample=0)) == pytest.approx(1200)


def test_capacity_rules_name_a_supplier_of_the_scenario(write_yaml):
    from outproduce.errors import InputError

    body = "lines:\n" + PLANT + "capacity_rules:\n  nobody: {lead_months: 3}\n"
    with pytest.raises(InputError, match="no contract names supplier 'nobody'") as info:
        scenario(write_yaml, body)
    assert info.value.field == "capacity_rules.nobody" and info.value.line
    bad = "lines:\n" + PLANT + "capacity_rules:\n  plant: {lead_months: -2}\n"
    with pytest.raises(InputError, match="lead_months between 0 and 240"):
        scenario(write_yaml, bad)
