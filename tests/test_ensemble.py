"""Ensembles: chunks of one Monte Carlo run, identical on any scheduler, resumable, readable."""

from __future__ import annotations

import json
import os
import signal

import numpy as np
import pytest
from typer.testing import CliRunner

import outproduce
from outproduce.analyses.outcomes import outcome
from outproduce.analyses.sensitivity import given_data
from outproduce.engine.sampling import uniforms
from outproduce.errors import InputError
from outproduce.interfaces.cli import app
from outproduce.interfaces.ensemble import ensemble
from outproduce.interfaces.ensemble_store import open_ensemble, partial_path
from test_sensitivity import additive

runner = CliRunner()
SAMPLES, SEED = 90, 7


def arrays(path, variant="base"):
    ds = open_ensemble(path)[variant].dataset
    return {name: ds[name].values for name in ds.data_vars}


def same(left, right):
    assert left.keys() == right.keys()
    for name in left:
        assert np.array_equal(left[name], right[name], equal_nan=True), name


@pytest.fixture(scope="module")
def in_process(tmp_path_factory):
    """The reference: the baseline in this process, chunks of 30 samples."""
    path = tmp_path_factory.mktemp("ensemble") / "reference.zarr"
    ensemble("baseline", out=path, samples=SAMPLES, seed=SEED, chunk=30)
    return path


def test_a_stream_from_an_offset_is_that_part_of_the_whole_stream():
    whole = uniforms(11, "line:x:rate", 1000)
    parts = [uniforms(11, "line:x:rate", 300), uniforms(11, "line:x:rate", 700, 300)]
    assert np.array_equal(whole, np.concatenate(parts))


def test_the_store_holds_the_whole_runs_numbers(in_process):
    """Chunks of 30 give, bit for bit, one run of 90 samples (and its outcomes)."""
    whole = outproduce.run("baseline", samples=SAMPLES, seed=SEED, calibration=False)
    stored = open_ensemble(in_process)["base"]
    for name in ("series_output", "stock", "order_on_time", "input_uniform", "input_value"):
        assert np.array_equal(stored.dataset[name].values, whole.dataset[name].values), name
    kept = stored.dataset["outcome"].values
    assert "crossover" in kept and "ratio:2025-11" in kept
    for name in [*kept, "ratio:2030-06", "rounds:2027", "stock:DEU:2030-12"]:
        assert np.array_equal(
            outcome(stored, str(name)), outcome(whole, str(name)), equal_nan=True
        ), name


def test_a_local_cluster_and_a_scheduler_address_give_the_same_numbers(in_process, tmp_path):
    from distributed import LocalCluster

    local = tmp_path / "local.zarr"
    result = ensemble(
        "baseline", out=local, samples=SAMPLES, seed=SEED, chunk=45, scheduler="local", workers=2
    )
    assert result["computed"] == 2
    same(arrays(local), arrays(in_process))
    # A scheduler given by address (as a remote one is), whose worker is killed mid-run:
    # Dask recomputes its chunk elsewhere and nothing is lost.
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        from distributed import Client

        with Client(cluster) as client:
            pids = list(client.run(os.getpid).values())
        killed = []

        def kill_one(done, total):
            if done == 1 and not killed:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])

        remote = tmp_path / "remote.zarr"
        ensemble(
            "baseline",
            out=remote,
            samples=SAMPLES,
            seed=SEED,
            chunk=10,
            scheduler=cluster.scheduler_address,
            progress=kill_one,
        )
    assert killed
    same(arrays(remote), arrays(in_process))


def test_an_interrupted_ensemble_resumes_to_the_same_numbers(in_process, tmp_path):
    path = tmp_path / "resumed.zarr"

    def stop_after_two(done, total):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ensemble(
            "baseline", out=path, samples=SAMPLES, seed=SEED, chunk=15, progress=stop_after_two
        )
    assert partial_path(path).exists() and not path.exists()
    with pytest.raises(InputError, match=r"unfinished ensemble made with other settings.*seed"):
        ensemble("baseline", out=path, samples=SAMPLES, seed=SEED + 1, chunk=15)
    result = ensemble("baseline", out=path, samples=SAMPLES, seed=SEED, chunk=15)
    assert (result["resumed"], result["computed"]) == (2, 4)
    assert not partial_path(path).exists()
    same(arrays(path), arrays(in_process))
    again = ensemble("baseline", out=path, samples=SAMPLES, seed=SEED, chunk=15)
    assert again["computed"] == 0  # complete: nothing to do


def test_a_grid_of_levers_and_fields(tmp_path, write_yaml):
    grid = write_yaml(
        """\
        levers:
          russia: [0.5, 1.5]
        variants:
          slow:
            levers: {ramp_speed: 0.5}
          full-utilisation:
            fields: {assumptions: {utilisation: 1.0}}
        """,
        "grid.yaml",
    )
    path = tmp_path / "grid.zarr"
    ensemble("baseline", out=path, grid=grid, samples=40, seed=3, chunk=40)
    runs = open_ensemble(path)
    assert list(runs) == ["russia=0.5", "russia=1.5", "slow", "full-utilisation"]
    # The same draws in every variant; Russia's output scales with the lever.
    low, high = (
        runs[f"russia={k}"].dataset["series_output"].sel(series="russia") for k in "0.5 1.5".split()
    )
    assert np.allclose(3 * low.values, high.values)
    utilisation = runs["full-utilisation"].dataset["input_value"]
    assert "assumption:utilisation" not in utilisation["input"].values  # now fixed at 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "levers: {speed: [1, 2]}\n",
            "levers.speed: unknown lever 'speed'; expected one of russia",
        ),
        ("levers: {russia: 2}\n", "levers.russia: expected a non-empty list"),
        ("variants: {x: {fields: {assumptions: {utilisaton: 1}}}}\n", "variant x.*utilisaton"),
        ("variants: {x: {levers: {russia: -1}}}\n", "levers.russia: expected a positive"),
        ("variants: {'a/b': {}}\n", "not a plain name"),
        ("colours: 1\n", "unknown key"),
        ("levers: [1\n", "not a readable YAML"),
        ("levers: {shape: [zigzag]}\n", r"\(variant shape=zigzag\): levers\.shape: got 'zigzag'"),
    ],
)
def test_bad_grids_get_one_line_naming_file_and_field(tmp_path, write_yaml, text, message):
    grid = write_yaml(text, "bad.yaml")
    result = runner.invoke(
        app, ["ensemble", "--out", str(tmp_path / "x.zarr"), "--grid", str(grid)]
    )
    assert result.exit_code == 2
    assert "bad.yaml" in result.output and "Traceback" not in result.output
    import re

    assert re.search(message, result.output), result.output


def test_the_cli_runs_an_ensemble_and_reads_it(tmp_path, in_process):
    path = tmp_path / "cli.zarr"
    result = runner.invoke(
        app, ["ensemble", "--out", str(path), "-n", "60", "--chunk", "30", "--seed", "7", "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert (document["chunks"], document["computed"], document["samples"]) == (2, 2, 60)
    found = runner.invoke(
        app, ["discover", "--store", str(path), "--outcome", "ahead_of_russia_at:2025-11", "--json"]
    )
    assert found.exit_code == 0, found.output
    assert json.loads(found.output)["samples"] == 60
    bad = runner.invoke(app, ["sensitivity", "--store", str(tmp_path), "--outcome", "crossover"])
    assert bad.exit_code == 2 and "not an ensemble store" in bad.output
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep")
    refused = runner.invoke(app, ["ensemble", "--out", str(other), "-n", "10"])
    assert refused.exit_code == 2 and "never overwritten" in refused.output
    assert (other / "mine.txt").read_text() == "keep"


def test_first_order_indices_from_a_stores_samples_match_the_analytic_values(write_yaml, tmp_path):
    """Outcome a + b, a ~ U(0, 100), b ~ U(0, 50): S_a = 0.8, S_b = 0.2 (RBD-FAST, given data)."""
    path = tmp_path / "additive.zarr"
    ensemble(additive(write_yaml), out=path, samples=4000, seed=5, chunk=1000)
    result = given_data(open_ensemble(path)["base"], "rounds:2024", seed=1)
    table = result.table
    assert list(table["group"].values) == ["line:a:rate", "line:b:rate"]
    for name, expected in (("line:a:rate", 0.8), ("line:b:rate", 0.2)):
        row = table.sel(group=name)
        assert abs(float(row["S1"]) - expected) <= float(row["S1_conf"]) + 0.03, name


def test_a_store_no_chunk_reached_is_not_left_behind(tmp_path):
    """A failure before the first chunk (here: a progress hook) leaves no partial store."""
    path = tmp_path / "failed.zarr"

    def fail(done, total):
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        ensemble("baseline", out=path, samples=20, seed=1, chunk=10, progress=fail)
    assert not partial_path(path).exists() and not path.exists()
    with pytest.raises(InputError, match=r"'1999-01' is not a month \(YYYY-MM\) within"):
        ensemble("baseline", out=path, samples=20, outcomes=["ratio:1999-01"])
