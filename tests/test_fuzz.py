"""Fuzzing: mutated built-in scenarios give a result with finite numbers, or one InputError.

Every case mutates the baseline's own YAML (delete a field, retype it, make it non-finite,
huge or out of range, add an unknown key, or keep one part under ``base: baseline``),
then loads it and runs the balance on a few samples. Anything but a clean result or the
one error type fails. The number of cases tried is printed at the end of the run.
300 cases by default; ``OUTPRODUCE_FUZZ_EXAMPLES=3000 pytest tests/test_fuzz.py`` tries
3,000 (about two minutes).
"""

from __future__ import annotations

import copy
import math
import os
from importlib import resources
from typing import Any

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outproduce import InputError, balance, load_scenario

#: Cases per run: 300 in the suite; a slower profile with one command, e.g.
#: ``OUTPRODUCE_FUZZ_EXAMPLES=3000 pytest tests/test_fuzz.py``.
EXAMPLES = int(os.environ.get("OUTPRODUCE_FUZZ_EXAMPLES", "300"))

BASELINE = yaml.safe_load(
    resources.files("outproduce.scenario").joinpath("builtin", "baseline.yaml").read_text()
)
HOSTILE_VALUES = [
    None,
    "text",
    [],
    {},
    True,
    -1,
    0,
    1e300,
    -1e300,
    math.nan,
    math.inf,
    -math.inf,
    "2035-13",
    "1899-01",
    "2262-12",
    {"low": 5, "high": 1},
    {"low": 0, "central": 7, "high": 5},
    {"dist": "normal", "mean": 0, "sd": 1e200},
    {"dist": "lognormal", "median": 1000, "sigma": 1000},
    {"dist": "pert", "low": 0, "mode": 1, "high": 1e299},
    [1, 2, 3],
    {"nested": {"deeper": [None]}},
]
#: Counted by the session's closing summary (conftest.py).
TRIED = {"cases": 0, "input_errors": 0}


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


PATHS = _paths(BASELINE)


def _parent(document: Any, path: tuple) -> tuple[Any, Any]:
    node = document
    for part in path[:-1]:
        node = node[part]
    return node, path[-1]


@st.composite
def mutated(draw: Any) -> dict[str, Any]:
    document = copy.deepcopy(BASELINE)
    if draw(st.booleans()) and draw(st.booleans()):  # a partial file on the base
        key = draw(st.sampled_from(sorted(k for k in BASELINE if k not in ("name",))))
        document = {"name": "partial", "base": "baseline", key: copy.deepcopy(BASELINE[key])}
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(document)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(document, path)
        kind = draw(st.sampled_from(["delete", "retype", "unknown"]))
        if kind == "delete" and isinstance(parent, dict):
            parent.pop(key, None)
        elif kind == "unknown" and isinstance(parent, dict):
            parent["bogus_field"] = copy.deepcopy(draw(st.sampled_from(HOSTILE_VALUES)))
        else:
            parent[key] = copy.deepcopy(draw(st.sampled_from(HOSTILE_VALUES)))
    return document


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(mutated())
def test_mutated_scenarios_give_a_result_or_one_input_error(write_yaml, document):
    TRIED["cases"] += 1
    path = write_yaml(yaml.safe_dump(document, allow_unicode=True), "fuzz.yaml")
    try:
        ds = balance(load_scenario(path), samples=4, seed=1)
    except InputError as exc:
        TRIED["input_errors"] += 1
        assert "\n" not in exc.one_line()
        return
    output = ds["output"].values
    assert np.isfinite(output).all() and (output >= 0).all()
