"""Scenario loading: the baseline, merging with a base, and one clear error per bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest

from outproduce import InputError, load_scenario
from outproduce.scenario.loading import builtin_names


def test_baseline_is_built_in_and_resolves_every_line():
    scenario = load_scenario("baseline")
    assert "baseline" in builtin_names()
    assert {
        "us_155_enterprise",
        "eu_155_industry",
        "russia_artillery_production",
        "nk_transfers_to_russia",
    } <= set(scenario.lines)
    assert scenario.horizon.start == "2022-01" and scenario.horizon.end == "2035-12"
    assert scenario.samples == 2000
    # Lines that sit inside an aggregate are not in the baseline (no double counting).
    assert "rheinmetall_unterluess" not in scenario.lines
    assert scenario.scenario_hash() == load_scenario("baseline").scenario_hash()


def test_a_file_based_on_baseline_overrides_adds_and_excludes(write_yaml):
    path = write_yaml("""
        name: mine
        base: baseline
        samples: 50
        exclude_lines: [bae_uk_155]
        data_lines: baseline
        assumptions:
          utilisation: 0.9
        lines:
          russia_artillery_production:
            growth_after_last_step: 0.05
          new_line:
            name: New plant
            bloc: alliance
            country: POL
            calibre: 155mm
            measure: capacity
            steps:
              - {first_output: 2027-01, full_rate: 2027-12, rate: {low: 50000, high: 80000}}
    """)
    scenario = load_scenario(path)
    base = load_scenario("baseline")
    assert scenario.samples == 50
    assert scenario.assumptions.utilisation == 0.9
    assert scenario.assumptions.target_slip_months == base.assumptions.target_slip_months
    assert "bae_uk_155" not in scenario.lines and "new_line" in scenario.lines
    assert scenario.lines["russia_artillery_production"].growth_after_last_step == 0.05
    assert scenario.lines["russia_artillery_production"].steps == (
        base.lines["russia_artillery_production"].steps
    )
    assert scenario.scenario_hash() != base.scenario_hash()


def test_data_lines_all_brings_in_every_line_with_a_timeline(write_yaml):
    path = write_yaml("name: all\nbase: baseline\ndata_lines: all\n")
    assert "rheinmetall_unterluess" in load_scenario(path).lines


TINY_HEAD = """\
name: bad
horizon: {start: 2024-01, end: 2025-12}
data_lines: none
assumptions:
  conversion_155eq: {155mm: 1.0}
  utilisation: 1.0
  target_attainment: 1.0
  target_slip_months: 0
lines:
  plant:
    name: Plant
    bloc: alliance
    country: DEU
    calibre: 155mm
    measure: capacity
    steps:
      - {first_output: 2024-01, full_rate: 2024-12, rate: 1000}
"""

BAD = {
    "malformed_yaml": ("name: [unclosed\n", None, "malformed YAML", 2),
    "not_a_mapping": ("- just\n- a list\n", None, "expected a YAML mapping", None),
    "unknown_field": (TINY_HEAD + "colour: blue\n", "colour", "unknown field 'colour'", 18),
    "unknown_nested_field": (
        TINY_HEAD.replace("    measure: capacity", "    measure: capacity\n    speed: 3"),
        "lines.plant.speed",
        "unknown field 'speed'",
        16,
    ),
    "unknown_country": (
        TINY_HEAD.replace("country: DEU", "country: XYZ"),
        "lines.plant.country",
        "unknown country 'XYZ'",
        13,
    ),
    "wrong_unit": (
        TINY_HEAD.replace("rate: 1000}", "rate: 1000, unit: shells_per_week}"),
        "lines.plant.steps.0.unit",
        "'rounds_per_year'",
        17,
    ),
    "negative_capacity": (
        TINY_HEAD.replace("rate: 1000}", "rate: -5}"),
        "lines.plant.steps.0.rate",
        "non-negative",
        17,
    ),
    "dates_out_of_order": (
        TINY_HEAD.replace(
            "first_output: 2024-01, full_rate: 2024-12", "first_output: 2025-01, full_rate: 2024-12"
        ),
        "lines.plant.steps.0",
        "full_rate (2024-12) is before first_output (2025-01)",
        17,
    ),
    "low_above_high": (
        TINY_HEAD.replace("rate: 1000}", "rate: {low: 9, high: 3}}"),
        "lines.plant.steps.0.rate",
        "low (9) > high (3)",
        17,
    ),
    "unknown_distribution": (
        TINY_HEAD.replace("utilisation: 1.0", "utilisation: {dist: gamma, k: 2}"),
        "assumptions.utilisation",
        "normal|lognormal|triangular|uniform|pert",
        6,
    ),
    "bad_month": (
        TINY_HEAD.replace("end: 2025-12", "end: 2025-13"),
        "horizon.end",
        "expected a month 'YYYY-MM'",
        2,
    ),
    "horizon_reversed": (
        TINY_HEAD.replace("start: 2024-01, end: 2025-12", "start: 2026-01, end: 2025-12"),
        "horizon",
        "end (2025-12) is before start (2026-01)",
        2,
    ),
    "missing_conversion": (
        TINY_HEAD.replace("calibre: 155mm", "calibre: 122mm"),
        "assumptions.conversion_155eq",
        "no 155mm-equivalent factor for calibre(s) 122mm",
        5,
    ),
    "unknown_base": ("name: x\nbase: nope\n", "base", "unknown base scenario 'nope'", 2),
    "unknown_packaged_line": (
        "name: x\nbase: baseline\ndata_lines: [no_such_line]\n",
        "data_lines.0",
        "unknown packaged line 'no_such_line'",
        3,
    ),
    "missing_required": (
        TINY_HEAD.replace("    bloc: alliance\n", ""),
        "lines.plant.bloc",
        "required field is missing",
        10,
    ),
    "utilisation_out_of_range": (
        TINY_HEAD.replace("utilisation: 1.0", "utilisation: 7"),
        "assumptions.utilisation",
        "share between 0 and 1.5",
        6,
    ),
    "unknown_spending_ally": (
        "name: x\nbase: baseline\nspending:\n  allies:\n    XYZ: {shape: linear}\n",
        "spending.allies.XYZ",
        "unknown ally 'XYZ'",
        5,
    ),
    "unknown_pathway_shape": (
        "name: x\nbase: baseline\nspending:\n  shape: exponential\n",
        "spending.shape",
        "linear",
        4,
    ),
    "equipment_share_above_one": (
        "name: x\nbase: baseline\nspending:\n  equipment_share: 1.5\n",
        "spending.equipment_share",
        "fraction between 0 and 1",
        4,
    ),
    "target_year_too_early": (
        "name: x\nbase: baseline\nspending:\n  allies:\n    DEU: {target_year: 2020}\n",
        "spending.allies.DEU.target_year",
        "2026",
        5,
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_raises_one_error_naming_file_field_and_line(case, write_yaml):
    text, field, expected, line = BAD[case]
    path = write_yaml(text, f"{case}.yaml")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    error = info.value
    assert error.file == str(path)
    assert error.field == field
    assert expected in str(error)
    assert error.line == line
    assert "\n" not in str(error)


@pytest.mark.parametrize("case", ["malformed_yaml", "unknown_country", "low_above_high"])
def test_cli_prints_one_line_and_exits_2_without_traceback(case, write_yaml):
    path = write_yaml(BAD[case][0], f"{case}.yaml")
    result = subprocess.run(
        [sys.executable, "-m", "outproduce", "scenario", "validate", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(path) in result.stderr and BAD[case][2] in result.stderr
    assert path.read_text(encoding="utf-8") == BAD[case][0]  # nothing lost


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no such scenario"):
        load_scenario(tmp_path / "absent.yaml")


def test_every_source_named_in_the_baseline_resolves():
    from outproduce.data.catalog import source_lookup, split_sources

    known = set(source_lookup())
    named = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "source" and isinstance(value, str):
                    named.extend(split_sources(value))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(load_scenario("baseline").model_dump(mode="json", by_alias=True))
    assert len(named) > 50
    assert set(named) <= known, set(named) - known
