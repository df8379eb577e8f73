"""Packaged reference dataset: read-only CSV tables, each row naming a source id.

The tables live in ``data/tables``; ``catalog.py`` says what each holds and checks
integrity. Nothing here computes: it only reads and describes published figures.
Names are imported on first use (the catalog reads the tables with pandas).
"""

from importlib import import_module
from typing import Any

_WHERE = {
    "DATA_VERSION": "outproduce.data.catalog",
    "TABLES": "outproduce.data.catalog",
    "load_table": "outproduce.data.catalog",
    "source_lookup": "outproduce.data.catalog",
    "check_integrity": "outproduce.data.checks",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'outproduce.data' has no attribute {name!r}")
