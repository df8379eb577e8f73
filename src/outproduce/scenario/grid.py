"""An ensemble's grid: variants of one scenario, by lever and by field, validated like it.

A grid file (YAML) has either part or both::

    levers:                  # every combination of these values (a full factorial)
      russia: [0.8, 1.0, 1.2]
      contract_years: [1, 5]
    variants:                # and named variants
      high-utilisation:
        fields:              # merged onto the scenario like a scenario file onto its base
          assumptions:
            utilisation: {low: 0.8, central: 0.9, high: 0.95}
      fast-ramp:
        levers: {ramp_speed: 2}
      unchanged: {}          # the scenario as it is

Lever names are those of ``apply_levers`` (``russia``, ``ramp_speed``, ``shape``,
``contract_years``, ``pooling``). Each variant is a whole scenario, validated as a
scenario file is: a bad field, value or lever is one error naming the grid file, the
variant and the field. Without a grid an ensemble has one variant, ``base``.
"""

from __future__ import annotations

import inspect
import itertools
import math
import re
from pathlib import Path
from typing import Any

import yaml

from outproduce.errors import InputError
from outproduce.scenario.levers import apply_levers
from outproduce.scenario.loading import deep_merge, scenario_from_mapping, scenario_yaml
from outproduce.scenario.model import Scenario
from outproduce.scenario.yaml_bounded import read_yaml_file

LEVERS = [p for p in inspect.signature(apply_levers).parameters if p != "scenario"]
#: More variants than this is a mistake in a grid, not a plan (each runs every sample).
MAX_VARIANTS = 1000
#: A variant's name becomes a group of the Zarr store: a plain name.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.,=+-]{0,99}$")


def variants(scenario: Scenario, grid: Path | None = None) -> dict[str, Scenario]:
    """Variant name -> its scenario (without a grid: ``{"base": scenario}``)."""
    if grid is None:
        return {"base": scenario}
    raw = read_yaml_file(grid, "a YAML grid with `levers:` and/or `variants:`")
    label = str(grid)
    if not isinstance(raw, dict) or not raw or set(raw) - {"levers", "variants"}:
        extra = sorted(set(raw) - {"levers", "variants"}) if isinstance(raw, dict) else []
        raise InputError(
            "expected a mapping with `levers:` and/or `variants:`"
            + (f", got unknown key(s) {', '.join(map(str, extra))}" if extra else ""),
            file=label,
        )
    specs: dict[str, dict[str, Any]] = {}
    factors = raw.get("levers") or {}
    _check_levers(factors, label, "levers", lists=True)
    names, values = list(factors), [factors[n] for n in factors]
    count = math.prod(len(column) for column in values)
    if count > MAX_VARIANTS:
        raise InputError(
            f"the levers make {count:,} combinations; expected at most {MAX_VARIANTS:,}",
            file=label,
            field="levers",
        )
    for combination in itertools.product(*values) if names else []:
        levers = dict(zip(names, combination, strict=True))
        specs[",".join(f"{k}={v}" for k, v in levers.items())] = {"levers": levers}
    named = raw.get("variants") or {}
    if not isinstance(named, dict):
        raise InputError(
            "expected a mapping of variant name to {levers, fields}", file=label, field="variants"
        )
    for name, spec in named.items():
        where = f"variants.{name}"
        spec = {} if spec is None else spec
        if not isinstance(spec, dict) or set(spec) - {"levers", "fields"}:
            raise InputError(
                "expected a mapping with `levers:` and/or `fields:`", file=label, field=where
            )
        _check_levers(spec.get("levers") or {}, label, f"{where}.levers", lists=False)
        specs[str(name)] = spec
    if len(specs) > MAX_VARIANTS:
        raise InputError(f"{len(specs):,} variants; expected at most {MAX_VARIANTS:,}", file=label)
    for name in specs:
        if not NAME.match(name):
            raise InputError(
                f"variant name {name!r} is not a plain name; expected letters, digits and "
                "_ . , = + - (at most 100 characters)",
                file=label,
                field="variants",
            )
    return {name: _variant(scenario, name, spec, label) for name, spec in specs.items()}


def _check_levers(levers: Any, label: str, where: str, lists: bool) -> None:
    if not isinstance(levers, dict):
        raise InputError(
            f"expected a mapping of lever name to {'a list of values' if lists else 'a value'}",
            file=label,
            field=where,
        )
    for name, value in levers.items():
        if name not in LEVERS:
            raise InputError(
                f"unknown lever {name!r}; expected one of {', '.join(LEVERS)}",
                file=label,
                field=f"{where}.{name}",
            )
        if lists and (not isinstance(value, list) or not value):
            raise InputError(
                f"expected a non-empty list of values, got {value!r}",
                file=label,
                field=f"{where}.{name}",
            )


def _variant(scenario: Scenario, name: str, spec: dict[str, Any], label: str) -> Scenario:
    """The scenario with the variant's fields merged in, then its levers applied."""
    fields = spec.get("fields") or {}
    where = f"{label} (variant {name})"
    if not isinstance(fields, dict):
        raise InputError("expected a mapping of scenario fields", file=label, field="fields")
    changed = scenario
    if fields:
        base = yaml.safe_load(scenario_yaml(scenario))
        changed = scenario_from_mapping(deep_merge(base, fields), where)
    try:
        changed = apply_levers(changed, **(spec.get("levers") or {}))
    except InputError as exc:  # a spending option's error already says "levers.<name>"
        field = exc.field if str(exc.field).startswith("levers") else f"levers.{exc.field}"
        raise InputError(exc.message, file=where, field=field) from None
    except TypeError as exc:  # a value of the wrong kind for a lever
        raise InputError(str(exc), file=where, field="levers") from None
    return changed.model_copy(update={"name": f"{scenario.name}/{name}"})
