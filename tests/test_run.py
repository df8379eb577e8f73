"""One run, many views: the inputs table, external designs, and views without re-runs."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

import outproduce
from outproduce.errors import InputError
from outproduce.interfaces.cli import app
from outproduce.scenario.uncertain import ppf

runner = CliRunner()


@pytest.fixture(scope="module")
def baseline_run():
    return outproduce.run("baseline", samples=40, seed=7)


def test_the_inputs_table_names_every_uncertain_input(baseline_run):
    table = baseline_run.inputs()
    names = set(table["input"].values)
    for name in (
        "assumption:utilisation",
        "assumption:target_attainment",
        "line:russia_artillery_production:rate",
        "line:nk_transfers_to_russia:counted",
        "spending:price_155_usd",
        "spending:expansion_lead_months",
        "assumption:conversion_155eq:152mm",
        "holder:DEU:consumption:0",
    ):
        assert name in names, name
    u = table["input_uniform"].values
    assert ((u > 0) & (u < 1)).all()
    # Each value is its input's inverse CDF at the uniform (by the scenario's own range).
    scenario = baseline_run.scenario
    util = table.sel(input="assumption:utilisation")
    assert np.allclose(
        util["input_value"], ppf(scenario.assumptions.utilisation, util["input_uniform"].values)
    )
    price = table.sel(input="spending:price_155_usd")
    assert np.allclose(
        price["input_value"], ppf(scenario.spending.price_155_usd, price["input_uniform"].values)
    )


def test_a_runs_own_table_as_a_design_gives_the_same_numbers(baseline_run):
    table = baseline_run.inputs()
    design = {str(k): table["input_uniform"].sel(input=k).values for k in table["input"].values}
    again = outproduce.run("baseline", samples=40, seed=12345, design=design)
    for name in ("series_output", "line_year_production", "order_year_deliveries", "stock"):
        assert np.array_equal(
            again.dataset[name].values, baseline_run.dataset[name].values, equal_nan=True
        ), name
    # The xarray table itself is accepted too.
    also = outproduce.run("baseline", samples=40, seed=1, design=table["input_uniform"])
    assert np.array_equal(also.dataset["series_output"], baseline_run.dataset["series_output"])


def test_a_design_moves_only_the_inputs_it_names():
    low = outproduce.run(
        "baseline", samples=8, seed=3, design={"assumption:utilisation": [0.01] * 8}
    )
    high = outproduce.run(
        "baseline", samples=8, seed=3, design={"assumption:utilisation": [0.99] * 8}
    )
    # Other inputs keep their seeded draws; higher utilisation, more alliance output.
    for name in ("line:russia_artillery_production:rate", "spending:price_155_usd"):
        assert np.array_equal(
            low.inputs()["input_uniform"].sel(input=name),
            high.inputs()["input_uniform"].sel(input=name),
        )
    more = high.dataset["series_output"].sel(series="alliance").sum("month")
    fewer = low.dataset["series_output"].sel(series="alliance").sum("month")
    assert (more > fewer).all()


@pytest.mark.parametrize(
    ("design", "message"),
    [
        ({"assumption:utilisaton": [0.5] * 4}, "does not draw"),
        ({"assumption:utilisation": [0.5, 1.0, 0.5, 0.5]}, "outside (0, 1)"),
        ({"assumption:utilisation": [0.5] * 3}, "one per sample"),
        ({"assumption:utilisation": ["a"] * 4}, "not numeric"),
    ],
)
def test_bad_designs_are_input_errors(design, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        outproduce.run("baseline", samples=4, seed=1, design=design)
    assert info.value.field


def test_views_of_one_run_are_the_conveniences_numbers(baseline_run):
    by_run = outproduce.balance(baseline_run)
    direct = outproduce.balance("baseline", samples=40, seed=7)
    assert np.array_equal(by_run["output"], direct["output"])
    assert (
        outproduce.claim(baseline_run).p_ahead_of_russia
        == outproduce.claim("baseline", samples=40, seed=7).p_ahead_of_russia
    )


def test_simulate_reads_a_design_from_csv(tmp_path):
    design = tmp_path / "design.csv"
    design.write_text("sample,assumption:utilisation\n0,0.2\n1,0.8\n2,0.5\n")
    out = tmp_path / "run.nc"
    result = runner.invoke(app, ["simulate", "--design", str(design), "--out", str(out)])
    assert result.exit_code == 0, result.output
    import xarray as xr

    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds.sizes["sample"] == 3
        used = ds["input_uniform"].sel(input="assumption:utilisation").values
        assert np.allclose(used, [0.2, 0.8, 0.5])
    bad = tmp_path / "bad.csv"
    bad.write_text("assumption:utilisaton\n0.5\n")
    result = runner.invoke(app, ["simulate", "--design", str(bad), "--out", str(out)])
    assert result.exit_code == 2 and str(bad) in result.output and "does not draw" in result.output


def test_every_summary_is_a_table_with_a_quantile_dimension(baseline_run):
    """One shape: each view's summary carries its numbers as a Dataset (P10/P50/P90)."""
    summaries = {
        "balance": outproduce.summarise(outproduce.balance(baseline_run)),
        "claim": outproduce.claim(baseline_run),
        "calibrate": outproduce.calibrate(baseline_run),
        "spending": outproduce.summarise_spending(outproduce.spending(baseline_run)),
        "sustain": outproduce.summarise_sustain(
            outproduce.sustain(baseline_run), baseline_run.scenario
        ),
    }
    for name, summary in summaries.items():
        table = summary.table
        assert list(table["quantile"].values) == [0.1, 0.5, 0.9], name
        assert table.attrs["scenario"] == "baseline", name
        assert len(summary.to_frame()) > 0, name
    # The printed and JSON numbers are the table's numbers.
    balance = summaries["balance"]
    p50 = balance.table["annual"].sel(bloc="alliance", quantile=0.5).values
    assert np.array_equal(balance.annual["alliance_p50"].values, p50)
    spending = summaries["spending"]
    deu = spending.table["rounds"].sel(ally="DEU", year=2030)
    row = next(r for r in spending["yearly"] if r["iso3"] == "DEU" and r["year"] == 2030)
    assert (row["rounds_p10"], row["rounds"], row["rounds_p90"]) == tuple(deu.values)
    sustain = summaries["sustain"]
    germany = sustain.table["stock_end"].sel(holder="DEU", year=2030).values
    entry = next(y for y in sustain[0]["yearly"] if y["year"] == 2030)
    assert (entry["stock_end_p10"], entry["stock_end_p50"], entry["stock_end_p90"]) == tuple(
        germany
    )
    claim = summaries["claim"]
    assert claim.table["p_ahead_of_russia"].item() == claim.p_ahead_of_russia
