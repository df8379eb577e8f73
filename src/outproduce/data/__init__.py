"""Packaged reference dataset: read-only CSV tables, each row naming a source id.

The tables live in ``data/tables``; ``catalog.py`` says what each holds and checks
integrity. Nothing here computes: it only reads and describes published figures.
Names are imported on first use (the catalog reads the tables with pandas).
"""

from importlib import import_module
from typing import Any

_NAMES = ("DATA_VERSION", "TABLES", "check_integrity", "load_table", "source_lookup")
__all__ = list(_NAMES)


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        return getattr(import_module("outproduce.data.catalog"), name)
    raise AttributeError(f"module 'outproduce.data' has no attribute {name!r}")
