"""Uncertain values: each inverse CDF against a hand formula."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from outproduce.scenario.uncertain import Uncertain, bounds, describe, median, ppf

ADAPTER = TypeAdapter(Uncertain)


def parse(value):
    return ADAPTER.validate_python(value)


def test_fixed_number_ignores_the_draw():
    assert ppf(parse(3.5), np.array([0.1, 0.9])).tolist() == [3.5, 3.5]


def test_range_without_central_is_uniform():
    value = parse({"low": 100, "high": 300})
    assert ppf(value, np.array([0.0, 0.25, 1.0])).tolist() == [100, 150, 300]


def test_range_with_central_is_triangular_with_that_mode():
    value = parse({"low": 0, "central": 5, "high": 10})
    assert median(value) == pytest.approx(5.0)  # symmetric: median = mode
    # Triangular(0, 0, 10): F(x) = 1 - (1 - x/10)^2, so the median is 10 (1 - sqrt(1/2)).
    skew = parse({"low": 0, "central": 0, "high": 10})
    assert median(skew) == pytest.approx(10 * (1 - math.sqrt(0.5)))
    assert median(parse({"low": 1, "central": 1, "high": 1})) == 1


def test_pert_matches_the_beta_distribution():
    # PERT(0, 0, 10) is Beta(1, 5) scaled: median = 10 * (1 - 0.5 ** (1 / 5)).
    skew = parse({"dist": "pert", "low": 0, "mode": 0, "high": 10})
    assert median(skew) == pytest.approx(10 * (1 - 0.5 ** (1 / 5)))


def test_triangular_matches_the_closed_form():
    value = parse({"dist": "triangular", "low": 0, "mode": 6, "high": 18})
    u = 0.2  # below c = 6/18: x = sqrt(u * (high - low) * (mode - low))
    assert ppf(value, np.array([u]))[0] == pytest.approx(math.sqrt(u * 18 * 6))


def test_normal_lognormal_uniform():
    u = np.array([0.5, 0.8413447460685429])
    assert ppf(parse({"dist": "normal", "mean": 10, "sd": 2}), u) == pytest.approx([10, 12])
    assert ppf(parse({"dist": "lognormal", "median": 4, "sigma": 1}), u) == pytest.approx(
        [4, 4 * math.e]
    )
    assert ppf(parse({"dist": "uniform", "low": 2, "high": 4}), np.array([0.5]))[0] == 3


def test_bounds_and_description():
    value = parse({"low": 1, "central": 2, "high": 3})
    assert bounds(value) == (1, 3)
    assert describe(value) == "1 .. 3 (central 2)"
    assert describe(parse({"dist": "pert", "low": 0, "mode": 1, "high": 2})) == (
        "pert(low=0, mode=1, high=2)"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"low": 5, "high": 3}, "low (5) > high (3)"),
        ({"low": 1, "central": 9, "high": 3}, "central (9) > high (3)"),
        ({"dist": "gamma", "shape": 2}, "expected a number, a range"),
        ({"dist": "normal", "mean": 1, "sd": -1}, "greater than 0"),
        ("ten", "expected a number, a range"),
    ],
)
def test_bad_values_say_what_was_expected(value, expected):
    with pytest.raises(ValidationError) as info:
        parse(value)
    assert expected in str(info.value)
