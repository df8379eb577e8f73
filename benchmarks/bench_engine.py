"""Benchmark of the engine at scale: the baseline registry scaled to 100 lines.

Run: ``python benchmarks/bench_engine.py`` (prints figures; asserts nothing).
Targets (issue 11): 100 lines x 10,000 samples x 168 months in <= 0.8 s wall and
<= 0.75 GiB peak memory on 2 cores, within 5x of one chunked elementwise pass over the
same (sample x line x month) elements, and >= 200x faster per sample than the
pure-Python reference (issue 3), each measured side by side in the same run. The
engine runs in a fresh subprocess per repeat so its peak RSS is its own; the figure
quoted is the median.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scaled_baseline(lines: int):
    """The baseline with its lines copied (new ids) until there are ``lines`` of them."""
    import outproduce

    base = outproduce.load_scenario("baseline")
    originals = list(base.lines.items())
    scaled = {}
    copy = 0
    while len(scaled) < lines:
        for line_id, line in originals:
            if len(scaled) == lines:
                break
            scaled[line_id if copy == 0 else f"{line_id}__{copy}"] = line
        copy += 1
    return base.model_copy(update={"lines": scaled})


def _child(lines: int, samples: int, workers: int) -> dict:
    from outproduce.engine.simulate import run

    scenario = scaled_baseline(lines)
    run(scenario, 8, 1)  # warm-up: imports and caches
    start = time.perf_counter()
    run(scenario, samples, 1, workers=workers)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_rss_mib": peak}


def _elementwise_pass(lines: int, samples: int, workers: int, months: int = 168) -> float:
    """Seconds for one chunked pass ``out = a * b + c`` over (sample x line x month) floats.

    The floor any engine pays to touch every element once: chunks of the engine's size
    on the engine's number of threads, each into its own buffer.
    """
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    from outproduce.engine.simulate import chunk_size

    chunk = chunk_size(lines, months)
    starts = range(0, samples, chunk)
    factor = np.linspace(0.5, 1.5, months)

    def one(begin: int) -> None:
        n = min(chunk, samples - begin)
        out = np.empty((n, lines, months))
        np.multiply(np.ones((n, lines, 1)), factor, out=out)
        out += 1.0

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, starts))
    return time.perf_counter() - start


def _reference_per_sample(lines: int, samples: int) -> float:
    sys.path.insert(0, str(HERE.parent / "tests"))
    from reference_model import reference_chain

    scenario = scaled_baseline(lines)
    start = time.perf_counter()
    reference_chain(scenario, samples, 1)
    return (time.perf_counter() - start) / samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reference-samples", type=int, default=10)
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1, os.cpu_count() or 1],
        help="worker counts to measure side by side (default: 1 and every core)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.lines, args.samples, args.workers[0])))
        return
    workers = list(dict.fromkeys(args.workers))
    runs: dict[int, list[dict]] = {w: [] for w in workers}
    references, floors = [], {w: [] for w in workers}
    for _ in range(args.repeat):  # alternate configurations so noise hits them alike
        references.append(_reference_per_sample(args.lines, args.reference_samples))
        for w in workers:
            floors[w].append(_elementwise_pass(args.lines, args.samples, w))
        for w in workers:
            command = [sys.executable, __file__, "--child", "--lines", str(args.lines)]
            command += ["--samples", str(args.samples), "--workers", str(w)]
            out = subprocess.run(command, capture_output=True, text=True, check=True)
            runs[w].append(json.loads(out.stdout))
    reference = statistics.median(references)
    print(
        f"machine: {platform.machine()} · {os.cpu_count()} cores · python "
        f"{platform.python_version()}"
    )
    print(f"engine: {args.lines} lines x {args.samples} samples x 168 months, {args.repeat} runs")
    spread = ", ".join(f"{r * 1e3:.1f}" for r in references)
    print(f"reference (pure Python, 1 core): median {reference * 1e3:.1f} ms/sample ({spread})")
    for w, measured in runs.items():
        seconds = statistics.median(r["seconds"] for r in measured)
        peak = statistics.median(r["peak_rss_mib"] for r in measured)
        each = ", ".join(f"{r['seconds']:.2f}" for r in measured)
        floor = statistics.median(floors[w])
        print(f"workers={w}:")
        print(f"  wall time median {seconds:.2f} s (runs: {each})   target <= 0.8 s")
        print(f"  peak RSS median {peak:.0f} MiB   target <= 768 MiB")
        print(
            f"  one elementwise pass over the same elements: median {floor:.3f} s; "
            f"engine = {seconds / floor:.1f}x that   target <= 5x"
        )
        print(
            f"  engine {seconds / args.samples * 1e3:.3f} ms/sample: "
            f"{reference / (seconds / args.samples):.0f}x the reference   target >= 200x"
        )


if __name__ == "__main__":
    main()
