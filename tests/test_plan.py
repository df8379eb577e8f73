"""The planner: small problems solved by hand, the engine round trip, bad goals."""

from __future__ import annotations

import json

import numpy as np
import pytest

from outproduce.analyses.plan import plan
from outproduce.engine.optimise import Goal, Problem, solve
from outproduce.errors import InputError

MONTHS = np.arange(np.datetime64("2026-01"), np.datetime64("2031-01"))


def _ramp(lead: int, span: int, starts: int = 24) -> np.ndarray:
    """ramp[t, m] as the engine ramps a step: first output at t + lead, full after span."""
    m, t = np.arange(len(MONTHS))[None, :], np.arange(starts)[:, None]
    return np.clip((m - t - lead + 1) / span, 0, 1)


def _problem(**change) -> Problem:
    """Two round candidates: 'fast' (lead 12, USD 2,000) and 'cheap' (lead 24, USD 1,000)."""
    base = dict(
        candidates=["fast", "cheap"],
        makes=["rounds", "rounds"],
        capex=np.array([2000.0, 1000.0]),
        min_size=np.zeros(2),
        max_size=np.array([1e6, 1e6]),
        ramp=np.stack([_ramp(12, 6), _ramp(24, 6)]),
        starts=MONTHS[:24],
        months=MONTHS,
        existing=np.zeros((1, len(MONTHS))),
        need=np.zeros((1, 0)),
        materials=[],
    )
    return Problem(**(base | change))


def test_the_cheapest_way_to_a_target_by_hand():
    # 120,000 rounds in 2028 and every year after. 'cheap' started in Jan 2026 first
    # produces in Jan 2028 and ramps over 6 months: 2028 makes size/12 x (1+2+3+4+5)/6
    # + 7 full months = size/12 x 9.5, so size = 120,000 x 12 / 9.5 at USD 1,000 a unit:
    # USD 151.6m, against 'fast' at full rate all year (120,000 x USD 2,000 = USD 240m).
    found = solve(_problem(), Goal("min-cost", target=120_000, by=np.datetime64("2028-01")))
    assert found.ok
    size = 120_000 * 12 / 9.5
    assert found.cost == pytest.approx(size * 1000, rel=1e-9)
    built = found.build.sel(candidate="cheap")
    assert float(built.sel(start=np.datetime64("2026-01-01"))) == pytest.approx(size, rel=1e-9)
    assert float(found.build.sel(candidate="fast").sum()) == pytest.approx(0, abs=1e-6)
    # The shadow price of the 2028 target: capital for one more round that year.
    dual = float(found.duals["target"].sel(year=2028).sum()) * 1e6
    assert abs(dual) == pytest.approx(1000 * 12 / 9.5, rel=1e-6)


def test_the_most_rounds_for_a_budget_by_hand():
    # USD 100m by the end of 2027: 'cheap' produces nothing before 2028, so all goes to
    # 'fast' started in Jan 2026: 50,000 a year, producing from Jan 2027 at
    # (1+..+5)/6 + 7 = 9.5 months' worth: 50,000 / 12 x 9.5 rounds.
    goal = Goal("max-output", by=np.datetime64("2027-12"), budget=100e6)
    found = solve(_problem(), goal)
    assert found.ok and found.cost == pytest.approx(100e6, rel=1e-9)
    by_deadline = found.made.sel(month=slice(None, "2027-12")).sum()
    assert float(by_deadline) == pytest.approx(50_000 / 12 * 9.5, rel=1e-7)


def test_a_lead_time_that_makes_a_target_infeasible():
    # Only 'cheap' (first output 24 months after its start): nothing in 2027.
    one = _problem(
        candidates=["cheap"],
        makes=["rounds"],
        capex=np.array([1000.0]),
        min_size=np.zeros(1),
        max_size=np.array([1e6]),
        ramp=_ramp(24, 6)[None],
    )
    found = solve(one, Goal("min-cost", target=1.0, by=np.datetime64("2027-01")))
    assert not found.ok and found.status != "ok"


def test_a_whole_plant_or_none_with_integer():
    # min_size 100,000 for 'cheap': the LP would build 151,579 anyway; with a target of
    # 10,000 the LP builds 12,632 but the MIP must build the whole 100,000 (or 'fast' at
    # 10,000 x 2,000 = USD 20m, cheaper than 100,000 x 1,000 = USD 100m).
    problem = _problem(min_size=np.array([0.0, 100_000.0]))
    goal = Goal("min-cost", target=10_000, by=np.datetime64("2028-01"))
    assert solve(problem, goal).cost == pytest.approx(10_000 * 12 / 9.5 * 1000, rel=1e-9)
    whole = solve(problem, Goal(**(goal.__dict__ | {"integer": True})))
    assert whole.ok and whole.cost == pytest.approx(10_000 * 2000, rel=1e-6)


def test_inputs_limit_the_rounds_and_their_plant_is_built():
    # One round line and one explosive plant (USD 100,000 a tonne a year), 0.01 t a round,
    # same lead and ramp: 120,000 rounds in 2028 need 1,200 t that year from a plant of
    # the same shape: sizes 151,579 rounds and 1,516 t a year (same ramp, same months).
    problem = _problem(
        candidates=["cheap", "tnt"],
        makes=["rounds", "explosive_t"],
        capex=np.array([1000.0, 100_000.0]),
        ramp=np.stack([_ramp(24, 6), _ramp(24, 6)]),
        need=np.array([[0.01]]),
        materials=["explosive_t"],
    )
    found = solve(problem, Goal("min-cost", target=120_000, by=np.datetime64("2028-01")))
    size = 120_000 * 12 / 9.5
    assert found.cost == pytest.approx(size * 1000 + size * 0.01 * 100_000, rel=1e-6)
    assert "material_balance" in found.duals


def test_the_baseline_plan_checks_out_in_the_engine():
    result = plan("baseline", "min-cost", target=3_000_000, by="2028-01")
    document = result.to_dict()
    assert document["status"] == "optimal" and document["investments"]
    assert document["check"]["passed"] and document["check"]["engine_rel_diff"] <= 1e-6
    # The target holds in every whole year from 2028: existing + the plan's rounds.
    table = result.table
    yearly = (table["made"] + table["existing"]).groupby("month.year").sum().sel(year=2028)
    assert float(yearly.min()) >= 3_000_000 * (1 - 1e-7)
    # Capital is size x capex per unit, summed.
    assert document["cost_usd"] == pytest.approx(
        sum(row["capex_usd"] for row in document["investments"]), rel=1e-9
    )


def test_a_robust_plan_with_inputs_checks_out_and_is_compared_with_the_median():
    result = plan(
        "baseline",
        "min-cost",
        target=2_700_000,
        by="2029-01",
        robust=6,
        shortfall_price=5000,
        with_inputs=True,
    )
    document = result.to_dict()
    assert document["status"] == "optimal"
    assert document["check"]["passed"], document["check"]
    assert "median_investments" in document
    assert any(row["makes"] == "explosive_t" for row in document["investments"])
    # The median's plan builds nothing here (the median output already holds 2.7 M from
    # 2029): its share of samples holding the target is the existing output's, by hand.
    assert document["median_investments"] == []
    yearly = result.table["existing"].groupby("month.year").sum().sel(year=range(2029, 2036))
    share = float((yearly >= 2_700_000 * (1 - 1e-9)).all("year").mean())
    assert f"would hold the target in {share:.0%} of these 6 samples" in document["message"]


def test_the_earliest_year_is_the_first_feasible_one():
    result = plan("baseline", "earliest", target=3_200_000)
    year = result.goal["earliest_year"]
    assert plan("baseline", "min-cost", target=3_200_000, by=f"{year}-01").status == "optimal"
    before = plan("baseline", "min-cost", target=3_200_000, by=f"{year - 1}-01")
    assert before.status == "infeasible"
    assert "cannot be met: at most" in before.message and before.check["short_by"] > 0


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--target", "-5", "--by", "2028-01"], "--target"),
        (["--target", "3e6", "--by", "2019-01"], "--by"),
        (["--target", "3e6", "--by", "2028"], "--by"),
        (["--objective", "fastest"], "--objective"),
        (["--objective", "max-output", "--by", "2030-01"], "--budget"),
        (["--target", "3e6", "--by", "2028-01", "--robust", "0"], "--robust"),
        (["--objective", "max-output", "--budget", "nan", "--by", "2030-12"], "--budget"),
        (["--target", "3e6", "--by", "2028-01", "--shortfall-price", "100"], "--shortfall-price"),
        (["--objective", "earliest", "--target", "3e6", "--by", "2028-01"], "--by"),
        (
            ["--objective", "max-output", "--budget", "1e9", "--by", "2030-12", "--target", "5"],
            "--target",
        ),
    ],
)
def test_bad_goals_get_one_clear_error(args, field, capsys):
    from outproduce.interfaces.cli import app

    with pytest.raises(SystemExit) as exit_:
        app(["plan", *args], standalone_mode=True)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert field in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_scenario_candidate_is_planned_and_a_bad_one_is_refused(tmp_path, capsys):
    from outproduce.interfaces.cli import app

    good = tmp_path / "own.yaml"
    good.write_text(
        "name: own\nbase: baseline\ncandidates:\n  cheap_line:\n    name: A cheap line\n"
        "    kind: new_line\n    country: DEU\n    capex_per_unit: 10\n    lead_months: 6\n"
        "    max_size: 500000\n",
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as exit_:
        app(["plan", "--scenario", str(good), "--target", "3e6", "--by", "2028-01", "--json"])
    assert exit_.value.code == 0
    document = json.loads(capsys.readouterr().out)
    assert document["investments"][0]["candidate"] == "cheap_line"  # at USD 10 a round
    assert document["check"]["passed"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text().replace("max_size: 500000", "max_size: -1"), "utf-8")
    with pytest.raises(SystemExit) as exit_:
        app(["plan", "--scenario", str(bad), "--target", "3e6", "--by", "2028-01"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "max_size" in err


def test_plan_is_in_the_python_api():
    import outproduce

    assert outproduce.plan is plan
    with pytest.raises(InputError, match="--budget"):
        plan("baseline", "max-output", by="2030-01")


def test_the_plan_writes_its_files(tmp_path):
    import pandas as pd

    from outproduce.interfaces.cli import app

    folder = tmp_path / "plan"
    with pytest.raises(SystemExit) as exit_:
        app(["plan", "--target", "3e6", "--by", "2028-01", "--out", str(folder)])
    assert exit_.value.code == 0
    document = json.loads((folder / "plan.json").read_text())
    builds = pd.read_csv(folder / "plan_builds.csv")
    assert builds["capex_usd"].sum() == pytest.approx(document["cost_usd"], rel=1e-9)
    assert list(builds["start"]) == [row["start"] for row in document["investments"]]
    yearly = pd.read_csv(folder / "plan_rounds_by_year.csv").set_index("year")
    assert yearly.loc[2028].sum() >= 3_000_000 * (1 - 1e-7)  # the goal, held in 2028
    assert (folder / "outproduce-manifest.json").exists()


def test_the_plans_pool_name_is_kept_and_a_yearly_goal_needs_a_whole_year(tmp_path):
    from outproduce import load_scenario

    clash = tmp_path / "clash.yaml"
    clash.write_text("name: clash\nbase: baseline\nlines:\n  us_155_enterprise: {pool: plan}\n")
    with pytest.raises(InputError, match="kept for the plan") as found:
        plan(load_scenario(clash), "min-cost", target=3e6, by="2028-01")
    assert found.value.field == "lines.us_155_enterprise.pool"
    short = tmp_path / "short.yaml"
    short.write_text("name: short\nbase: baseline\nhorizon: {start: 2022-01, end: 2026-06}\n")
    with pytest.raises(InputError, match="whole calendar year"):
        plan(load_scenario(short), "min-cost", target=3e6, by="2026-01")


def test_a_plan_starting_mid_year_still_counts_that_whole_year():
    # A start in July: the year's first half is what exists; builds start from July.
    late = plan("baseline", "min-cost", target=2_690_000, by="2028-08", start="2028-07")
    early = plan("baseline", "min-cost", target=2_690_000, by="2028-08", start="2028-01")
    assert late.status == early.status == "infeasible"
    assert late.check["best_achievable"] <= early.check["best_achievable"]


def test_new_rounds_count_with_their_155mm_factor(tmp_path):
    """The engine weighs 155mm lines by the conversion factor; so does the planner."""
    from outproduce import load_scenario

    path = tmp_path / "factor.yaml"
    path.write_text("name: factor\nbase: baseline\nassumptions: {conversion_155eq: {155mm: 0.9}}\n")
    found = plan(load_scenario(path), "min-cost", target=2_700_000, by="2030-01")
    assert found.status == "optimal" and found.check["passed"]
    table = found.table
    yearly = (table["made"] + table["existing"]).groupby("month.year").sum().sel(year=2030)
    assert float(yearly.min()) >= 2_700_000 * (1 - 1e-7)
