"""Benchmark of the main job end to end: ``outproduce report`` and ``outproduce spending``.

Run: ``python benchmarks/bench_report.py`` (prints figures; asserts nothing).
Targets (issue 11): the report on the baseline at 2,000 samples in <= 5 s end to end
and <= 1 GiB peak memory; ``spending`` with its order book in <= 2 s and <= 0.75 GiB.
Each command runs as its own process (as a user runs it: interpreter start, imports,
the run, the views, the files); wall time is measured around the process and peak
memory is the process's own maximum resident set (``os.wait4``). The commands
alternate so noise hits them alike; the figures are medians.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = {
    "report": ["report", "--out", "{out}"],
    "spending": ["spending", "--json"],
    "balance": ["balance", "--json"],
}
TARGETS = {"report": (5.0, 1024), "spending": (2.0, 768), "balance": (None, None)}


def measure(arguments: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of ``outproduce <arguments>`` in a fresh process."""
    command = [sys.executable, "-m", "outproduce.interfaces.cli", *arguments]
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(arguments)} failed: {child.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--samples", type=int, default=2000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_report_"))
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
    try:
        measure(["--help"])  # warm the file cache
        for _ in range(args.repeat):
            for name, template in COMMANDS.items():
                arguments = [a.format(out=folder / name) for a in template]
                results[name].append(measure([*arguments, "--samples", str(args.samples)]))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"baseline, {args.samples} samples, {args.repeat} runs each (medians, ranges)")
    for name, runs in results.items():
        seconds = [r[0] for r in runs]
        peaks = [r[1] for r in runs]
        wall, peak = statistics.median(seconds), statistics.median(peaks)
        target_s, target_mib = TARGETS[name]
        goal = f"   targets <= {target_s:g} s, <= {target_mib} MiB" if target_s else ""
        print(
            f"{name:>9}: {wall:.2f} s ({min(seconds):.2f}-{max(seconds):.2f}), "
            f"peak {peak:,.0f} MiB ({min(peaks):,.0f}-{max(peaks):,.0f}){goal}"
        )


if __name__ == "__main__":
    main()
