"""Packaged reference dataset: read-only CSV tables, each row naming a source id.

The tables live in ``data/tables``; ``catalog.py`` says what each holds and checks
integrity. Nothing here computes: it only reads and describes published figures.
"""

from outproduce.data.catalog import (
    DATA_VERSION,
    TABLES,
    check_integrity,
    load_table,
    source_lookup,
)

__all__ = ["DATA_VERSION", "TABLES", "check_integrity", "load_table", "source_lookup"]
