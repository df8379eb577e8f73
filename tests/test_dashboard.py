"""The dashboard's computations without a browser: uploads, views, downloads."""

from __future__ import annotations

import pytest

from outproduce import load_scenario
from outproduce.errors import InputError
from outproduce.interfaces.dashboard import (
    MAX_UPLOAD_BYTES,
    compute_views,
    load_uploaded,
    results_csv,
)
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
    text = results_csv(views)
    assert text.startswith("year,") and "order_book" in text and "balance_annual" in text
    small = compute_views(load_scenario(tiny), samples=10, seed=1)
    assert small.spending_figure is None and small.order_book is None
