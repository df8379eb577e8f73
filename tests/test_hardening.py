"""Issue 10: hostile files and interruptions — one clear error, bounded work, whole results."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import free_port
from outproduce import InputError, load_scenario
from outproduce.interfaces.cli import app
from outproduce.interfaces.files import (
    MANIFEST,
    read_manifest,
    result_folder,
    to_json,
    write_atomic,
)
from outproduce.scenario.levers import apply_levers
from outproduce.scenario.limits import MAX_DEPTH, MAX_FILE_BYTES

runner = CliRunner()


def validate(path: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["scenario", "validate", str(path)])
    return result.exit_code, result.output


# --- bounded parsing ---------------------------------------------------------------


def test_alias_expansion_is_refused_at_once(write_yaml):
    lol = ["name: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for k in range(1, 10):
        lol.append(f"l{k}: &l{k} [" + ", ".join([f"*{'a' if k == 1 else f'l{k - 1}'}"] * 9) + "]")
    path = write_yaml("\n".join(lol) + "\n", "bomb.yaml")
    started = time.perf_counter()
    code, output = validate(path)
    assert code == 2 and "alias" in output and f"{path}:2" in output
    assert time.perf_counter() - started < 5  # bounded, not minutes


def test_deep_nesting_is_one_error(write_yaml):
    path = write_yaml("name: x\nx: " + "[" * 1000 + "]" * 1000 + "\n", "deep.yaml")
    code, output = validate(path)
    assert code == 2 and f"more than {MAX_DEPTH} levels" in output
    assert "RecursionError" not in output


def test_duplicate_keys_name_both_lines(write_yaml):
    path = write_yaml("name: a\nsamples: 10\nname: b\n", "dup.yaml")
    code, output = validate(path)
    assert code == 2 and f"{path}:3" in output and "duplicate key 'name' (also on line 1)" in output


def test_size_is_capped_on_what_is_read(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * (MAX_FILE_BYTES + 10) + "\n")
    code, output = validate(big)
    assert code == 2 and "larger than" in output
    if Path("/dev/zero").exists():  # a device reports size 0 but never ends
        code, output = validate(Path("/dev/zero"))
        assert code == 2 and "larger than" in output


# --- scenario semantics ------------------------------------------------------------


def test_exclude_lines_wins_over_base_patches(write_yaml):
    path = write_yaml("name: x\nbase: baseline\nexclude_lines: [nk_transfers_to_russia]\n")
    assert "nk_transfers_to_russia" not in load_scenario(path).lines
    # A base's patches do not bring back lines this file did not choose: here the base's
    # contracts then name a supplier that is gone, which is said in one line.
    none = write_yaml(
        "name: y\nbase: baseline\ndata_lines: none\nlines:\n"
        "  a: {name: a, bloc: alliance, country: FRA, calibre: 155mm, measure: output,\n"
        "      steps: [{first_output: 2022-01, full_rate: 2022-01, rate: 1}]}\n"
        "  r: {name: r, bloc: adversary, country: RUS, calibre: 155mm, measure: output,\n"
        "      steps: [{first_output: 2022-01, full_rate: 2022-01, rate: 1}]}\n",
        "none.yaml",
    )
    with pytest.raises(InputError, match=r"contracts\.eu_pledge_ukraine\.supplier"):
        load_scenario(none)


def test_exclude_lines_must_be_a_list_of_ids(write_yaml):
    code, output = validate(write_yaml("name: x\nbase: baseline\nexclude_lines: 1\n"))
    assert code == 2 and "exclude_lines: expected a list of line ids" in output


def test_levers_validate_like_scenario_fields():
    scenario = load_scenario("baseline")
    with pytest.raises(InputError, match=r"levers\.contract_years"):
        apply_levers(scenario, contract_years=0)
    with pytest.raises(InputError, match="russia"):
        apply_levers(scenario, russia=float("nan"))


def test_sizes_and_horizon_are_checked_before_any_allocation(write_yaml):
    result = runner.invoke(app, ["balance", "--samples", "1000000"])
    assert result.exit_code == 2 and "GiB" in result.output and "at most" in result.output
    code, output = validate(write_yaml("name: x\nbase: baseline\nhorizon: {end: 2262-12}\n"))
    assert code == 2 and "1990..2100" in output


# --- strict JSON and whole results -------------------------------------------------


def test_json_is_strict():
    assert json.loads(to_json({"a": float("nan"), "b": [1.5]})) == {"a": None, "b": [1.5]}
    with pytest.raises(InputError, match=r"\$\.b\[0\]"):
        to_json({"b": [float("inf")]})
    result = runner.invoke(app, ["sustain", "--samples", "30", "--json"])
    assert result.exit_code == 0
    json.loads(result.output, parse_constant=lambda c: pytest.fail(f"non-strict JSON: {c}"))


def test_a_failed_write_leaves_the_previous_file(tmp_path):
    path = tmp_path / "result.csv"
    path.write_text("previous")

    def broken(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomic(path, broken)
    assert path.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["result.csv"]


def test_a_failed_run_leaves_the_previous_folder(tmp_path):
    target = tmp_path / "out"
    with result_folder(target) as (work, record):
        (work / "a.csv").write_text("first")
        record({"scenario": "s", "seed": 1})
    assert read_manifest(target)["seed"] == 1 and read_manifest(target)["files"] == ["a.csv"]
    with pytest.raises(RuntimeError), result_folder(target) as (work, record):
        (work / "a.csv").write_text("second, half")
        raise RuntimeError("killed")
    assert (target / "a.csv").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    # A folder with the user's own files is never replaced: results are moved in.
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with result_folder(tmp_path / "mine") as (work, record):
        (work / "a.csv").write_text("third")
        record({"seed": 3})
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"
    assert (tmp_path / "mine" / MANIFEST).exists()


def test_a_killed_report_leaves_a_whole_result(tmp_path):
    target = tmp_path / "report"
    command = [
        sys.executable,
        "-m",
        "outproduce",
        "report",
        "--samples",
        "40",
        "--out",
        str(target),
    ]
    first = subprocess.run([*command, "--seed", "1"], capture_output=True, timeout=300)
    assert first.returncode == 0, first.stderr
    before = read_manifest(target)
    for delay in (0.5, 2.0, 4.0):
        process = subprocess.Popen(
            [*command, "--seed", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        now = read_manifest(target)  # the previous or the new result, whole
        assert now["seed"] in (1, 2)
        assert {p.name for p in target.iterdir()} == {*now["files"], MANIFEST}
        assert (target / "report.html").stat().st_size > 10_000
        if now["seed"] == 1:
            assert now == before
    leftovers = [p for p in tmp_path.iterdir() if p.name != "report"]
    assert all(".partial-" in p.name for p in leftovers)  # a killed run's scratch only
    # The next run cleans the scratch of killed runs and puts back a result caught
    # between the two renames of a swap.
    (tmp_path / "report").rename(tmp_path / "report.previous-999999999")
    with result_folder(target) as (work, record):
        assert [p.name for p in tmp_path.iterdir() if ".partial-" in p.name] == [work.name]
        assert os.path.exists(target)  # restored before this run writes anything
        (work / "x.csv").write_text("new")
        record({"seed": 9})
    assert read_manifest(target)["seed"] == 9


def test_runs_list_and_show(tmp_path):
    target = tmp_path / "bal"
    assert runner.invoke(app, ["balance", "--samples", "20", "--out", str(target)]).exit_code == 0
    listed = runner.invoke(app, ["runs", "list", str(tmp_path)])
    assert listed.exit_code == 0 and "baseline" in listed.output and str(target) in listed.output
    shown = runner.invoke(app, ["runs", "show", str(target)])
    document = json.loads(shown.output)
    assert document["samples"] == 20 and "numpy" in document["dependencies"]
    assert "balance" in document["command"] or document["command"].startswith("outproduce")
    missing = runner.invoke(app, ["runs", "show", str(tmp_path)])
    assert missing.exit_code == 2


# --- the dashboard under load ------------------------------------------------------


def test_dashboard_caps_samples_and_concurrent_computations(monkeypatch):
    from outproduce.interfaces import dashboard

    scenario = load_scenario("baseline")
    with pytest.raises(InputError, match="samples"):
        dashboard.compute_limited(scenario, dashboard.MAX_SESSION_SAMPLES + 1, 1)
    monkeypatch.setattr(dashboard, "BUSY_WAIT_SECONDS", 0.05)
    taken = [dashboard._SLOTS.acquire(timeout=1) for _ in range(dashboard.MAX_CONCURRENT)]
    try:
        assert all(taken)
        with pytest.raises(dashboard.Busy, match="busy"):
            dashboard.compute_limited(scenario, 20, 1)
    finally:
        for _ in taken:
            dashboard._SLOTS.release()
    assert dashboard.compute_limited(scenario, 20, 1).metrics["month"] == "2025-11"


def test_sigterm_stops_the_dashboard_and_frees_its_port():
    import socket

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "outproduce", "app", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.3)
        else:
            pytest.fail("the dashboard did not start within 60 s")
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:  # the Streamlit child is gone: the port is free
        with socket.socket() as client:
            if client.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.3)
    pytest.fail("the port is still held after SIGTERM")


def test_counts_are_capped(write_yaml):
    from outproduce.scenario.limits import MAX_CONTRACTS

    contracts = "".join(
        f"  c{i}: {{buyer: DEU, supplier: eu_155_industry, quantity: 1, signed: 2024-01,"
        " delivery_end: 2024-12}\n"
        for i in range(MAX_CONTRACTS + 1)
    )
    path = write_yaml("name: x\nbase: baseline\ncontracts:\n" + contracts, "many.yaml")
    code, output = validate(path)
    assert code == 2 and "contracts" in output and f"{MAX_CONTRACTS}" in output.replace(",", "")
