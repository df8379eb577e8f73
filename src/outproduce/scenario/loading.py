"""Load a scenario from YAML: safe parsing, base merging, line resolution, clear errors.

Every failure becomes one ``InputError`` naming the file, the field path and (where
the field is in the file) its line, and saying what was expected.
"""

from __future__ import annotations

import copy
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from outproduce.data.catalog import GROUP_CODES, load_table, table_file
from outproduce.errors import InputError
from outproduce.scenario.model import Line, Scenario, ScenarioFile
from outproduce.scenario.validation import validate as _validate
from outproduce.scenario.yaml_bounded import BoundError, parse, read_capped

_BASE_DEPTH = 8


def builtin_names() -> list[str]:
    """Names of the scenarios shipped with the package."""
    folder = resources.files("outproduce.scenario").joinpath("builtin")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _builtin_text(name: str) -> str:
    return (
        resources.files("outproduce.scenario")
        .joinpath("builtin", f"{name}.yaml")
        .read_text(encoding="utf-8")
    )


class _Source:
    """A parsed YAML document with the line of every field path in it."""

    def __init__(self, label: str, text: str) -> None:
        self.label = label
        try:
            node, data = parse(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            message = (
                problem
                if isinstance(exc, BoundError)
                else f"malformed YAML: {problem}; expected a YAML mapping of scenario fields"
            )
            raise InputError(message, file=label, line=mark.line + 1 if mark else None) from None
        if not isinstance(data, dict):
            raise InputError(
                "expected a YAML mapping of scenario fields (name, assumptions, lines, ...), "
                f"got {type(data).__name__}",
                file=label,
            )
        self.data: dict[str, Any] = data
        self.lines: dict[tuple[str, ...], int] = {}
        self._index(node, ())

    def _index(self, node: yaml.Node | None, path: tuple[str, ...]) -> None:
        if node is None:
            return
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                self.lines[(*path, str(key.value))] = key.start_mark.line + 1
                self._index(value, (*path, str(key.value)))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._index(item, (*path, str(i)))

    def error(self, path: tuple[str, ...], message: str) -> InputError:
        """One input error at ``path`` of this file, with its line where it has one."""
        return InputError(message, file=self.label, field=".".join(path), line=self.line_of(path))

    def line_of(self, path: tuple[str, ...]) -> int | None:
        """Line of the deepest part of ``path`` present in this file."""
        for cut in range(len(path), 0, -1):
            if path[:cut] in self.lines:
                return self.lines[path[:cut]]
        return None


def _read(name_or_path: str | Path) -> _Source:
    text_name = str(name_or_path)
    path = Path(text_name)
    if text_name in builtin_names() and not path.suffix:
        return _Source(f"<builtin:{text_name}>", _builtin_text(text_name))
    if not path.exists():
        raise InputError(
            f"no such scenario; expected a file path or a built-in name "
            f"({', '.join(builtin_names())})",
            file=text_name,
        )
    try:
        text = read_capped(path)
    except ValueError as exc:  # over the size cap (UnicodeDecodeError is one too)
        reason = f"cannot read file: {exc}" if isinstance(exc, UnicodeDecodeError) else str(exc)
        raise InputError(reason, file=text_name) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=text_name) from None
    return _Source(text_name, text)


#: Keys that make a mapping an uncertain value (a range or a distribution).
_VALUE_KEYS = {"dist", "low", "central", "high", "mode", "mean", "sd", "median", "sigma"}


def deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; lists and values from ``top`` replace those of ``base``.

    An uncertain value (a mapping with ``low``, ``dist``...) is one value: given in
    ``top`` it replaces the base's whole, note and source included — a uniform range
    over a triangular one must not keep the old ``central``.
    """
    merged = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, dict) and _VALUE_KEYS & set(value):
            merged[key] = copy.deepcopy(value)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _raw_with_bases(source: _Source, depth: int = 0) -> dict[str, Any]:
    base = source.data.get("base")
    if base is None:
        return source.data
    if depth >= _BASE_DEPTH:
        raise source.error(
            ("base",),
            "base scenarios nest too deep (a cycle?)",
        )
    if not isinstance(base, str) or base not in builtin_names():
        raise source.error(
            ("base",),
            f"unknown base scenario {base!r}; expected one of: {', '.join(builtin_names())}",
        )
    parent = _raw_with_bases(_Source(f"<builtin:{base}>", _builtin_text(base)), depth + 1)
    merged = deep_merge(parent, {k: v for k, v in source.data.items() if k != "exclude_lines"})
    excluded = source.data.get("exclude_lines") or []
    if not isinstance(excluded, list) or not all(isinstance(i, str) for i in excluded):
        raise source.error(
            ("exclude_lines",),
            f"expected a list of line ids, got {excluded!r}",
        )
    merged["exclude_lines"] = list(parent.get("exclude_lines", [])) + excluded
    merged["base"] = base
    return merged


@cache
def data_line_specs() -> dict[str, dict[str, Any]]:
    """Packaged lines (``lines`` + ``capacity_steps`` tables) as scenario line mappings."""
    lines = load_table("lines")
    steps = load_table("capacity_steps").sort_values(["line_id", "step"])
    specs: dict[str, dict[str, Any]] = {}
    for row in lines.to_dict("records"):
        specs[row["line_id"]] = {
            "name": row["name"],
            "bloc": row["bloc"],
            "country": row["country_iso3"],
            "calibre": row["calibre"],
            "measure": row["measure"],
            "product_class": row["product_class"],
            "steps": [],
            "source": row["source_id"],
            "note": row["note"],
            "_in_baseline": row["in_baseline"] == "true",
        }
    for row in steps.to_dict("records"):
        spec = specs.get(row["line_id"])
        if spec is None:
            raise InputError(
                f"step for unknown line {row['line_id']!r}",
                file=table_file("capacity_steps"),
                field="line_id",
            )
        rate: dict[str, Any] = {"low": row["rate_low_per_year"], "high": row["rate_high_per_year"]}
        if row["rate_central_per_year"] == row["rate_central_per_year"]:  # not NaN
            rate["central"] = row["rate_central_per_year"]
        if rate["low"] == rate["high"]:
            rate = rate["low"]
        unit = "tonnes_per_year" if spec["product_class"].endswith("_t") else "rounds_per_year"
        spec["steps"].append(
            {
                "first_output": row["first_output"],
                "full_rate": row["full_rate"],
                "rate": rate,
                "unit": unit,
                "kind": row["kind"],
                "measure": row["measure"] or None,
                "source": row["source_id"],
                "note": row["note"],
            }
        )
    return specs


def _countries(bloc: str) -> set[str]:
    if bloc == "alliance":
        return set(load_table("allies")["iso3"]) | set(GROUP_CODES)
    return set(load_table("adversary" if bloc == "adversary" else "partners")["iso3"])


def _resolve_lines(spec: ScenarioFile, label: str, source: _Source) -> dict[str, Line]:
    packaged = data_line_specs()
    if spec.data_lines == "baseline":
        chosen = [k for k, v in packaged.items() if v["_in_baseline"]]
    elif spec.data_lines == "all":
        chosen = [k for k, v in packaged.items() if v["steps"]]
    elif spec.data_lines == "none":
        chosen = []
    else:
        chosen = list(spec.data_lines)
    for i, line_id in enumerate([*chosen, *spec.exclude_lines]):
        if line_id not in packaged:
            where = ("data_lines", str(i)) if i < len(chosen) else ("exclude_lines",)
            raise source.error(
                where,
                f"unknown packaged line {line_id!r}; see `outproduce data show lines`",
            )
    excluded = set(spec.exclude_lines)
    ids = [k for k in chosen if k not in excluded]
    # A base scenario's patches apply to the lines chosen here; they never bring back a
    # line this file excluded or did not choose. Lines this file names itself (new, or
    # packaged ones spelled out) are added unless excluded: the exclusion wins.
    own = source.data.get("lines")
    own = set(own) if isinstance(own, dict) else set()
    ids += [
        k
        for k in spec.lines
        if k not in ids and k not in excluded and (k not in packaged or k in own)
    ]
    resolved: dict[str, Line] = {}
    for line_id in ids:
        patch = spec.lines.get(line_id, {})
        if not isinstance(patch, dict):
            raise source.error(
                ("lines", line_id),
                "expected a mapping of line fields",
            )
        base = {k: v for k, v in packaged.get(line_id, {}).items() if not k.startswith("_")}
        from_data = line_id in packaged and not set(patch) & {"steps"}
        raw = deep_merge(base, patch)
        where = table_file("capacity_steps") if from_data and not patch else label
        line = _validate(Line, raw, where, ("lines", line_id), source if patch else None)
        if line.country not in _countries(line.bloc):
            known = (
                "an ally's ISO3 code (e.g. DEU, USA) or EU"
                if line.bloc == "alliance"
                else f"one of {', '.join(sorted(_countries(line.bloc)))}"
            )
            path = ("lines", line_id, "country")
            raise source.error(
                path,
                f"unknown country {line.country!r} for a line of the {line.bloc} bloc; "
                f"expected {known}",
            )
        resolved[line_id] = line
    missing = {ln.calibre for ln in resolved.values()} - set(spec.assumptions.conversion_155eq)
    if missing:
        path = ("assumptions", "conversion_155eq")
        raise source.error(
            path,
            f"no 155mm-equivalent factor for calibre(s) {', '.join(sorted(missing))}; "
            "expected one factor per calibre used by the lines",
        )
    return resolved


def load_scenario(name_or_path: str | Path = "baseline") -> Scenario:
    """Load, merge with its base, validate and resolve a scenario (a built-in name or a path)."""
    source = _read(name_or_path)
    return _resolved(source, _raw_with_bases(source))


def scenario_from_mapping(raw: dict[str, Any], label: str) -> Scenario:
    """A scenario from an already merged mapping (a grid's variant), validated like a file.

    Errors name ``label`` and the field path (there is no file line to point at).
    """
    source = _Source(label, "{}")
    source.data = raw
    return _resolved(source, raw)


def _resolved(source: _Source, raw: dict[str, Any]) -> Scenario:
    spec: ScenarioFile = _validate(ScenarioFile, raw, source.label, (), source)
    lines = _resolve_lines(spec, source.label, source)
    _check_references(spec, lines, source)
    return Scenario(
        name=spec.name,
        description=spec.description,
        horizon=spec.horizon,
        samples=spec.samples,
        seed=spec.seed,
        assumptions=spec.assumptions,
        lines=lines,
        inputs=spec.inputs,
        contracts=spec.contracts,
        holders=spec.holders,
        capacity_rules=spec.capacity_rules,
        spending=spec.spending,
        candidates=spec.candidates,
        origin=source.label,
    )


def scenario_yaml(scenario: Scenario) -> str:
    """The resolved scenario as a self-contained YAML file (every line spelled out).

    Loading the text gives the same scenario (same ``scenario_hash``): it names no base
    and takes no packaged lines (``data_lines: none``).
    """
    document = _without_empty_text(
        scenario.model_dump(mode="json", by_alias=True, exclude_defaults=False)
    )
    document = {"name": document.pop("name"), "data_lines": "none", **document}
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def _without_empty_text(node: Any) -> Any:
    """The dump without empty ``note``/``source`` keys (their default: the same scenario)."""
    if isinstance(node, dict):
        return {
            k: _without_empty_text(v)
            for k, v in node.items()
            if not (k in ("note", "source") and v == "")
        }
    if isinstance(node, list):
        return [_without_empty_text(v) for v in node]
    return node


def _check_references(spec: ScenarioFile, lines: dict[str, Line], source: _Source) -> None:
    """Contracts name existing suppliers; transfers name existing holders; allies exist."""
    allies = set(load_table("allies")["iso3"])
    for iso3 in spec.spending.allies if spec.spending else {}:
        if iso3 not in allies:
            path = ("spending", "allies", iso3)
            raise source.error(
                path,
                f"unknown ally {iso3!r}; expected an ISO3 code of a NATO member (e.g. DEU, USA)",
            )
    pools = {line.seller_pool(spec.inputs.pools) for line in lines.values()}
    for contract_id, contract in spec.contracts.items():
        if contract.supplier not in lines and contract.supplier not in pools:
            path = ("contracts", contract_id, "supplier")
            raise source.error(
                path,
                f"unknown supplier {contract.supplier!r}; expected a line id of the scenario "
                f"or a pool ({', '.join(sorted(pools))})",
            )
    suppliers = {contract.supplier for contract in spec.contracts.values()}
    for supplier in spec.capacity_rules:
        if supplier not in suppliers:
            path = ("capacity_rules", supplier)
            raise source.error(
                path,
                f"no contract names supplier {supplier!r}; expected a supplier of the "
                f"scenario's contracts ({', '.join(sorted(suppliers)) or 'none'})",
            )
    for holder_id, holder in spec.holders.items():
        for i, transfer in enumerate(holder.transfers):
            if transfer.to not in spec.holders:
                path = ("holders", holder_id, "transfers", str(i), "to")
                raise source.error(
                    path,
                    f"unknown holder {transfer.to!r}; expected one of: {', '.join(spec.holders)}",
                )
