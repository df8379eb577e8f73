"""Spending pathways: shapes by hand, GDP-weighted aggregates, NATO's published figures."""

from __future__ import annotations

import numpy as np
import pytest

from outproduce import load_scenario, load_table, spending, summarise_spending
from outproduce.analyses.pathways import pathway
from outproduce.errors import InputError

YEARS = np.arange(2024, 2037)


def test_linear_pathway_by_hand():
    # 2.0% in 2025 to 3.5% in 2035: +0.15 pp a year, then held.
    path = pathway(2.0, 2025, 3.5, 2035, "linear", YEARS)
    assert np.isnan(path[0]) and np.isnan(path[1])  # 2024, 2025 are history
    assert path[YEARS == 2026][0] == pytest.approx(2.15)
    assert path[YEARS == 2030][0] == pytest.approx(2.75)
    assert path[YEARS == 2035][0] == pytest.approx(3.5)
    assert path[YEARS == 2036][0] == pytest.approx(3.5)


def test_front_loaded_pathway_closes_three_quarters_by_half_way():
    path = pathway(2.0, 2025, 3.5, 2035, "front_loaded", YEARS)
    # x = 0.5 -> gap left (1 - 0.5)^2 = 0.25 of 1.5 pp.
    assert path[YEARS == 2030][0] == pytest.approx(3.5 - 1.5 * 0.25)
    # x = 0.1 -> 3.5 - 1.5 * 0.81
    assert path[YEARS == 2026][0] == pytest.approx(3.5 - 1.5 * 0.81)
    assert path[YEARS == 2035][0] == pytest.approx(3.5)


def test_constant_growth_pathway_is_geometric():
    path = pathway(2.0, 2025, 3.5, 2035, "constant_growth", YEARS)
    ratio = (3.5 / 2.0) ** 0.1
    assert path[YEARS == 2026][0] == pytest.approx(2.0 * ratio)
    assert path[YEARS == 2031][0] == pytest.approx(2.0 * ratio**6)
    on_path = path[(YEARS >= 2026) & (YEARS <= 2035)]
    assert np.allclose(on_path[1:] / on_path[:-1], ratio)


def test_an_ally_above_target_keeps_its_share():
    path = pathway(4.48, 2025, 3.5, 2035, "linear", YEARS)
    assert np.allclose(path[YEARS > 2025], 4.48)


def test_unknown_shape_is_an_input_error():
    with pytest.raises(InputError, match="unknown pathway shape"):
        pathway(2.0, 2025, 3.5, 2035, "exponential", YEARS)


@pytest.fixture(scope="module")
def baseline():
    ds = spending("baseline", samples=400, seed=3)
    return ds, summarise_spending(ds)


def test_germany_by_hand_from_its_2024_share(baseline):
    ds, _ = baseline
    deu = ds.sel(ally="DEU")
    # NATO has no 2025 figure for Germany: the linear path runs from 2.00% (2024).
    assert int(deu["start_year"]) == 2024
    assert float(deu["core_share"].sel(year=2024)) == pytest.approx(2.00)
    assert float(deu["core_share"].sel(year=2025)) == pytest.approx(2.0 + 1.5 / 11)
    assert float(deu["core_share"].sel(year=2035)) == pytest.approx(3.5)
    assert str(deu["kind"].sel(year=2025).values) == "pathway"
    # Money = share x GDP; GDP = World Bank 2023 x ((1 + g)(1 + inflation))^(years).
    gdp_2023 = load_table("gdp").query("iso3 == 'DEU' and year == 2023")
    gdp_2023 = float(gdp_2023[gdp_2023["vintage"].str.startswith("World Bank")].iloc[0, 2])
    assert float(deu["gdp_usd_bn_current"].sel(year=2023)[0]) == pytest.approx(gdp_2023)
    g = ds["gdp_usd_bn_current"].sel(ally="DEU", year=2030) / gdp_2023
    expected = 3.5 - 1.5 * 5 / 11  # share in 2030
    assert np.allclose(
        ds["core_usd_bn_current"].sel(ally="DEU", year=2030), expected / 100 * gdp_2023 * g
    )


def test_aggregates_are_sums_and_gdp_weighted_shares(baseline):
    ds, _ = baseline
    europe = ds["ally"] != "USA"
    for year in (2014, 2024, 2030):
        at = ds.sel(year=year)
        total = at["core_usd_bn_current"].sum("ally")
        assert np.allclose(at["group_core_usd_bn_current"].sel(group="alliance"), total)
        share = 100 * total / at["gdp_usd_bn_current"].sum("ally")
        assert np.allclose(at["group_core_share"].sel(group="alliance"), share)
        eu_share = (
            100
            * at["core_usd_bn_current"].where(europe).sum("ally")
            / at["gdp_usd_bn_current"].where(europe).sum("ally")
        )
        assert np.allclose(at["group_core_share"].sel(group="europe_canada"), eu_share)
        # Not the simple mean of the shares (that would overweight small allies).
        assert not np.allclose(share, at["core_share"].mean("ally"))


def published(group: str, year: int, measure: str = "pct_gdp") -> float:
    table = load_table("spending_aggregates")
    row = table[(table["group"] == group) & (table["year"] == year) & (table["measure"] == measure)]
    return float(row["value"].iloc[0])


@pytest.mark.parametrize(
    ("group", "year", "tolerance"),
    [
        # NATO weights allies at constant 2021 prices and exchange rates; we use current
        # World Bank dollars. In 2014 that gives the US less weight (69% of the total in
        # current dollars vs ~73% at constant prices, spending_aggregates notes), so the
        # alliance share comes out 0.11 pp low. Europe and Canada alone match to 0.01 pp.
        ("alliance", 2014, 0.15),
        ("europe_canada", 2014, 0.10),
        ("alliance", 2024, 0.10),
        ("europe_canada", 2024, 0.10),
        # 2025: eight allies without a NATO 2025 figure are on their pathway.
        ("alliance", 2025, 0.15),
        ("europe_canada", 2025, 0.15),
    ],
)
def test_aggregate_shares_match_nato_published(baseline, group, year, tolerance):
    ds, _ = baseline
    ours = float(ds["group_core_share"].sel(group=group, year=year).median())
    assert ours == pytest.approx(published(group, year), abs=tolerance)


@pytest.mark.parametrize("group", ["usa", "europe_canada"])
def test_2025_money_matches_nato_current_dollars(baseline, group):
    ds, _ = baseline
    ours = float(ds["group_core_usd_bn_current"].sel(group=group, year=2025).median())
    # NATO: about USD 980bn (US) and 608bn (Europe and Canada) at current prices. Our
    # GDP is the World Bank's 2023 grown by the assumption, so within 5% (US: -3%).
    assert ours == pytest.approx(published(group, 2025, "usd_billion_current"), rel=0.05)


@pytest.mark.parametrize("iso3", ["USA", "DEU"])
def test_projected_gdp_is_close_to_the_imf_october_2025_outlook(baseline, iso3):
    ds, _ = baseline
    table = load_table("gdp")
    imf = table[(table["iso3"] == iso3) & (table["vintage"] == "IMF WEO 2025-10")]
    ours = float(ds["gdp_usd_bn_current"].sel(ally=iso3, year=2025).median())
    # US nominal growth in 2024-25 ran above 2% inflation + 1.5% real: ours is 3.6% low;
    # Germany 2% high (the dollar moves are not modelled).
    assert ours == pytest.approx(float(imf["gdp_usd_billion_current"].iloc[0]), rel=0.05)


def test_summary_answers_the_germany_question(baseline):
    _, tables = baseline
    deu = next(r for r in tables["allies"] if r["iso3"] == "DEU")
    assert deu["target_share"] == 3.5 and deu["year_core_reached"] == 2035
    assert deu["cumulative_extra_core_usd_p10"] < deu["cumulative_extra_core_usd"]
    assert deu["cumulative_extra_core_usd"] < deu["cumulative_extra_core_usd_p90"]
    pol = next(r for r in tables["allies"] if r["iso3"] == "POL")
    assert pol["year_core_reached"] == 2024 and pol["gap_pp"] == 0
    assert not any(r["iso3"] == "ISL" for r in tables["allies"])


def test_rounds_cost_the_budget_at_their_contracts_price(baseline):
    # National contracts: France's rounds, priced on the volume curve at their size
    # (the sample's drawn ratio), cost exactly France's ammunition money.
    from outproduce.analyses.volume_prices import contract_cost
    from outproduce.engine.inputs import InputTable

    ds, _ = baseline
    options = load_scenario("baseline").spending
    ratio = InputTable(3, 400).draw("spending:volume_price_ratio", options.volume_price_ratio)
    assert 0.9 <= ratio.min() < ratio.max() <= 1.0
    at = ds.sel(ally="FRA", year=2030)
    price = ds["price_usd"].sel(year=2030).values
    cost = contract_cost(at["rounds"].values, price, ratio, options.volume_reference_rounds)
    assert np.allclose(cost, at["ammunition_usd_bn"].values * 1e9, rtol=1e-9)


def test_same_seed_same_numbers():
    first = spending("baseline", samples=30, seed=9)
    second = spending("baseline", samples=30, seed=9)
    assert np.array_equal(first["core_usd_bn"].values, second["core_usd_bn"].values, equal_nan=True)


def test_per_ally_options_spain_at_2_1_and_germany_front_loaded_by_2030(write_yaml):
    path = write_yaml(
        """\
name: ally_options
base: baseline
spending:
  allies:
    ESP: {core_pct_gdp: 2.1}
    DEU: {shape: front_loaded, target_year: 2030}
""",
        "ally_options.yaml",
    )
    ds = spending(load_scenario(path), samples=20, seed=1)
    esp = ds["core_share"].sel(ally="ESP")
    # Spain 2.00% in 2025 to 2.1% in 2035, linear.
    assert float(esp.sel(year=2030)) == pytest.approx(2.05)
    deu = ds["core_share"].sel(ally="DEU")
    # Germany from 2.00% (2024) to 3.5% by 2030, front-loaded: x = 3/6 in 2027.
    assert float(deu.sel(year=2027)) == pytest.approx(3.5 - 1.5 * 0.25)
    assert float(deu.sel(year=2030)) == pytest.approx(3.5)
    assert int(ds["year_core_reached"].sel(ally="DEU")) == 2030
    # Resilience reaches its 1.5% ceiling by Germany's own target year too.
    assert np.allclose(ds["resilience_share"].sel(ally="DEU", year=2030), 1.5)


def test_a_scenario_without_spending_is_one_clear_error(tiny):
    with pytest.raises(InputError, match="has no 'spending' section") as info:
        spending(load_scenario(tiny), samples=5, seed=1)
    assert info.value.file == str(tiny) and info.value.field == "spending"
