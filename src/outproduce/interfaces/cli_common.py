"""What every ``outproduce`` command shares.

The console, the one-line error wrapper, the common options and the number formats.
"""

from __future__ import annotations

import functools
import math
import os
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from outproduce.errors import InputError
from outproduce.scenario.limits import MAX_SAMPLES

out = Console(soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str) -> None:
    """Print ``error: message`` on stderr and exit with status 2."""
    print(f"error: {message}", file=sys.stderr)
    raise typer.Exit(2)


def friendly(func: F) -> F:
    """Turn input errors (and unwritable outputs) into one line and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            fail(exc.one_line())
        except BrokenPipeError:  # e.g. `outproduce data sources | head`: not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
        except OSError as exc:
            fail(f"{getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}")
        return None

    return wrapper  # type: ignore[return-value]


ScenarioArg = Annotated[
    str, typer.Option("--scenario", "-s", help="Built-in scenario name or YAML file.")
]
SamplesOpt = Annotated[
    int | None,
    typer.Option(
        "--samples",
        "-n",
        min=1,
        max=MAX_SAMPLES,
        help="Monte Carlo samples (default: scenario's; at most 1,000,000).",
    ),
]
SeedOpt = Annotated[
    int | None, typer.Option("--seed", min=0, help="Random seed (default: scenario's).")
]


def fmt(value: float) -> str:
    """A whole number with thousands separators; '-' for a missing value."""
    return (
        "-"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{value:,.0f}"
    )


def short(value: float) -> str:
    """1.25M, 640k, 5,000; '…' for an open end of a published range."""
    if value is None or value != value:
        return "…"
    if abs(value) >= 1e6:
        return f"{value / 1e6:.2f}M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:.0f}k"
    return f"{value:,.0f}"


def millions(mid: float, low: float, high: float) -> str:
    """'1.25 (1.10–1.40)' in millions."""
    return f"{mid / 1e6:.2f} ({low / 1e6:.2f}–{high / 1e6:.2f})"


def number_table(title: str, columns: tuple[str, ...]) -> Table:
    """A rich table whose columns are right-aligned (numbers line up)."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column, justify="right")
    return table


def money(value: float) -> str:
    """Billions with as many decimals as the size needs (three significant figures)."""
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return f"{value:,.{digits}f}"


def bn(row: dict[str, Any], key: str) -> str:
    """A row's P50 billions with its P10–P90."""
    return f"{money(row[key])} ({money(row[key + '_p10'])}–{money(row[key + '_p90'])})"


def usage_error(exc: Exception) -> bool:
    """Print the parser's usage error (bad option or value) as one line; False if not one.

    Typer's parser errors carry ``format_message`` and ``exit_code`` (they are click's
    UsageError, vendored by typer, so matched by shape rather than imported). Asking for
    help with no arguments prints the help itself.
    """
    if not (hasattr(exc, "format_message") and isinstance(getattr(exc, "exit_code", None), int)):
        return False
    message = exc.format_message()
    if type(exc).__name__ == "NoArgsIsHelpError":
        print(message, file=sys.stderr)
        return True
    ctx = getattr(exc, "ctx", None)
    hint = f" (see: {ctx.command_path} --help)" if ctx is not None else ""
    print(f"error: {' '.join(message.split())}{hint}", file=sys.stderr)
    return True


def progress_bar() -> Any:
    """A progress bar on stderr (stage, bar, count, time elapsed and left), gone when done."""
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
