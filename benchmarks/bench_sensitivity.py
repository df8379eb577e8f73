"""Benchmark of a Sobol' analysis of the speech's claim on the baseline.

Run: ``python benchmarks/bench_sensitivity.py`` (prints figures; asserts nothing).
Target (issue 12): >= 20 input groups, N = 1,024 base samples, <= 60 s on the 2-core
machine. One fresh process per repeat (peak RSS its own), medians.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time


def _child(outcome: str, samples: int) -> dict:
    from outproduce.analyses.sensitivity import sensitivity

    start = time.perf_counter()
    result = sensitivity("baseline", outcome, samples=samples, seed=1)
    seconds = time.perf_counter() - start
    top = [str(g) for g in result.table["group"].values[:5]]
    return {
        "seconds": seconds,
        "groups": len(result.groups),
        "runs": result.runs,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "top": top,
        "ST": [round(float(v), 3) for v in result.table["ST"].values[:5]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--outcome", default="ratio:2025-11")
    parser.add_argument("--samples", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.outcome, args.samples)))
        return
    runs = []
    for _ in range(args.repeat):
        command = [sys.executable, __file__, "--child", "--outcome", args.outcome]
        command += ["--samples", str(args.samples)]
        out = subprocess.run(command, capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout))
    last = runs[-1]
    seconds = statistics.median(r["seconds"] for r in runs)
    peak = statistics.median(r["peak_rss_mib"] for r in runs)
    print(
        f"Sobol' of {args.outcome} on the baseline: {last['groups']} input groups, "
        f"N = {args.samples}, {last['runs']:,} runs: {seconds:.1f} s (median of "
        f"{len(runs)}), peak {peak:,.0f} MiB   target <= 60 s with >= 20 groups"
    )
    ranked = zip(last["top"], last["ST"], strict=True)
    print("most influential (ST):", ", ".join(f"{g} {s}" for g, s in ranked))


if __name__ == "__main__":
    main()
