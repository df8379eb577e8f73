"""The report: one self-contained HTML file with every analysis, assumption and source."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from outproduce import balance, claim, load_scenario, spending, summarise
from outproduce.data.catalog import source_lookup
from outproduce.interfaces.report import build_report


@pytest.fixture(scope="module")
def baseline_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    stages = []
    report = build_report(load_scenario("baseline"), folder, samples=60, seed=2, step=stages.append)
    return report, (folder / "report.html").read_text(encoding="utf-8"), stages


def test_report_writes_html_tables_and_charts(baseline_report):
    report, html, stages = baseline_report
    assert stages == [
        "the run",
        "calibration",
        "what decides the answer",
        "spending and order book",
        "sustainment",
        "what to build",
        "report",
    ]
    names = {p.name for p in report.files}
    assert {"report.html", "balance_annual.csv", "spending_allies.csv", "balance.png"} <= names
    assert {"spending_gap.png", "spending_order_book.csv", "sustain.json"} <= names
    assert {"claim.json", "calibration.json", "plan.json"} <= names
    sections = ("claim", "balance", "calibration", "lines", "spending", "order-book")
    for section in (*sections, "sustainment", "plan", "assumptions", "sources"):
        assert f'id="{section}"' in html
    # The claim comes first, above the balance.
    assert html.index('<section id="claim">') < html.index('<section id="balance">')


def test_report_claim_and_grades_are_the_analyses(baseline_report):
    report, html, _ = baseline_report
    verdict = claim(load_scenario("baseline"), samples=60, seed=2)
    assert report.summary["claim"]["verdict"] == verdict.verdict
    assert report.headlines[0] == f"The claim: {verdict.verdict}"
    # Each line's step shows its grade; sources list their grade.
    assert "dagens-2026-efis" in html and '<th class="text">grade</th>' in html


def test_report_names_what_decides_the_claim(baseline_report):
    report, html, _ = baseline_report
    assert 'id="drivers"' in html and "fig-drivers-claim" in html
    drivers = json.loads((report.folder / "drivers.json").read_text())
    ranked = drivers["ratio:2025-11"]["inputs"]
    assert ranked[0]["ST"] >= ranked[-1]["ST"]  # most influential first
    from outproduce.interfaces.report_methods import input_label

    # Named in words in the report (the JSON keeps the stream names a groups file uses).
    words = input_label(load_scenario("baseline"), ranked[0]["name"])
    assert words != ranked[0]["name"] and words in html
    assert any("What decides the claim" in h and words in h for h in report.headlines)
    # The PRIM boxes in words, on the report's own run: the share where the alliance is
    # never durably ahead is the balance's share without a crossover.
    found = {d["outcome"]: d for d in drivers["discoveries"]}
    assert set(found) == {"ahead_of_russia_at:2025-11", "crossover_never"}
    view = balance(load_scenario("baseline"), samples=60, seed=2)
    never = float(np.isnat(view["crossover"].values).mean())
    assert found["crossover_never"]["holds_in"] == pytest.approx(never)
    assert "never durably ahead within the horizon" in html


def test_report_is_self_contained(baseline_report):
    _, html, _ = baseline_report
    # plotly.js is inlined; no script or stylesheet is fetched from anywhere.
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=", html)
    assert "Plotly.newPlot" in html and html.count('class="plotly-graph-div"') >= 5


def test_report_numbers_are_the_analyses_numbers(baseline_report):
    report, html, _ = baseline_report
    ds = balance(load_scenario("baseline"), samples=60, seed=2)
    summary = summarise(ds)
    assert report.summary["crossover"] == summary.crossover
    spend = spending("baseline", samples=60, seed=2)
    share = float(spend["group_core_share"].sel(group="alliance", year=2025).median())
    assert report.summary["spending_gap"]["gap_pp"] == pytest.approx(3.5 - share)
    assert f"the gap to 3.5% is {3.5 - share:.2f} pp" in html


def test_report_lists_every_assumption_and_source_of_the_scenario(baseline_report):
    _, html, _ = baseline_report
    for name in ("assumptions.utilisation", "spending.equipment_share", "expansion_lead_months"):
        assert name in html
    lookup = source_lookup()
    for source_id in ("nato-members", "namanjain92-2025", "unn-2024b", "worldbank-2026"):
        if source_id in lookup:
            assert f'id="src-{source_id}"' in html
            assert lookup[source_id]["url"].replace("&", "&amp;") in html


def test_report_on_a_scenario_with_only_the_balance(tiny, tmp_path):
    report = build_report(load_scenario(tiny), tmp_path, samples=10, seed=1)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="balance"' in html and 'id="spending"' not in html
    # The claim, the balance and the calibration: the analyses every scenario has.
    assert len(report.headlines) == 3


def test_the_report_runs_the_engine_once(tmp_path, monkeypatch):
    import outproduce.analyses.run as run_module

    calls = []
    engine = run_module.run_engine

    def counted(*args, **kwargs):
        calls.append(1)
        return engine(*args, **kwargs)

    monkeypatch.setattr(run_module, "run_engine", counted)
    # Every section is a view of the report's one run, but for the sensitivity section,
    # which runs its own design once (960 runs in one batch), and the plan section: the
    # plan for the median (one sample, every input at its median) and its engine check.
    build_report(load_scenario("baseline"), tmp_path, samples=20, seed=3)
    assert len(calls) == 4


def test_a_stock_target_sentence_cannot_contradict_its_table():
    """Touching the target and falling back is said as such, from the yearly medians."""
    from outproduce.interfaces.outputs import target_sentence

    entry = {
        "name": "Germany",
        "yearly": [
            {"year": 2031, "stock_end_p50": 171_820.0},
            {"year": 2035, "stock_end_p50": 135_910.0},
        ],
        "rebuild": {
            "target_stock": 230_000.0,
            "target_month": "2031-12",
            "p_reached_by_target_month": 0.6,
            "reached_p50": "2025-03",
        },
    }
    assert target_sentence(entry) == (
        "Germany: the stock first reaches the target of 230,000 rounds by 2031-12 in 60% of "
        "samples (median first month: 2025-03); median stock at the end of 2031: 171,820 "
        "(below the target), at the end of 2035: 135,910."
    )
    entry["yearly"][0]["stock_end_p50"] = 240_000.0
    assert "240,000 (at or above the target)" in target_sentence(entry)
    assert target_sentence({"name": "UKR", "yearly": []}) is None


def test_the_report_headline_on_stocks_agrees_with_the_stock_table(baseline_report):
    report, _, _ = baseline_report
    stocks = [h for h in report.headlines if h.startswith("Stocks:")]
    assert stocks and "median stock at the end of 2031" in stocks[0]


def test_chance_in_words():
    from outproduce.interfaces.outputs import chance_words

    cases = {
        0.0: "in none of the samples",
        0.02: "in fewer than 1 sample in 20",
        0.25: "in about 1 sample in 4",
        0.46: "in about half of the samples",
        0.8: "in about 8 samples in 10",
        0.97: "in almost every sample",
        1.0: "in every sample",
    }
    for p, words in cases.items():
        assert chance_words(p) == words, p


def test_the_verdict_sentence_says_the_claims_numbers(baseline_report):
    report, html, _ = baseline_report
    sentence = report.summary["claim"]["sentence"]
    verdict = claim(load_scenario("baseline"), samples=60, seed=2)
    ratio = verdict.ratio_to_russia
    assert sentence.startswith(verdict.verdict.split(":")[0] + ".")
    assert f"between {ratio['p10']:.2f} and {ratio['p90']:.2f} of Russia's own output" in sentence
    assert html.index('id="verdict"') < html.index('<section id="summary">')


def test_every_chart_names_its_sources_and_each_source_links_back(baseline_report):
    _, html, _ = baseline_report
    charts = re.findall(r'<div id="(fig-[a-z-]+)"', html)
    assert {"fig-balance", "fig-totals", "fig-order-book", "fig-sustain"} <= set(charts)
    rows = set(re.findall(r'<tr id="src-([^"]+)"', html))
    for chart in charts:
        after = html[html.index(f'<div id="{chart}"') :]
        caption = re.search(r'class="source">(.*?)</details>', after).group(1)
        linked = re.findall(r'href="#src-([^"]+)"', caption)
        assert linked and set(linked) <= rows, chart
        # Each linked source lists this chart among those it supports.
        for source in linked:
            row = re.search(rf'<tr id="src-{re.escape(source)}">(.*?)</tr>', html).group(1)
            assert f'href="#{chart}"' in row, (chart, source)
    # The balance chart draws on the Russian production line's sources.
    balance = html[html.index('<div id="fig-balance"') :]
    caption = re.search(r'class="source">(.*?)</details>', balance).group(1)
    russia = load_scenario("baseline").lines["russia_artillery_production"]
    assert any(
        f"#src-{s.source.split(';')[0].strip()}" in caption for s in russia.steps if s.source
    )


def test_numbers_in_tables_are_formatted_one_way():
    from outproduce.interfaces.formatting import ally, human_frame, number, stock_table

    assert number(405828.2875) == "405,828"
    assert number(10536.56) == "10,537"
    assert number(12.345) == "12.3"
    assert number(0.4567) == "0.46"
    assert number(2031.0, "year") == "2031"
    assert number(float("nan")) == "–" and number(None) == "–"
    assert number(True) == "yes" and number(1_000_000) == "1,000,000"
    # One column, one number of decimals (by its largest value); chances in whole percent.
    table = human_frame(pd.DataFrame({"share": [2.0, 3.5], "P(ahead) %": [64.0, 0.5]}))
    assert table["share"].tolist() == ["2.00", "3.50"]
    assert table["P(ahead) %"].tolist() == ["64", "0"]
    assert str(ally("DEU")) == '<abbr title="DEU">Germany</abbr>'
    assert ally("DEU", html=False) == "Germany (DEU)"
    frame = stock_table(
        [
            {
                "year": 2031,
                "stock_end_p10": 1.5e5,
                "stock_end_p50": 171820.4,
                "stock_end_p90": 2.3e5,
                "received_p50": 0.0,
                "consumption_p50": 9125.0,
                "shortfall_p50": 0.0,
                "p_shortfall": 0.25,
            }
        ]
    )
    assert list(frame.columns)[1] == "stock at year end, P10"
    assert human_frame(frame).iloc[0].tolist() == [
        "2031", "150,000", "171,820", "230,000", "0", "9,125", "0", "25",
    ]  # fmt: skip


def test_report_tables_have_readable_headers_and_no_raw_floats(baseline_report):
    _, html, _ = baseline_report
    heads = re.findall(r"<th>(.*?)</th>", html)
    assert heads and not [h for h in heads if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", h)]
    cells = re.findall(r"<td>(.*?)</td>", html)
    assert not [c for c in cells if re.fullmatch(r"-?\d+\.\d{3,}", c)]
    assert '<abbr title="DEU">Germany</abbr>' in html


def test_result_tables_for_people():
    """The dashboard's tables: field names in words, chances in percent, allies by name."""
    from outproduce.interfaces.formatting import readable

    frame = pd.DataFrame(
        {
            "year": [2025],
            "iso3": ["DEU"],
            "alliance_p50": [1_811_234.5],
            "alliance_p10": [1_500_000.25],
            "p_alliance_ahead": [0.46],
        }
    )
    shown = readable(frame)
    assert list(shown.columns) == [
        "year", "ally", "alliance, median", "alliance, P10", "P(alliance ahead) %",
    ]  # fmt: skip
    assert shown.iloc[0].tolist() == ["2025", "Germany (DEU)", "1,811,234", "1,500,000", "46"]


def test_assumptions_by_name_and_a_methods_section(baseline_report):
    from outproduce.interfaces.report_methods import assumption_name

    scenario = load_scenario("baseline")
    assert assumption_name(scenario, "assumptions.utilisation").startswith("Share of stated")
    assert (
        assumption_name(scenario, "holders.DEU.consumption.0.rounds_per_day")
        == "Germany (Bundeswehr 155mm stock): use, rounds a day (period 1)"
    )
    assert assumption_name(scenario, "assumptions.conversion_155eq.122mm") == (
        "155mm-equivalent factor of 122mm rounds"
    )
    _, html, _ = baseline_report
    assert '<section id="methods">' in html and "Durably ahead." in html
    # Names in words, the field path kept beside them for the scenario file.
    assert "Share of stated capacity turned into rounds (utilisation)" in html
    assert '<span class="note">assumptions.utilisation</span>' in html


def test_a_missing_lead_time_says_why(baseline_report):
    from outproduce.interfaces.formatting import BEYOND, lead_times

    shown = lead_times(pd.Series([18.0, float("nan")]))
    assert shown.tolist() == [18.0, BEYOND]
    _, html, _ = baseline_report
    assert "not before the horizon&#39;s end" in html or "not before the horizon's end" in html


def test_inputs_are_named_in_words():
    from outproduce.interfaces.report_methods import input_label

    scenario = load_scenario("baseline")
    assert input_label(scenario, "line:russia_artillery_production:growth") == (
        "Russian tube-artillery ammunition production: yearly growth after its last published step"
    )
    assert input_label(scenario, "holder:DEU") == "Germany"
    assert input_label(scenario, "assumption:utilisation").startswith("Share of stated")
    assert input_label(scenario, "made:up") == "made:up"


def test_a_charts_source_summary_counts_its_sources_by_grade():
    from outproduce.interfaces.report_sources import chart_sources, source_summary

    scenario = load_scenario("baseline")
    ids = chart_sources(scenario, "fig-sustain")
    grades = [source_lookup()[i]["reliability"] for i in ids]
    text = source_summary(scenario, "fig-sustain")
    assert text.startswith(f"Sources of this chart: {len(ids)} (grade ")
    for grade in set(grades):
        assert f"{grade} {grades.count(grade)}" in text
    assert source_summary(scenario, "fig-unknown") == "Sources: model output of the chain."


def test_every_line_step_links_its_sources_with_their_grades(baseline_report):
    _, html, _ = baseline_report
    table = html[html.index("Steps of every line") :]
    table = table[: table.index("</table>")]
    links = re.findall(r'<a href="#src-([^"]+)">\1</a> \[([A-Za-z]+)\]', table)
    assert links
    lookup = source_lookup()
    assert all(lookup[source]["reliability"] == grade for source, grade in links)
    rows = set(re.findall(r'<tr id="src-([^"]+)"', html))
    assert {source for source, _ in links} <= rows
    assert '<abbr title="russia_artillery_production">' in table


def test_rates_in_rounds_a_year_read_as_numbers():
    from outproduce.interfaces.formatting import rate_text
    from outproduce.scenario.uncertain import Range

    assert rate_text(1.2e6) == "1.2 million" and rate_text(240000.0) == "240,000"
    assert rate_text(Range(low=168000, central=172800, high=174000)) == (
        "168,000–174,000 (central 172,800)"
    )
    assert rate_text(Range(low=2e6, high=2.5e6)) == "2 million–2.5 million"


def test_sensitivity_chart_titles_in_words():
    from outproduce.interfaces.report_methods import drives_title

    assert drives_title("ratio:2025-11") == (
        "What drives the ratio of allied to Russia's and its suppliers' output, 2025-11"
    )
    assert drives_title("rounds:2030") == "What drives the alliance's output in 2030"
    assert drives_title("on_time_share") == "What drives on_time_share"


def test_report_says_what_to_build_and_checks_it(baseline_report):
    """The plan section: the adversary's peak as the goal, the first year, the builds."""
    from outproduce.analyses.balance import balance, summarise
    from outproduce.interfaces.report_plan import plan_goal

    report, html, _ = baseline_report
    document = json.loads((report.folder / "plan.json").read_text())
    annual = summarise(balance(load_scenario("baseline"), samples=60, seed=2)).annual
    target, _year = plan_goal(annual)
    later = annual[annual["year"] >= 2026]
    assert target == later["adversary_p50"].max()  # the goal by hand: the adversary's peak
    assert document["goal"]["target"] == target
    if document["status"] == "optimal":
        assert document["check"]["passed"]
        assert 'id="fig-plan"' in html and "The plan&#39;s builds" in html
        year = document["goal"]["earliest_year"]
        assert f"first possible from {year}" in report.headlines[-1]
    else:
        assert "cannot be met" in document["message"]
    # The candidates' sources are listed, with a link back to the plan chart.
    assert 'id="src-wiwo-2024-unterluess"' in html
