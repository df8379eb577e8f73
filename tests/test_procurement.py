"""The budgets' order book: contracts conserve rounds, pooling and contract length by hand."""

from __future__ import annotations

import numpy as np

from outproduce import load_scenario, spending
from outproduce.analyses.procurement import budget_contracts

LEVERS = """\
name: levers
base: baseline
horizon: {{start: 2022-01, end: 2035-12}}
spending:
  contract_years: {years}
  pooling: {pooling}
  pooling_discount: 0.1
  volume_price_ratio: 1.0  # a flat price: the discount alone, by hand
  expansion_lead_months: {lead}
"""


def scenario(write_yaml, years=1, pooling="national", lead=24):
    text = LEVERS.format(years=years, pooling=pooling, lead=lead)
    return load_scenario(write_yaml(text, f"levers_{years}_{pooling}_{lead}.yaml"))


def test_contracts_conserve_the_rounds_budgets_buy(write_yaml):
    loaded = scenario(write_yaml, years=4)
    ds = spending(loaded, samples=20, seed=4)
    contracts, quantities = budget_contracts(loaded, ds)
    # 2025-2028, 2029-2032, 2033-2035 (the horizon ends in 2035): three per ally.
    assert len(contracts) == 3 * ds.sizes["ally"]
    assert contracts["budget_DEU_2029"].signed == "2029-01"
    assert contracts["budget_DEU_2029"].delivery_end == "2032-12"
    assert contracts["budget_DEU_2033"].delivery_end == "2035-12"
    total = sum(quantities.values())
    expected = ds["rounds"].sel(year=slice(2025, 2035)).sum(["ally", "year"]).values
    assert np.allclose(total, expected)
    deu = ds["rounds"].sel(ally="DEU", year=slice(2029, 2032)).sum("year").values
    assert np.allclose(quantities["budget_DEU_2029"], deu)


def test_eu_pooling_buys_one_contract_and_the_discount_buys_more(write_yaml):
    national = spending(scenario(write_yaml), samples=20, seed=4)
    pooled_scenario = scenario(write_yaml, pooling="eu")
    pooled = spending(pooled_scenario, samples=20, seed=4)
    # A 10% lower price buys 1/0.9 times the rounds, for EU members only.
    ratio = pooled["rounds"] / national["rounds"]
    assert np.allclose(ratio.sel(ally="DEU", year=2030), 1 / 0.9)
    assert np.allclose(ratio.sel(ally="USA", year=2030), 1.0)
    contracts, quantities = budget_contracts(pooled_scenario, pooled)
    assert "budget_EU_2030" in contracts and "budget_DEU_2030" not in contracts
    eu = pooled["pooled"].values
    members = pooled["rounds"].sel(year=2030).values[:, eu].sum(axis=1)
    assert np.allclose(quantities["budget_EU_2030"], members)


def test_order_book_delivers_no_more_than_ordered_or_made(write_yaml):
    ds = spending(scenario(write_yaml), samples=30, seed=5)
    ordered = ds["ordered_rounds"].cumsum("book_year")
    delivered = ds["delivered_rounds"].cumsum("book_year")
    backlog = ds["backlog_rounds"]
    # Rounds are conserved: everything ordered is delivered or still owed.
    assert np.allclose(delivered + backlog, ordered, rtol=1e-9)
    # Deliveries never exceed what the alliance's lines make (155mm lines: factor 1).
    made = ds["output_following_rounds"]
    assert (ds["delivered_rounds"] <= made * (1 + 1e-9) + 1e-6).all()
    share = ds["on_time_share"].values
    assert ((share >= 0) & (share <= 1 + 1e-9)).all()


def test_annual_contracts_never_pay_for_a_line_that_takes_two_years(write_yaml):
    ds = spending(scenario(write_yaml, years=1, lead=24), samples=30, seed=5)
    assert (ds["built_rounds"] == 0).all()
    assert np.allclose(ds["output_following_rounds"], ds["output_rounds"])


def test_a_ten_year_contract_builds_capacity_after_the_lead_time(write_yaml):
    loaded = scenario(write_yaml, years=11, lead=12)
    ds = spending(loaded, samples=30, seed=5)
    _, quantities = budget_contracts(loaded, ds)
    # One contract per ally for 2025-2035 (132 months); industry builds from 2026-01.
    asked = sum(q / 132 for q in quantities.values()) * 12  # rounds per year
    following = ds["output_following_rounds"]
    planned = ds["output_rounds"]
    assert np.allclose(following.sel(book_year=2025), planned.sel(book_year=2025))
    for year in (2026, 2030, 2035):
        expected = np.maximum(planned.sel(book_year=year).values, asked)
        # Monthly maximum summed over a year: at least the yearly maximum of the two.
        assert (following.sel(book_year=year).values >= expected * (1 - 1e-9)).all()
    more = ds["crossover_following"].notnull().mean() >= ds["crossover_planned"].notnull().mean()
    assert bool(more)


def test_country_pools_leave_the_order_book_out_and_say_why(write_yaml):
    from outproduce.interfaces.dashboard import compute_views

    path = write_yaml("name: national\nbase: baseline\ninputs: {pools: country}\n", "n.yaml")
    loaded = load_scenario(path)
    ds = spending(loaded, samples=10, seed=1)
    assert "ordered_rounds" not in ds and "inputs.pools: bloc" in ds.attrs["order_book_left_out"]
    views = compute_views(loaded, samples=10, seed=1)
    assert views.order_book is None and "gap_pp" in views.metrics
