"""Benchmark of ``outproduce plan`` on the baseline: the whole alliance problem.

Run: ``python benchmarks/bench_plan.py`` (prints figures; asserts nothing).
Targets (issue 14): every candidate (input plants too), monthly 2026-2035, builds and
solves in <= 5 s with model building <= 25% of the total; ``--robust 200`` in <= 60 s
and <= 4 GiB. One fresh process per case and repeat (its own peak RSS); medians.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

CASES = {
    "deterministic": {"robust": None, "shortfall_price": None},
    "robust-200-priced": {"robust": 200, "shortfall_price": 5000.0},
    "robust-200-every-sample": {"robust": 200, "shortfall_price": None, "target": 2_000_000},
    # All buyers: the target must also be paid for by the allies' budgets (national
    # contracts: 32 buyers; the comparison prices every pooling).
    "deterministic-national": {"robust": None, "shortfall_price": None, "pooling": "national"},
    "robust-200-national-priced": {"robust": 200, "shortfall_price": 5000.0, "pooling": "national"},
}


def _child(case: str) -> dict:
    from outproduce.analyses import plan as plan_module

    settings = {"target": 2_700_000} | CASES[case]
    seconds: dict[str, float] = {}
    solve = plan_module.solve

    def timed(problem, goal):  # the optimiser's own split: build, solve, production
        found = solve(problem, goal)
        for key, value in found.seconds.items():
            seconds[key] = seconds.get(key, 0.0) + value
        return found

    plan_module.solve = timed
    start = time.perf_counter()
    result = plan_module.plan(
        "baseline",
        "min-cost",
        target=settings["target"],
        by="2029-01",
        robust=settings["robust"],
        shortfall_price=settings["shortfall_price"],
        with_inputs=True,
        pooling=settings.get("pooling"),
    )
    total = time.perf_counter() - start
    return {
        "seconds": total,
        "build": seconds.get("build", 0.0),
        "solve": seconds.get("solve", 0.0),
        "produce": seconds.get("produce", 0.0),
        "status": result.status,
        "check": result.check.get("engine_rel_diff"),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--case", choices=list(CASES), action="append")
    parser.add_argument("--child", choices=list(CASES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child)))
        return
    for case in args.case or list(CASES):
        repeats = args.repeat if case.startswith("deterministic") else 1
        found = []
        for _ in range(repeats):
            done = subprocess.run(
                [sys.executable, __file__, "--child", case],
                check=True,
                capture_output=True,
                text=True,
            )
            found.append(json.loads(done.stdout.strip().splitlines()[-1]))
        median = {k: statistics.median(r[k] for r in found) for k in ("seconds", "build", "solve")}
        share = median["build"] / median["seconds"]
        print(
            f"{case}: {median['seconds']:.2f} s (median of {repeats}; model building "
            f"{median['build']:.2f} s = {share:.0%} of the total, HiGHS {median['solve']:.2f} s), "
            f"peak {max(r['peak_rss_mib'] for r in found):,.0f} MiB, status "
            f"{found[0]['status']}, engine check {found[0]['check']}"
        )


if __name__ == "__main__":
    main()
