"""Reading the packaged tables: loading, the data version, sources and their grades.

What each table holds is ``schema.py``; the integrity rules are ``checks.py``.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

import pandas as pd

from outproduce.data.schema import (
    BLOCS,
    CALIBRES,
    GRADES,
    GROUP_CODES,
    MEASURES,
    NON_EUROPEAN_ALLIES,
    PRODUCT_CLASSES,
    PUBLISHED_GRADES,
    STEP_KINDS,
    STRONG_GRADES,
    TABLES,
    WEAK_GRADES,
    WEAK_MARKER,
    TableSpec,
)
from outproduce.errors import InputError

#: The vocabularies are defined in ``schema`` and named here too, where readers look.
__all__ = [
    "BLOCS",
    "CALIBRES",
    "DATA_VERSION",
    "GRADES",
    "GROUP_CODES",
    "MEASURES",
    "NON_EUROPEAN_ALLIES",
    "PRODUCT_CLASSES",
    "PUBLISHED_GRADES",
    "STEP_KINDS",
    "STRONG_GRADES",
    "TABLES",
    "WEAK_GRADES",
    "WEAK_MARKER",
    "TableSpec",
    "grade_of",
    "load_table",
    "read_raw",
    "source_lookup",
    "split_sources",
    "table_file",
    "weak_only",
]

TABLE_DIR = "tables"
#: Released data edition; the content hash after ``+`` changes whenever a table changes.
DATA_EDITION = "2026.11"


def _table_path(name: str):
    return resources.files("outproduce.data").joinpath(TABLE_DIR, f"{name}.csv")


def table_file(name: str) -> str:
    """Return the packaged CSV's path, for error messages."""
    return f"outproduce/data/{TABLE_DIR}/{name}.csv"


def load_table(name: str) -> pd.DataFrame:
    """One packaged table: text columns as strings ('' for empty), numbers as floats.

    A copy: changing it changes nothing for later calls or results.
    """
    return _cached_table(name).copy()


@cache
def _cached_table(name: str) -> pd.DataFrame:
    """Read one packaged table once per process."""
    if name not in TABLES:
        raise InputError(
            f"unknown table {name!r}; expected one of: {', '.join(TABLES)}", field="table"
        )
    spec = TABLES[name]
    frame = read_raw(name)
    if tuple(frame.columns) != spec.columns:
        raise InputError(
            f"columns {list(frame.columns)} do not match the schema {list(spec.columns)}",
            file=table_file(name),
        )
    for column in spec.numeric:
        frame[column] = pd.to_numeric(frame[column].replace("", None), errors="coerce")
    return frame


def read_raw(name: str) -> pd.DataFrame:
    """The table exactly as written: every cell a string, empty cells ''."""
    with _table_path(name).open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


def _content_hash() -> str:
    digest = hashlib.sha256()
    for name in sorted(TABLES):
        digest.update(_table_path(name).read_bytes())
    return digest.hexdigest()[:8]


DATA_VERSION = f"{DATA_EDITION}+{_content_hash()}"


@cache
def ally_names() -> dict[str, str]:
    """ISO3 -> the ally's name (packaged ``allies`` table)."""
    allies = load_table("allies")
    return dict(zip(allies["iso3"], allies["name"], strict=True))


@cache
def source_lookup() -> dict[str, dict[str, str]]:
    """Map source id to its row (title, publisher, url, published, reliability)."""
    frame = load_table("sources")
    return {row["source_id"]: dict(row) for row in frame.to_dict("records")}


def split_sources(cell: str) -> list[str]:
    """Source cells may name several ids separated by ';' (a range built from several)."""
    return [part.strip() for part in cell.split(";") if part.strip()]


def weak_only(cell: str) -> bool:
    """True when every source named in ``cell`` is graded C or D (a copy or a party's claim)."""
    lookup = source_lookup()
    ids = split_sources(cell)
    return bool(ids) and all(lookup.get(i, {}).get("reliability") in WEAK_GRADES for i in ids)


def grade_of(cell: str) -> str:
    """The best grade among the sources of a figure.

    A is best, then B, C, D, ``assumption`` and ``derived``; ``unknown`` when no source
    is named or none is in the sources table.
    """
    lookup = source_lookup()
    grades = [lookup.get(i, {}).get("reliability", "") for i in split_sources(cell)]
    ranked = [g for g in GRADES if g in grades]
    return ranked[0] if ranked else "unknown"
