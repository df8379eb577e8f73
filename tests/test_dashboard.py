"""The dashboard's computations without a browser: uploads, views, downloads."""

from __future__ import annotations

import io
import json
import pickle
import re
import zipfile

import pytest

from outproduce import load_scenario
from outproduce.errors import InputError
from outproduce.interfaces.dashboard import MAX_UPLOAD_BYTES, compute_views, load_uploaded
from outproduce.interfaces.dashboard_work import download_scenario, results_zip, run_record
from outproduce.scenario.levers import apply_levers
from outproduce.scenario.loading import scenario_yaml


def test_an_upload_is_validated_and_errors_name_the_uploaded_file():
    with pytest.raises(InputError) as info:
        load_uploaded(b"name: [unclosed\n", "mine.yaml")
    assert str(info.value).startswith("mine.yaml:") and "malformed YAML" in str(info.value)
    good = load_uploaded(scenario_yaml(load_scenario("baseline")).encode(), "copy.yaml")
    assert good.scenario_hash() == load_scenario("baseline").scenario_hash()


def test_an_upload_is_size_limited_and_never_executed(tmp_path):
    with pytest.raises(InputError, match="too large"):
        load_uploaded(b"#" * (MAX_UPLOAD_BYTES + 1), "big.yaml")
    marker = tmp_path / "ran"
    hostile = f"!!python/object/apply:os.system ['touch {marker}']\n".encode()
    with pytest.raises(InputError):
        load_uploaded(hostile, "hostile.yaml")
    assert not marker.exists()
    with pytest.raises(InputError):
        load_uploaded(b"name: x\nbase: ../../etc/passwd\n", "sneaky.yaml")


def test_views_and_downloads(tiny):
    views = compute_views(load_scenario("baseline"), samples=30, seed=2)
    assert {"ratio", "crossover_p50", "gap_pp", "on_time"} <= set(views.metrics)
    base = load_scenario("baseline")
    levers = {"russia": 0.8, "ramp_speed": 1.0, "shape": "linear", "contract_years": 5,
              "pooling": "national"}  # fmt: skip
    changed = apply_levers(base, **levers)
    record = run_record(base, changed, levers, 30, 2)
    # Only the levers that change the scenario are recorded.
    assert record["levers"] == {"russia": 0.8, "contract_years": 5}
    assert (record["samples"], record["seed"]) == (30, 2)
    with zipfile.ZipFile(io.BytesIO(results_zip(views, record))) as archive:
        names = set(archive.namelist())
        assert names == {"balance_annual.csv", "spending_allies.csv", "order_book.csv",
                         "manifest.json"}  # fmt: skip
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["scenario_hash"] == changed.scenario_hash() and manifest["seed"] == 2
        annual = archive.read("balance_annual.csv").decode()
        assert annual.startswith("year,") and "order_book" not in annual  # one table a file
    small = compute_views(load_scenario(tiny), samples=10, seed=1)
    assert small.spending_figure is None and small.order_book is None


def test_the_downloaded_scenario_is_the_one_that_ran(tmp_path):
    """Named after its levers, with the samples and seed used; notes say what changed;
    no empty note or source keys; loading it gives the same scenario (hash)."""
    base = load_scenario("baseline")
    levers = {"russia": 0.8, "ramp_speed": 1.0, "shape": None, "contract_years": None,
              "pooling": None}  # fmt: skip
    changed = apply_levers(base, **levers)
    ran = download_scenario(changed, run_record(base, changed, levers, 300, 7))
    assert (ran.name, ran.samples, ran.seed) == ("baseline+russia-0.8", 300, 7)
    assert "Russian production x0.8" in ran.description
    text = scenario_yaml(ran)
    assert not re.search(r"(note|source): ''$", text, re.MULTILINE)
    russia = ran.lines["russia_artillery_production"]
    assert all("scaled x0.8" in step.note for step in russia.steps)
    path = tmp_path / "ran.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_scenario(path).scenario_hash() == ran.scenario_hash()


def test_the_page_state_round_trips_through_a_link():
    from outproduce.interfaces.dashboard_work import QUERY, query_of, state_from_query

    defaults = state_from_query({})
    assert defaults == {name: spec[1] for name, spec in QUERY.items()}
    assert query_of(defaults) == {}  # a plain link for the default page
    state = defaults | {"russia": 0.8, "contract_years": 5, "pooling": "eu", "seed": 7}
    query = query_of(state)
    assert query == {"russia": "0.8", "contract_years": "5", "pooling": "eu", "seed": "7"}
    assert state_from_query(query) == state
    # People type links: bad or out-of-range values fall back to the defaults.
    typed = state_from_query({"russia": "lots", "samples": "999999", "shape": "zigzag"})
    assert typed == defaults


def test_three_scenarios_are_compared_in_one_table_and_on_one_scale():
    from outproduce.interfaces.dashboard_work import differences, same_axes

    base = load_scenario("baseline")
    shown = [
        compute_views(apply_levers(base, russia=r), samples=40, seed=3) for r in (1.5, 1.0, 0.7)
    ]
    table = differences(shown, ["more", "baseline", "less"]).set_index("figure")
    assert list(table.columns) == ["A: more", "B: baseline", "C: less", "A − B", "A − C"]
    row = table.loc["Alliance ÷ adversary output, 2025-11 (median)"]
    a, b, c = (v.metrics["ratio"] for v in shown)
    assert list(row) == [f"{a:.2f}", f"{b:.2f}", f"{c:.2f}", f"{a - b:+.2f}", f"{a - c:+.2f}"]
    chance = table.loc["P(alliance durably ahead by 2035)", "A − C"]
    pp = (shown[0].metrics["p_crossover"] - shown[2].metrics["p_crossover"]) * 100
    assert chance == f"{pp:+.0f} pp"
    # The spending, contracts and stock figures too, by hand from the views' own tables.
    spend = table.loc["Alliance core spending 2035, 2025 USD bn (median)"]
    assert spend["A: more"] == f"{shown[0].metrics['core_usd_last']:,.0f}"
    assert spend["A − B"] == "+0"  # Russia's output does not move the allies' budgets
    germany = "Germany (Bundeswehr 155mm stock)"
    stock = table.loc[f"{germany}: median stock at the end of 2031", "B: baseline"]
    figures = shown[1].metrics["stocks"][0]
    assert figures["name"] == germany and stock == f"{figures['stock_end']:,.0f}"
    assert table.loc[f"{germany}: P(stock reaches the target of 230,000 by 2031-12)"].size == 5
    assert "Rounds the budgets' contracts deliver, 2025–2035 (median)" in table.index
    # As the page has them: after the cache (pickled), plotly holds arrays as typed specs.
    figures = [pickle.loads(pickle.dumps(v.balance_figure)) for v in shown]
    same_axes(*figures)
    assert figures[0].layout.yaxis.range == figures[2].layout.yaxis.range
    assert figures[0].layout.yaxis.range[1] > 3  # million rounds a year: the axis's output


def test_an_update_runs_in_the_background_and_is_kept():
    from outproduce.interfaces import dashboard

    base = load_scenario("baseline")
    texts = [apply_levers(base, russia=r).model_dump_json() for r in (0.9, 1.1)]
    update = dashboard.Update(texts, samples=20, seed=11)
    assert len(update.todo) == 2
    share, left = update.progress()
    assert 0 <= share < 1 and left >= 0
    views = update.result()
    direct = compute_views(apply_levers(base, russia=1.1), samples=20, seed=11)
    assert views[1].metrics == direct.metrics
    again = dashboard.Update(texts[::-1], samples=20, seed=11)  # kept: nothing to run
    assert again.todo == [] and again.done and again.result()[0] is views[1]
    with pytest.raises(InputError, match="samples"):  # raised in the caller's thread
        dashboard.Update(texts, samples=0, seed=11).result()


def test_the_assumptions_and_sources_view():
    from outproduce.interfaces.dashboard_work import provenance_tables

    assumptions, sources = provenance_tables(load_scenario("baseline"))
    row = assumptions.set_index("field").loc["assumptions.utilisation"]
    assert row["assumption"] == "Share of stated capacity turned into rounds (utilisation)"
    assert row["value"].startswith("0.55 .. 1") and row["why"]
    assert set(sources["grade"]) <= {"A", "B", "C", "D", "assumption", "derived"}
    assert sources["address"].str.startswith("http").all()
    # Every source an assumption names is listed.
    named = {s for cell in assumptions["sources"] for s in cell.split("; ") if s}
    assert named <= set(sources["source"])


def test_the_update_estimate_learns_from_this_servers_updates():
    from outproduce.interfaces import dashboard

    dashboard._TIMES.clear()
    fixed, per = dashboard.FIRST_GUESS
    assert dashboard.estimate_seconds(2000) == pytest.approx(fixed + per * 2000)
    dashboard.record_time(300, 1.6)
    # One size: its mean, the per-sample part kept.
    assert dashboard.estimate_seconds(300) == pytest.approx(1.6)
    dashboard.record_time(2300, 3.6)  # 1 ms a sample, 1.3 s fixed: a straight line
    assert dashboard.estimate_seconds(1300) == pytest.approx(2.6)
    dashboard._TIMES.clear()


def test_the_plan_tab_plans_within_the_servers_cap():
    from outproduce.interfaces.dashboard_work import MAX_DASHBOARD_ROBUST, plan_limited

    base = load_scenario("baseline")
    goal = {"objective": "min-cost", "target": 3_000_000, "by": "2028-01", "robust": 0}
    found = plan_limited(base, goal)
    direct = __import__("outproduce").plan(base, "min-cost", target=3_000_000, by="2028-01")
    assert found.to_dict()["investments"] == direct.to_dict()["investments"]
    assert found.check["passed"]
    with pytest.raises(InputError, match="robust"):
        plan_limited(base, goal | {"robust": MAX_DASHBOARD_ROBUST + 1})
