"""Benchmark of the balance on the baseline: wall time, peak memory, speed-up per sample.

Run: ``python benchmarks/bench_balance.py`` (prints figures; asserts nothing).
Each configuration runs in a fresh subprocess so peak RSS is its own; times are the
median of ``--repeat`` runs measured in the same process after a warm-up.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _child(samples: int, repeat: int) -> dict:
    import outproduce

    scenario = outproduce.load_scenario("baseline")
    outproduce.balance(scenario, samples=16, seed=1)  # warm-up (imports, caches)
    times = []
    for run in range(repeat):
        start = time.perf_counter()
        outproduce.balance(scenario, samples=samples, seed=run)
        times.append(time.perf_counter() - start)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"samples": samples, "median_s": statistics.median(times), "peak_rss_mib": peak_mib}


def _reference(samples: int) -> float:
    sys.path.insert(0, str(HERE.parent / "tests"))
    import outproduce

    from reference_model import reference_balance

    scenario = outproduce.load_scenario("baseline")
    start = time.perf_counter()
    reference_balance(scenario, samples, 1)
    return (time.perf_counter() - start) / samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.repeat)))
        return
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} · python "
        f"{platform.python_version()} · cores {__import__('os').cpu_count()}"
    )
    rows = []
    for samples in args.samples:
        result = subprocess.run(
            [sys.executable, __file__, "--child", str(samples), "--repeat", str(args.repeat)],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(result.stdout))
    ref_per_sample = _reference(20)
    print(f"{'samples':>8} {'median s':>9} {'peak MiB':>9} {'ms/sample':>10} {'speed-up':>9}")
    for row in rows:
        per_sample = row["median_s"] / row["samples"]
        print(
            f"{row['samples']:>8} {row['median_s']:>9.3f} {row['peak_rss_mib']:>9.0f} "
            f"{per_sample * 1e3:>10.4f} {ref_per_sample / per_sample:>8.0f}x"
        )
    print(f"pure-Python reference: {ref_per_sample * 1e3:.1f} ms/sample (20 samples)")


if __name__ == "__main__":
    main()
