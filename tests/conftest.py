"""Shared fixtures: tiny scenario files whose results can be computed by hand."""

from __future__ import annotations

import socket
import textwrap
from pathlib import Path

import pytest

TINY = """\
name: tiny
description: One alliance line ramping to 120,000/yr over 2024; a flat adversary at 60,000/yr.
horizon: {start: 2024-01, end: 2025-12}
samples: 20
seed: 7
data_lines: none
assumptions:
  conversion_155eq: {155mm: 1.0, 152mm: 0.5}
  utilisation: 1.0
  target_attainment: 1.0
  target_slip_months: 0
lines:
  new_plant:
    name: New plant
    bloc: alliance
    country: DEU
    calibre: 155mm
    measure: capacity
    steps:
      - {first_output: 2024-01, full_rate: 2024-12, rate: 120000}
  enemy:
    name: Enemy production
    bloc: adversary
    country: RUS
    calibre: 155mm
    measure: output
    steps:
      - {first_output: 2024-01, full_rate: 2024-01, rate: 60000}
"""


def free_port() -> int:
    """A free localhost TCP port (for a server a test starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def write_yaml(tmp_path: Path):
    """Write YAML text to a file and return its path."""

    def _write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def tiny(write_yaml) -> Path:
    """The hand-computable scenario as a file."""
    return write_yaml(TINY, "tiny.yaml")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say how many fuzz cases ran, and how many ended in the one input error."""
    from test_fuzz import TRIED  # imported only when the fuzz module was collected

    if TRIED["cases"]:
        terminalreporter.write_line(
            f"fuzz: {TRIED['cases']} mutated scenarios tried, "
            f"{TRIED['input_errors']} ended in one clear input error, the rest ran clean"
        )
