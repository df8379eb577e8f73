"""Benchmark of ``outproduce ensemble`` on the baseline.

Run: ``python benchmarks/bench_ensemble.py`` (prints figures; asserts nothing).
Targets (issue 12), on the 2-core machine:

- throughput on 2 workers >= 1.7x one worker (LocalCluster, the same work);
- Dask overhead against the in-process path <= 15% (one worker against one thread,
  the same work; the cluster's start-up included);
- 1,000,000 samples streamed into the store with peak memory <= 3 GiB (this process,
  the scheduler and the workers: RSS of the whole process tree, polled every 0.2 s).

``--samples`` is the work of the side-by-side comparison (alternating configurations,
``--repeat`` times, medians); ``--million N`` the size of the streamed run (0 skips it).
Each configuration runs in a fresh subprocess.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        root = psutil.Process(pid)
        total = root.memory_info().rss
        for child in root.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total
    except psutil.Error:
        return 0


def _child(samples: int, scheduler: str | None, workers: int, out: str) -> dict:
    import os

    from outproduce.interfaces.ensemble import ensemble

    peak = [0]
    running = [True]

    def poll() -> None:
        while running[0]:
            peak[0] = max(peak[0], _tree_rss(os.getpid()))
            time.sleep(0.2)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    finished: list[float] = []
    start = time.perf_counter()
    result = ensemble(
        "baseline",
        out=out,
        samples=samples,
        seed=1,
        scheduler=scheduler,
        workers=workers,
        progress=lambda done, total: finished.append(time.perf_counter()),
    )
    seconds = time.perf_counter() - start
    running[0] = False
    watcher.join()
    size = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file())
    # Steady throughput: chunks a second from the first finished chunk to the last (the
    # start-up of workers and their first chunk's imports left out).
    steady = (len(finished) - 2) / (finished[-1] - finished[1]) if len(finished) > 3 else 0.0
    return {
        "seconds": seconds,
        "chunks_per_second": steady,
        "chunks": result["chunks"],
        "peak_mib": peak[0] / 2**20,
        "store_mib": size / 2**20,
    }


def _run(samples: int, scheduler: str | None, workers: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-ensemble-"))
    try:
        command = [sys.executable, __file__, "--child", "--samples", str(samples)]
        command += ["--workers", str(workers), "--out", str(folder / "store.zarr")]
        if scheduler:
            command += ["--scheduler", scheduler]
        out = subprocess.run(command, capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--million", type=int, default=1_000_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scheduler", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--out", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.samples, args.scheduler, args.workers, args.out)))
        return
    configs = {
        "in-process, 1 thread": (None, 1),
        "LocalCluster, 1 worker": ("local", 1),
        "LocalCluster, 2 workers": ("local", 2),
    }
    times: dict[str, list[float]] = {name: [] for name in configs}
    rates: dict[str, list[float]] = {name: [] for name in configs}
    for _ in range(args.repeat):
        for name, (scheduler, workers) in configs.items():
            figures = _run(args.samples, scheduler, workers)
            times[name].append(figures["seconds"])
            rates[name].append(figures["chunks_per_second"])
    median = {name: statistics.median(values) for name, values in times.items()}
    rate = {name: statistics.median(values) for name, values in rates.items()}
    for name, value in median.items():
        spread = ", ".join(f"{t:.1f}" for t in times[name])
        print(
            f"{name:<26} {args.samples:,} samples: {value:6.1f} s median ({spread}); "
            f"steady {rate[name]:.2f} chunks/s"
        )
    one, two = median["LocalCluster, 1 worker"], median["LocalCluster, 2 workers"]
    alone = median["in-process, 1 thread"]
    steady = rate["LocalCluster, 2 workers"] / rate["LocalCluster, 1 worker"]
    print(
        f"2 workers / 1 worker: {one / two:.2f}x wall (start-up included), {steady:.2f}x "
        "steady throughput   target >= 1.7x"
    )
    print(f"Dask overhead (1 worker vs in-process): {one / alone - 1:+.1%}   target <= 15%")
    if args.million:
        big = _run(args.million, "local", 2)
        print(
            f"{args.million:,} samples, LocalCluster 2 workers: {big['seconds']:.0f} s, "
            f"{big['chunks']} chunks, peak {big['peak_mib']:,.0f} MiB (process tree), store "
            f"{big['store_mib']:,.0f} MiB   target <= 3 GiB"
        )


if __name__ == "__main__":
    main()
