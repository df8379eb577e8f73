"""Issue 9: graded sources, the defects of the old baseline, calibration and the claim."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import outproduce
from outproduce import balance, calibrate, claim, load_scenario, load_table
from outproduce.analyses.calibrate import _inside, coverage
from outproduce.data import catalog, checks
from outproduce.engine.simulate import run
from outproduce.interfaces.cli import app

runner = CliRunner()

HEAD = """\
name: verdict
horizon: {start: 2022-01, end: 2026-12}
samples: 50
seed: 11
data_lines: none
assumptions:
  conversion_155eq: {155mm: 1.0, artillery_all: 1.0}
  utilisation: 0.5
  target_attainment: 1.0
  target_slip_months: 0
"""


def line(name, bloc, country, measure, rate, calibre="155mm", extra=""):
    return f"""\
  {name}:
    name: {name}
    bloc: {bloc}
    country: {country}
    calibre: {calibre}
    measure: {measure}
    steps: [{{first_output: 2022-01, full_rate: 2022-01, rate: {rate}}}]
{extra}"""


# --- graded sources ------------------------------------------------------------------


def test_every_source_is_graded_and_the_check_fails_on_an_ungraded_one(monkeypatch):
    grades = set(load_table("sources")["reliability"])
    assert grades <= set(catalog.GRADES)
    assert {"A", "B", "C", "D"} <= grades
    raw = catalog.read_raw

    def ungraded(name):
        frame = raw(name)
        if name == "sources":
            frame.loc[0, "reliability"] = "medium"
        return frame

    monkeypatch.setattr(catalog, "read_raw", ungraded)
    assert any("reliability='medium'" in p for p in checks.check_integrity())


def test_a_baseline_figure_on_c_d_alone_must_say_so(monkeypatch):
    assert checks.check_integrity() == []
    raw = catalog.read_raw

    def unmarked(name):
        frame = raw(name)
        if name == "capacity_steps":
            frame["note"] = frame["note"].str.replace(catalog.WEAK_MARKER, "", regex=False)
        return frame

    monkeypatch.setattr(catalog, "read_raw", unmarked)
    problems = checks.check_integrity()
    assert any("russia_artillery_production step 4 rests on C/D" in p for p in problems)


def test_scenario_figures_on_c_d_alone_are_found():
    scenario = load_scenario("baseline")
    assert scenario.unmarked_weak_figures() == []
    holder = scenario.holders["DEU"].model_copy(update={"note": "no label"})
    changed = scenario.model_copy(update={"holders": {**scenario.holders, "DEU": holder}})
    assert changed.unmarked_weak_figures() == ["holders.DEU"]


def test_the_wrong_pravdaen_url_is_corrected_and_copies_name_their_originals():
    sources = load_table("sources").set_index("source_id")
    assert "533322" not in sources.loc["pravdaen-2024", "url"]
    # A replaced copy is no longer cited where its original was found.
    steps = load_table("capacity_steps")
    cited = ";".join(steps["source_id"])
    for copy in ("zerohedge-2024", "trends-2025", "24instantnews-2024", "goodreads-2022"):
        assert copy not in cited


def test_cli_data_sources_shows_and_filters_grades():
    result = runner.invoke(app, ["data", "sources", "--grade", "D"])
    assert result.exit_code == 0
    body = result.output.splitlines()[1:]
    assert body and all(line.startswith("[D] ") for line in body[::2])
    bad = runner.invoke(app, ["data", "sources", "--grade", "Z"])
    assert bad.exit_code == 2


# --- the defects of the old baseline, each by hand -----------------------------------


def test_russia_2022_on_the_mid_year_rule(write_yaml):
    steps = load_table("capacity_steps").query("line_id == 'russia_artillery_production'")
    first, second = steps.iloc[0], steps.iloc[1]
    assert (first["first_output"], first["full_rate"]) == ("2022-01", "2022-01")
    assert (second["first_output"], second["full_rate"]) == ("2022-08", "2023-07")
    # With the packaged dates and the central values (400,000 then 2,000,000): flat to
    # July, then a 12-month ramp. 2022 total = 400,000 + 1,600,000 x (1+2+3+4+5)/12/12.
    body = f"""\
lines:
  russia:
    name: Russia
    bloc: adversary
    country: RUS
    calibre: artillery_all
    measure: output
    steps:
      - {{first_output: {first["first_output"]}, full_rate: {first["full_rate"]}, rate: 400000}}
      - {{first_output: {second["first_output"]}, full_rate: {second["full_rate"]}, rate: 2000000}}
{line("us", "alliance", "USA", "output", 1)}"""
    ds = balance(load_scenario(write_yaml(HEAD + body)))
    total_2022 = float(ds["adversary_production"].sel(month="2022").sum("month")[0])
    assert total_2022 == pytest.approx(400_000 + 1_600_000 * 15 / 144)


def test_russia_2025_is_centred_on_the_published_figure():
    step = load_table("capacity_steps").query(
        "line_id == 'russia_artillery_production' and step == 4"
    )
    published = load_table("published_estimates").set_index("estimate_id")
    central = published.loc["russia_output_2025_efis_howitzer", "value_central"]
    assert float(step["rate_central_per_year"].iloc[0]) == central == 3_400_000
    # The range is the stated +-25% and the note says it rests on a C source alone.
    assert float(step["rate_low_per_year"].iloc[0]) == pytest.approx(0.75 * central)
    assert float(step["rate_high_per_year"].iloc[0]) == pytest.approx(1.25 * central)
    assert catalog.WEAK_MARKER in step["note"].iloc[0]


def test_north_korea_on_the_mixed_factor_and_refurbishment_not_counted_twice(write_yaml):
    scenario = load_scenario("baseline")
    nk = scenario.lines["nk_transfers_to_russia"]
    assert nk.calibre == "artillery_all"
    assert nk.counted_share is not None and (nk.counted_share.low, nk.counted_share.high) == (
        0.5,
        1.0,
    )
    # By hand: a counted share of 0.5 halves what the balance counts.
    extra = "    counted_share: 0.5\n"
    body = "lines:\n" + line("nk", "adversary", "PRK", "transfer", 120000, extra=extra)
    body += line("us", "alliance", "USA", "output", 1)
    ds = balance(load_scenario(write_yaml(HEAD + body)))
    assert float(ds["output"].sel(bloc="adversary").isel(sample=0, month=5)) == pytest.approx(5000)


def test_utilisation_only_on_stated_capacity(write_yaml):
    # Capacity 120,000/yr at utilisation 0.5 makes 5,000 a month; a later step stating
    # output of 96,000/yr is counted as stated: 8,000 a month, not 4,000.
    body = """\
lines:
  plant:
    name: Plant
    bloc: alliance
    country: DEU
    calibre: 155mm
    measure: capacity
    steps:
      - {first_output: 2022-01, full_rate: 2022-01, rate: 120000}
      - {first_output: 2023-01, full_rate: 2023-01, rate: 96000, measure: output}
""" + line("r", "adversary", "RUS", "output", 1)
    ds = balance(load_scenario(write_yaml(HEAD + body)))
    plant = ds["line_output"].sel(line="plant").isel(sample=0)  # rounds a year
    assert float(plant.sel(year=2022)) == pytest.approx(12 * 5000)
    assert float(plant.sel(year=2023)) == pytest.approx(12 * 8000)


def test_us_complete_rounds_are_limited_by_charges():
    # Sep 2024: 40,000 projectiles a month (Army) but 18,000 charges (Valleyfield, before
    # Marion opened in Oct 2024): 18,000 complete rounds, as published.
    scenario = load_scenario("baseline")
    res = run(scenario, 200, 5, full=True)
    k = res.layout.line_ids.index("us_155_enterprise")
    month = 12 * 2 + 8  # 2024-09 on a grid from 2022-01
    assert np.allclose(res.capacity[:, k, month], 40_000)
    assert np.allclose(res.production[:, k, month], 18_000)


def test_price_is_deflated_to_2025_usd_with_the_contract_prices():
    price = load_scenario("baseline").spending.price_155_usd
    usd_per_eur, deflator = 1.08, 1.026
    assert price.low == pytest.approx(round((2219 + 410) * usd_per_eur * deflator, -2), abs=50)
    assert price.central == pytest.approx(4400 * usd_per_eur * deflator, abs=10)
    assert price.high == pytest.approx(8000 * usd_per_eur * deflator, abs=10)


def test_one_continuation_rule_for_both_sides(write_yaml):
    scenario = load_scenario("baseline")
    common = scenario.assumptions.growth_after_last_step
    assert common is not None and common.low == -common.high  # symmetric
    own = [k for k, v in scenario.lines.items() if v.growth_after_last_step is not None]
    assert own == ["nk_transfers_to_russia"]  # the only one with a published basis
    # By hand: a line without its own continuation follows the common one (+10% a year).
    head = HEAD.replace(
        "  target_slip_months: 0\n", "  target_slip_months: 0\n  growth_after_last_step: 0.1\n"
    )
    body = "lines:\n" + line("a", "alliance", "DEU", "output", 120000)
    body += line("r", "adversary", "RUS", "output", 120000)
    ds = balance(load_scenario(write_yaml(head + body)))
    out = ds["output"].isel(sample=0)
    for bloc in ("alliance", "adversary"):
        assert float(out.sel(bloc=bloc, month="2023-01").squeeze()) == pytest.approx(10000 * 1.1)
    # A line's own continuation of 0 holds it flat: it is not replaced by the common one.
    flat = body.replace(
        "    steps: [{first_output: 2022-01",
        "    growth_after_last_step: 0\n    steps: [{first_output: 2022-01",
        1,
    )
    ds = balance(load_scenario(write_yaml(head + flat, "flat.yaml")))
    alliance = ds["output"].sel(bloc="alliance").isel(sample=0)
    assert float(alliance.sel(month="2023-01").squeeze()) == pytest.approx(10000)


def test_partners_are_shown_beside_the_alliance_never_summed(write_yaml):
    body = "lines:\n" + line("a", "alliance", "DEU", "output", 120000)
    body += line("r", "adversary", "RUS", "output", 60000)
    without = balance(load_scenario(write_yaml(HEAD + body, "a.yaml")))
    body += line("k", "partners", "KOR", "output", 240000)
    ds = balance(load_scenario(write_yaml(HEAD + body, "b.yaml")))
    assert np.array_equal(ds["output"].sel(bloc="alliance"), without["output"].sel(bloc="alliance"))
    assert float(ds["output"].sel(bloc="partners").isel(sample=0, month=0)) == 20000


# --- calibration ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "central", "high", "inside"),
    [
        (np.nan, 5.0, np.nan, True),
        (np.nan, 11.0, np.nan, False),
        (8.0, np.nan, 12.0, True),  # a range overlapping P10-P90
        (11.0, np.nan, 14.0, False),
        (9.0, np.nan, np.nan, True),  # "at least 9": P90 is 10
        (11.0, np.nan, np.nan, False),
        (np.nan, np.nan, 2.0, True),  # "at most 2": P10 is 1
        (np.nan, np.nan, 0.5, False),
    ],
)
def test_inside_rule(low, central, high, inside):
    assert _inside(low, central, high, 1.0, 10.0) is inside


def test_calibration_by_hand(write_yaml):
    # USA makes 120,000 a year (10,000 a month) as stated output; North Korea ships
    # 1.2 million a year (100,000 a month) from Jan 2022.
    body = "lines:\n" + line("us", "alliance", "USA", "output", 120000)
    body += line("nk", "adversary", "PRK", "transfer", 1200000, calibre="artillery_all")
    result = calibrate(load_scenario(write_yaml(HEAD + body)))
    rows = result.estimates.set_index("id")
    wormuth = rows.loc["usa_output_2023_03_wormuth"]  # 20,000 a month in Mar 2023
    assert wormuth["p50"] == pytest.approx(10_000) and not wormuth["inside"]
    nis = rows.loc["nk_transfer_2023_11_nis"]  # at least 1 million, Aug-Nov 2023 (4 months)
    assert nis["p50"] == pytest.approx(400_000) and not nis["inside"]
    times = rows.loc["nk_transfer_rate_2024_10_times"]  # 3 million a year in Oct 2024
    assert times["p50"] == pytest.approx(1_200_000)
    assert rows.loc["eu_output_2025_kubilius", "status"].startswith("no line of EU")
    compared = result.estimates[result.estimates["status"] == "compared"]
    assert result.coverage["all"]["n"] == len(compared)
    assert result.coverage["all"]["inside"] == pytest.approx(compared["inside"].mean())


def test_coverage_counts_independent_and_graded_estimates():
    frame = pd.DataFrame(
        {
            "status": ["compared"] * 4 + ["period outside the horizon"],
            "inside": [True, False, True, True, False],
            "grade": ["A", "B", "C", "B", "A"],
            "used_by": ["", "x", "", "x", ""],
        }
    )
    cov = coverage(frame)
    assert cov["all"] == {"n": 4, "inside": 0.75}
    assert cov["A/B"] == {"n": 3, "inside": pytest.approx(2 / 3)}
    assert cov["independent"] == {"n": 2, "inside": 1.0}
    assert cov["by_grade"]["C"] == {"n": 1, "inside": 1.0}
    assert cov["not_compared"] == 1


def test_calibrate_on_the_baseline_and_its_json():
    result = runner.invoke(app, ["calibrate", "--samples", "200", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert set(document["estimates"][0]) >= {
        "id",
        "bloc",
        "period",
        "measure",
        "published",
        "grade",
        "p10",
        "p50",
        "p90",
        "inside",
    }
    assert len(document["estimates"]) == len(load_table("published_estimates"))
    assert 0 <= document["coverage"]["all"]["inside"] <= 1
    assert "NaN" not in result.output


# --- the claim -----------------------------------------------------------------------


def test_claim_by_hand(write_yaml):
    # Allies 1.2 million a year (all European), Russia 1.0 million, North Korea 0.5
    # million: ahead of Russia, behind Russia with its suppliers, in every sample.
    body = "lines:\n" + line("eu", "alliance", "EU", "output", 1200000)
    body += line("r", "adversary", "RUS", "output", 1000000)
    body += line("nk", "adversary", "PRK", "transfer", 500000, calibre="artillery_all")
    result = claim(load_scenario(write_yaml(HEAD + body)), at="2025-11")
    assert result.p_ahead_of_russia == 1.0 and result.p_ahead_of_axis == 0.0
    values = {(b["input"], b["versus"]): b["value"] for b in result.break_even}
    assert values[("Russian production", "Russia")] == pytest.approx(1_200_000)
    assert values[("Russian production", "Russia and its suppliers")] == pytest.approx(700_000)
    assert values[("European allies' output", "Russia")] == pytest.approx(1_000_000)
    assert values[("European allies' output", "Russia and its suppliers")] == pytest.approx(
        1_500_000
    )
    assert "very likely (P = 100%)" in result.verdict
    assert "very unlikely (P = 0%)" in result.verdict


def test_claim_cli_json_and_bad_month():
    result = runner.invoke(app, ["claim", "--samples", "200", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert set(document) >= {
        "month",
        "p_ahead_of_russia",
        "p_ahead_of_axis",
        "verdict",
        "break_even",
    }
    assert document["month"] == "2025-11"
    assert {"input", "value", "unit"} <= set(document["break_even"][0])
    bad = runner.invoke(app, ["claim", "--at", "2040-01"])
    assert bad.exit_code == 2


def test_claim_python_api_is_exported():
    assert outproduce.claim is claim and outproduce.calibrate is calibrate


# --- hostile inputs to the new fields and commands -----------------------------------


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ("assumptions:\n  growth_after_last_step: .nan\n", "assumptions.growth_after_last_step"),
        ("assumptions:\n  utilisation: .inf\n", "assumptions.utilisation"),
        (
            "lines:\n  russia_artillery_production:\n    growth_after_last_step: 1.0e+30\n",
            "lines.russia_artillery_production.growth_after_last_step",
        ),
        (
            "lines:\n  russia_artillery_production:\n"
            "    growth_after_last_step: {dist: normal, mean: 0, sd: 0.1}\n",
            "lines.russia_artillery_production.growth_after_last_step",
        ),
        ("inputs:\n  bill_of_materials:\n    charges: .inf\n", "inputs.bill_of_materials.charges"),
        (
            "lines:\n  nk_transfers_to_russia:\n    counted_share: 1.5\n",
            "lines.nk_transfers_to_russia.counted_share",
        ),
    ],
)
def test_non_finite_or_unbounded_values_are_one_clear_error(write_yaml, patch, field):
    path = write_yaml("name: hostile\nbase: baseline\n" + patch, "hostile.yaml")
    result = runner.invoke(app, ["claim", "--scenario", str(path)])
    assert result.exit_code == 2
    assert f"{path}:" in result.output and field in result.output


def test_a_value_given_over_the_base_replaces_it_whole(write_yaml):
    # The baseline's continuation is triangular (-0.1, 0, 0.1); a uniform range given
    # over it must not keep the old central value (nor its note).
    path = write_yaml(
        "name: u\nbase: baseline\nassumptions:\n"
        "  growth_after_last_step: {low: -0.05, high: 0.05}\n"
        "  target_slip_months: {dist: triangular, low: 0, mode: 3, high: 9}\n"
    )
    scenario = load_scenario(path)
    growth = scenario.assumptions.growth_after_last_step
    assert (growth.low, growth.central, growth.high, growth.note) == (-0.05, None, 0.05, "")
    assert scenario.assumptions.target_slip_months.mode == 3


def test_claim_without_russian_production_is_an_input_error(write_yaml):
    body = "lines:\n" + line("eu", "alliance", "EU", "output", 1200000)
    body += line("nk", "adversary", "PRK", "transfer", 500000, calibre="artillery_all")
    path = write_yaml(HEAD + body)
    result = runner.invoke(app, ["claim", "--scenario", str(path)])
    assert result.exit_code == 2 and "Russia's own production" in result.output


def test_claim_break_even_not_reachable_and_no_nan(write_yaml):
    # North Korea alone out-ships the allies: no Russian output would let them lead
    # Russia with its suppliers; Russia making nothing gives no ratio, never NaN.
    body = "lines:\n" + line("eu", "alliance", "EU", "output", 400000)
    body += line("r", "adversary", "RUS", "output", 0)
    body += line("nk", "adversary", "PRK", "transfer", 500000, calibre="artillery_all")
    result = claim(load_scenario(write_yaml(HEAD + body)), at="2025-11")
    values = {(b["input"], b["versus"]): b["value"] for b in result.break_even}
    assert values[("Russian production", "Russia and its suppliers")] is None
    assert result.ratio_to_russia == {"p10": None, "p50": None, "p90": None}
    document = runner.invoke(app, ["claim", "--scenario", str(write_yaml(HEAD + body)), "--json"])
    assert document.exit_code == 0 and "NaN" not in document.output
    json.loads(document.output)


def test_cli_limits_and_labels():
    too_many = runner.invoke(app, ["claim", "--samples", "100000000000"])
    assert too_many.exit_code == 2
    empty = runner.invoke(app, ["data", "sources", "--grade", ""])
    assert empty.exit_code == 2 and "--grade" in empty.output
    bad = runner.invoke(app, ["claim", "--at", "soon"])
    assert bad.exit_code == 2 and "command line: --at" in bad.output


def test_missing_producers_are_in_the_baseline_and_partners_beside_it():
    scenario = load_scenario("baseline")
    countries = {(ln.bloc, ln.country) for ln in scenario.lines.values()}
    assert {("alliance", "TUR"), ("alliance", "CAN"), ("partners", "KOR")} <= countries
    # Norway is inside the EU/ASAP aggregate (Norway takes part in ASAP): no own line.
    assert ("alliance", "NOR") not in countries
    partners = set(load_table("partners")["iso3"])
    assert partners == {"KOR", "UKR", "JPN"}


def test_balance_json_stays_strict_when_the_adversary_makes_nothing(write_yaml):
    body = "lines:\n" + line("a", "alliance", "DEU", "output", 120000)
    body += line("r", "adversary", "RUS", "output", 0)
    path = write_yaml(HEAD + body)
    result = runner.invoke(app, ["balance", "--scenario", str(path), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output, parse_constant=lambda c: pytest.fail(f"bad JSON {c}"))
    assert document["at"]["ratio_p50"] is None
