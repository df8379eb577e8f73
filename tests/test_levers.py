"""Dashboard levers as plain functions: checked by hand and by the balance itself."""

from __future__ import annotations

import numpy as np
import pytest

from outproduce import balance, load_scenario
from outproduce.scenario.levers import apply_levers
from outproduce.scenario.loading import scenario_yaml
from outproduce.scenario.uncertain import Range, scale


def test_scale_moves_every_location_and_spread():
    value = Range(low=1.0, central=2.0, high=4.0, note="n", source="s")
    scaled = scale(value, 0.5)
    assert (scaled.low, scaled.central, scaled.high) == (0.5, 1.0, 2.0)
    # The note says what was done to the source's values, so it stays true beside them.
    assert scaled.note == "n [Scaled x0.5 from the source's values.]" and scaled.source == "s"
    assert scale(3.0, 2.0) == 6.0
    with pytest.raises(ValueError):
        scale(1.0, 0.0)


def test_russian_output_scales_exactly_and_suppliers_do_not():
    base = load_scenario("baseline")
    lower = apply_levers(base, russia=0.8)
    before = balance(base, samples=40, seed=3)
    after = balance(lower, samples=40, seed=3)
    assert np.allclose(
        after["adversary_production"].values, 0.8 * before["adversary_production"].values
    )
    transfers = [k for k, v in base.lines.items() if v.bloc == "adversary" and v.country != "RUS"]
    assert transfers and all(lower.lines[k] == base.lines[k] for k in transfers)
    assert np.allclose(
        after["output"].sel(bloc="alliance").values, before["output"].sel(bloc="alliance").values
    )


def test_ramp_speed_and_spending_options():
    base = load_scenario("baseline")
    faster = apply_levers(
        base, ramp_speed=2.0, shape="front_loaded", contract_years=5, pooling="eu"
    )
    alliance = [v for v in faster.lines.values() if v.bloc == "alliance"]
    assert all(line.ramp_length_factor == 0.5 for line in alliance)
    assert faster.spending.shape == "front_loaded" and faster.spending.contract_years == 5
    assert faster.spending.pooling == "eu"
    assert apply_levers(base).scenario_hash() == base.scenario_hash()


def test_scenario_yaml_round_trips(tmp_path):
    changed = apply_levers(load_scenario("baseline"), russia=1.2, contract_years=3)
    path = tmp_path / "changed.yaml"
    path.write_text(scenario_yaml(changed), encoding="utf-8")
    assert load_scenario(path).scenario_hash() == changed.scenario_hash()
