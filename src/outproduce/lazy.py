"""Names a package exports but imports only on first use (PEP 562).

So ``outproduce --help`` and ``outproduce.scenario.limits`` do not load numpy, pandas
or xarray just because a package's ``__init__`` names their users.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_getattr(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``name`` from ``where[name]`` when first asked."""

    def __getattr__(name: str) -> Any:
        if name in where:
            return getattr(import_module(where[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
