"""Global sensitivity and outcomes: analytic Sobol' indices, Morris ranking, groups, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import outproduce
from outproduce.analyses.outcomes import outcome
from outproduce.analyses.sensitivity import group_inputs, sensitivity
from outproduce.errors import InputError
from outproduce.interfaces.cli import app

runner = CliRunner()

ADDITIVE = """\
name: additive
horizon: {{start: 2024-01, end: 2024-12}}
samples: 8
seed: 3
data_lines: none
assumptions:
  conversion_155eq: {{155mm: 1.0}}
  utilisation: 1.0
  target_attainment: 1.0
  target_slip_months: 0
lines:
  a:
    name: A
    bloc: alliance
    country: DEU
    calibre: 155mm
    measure: output
    steps: [{{first_output: 2024-01, full_rate: 2024-01, rate: {{low: 0, high: {a}}}}}]
  b:
    name: B
    bloc: alliance
    country: FRA
    calibre: 155mm
    measure: output
    steps: [{{first_output: 2024-01, full_rate: 2024-01, rate: {{low: 0, high: {b}}}}}]
  r:
    name: R
    bloc: adversary
    country: RUS
    calibre: 155mm
    measure: output
    steps: [{{first_output: 2024-01, full_rate: 2024-01, rate: 1000}}]
"""


def additive(write_yaml, a=100.0, b=50.0):
    return outproduce.load_scenario(write_yaml(ADDITIVE.format(a=a, b=b), "additive.yaml"))


def test_outcomes_by_hand(write_yaml):
    scenario = additive(write_yaml)
    the_run = outproduce.run(scenario, samples=4, seed=1)
    rates = the_run.inputs()["input_value"]
    a, b = (rates.sel(input=f"line:{k}:rate").values for k in "ab")
    # Rates are rounds a year, made evenly: the 2024 total is their sum.
    assert np.allclose(outcome(the_run, "rounds:2024"), a + b)
    assert np.allclose(outcome(the_run, "ratio:2024-06"), (a + b) / 1000)
    assert (outcome(the_run, "ahead_at:2024-06") == ((a + b) >= 1000)).all()
    with pytest.raises(InputError, match="unknown holder"):
        outcome(the_run, "stock:XYZ:2024-06")


def test_sobol_indices_match_the_analytic_values(write_yaml):
    """Outcome a + b with a ~ U(0, 100), b ~ U(0, 50): S_a = 100^2 / (100^2 + 50^2) = 0.8."""
    result = sensitivity(additive(write_yaml), "rounds:2024", samples=512, seed=2)
    table = result.table
    assert set(table["group"].values) == {"line:a", "line:b"}
    for group, expected in (("line:a", 0.8), ("line:b", 0.2)):
        row = table.sel(group=group)
        for index in ("S1", "ST"):
            margin = float(row[f"{index}_conf"]) + 0.02
            assert abs(float(row[index]) - expected) <= margin, (group, index)
    assert list(table["group"].values) == ["line:a", "line:b"]  # ranked by ST
    assert result.runs == 512 * (2 + 2)


def test_morris_ranks_the_dominant_input_first(write_yaml):
    result = sensitivity(
        additive(write_yaml, a=1000, b=10), "rounds:2024", method="morris", samples=20, seed=4
    )
    assert str(result.table["group"].values[0]) == "line:a"
    mu = result.table["mu_star"]
    assert float(mu.sel(group="line:a")) > 50 * float(mu.sel(group="line:b"))


def test_groups_from_a_file(write_yaml, tmp_path):
    (tmp_path / "one.yaml").write_text("both: [line:a:rate, line:b:rate]\n")
    names = ["line:a:rate", "line:b:rate"]
    assert group_inputs(names, "none") == {
        "line:a:rate": ["line:a:rate"],
        "line:b:rate": ["line:b:rate"],
    }
    path = tmp_path / "groups.yaml"
    path.write_text("both: [line:a:rate, line:b:rate]\n")
    assert group_inputs(names, path) == {"both": names}
    path.write_text("first: [line:a:rate]\n")
    result = sensitivity(additive(write_yaml), "rounds:2024", samples=128, seed=1, groups=path)
    assert set(result.groups) == {"first", "line:b:rate"}
    assert float(result.table["ST"].sel(group="first")) == pytest.approx(0.8, abs=0.1)
    with pytest.raises(InputError, match="at least two"):
        sensitivity(additive(write_yaml), "rounds:2024", samples=64, groups=tmp_path / "one.yaml")
    path.write_text("both: [line:a:rate, line:c:rate]\n")
    with pytest.raises(InputError, match="unknown input 'line:c:rate'") as info:
        group_inputs(names, path)
    assert info.value.file == str(path)


def test_sensitivity_cli_json_and_errors(write_yaml, tmp_path):
    path = write_yaml(ADDITIVE.format(a=100, b=50), "cli.yaml")
    result = runner.invoke(
        app,
        ["sensitivity", "-s", str(path), "--outcome", "rounds:2024", "--samples", "64", "--json"],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["method"] == "sobol" and document["outcome"] == "rounds:2024"
    assert {"name", "inputs", "S1", "S1_conf", "ST", "ST_conf"} <= set(document["inputs"][0])
    out = tmp_path / "sens"
    result = runner.invoke(
        app,
        [
            "sensitivity",
            "-s",
            str(path),
            "--outcome",
            "rounds:2024",
            "--samples",
            "16",
            "--method",
            "morris",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} >= {
        "sensitivity.csv",
        "sensitivity.json",
        "sensitivity.png",
    }
    bad = runner.invoke(app, ["sensitivity", "--outcome", "rounds:2024", "--samples", "100"])
    assert bad.exit_code == 2 and "power of two" in bad.output
    listed = runner.invoke(app, ["outcomes"])
    assert listed.exit_code == 0 and "ratio:YYYY-MM" in listed.output


def test_prim_recovers_a_planted_box():
    import pandas as pd

    from outproduce.analyses.discover import find_boxes

    rng = np.random.default_rng(7)
    x = pd.DataFrame({name: rng.random(3000) for name in ("a", "b", "n1", "n2", "n3")})
    holds = ((x["a"] > 0.6) & (x["b"] < 0.3)).to_numpy()
    boxes = find_boxes(x, holds, density=0.8)
    assert boxes, "no box found"
    first = boxes[0]
    assert set(first["limits"]) == {"a", "b"}
    low_a, high_a = first["limits"]["a"]
    low_b, high_b = first["limits"]["b"]
    assert high_a is None and low_a == pytest.approx(0.6, abs=0.05)
    assert low_b is None and high_b == pytest.approx(0.3, abs=0.05)
    assert first["density"] >= 0.8 and first["coverage"] >= 0.8


def test_discover_names_the_deciding_input(write_yaml):
    from outproduce.analyses.discover import discover

    scenario = additive(write_yaml, a=2000, b=10)
    result = discover(scenario, "ahead_at:2024-06", samples=3000, seed=5)
    assert 0.4 < result.share < 0.6  # a + b >= 1000 with a ~ U(0, 2000)
    box = result.boxes[0]
    assert list(box["limits"]) == ["line:a:rate"]
    low, high = box["limits"]["line:a:rate"]
    assert high is None and low == pytest.approx(1000, abs=60)
    assert box["sentence"].startswith(
        "The alliance out-produces Russia and its suppliers in 2024-06 in "
    )
    assert "line:a:rate is above" in box["sentence"]
    assert float(result.table["low"].sel(box=1, input="line:a:rate")) == pytest.approx(low)
    cli = runner.invoke(
        app,
        [
            "discover",
            "-s",
            str(scenario.origin),
            "--outcome",
            "ahead_at:2024-06",
            "--samples",
            "2000",
            "--json",
        ],
    )
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.stdout)["boxes"][0]["limits"]["line:a:rate"][1] is None
    nan = runner.invoke(app, ["discover", "--threshold", "nan", "--samples", "50"])
    assert nan.exit_code == 2 and "finite threshold" in nan.output


def test_a_discovery_in_words_for_each_case():
    """Boxes are quoted; a rare scattered event and an impossible one are said plainly."""
    from types import SimpleNamespace

    from outproduce.interfaces.report_verdict import discovery_paragraph

    attrs = {"samples": 2000, "density_threshold": 0.8}
    table = SimpleNamespace(attrs=attrs)
    outcome, threshold = "ahead_of_russia_at:2025-11", 0.5

    def found(share, boxes):
        return SimpleNamespace(
            outcome=outcome, threshold=threshold, share=share, boxes=boxes, table=table
        )

    assert discovery_paragraph(found(0.0, [])).startswith(
        "In none of the 2,000 samples the allies out-produce Russia in 2025-11:"
    )
    scattered = discovery_paragraph(found(0.02, []))
    assert scattered.startswith("The allies out-produce Russia in 2025-11 in 2% of the 2,000")
    assert "PRIM finds no box of input ranges where it holds in at least 80%" in scattered
    box = {"limits": {"line:a:rate": (1.0, None)}, "density": 0.9, "coverage": 0.25}
    assert discovery_paragraph(found(0.3, [box])) == (
        "The allies out-produce Russia in 2025-11 in 90% of the samples where line:a:rate "
        "is above 1; these cover 25% of all samples where it holds. (PRIM over 2,000 "
        "samples; it holds in 30% of all.)"
    )
