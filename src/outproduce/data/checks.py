"""Integrity of the packaged tables: what ``outproduce data check`` and the tests enforce.

Every row's sources resolve and are graded; numbers, months and dates parse; choices
and ``low <= central <= high`` hold; and no baseline figure rests on C/D sources alone
without saying so. Tables are read through ``catalog.read_raw`` (cells as written).
"""

from __future__ import annotations

import re

from outproduce.data import catalog
from outproduce.data.schema import DATE_PATTERN, MONTH_PATTERN, TABLES, WEAK_MARKER


def check_integrity() -> list[str]:
    """Return every integrity problem in the packaged tables (empty list when clean)."""
    problems: list[str] = []
    known_sources = set(catalog.source_lookup())
    for name, spec in TABLES.items():
        raw = catalog.read_raw(name)
        where = catalog.table_file(name)
        if tuple(raw.columns) != spec.columns:
            problems.append(f"{where}: columns {list(raw.columns)} != {list(spec.columns)}")
            continue
        keys = raw[spec.key.split(",")].astype(str).agg("|".join, axis=1)
        for dup in sorted(set(keys[keys.duplicated()])):
            problems.append(f"{where}: duplicate key {spec.key}={dup}")
        for index, row in raw.iterrows():
            at = f"{where}:{index + 2}"
            if spec.sourced:
                ids = catalog.split_sources(row["source_id"])
                if not ids:
                    problems.append(f"{at}: empty source_id")
                problems += [
                    f"{at}: unknown source_id {s!r}" for s in ids if s not in known_sources
                ]
            for column in spec.numeric:
                value = row[column]
                if value and not re.fullmatch(r"-?\d+(\.\d+)?", value):
                    problems.append(f"{at}: {column}={value!r} is not a number")
            for column in spec.months:
                if not MONTH_PATTERN.match(row[column]):
                    problems.append(f"{at}: {column}={row[column]!r} is not YYYY-MM")
            for column in spec.dates:
                if row[column] and not DATE_PATTERN.match(row[column]):
                    problems.append(f"{at}: {column}={row[column]!r} is not an ISO date")
            for column, allowed in spec.choices.items():
                if row[column] not in allowed:
                    problems.append(f"{at}: {column}={row[column]!r} not in {allowed}")
            for triple in spec.ranges:
                values = [
                    float(row[c]) for c in triple if re.fullmatch(r"-?\d+(\.\d+)?", row[c] or "x")
                ]
                if values != sorted(values):
                    problems.append(f"{at}: {'/'.join(triple)} not ordered low <= high")
                if any(v < 0 for v in values) and name != "bloc_estimates":
                    problems.append(f"{at}: negative value in {'/'.join(triple)}")
    problems += _check_sources_rows()
    problems += _check_weak_figures()
    return problems


def _check_weak_figures() -> list[str]:
    """Every baseline figure resting on C/D sources alone must say so in its note.

    Baseline figures: the steps of lines the baseline sums, and every published
    estimate the calibration compares with.
    """
    problems = []
    in_baseline = set(catalog.load_table("lines").query("in_baseline == 'true'")["line_id"])
    steps = catalog.read_raw("capacity_steps")
    for index, row in steps.iterrows():
        if row["line_id"] in in_baseline and catalog.weak_only(row["source_id"]):
            if WEAK_MARKER not in row["note"]:
                problems.append(
                    f"{catalog.table_file('capacity_steps')}:{index + 2}: {row['line_id']} step "
                    f"{row['step']} rests on C/D sources alone; expected its note to say "
                    f"{WEAK_MARKER} and why its range is wide enough"
                )
    estimates = catalog.read_raw("published_estimates")
    for index, row in estimates.iterrows():
        if catalog.weak_only(row["source_id"]) and WEAK_MARKER not in row["note"]:
            problems.append(
                f"{catalog.table_file('published_estimates')}:{index + 2}: "
                f"{row['estimate_id']} rests on C/D sources alone; expected its note to say "
                f"{WEAK_MARKER}"
            )
    return problems


def _check_sources_rows() -> list[str]:
    problems = []
    for row in catalog.load_table("sources").to_dict("records"):
        for column in ("title", "publisher", "url", "published"):
            if not row[column].strip():
                problems.append(
                    f"{catalog.table_file('sources')}: {row['source_id']}: empty {column}"
                )
        if not row["url"].startswith(("http://", "https://")):
            problems.append(f"{catalog.table_file('sources')}: {row['source_id']}: url not http(s)")
    return problems
