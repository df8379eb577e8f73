"""CLI smoke tests: every command runs, prints what it promises, and fails cleanly."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import outproduce
from outproduce import DATA_VERSION, __version__
from outproduce.interfaces.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout and DATA_VERSION in result.stdout


def test_balance_table_on_the_baseline():
    result = run("balance", "--samples", "40", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert "Crossover against Russia + transfers: P10" in result.stdout and "2035" in result.stdout


def test_balance_json_document(tiny):
    result = run("balance", "--scenario", str(tiny), "--json", "--at", "2024-06")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["crossover"] == {
        "p10": "2024-06",
        "p50": "2024-06",
        "p90": "2024-06",
        "prob_within_horizon": 1.0,
    }
    years = {row["year"]: row for row in document["annual"]}
    assert years[2024]["alliance_p50"] == 65000 and years[2024]["adversary_p50"] == 60000
    assert {"year", "alliance_p50", "adversary_p50", "p_alliance_ahead"} <= set(years[2025])
    assert document["data_version"] == DATA_VERSION and document["seed"] == 7


def test_balance_json_is_identical_for_the_same_seed():
    first = run("balance", "--samples", "30", "--seed", "9", "--json")
    second = run("balance", "--samples", "30", "--seed", "9", "--json")
    assert first.exit_code == 0 and first.stdout == second.stdout


def test_balance_out_writes_tables_and_chart(tiny, tmp_path):
    folder = tmp_path / "out"
    result = run("balance", "--scenario", str(tiny), "--out", str(folder), "--at", "2024-06")
    assert result.exit_code == 0, result.output
    for name in (
        "balance_monthly.csv",
        "balance_annual.csv",
        "balance_lines_p50.csv",
        "crossover_samples.csv",
        "balance_summary.json",
        "balance.png",
    ):
        assert (folder / name).stat().st_size > 0
    assert (folder / "balance.png").read_bytes()[:4] == b"\x89PNG"
    monthly = (folder / "balance_monthly.csv").read_text().splitlines()
    assert monthly[0] == "month,bloc,p10,p50,p90"


def test_data_sources_and_json():
    result = run("data", "sources")
    assert result.exit_code == 0 and "kyivindependent-2024a" in result.stdout
    records = json.loads(run("data", "sources", "--json").stdout)
    assert {"source_id", "title", "publisher", "url", "published"} <= set(records[0])


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_data_show(fmt):
    result = run("data", "show", "allies", "--format", fmt)
    assert result.exit_code == 0
    assert "DEU" in result.stdout


def test_data_version_and_check():
    assert run("data", "version").stdout.strip() == DATA_VERSION
    result = run("data", "check")
    assert result.exit_code == 0 and "0 problem(s)" in result.stdout


def test_scenario_commands(tiny):
    assert "baseline" in run("scenario", "list").stdout
    result = run("scenario", "validate", str(tiny))
    assert result.exit_code == 0 and result.stdout.startswith("OK")
    shown = run("scenario", "show", "baseline")
    assert shown.exit_code == 0 and "russia_artillery_production" in shown.stdout
    assert "conversion_155eq" in shown.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("data", "show", "nope"),
        ("data", "show", "allies", "--format", "xml"),
        ("balance", "--scenario", "no_such_scenario"),
        ("balance", "--at", "1999-01", "--samples", "5"),
        ("balance", "--at", "2025-13", "--samples", "5"),
        ("balance", "--at", "soon", "--samples", "5"),
        ("scenario", "show", "missing.yaml"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args):
    result = run(*args)
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("error: ")


def test_spending_answers_the_germany_question():
    result = run("spending", "--ally", "DEU", "--samples", "40", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert "DEU: core 3.5% by 2035" in result.stdout
    assert "Cumulative extra core spending" in result.stdout and "2035" in result.stdout


def test_spending_json_and_out(tmp_path):
    result = run("spending", "--json", "--samples", "30", "--seed", "2", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    expected = {"allies", "yearly", "groups", "order_book", "contracts", "data_version"}
    assert expected <= set(document)
    row = next(r for r in document["yearly"] if r["iso3"] == "DEU" and r["year"] == 2030)
    assert {"core_share", "core_usd", "resilience_usd", "rounds", "kind"} <= set(row)
    assert len(document["allies"]) == 31  # Iceland has no NATO figure
    for name in ("spending_allies.csv", "spending.json", "spending_gap.png", "spending_totals.png"):
        assert (tmp_path / name).stat().st_size > 0


@pytest.mark.parametrize(
    "args",
    [
        ("spending", "--ally", "XYZ", "--samples", "5"),
        ("spending", "--samples", "0"),
        ("balance", "--bogus"),
        ("no-such-command",),
    ],
)
def test_usage_and_input_errors_are_one_line_exit_2(args, monkeypatch, capsys):
    """Through the console-script entry point, as a user runs it."""
    from outproduce.interfaces.cli import main

    monkeypatch.setattr("sys.argv", ["outproduce", *args])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")


def test_report_command(tmp_path):
    result = run("report", "--out", str(tmp_path / "r"), "--samples", "30", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "Report:" in result.stdout and "Balance: in 2025-11" in result.stdout
    assert (tmp_path / "r" / "report.html").stat().st_size > 100_000


def test_help_loads_no_numerical_library():
    # `outproduce --help` answers without importing numpy, pandas or xarray (lazy imports).
    import subprocess
    import sys

    code = (
        "import sys, outproduce.interfaces.cli; "
        "print(sorted(m for m in ('numpy', 'pandas', 'xarray', 'scipy') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


def test_load_table_returns_a_copy():
    frame = outproduce.load_table("lines")
    frame.loc[:, "name"] = "changed"
    assert "changed" not in set(outproduce.load_table("lines")["name"])
