"""Packaged reference dataset: read-only CSV tables, each row naming a source id.

The tables live in ``data/tables``; ``catalog.py`` says what each holds and checks
integrity. Nothing here computes: it only reads and describes published figures.
Names are imported on first use (the catalog reads the tables with pandas).
"""

from outproduce.lazy import lazy_getattr

_WHERE = {
    "DATA_VERSION": "outproduce.data.catalog",
    "TABLES": "outproduce.data.catalog",
    "load_table": "outproduce.data.catalog",
    "source_lookup": "outproduce.data.catalog",
    "check_integrity": "outproduce.data.checks",
}
__all__ = sorted(_WHERE)
__getattr__ = lazy_getattr(__name__, _WHERE)
