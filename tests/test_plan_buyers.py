"""Cooperation: contract prices by size, national against pooled purchases, budgets in plans."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from outproduce import load_scenario, spending
from outproduce.analyses.plan import plan
from outproduce.analyses.volume_prices import (
    budget_rounds,
    contract_cost,
    rounds_for,
)
from outproduce.engine.optimise import Goal, solve
from outproduce.interfaces.cli import app
from test_plan import _problem

VOLUME = """\
name: volume
base: baseline
spending:
  volume_price_ratio: {ratio}
  pooling_discount: 0.0
  contract_years: {years}
  price_155_usd: {price}
"""


def _scenario(write_yaml, ratio=0.9, years=1, price=4880):
    text = VOLUME.format(ratio=ratio, years=years, price=price)
    return load_scenario(write_yaml(text, f"volume_{ratio}_{years}.yaml"))


def test_contract_prices_by_hand():
    # Reference: 200,000 rounds at USD 5,000; ratio 0.9 a doubling.
    price, ratio, ref = 5000.0, 0.9, 200_000
    # 400,000 rounds: one doubling, USD 4,500 a round.
    assert contract_cost(400_000, price, ratio, ref) == pytest.approx(400_000 * 4500)
    # 300,000 rounds: on the segment 200,000 -> 400,000 (USD 1.0 bn -> 1.8 bn), linear:
    # 1.0 bn + 100,000 x 8,000 = 1.4 bn (USD 4,666.67 a round).
    assert contract_cost(300_000, price, ratio, ref) == pytest.approx(1.4e9)
    # Below 25,000 and above 3.2 million the unit price stays at the ends' prices.
    assert contract_cost(1_000, price, ratio, ref) / 1_000 == pytest.approx(5000 / 0.9**3)
    assert contract_cost(5e6, price, ratio, ref) / 5e6 == pytest.approx(5000 * 0.9**4)
    # The flat price (ratio 1) is price x rounds everywhere.
    sizes = np.array([10.0, 3e4, 2e5, 7e5, 9e6])
    assert np.allclose(contract_cost(sizes, price, 1.0, ref), sizes * price)


def test_rounds_for_inverts_the_cost_and_pooling_never_costs_more():
    rng = np.random.default_rng(7)
    a, b = rng.uniform(1, 5e6, 2000), rng.uniform(1, 5e6, 2000)
    ratio = rng.uniform(0.55, 1.0, 2000)
    cost = contract_cost(a, 4000.0, ratio, 200_000)
    assert np.allclose(rounds_for(cost, 4000.0, ratio, 200_000), a, rtol=1e-9)
    together = contract_cost(a + b, 4000.0, ratio, 200_000)
    alone = contract_cost(a, 4000.0, ratio, 200_000) + contract_cost(b, 4000.0, ratio, 200_000)
    assert (together <= alone * (1 + 1e-12)).all()


def test_budget_rounds_by_hand():
    # Two allies, one year: USD 1.0 bn and 0.8 bn at USD 5,000 (reference 200,000, 0.9).
    money = np.array([[[1.0e9], [0.8e9]]])
    price = np.array([[5000.0]])
    zero, ratio = np.zeros(1), np.array([0.9])
    national = budget_rounds(money, price, np.array([False, False]), zero, ratio, 200_000, 1)
    # 1.0 bn buys exactly the reference 200,000; 0.8 bn is on the segment 100k -> 200k
    # (USD 0.5556 bn -> 1.0 bn, slope 5,000 x 0.9**-1 x 0.8 = 4,444.4 a round).
    below = 100_000 * 5000 / 0.9
    assert national[0, 0, 0] == pytest.approx(200_000)
    assert national[0, 1, 0] == pytest.approx(100_000 + (0.8e9 - below) / (5000 / 0.9 * 0.8))
    # Pooled: USD 1.8 bn on the segment 200k -> 400k (1.0 bn -> 1.8 bn): 400,000 rounds,
    # shared 5:4 by money.
    pooled = budget_rounds(money, price, np.array([True, True]), zero, ratio, 200_000, 1)
    assert pooled[0, :, 0].sum() == pytest.approx(400_000)
    assert pooled[0, 0, 0] / pooled[0, 1, 0] == pytest.approx(1.0 / 0.8)
    # Four-year contracts: USD 4 bn is on the segment 800,000 -> 1.6 million (USD 3.24 bn
    # -> 5.832 bn, slope 5,000 x 0.81 x 0.8 = 3,240 a round): 800,000 + 0.76 bn / 3,240
    # = 1,034,568 rounds, 258,642 a year (against 200,000 with one-year contracts).
    long = budget_rounds(money[:, :1], price, np.array([False]), zero, ratio, 200_000, 4)
    assert long[0, 0, 0] == pytest.approx((800_000 + 0.76e9 / 3240) / 4)
    assert long[0, 0, 0] > national[0, 0, 0]


def test_flat_prices_keep_the_old_rule(write_yaml):
    # Ratio 1 and no discount: rounds = money / price, pooled or not.
    flat = spending(_scenario(write_yaml, ratio=1.0), samples=10, seed=3)
    expected = flat["ammunition_usd_bn"] * 1e9 / flat["price_usd"]
    assert np.allclose(flat["rounds"].sel(year=2030), expected.sel(year=2030))


def test_pathways_buy_more_when_pooled(write_yaml):
    text = VOLUME.format(ratio=0.9, years=1, price=4880) + "  pooling: alliance\n"
    pooled = spending(load_scenario(write_yaml(text, "pooled.yaml")), samples=10, seed=3)
    national = spending(_scenario(write_yaml), samples=10, seed=3)
    total = {n: d["rounds"].sel(year=2030).sum("ally") for n, d in (("p", pooled), ("n", national))}
    assert (total["p"] > total["n"]).all()


def test_a_target_the_budgets_cannot_pay_for_is_infeasible_by_hand():
    # The by-hand problem of test_plan (120,000 a year from 2028): feasible as is, not
    # when the budgets pay for 100,000 rounds in 2029, and at the same cost when they
    # pay for 150,000 every year.
    goal = Goal("min-cost", target=120_000, by=np.datetime64("2028-01"))
    years = 5
    rich = _problem(affordable=np.full((1, years), 150_000.0))
    assert solve(rich, goal).cost == pytest.approx(solve(_problem(), goal).cost, rel=1e-9)
    poor = np.full((1, years), 150_000.0)
    poor[0, 3] = 100_000.0  # 2029
    assert not solve(_problem(affordable=poor), goal).ok
    # With the shortfall priced, the 20,000 unpaid rounds of 2029 are the shortfall.
    priced = solve(_problem(affordable=poor), Goal(**(goal.__dict__ | {"shortfall_price": 1e4})))
    assert float(priced.shortfall.sel(year=2029).sum()) == pytest.approx(20_000)


@pytest.fixture(scope="module")
def earliest_plans(tmp_path_factory):
    path = tmp_path_factory.mktemp("volume") / "volume.yaml"
    # A USD 7,000 round: the national budgets buy 3.24 million rounds a year only from
    # 2031, alliance-wide contracts from 2030 or before (the lines can from 2030).
    path.write_text(VOLUME.format(ratio=0.9, years=1, price=7000), encoding="utf-8")
    scenario = load_scenario(path)
    target = 3.24e6
    return {
        pooling: plan(scenario, objective="earliest", target=target, pooling=pooling)
        for pooling in (None, "national", "alliance")
    }


def test_pooled_cost_is_at_most_national_and_checks_by_hand(earliest_plans):
    found = earliest_plans[None].procurement
    rows = found["poolings"]
    assert rows["alliance"]["goal_cost_usd"] <= rows["eu"]["goal_cost_usd"]
    assert rows["eu"]["goal_cost_usd"] <= rows["national"]["goal_cost_usd"]
    # The goal's cost is the target at each year's price (money / rounds the budgets buy):
    # one sample (the median), so its numbers are the sample's.
    for row in rows.values():
        by_hand = sum(3.24e6 * price for price in row["unit_price_usd"])
        assert row["goal_cost_usd"] == pytest.approx(by_hand, rel=1e-9)
        # Each pooling's buyers share out that year's rounds.
        assert sum(b["rounds"] for b in row["buyers"]) == pytest.approx(row["rounds_bought"][0])
    assert rows["alliance"]["saving_usd"] > 0
    assert len(rows["alliance"]["buyers"]) == 1


def test_the_earliest_year_is_the_later_of_the_lines_and_the_budgets(earliest_plans):
    # Both limits grow with the year, so the earliest year with budgets is the later of
    # the earliest year without them and the first year the budgets pay for the target.
    lines_year = earliest_plans[None].goal["earliest_year"]
    paid = earliest_plans[None].procurement["poolings"]
    for pooling in ("national", "alliance"):
        result = earliest_plans[pooling]
        first = paid[pooling]["first_year_paid"]
        if first is None:
            assert result.status == "infeasible" and "budgets" in result.message
        else:
            assert result.status == "optimal"
            assert result.goal["earliest_year"] == max(lines_year, first)
    national, alliance = paid["national"]["first_year_paid"], paid["alliance"]["first_year_paid"]
    assert alliance < national  # the case this scenario was written for: budgets bind
    assert earliest_plans["national"].goal["earliest_year"] == national
    assert paid["alliance"]["years_gained"] == national - alliance
    words = earliest_plans[None].procurement["words"]
    assert f"from {national}; alliance-wide contracts from {alliance}" in words
    assert f"{national - alliance} year" in words


def test_cli_pooled_and_national(tmp_path):
    runner = CliRunner()
    both = runner.invoke(
        app, ["plan", "--target", "3e6", "--by", "2030-01", "--pooled", "--national"]
    )
    assert both.exit_code == 2 and "--pooled" in both.output
    stray = runner.invoke(app, ["plan", "--target", "3e6", "--by", "2030-01", "--pool", "eu"])
    assert stray.exit_code == 2 and "--pool" in stray.output
    unused = ["plan", "--objective", "max-output", "--budget", "1e9", "--by", "2030-12"]
    refused = runner.invoke(app, [*unused, "--national"])
    assert refused.exit_code == 2 and "max-output" in refused.output
    args = ["plan", "--target", "3e6", "--by", "2030-01", "--pooled", "--pool", "eu"]
    done = runner.invoke(app, [*args, "--json", "--out", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    document = json.loads(done.output)
    assert document["goal"]["pooling"] == "eu"
    assert document["procurement"]["pooling"] == "eu"
    assert {"national", "eu", "alliance"} == set(document["procurement"]["poolings"])
    written = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"plan_procurement.csv", "plan_buyers.csv"} <= written


def test_pooling_needs_budgets(write_yaml):
    bare = write_yaml("name: bare\nbase: baseline\nspending: null\n", "bare.yaml")
    with pytest.raises(Exception, match="spending"):
        plan(load_scenario(bare), target=3e6, by="2030-01", pooling="national")


def test_a_robust_plan_prices_what_the_budgets_cannot_pay(tmp_path):
    # Over 12 samples with national budgets and a priced shortfall: in every sample and
    # year, the shortfall is at least what the budgets leave unpaid (the target minus
    # what they buy), and the plan still checks out in the engine.
    from outproduce.analyses.plan_buyers import budgets, yearly_bought
    from outproduce.analyses.run import run

    target = 3.0e6
    found = plan(
        "baseline",
        target=target,
        by="2030-01",
        robust=12,
        shortfall_price=5000.0,
        pooling="national",
        seed=11,
    )
    assert found.status == "optimal" and found.check["passed"]
    the_run = run("baseline", samples=12, seed=11, calibration=False)
    years = np.arange(2030, 2036)
    unpaid = np.maximum(
        target - yearly_bought(budgets(found.scenario, the_run, "national"), years), 0
    )
    assert unpaid.max() > 0  # the case this test is for: some samples' budgets fall short
    shortfall = found.goal["expected_shortfall"]
    assert shortfall >= unpaid.mean() - 1e-6
    paid = found.procurement["poolings"]["national"]["first_year_paid"]
    enough = (
        yearly_bought(budgets(found.scenario, the_run, "national"), np.arange(2026, 2036)) >= target
    ).all(axis=0)
    if paid is None:
        assert not enough[-1]
    else:
        assert enough[paid - 2026 :].all() and (paid == 2026 or not enough[paid - 2027])


def test_budgets_limit_nothing_after_the_pathways_end(write_yaml):
    # The budgets are modelled to the commitment's target year (2035): a target held
    # from 2037 on a longer horizon is not tied to them, and the comparison covers the
    # years they cover (none here), rather than calling the budgets empty.
    longer = write_yaml(
        "name: longer\nbase: baseline\nhorizon: {start: 2022-01, end: 2040-12}\n", "long.yaml"
    )
    scenario = load_scenario(longer)
    alone = plan(scenario, target=3e6, by="2037-01")
    tied = plan(scenario, target=3e6, by="2037-01", pooling="national")
    assert tied.status == alone.status == "optimal"
    assert tied.cost_usd == pytest.approx(alone.cost_usd, rel=1e-9)
    assert tied.procurement is None
    covered = plan(scenario, target=3e6, by="2034-01", pooling="national").procurement
    assert covered["years"] == [2034, 2035]
