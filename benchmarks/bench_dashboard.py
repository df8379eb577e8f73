"""Load test of the dashboard: N concurrent sessions against a local server.

Starts ``python -m outproduce app`` on a free localhost port, opens N browser sessions
(headless Chromium via Playwright, one context each, all at once), and in each sets a
different seed, so every session asks for a computation of its own (no cache hits).
Records per session the seconds until its numbers show (or the "busy" notice), and the
server's peak memory (the app and its Streamlit child, summed RSS from /proc, polled).
Finite: every session has a deadline and the whole run stops after ``--timeout``.

    python benchmarks/bench_dashboard.py                 # 20 sessions
    python benchmarks/bench_dashboard.py --sessions 5 --timeout 300

Goal (issue 10): peak server memory <= 2 GiB and every session answered.
Needs Debian's chromium (/usr/bin/chromium or OUTPRODUCE_CHROMIUM); loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

CHROMIUM = Path(os.environ.get("OUTPRODUCE_CHROMIUM", "/usr/bin/chromium"))
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and its children (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(
                int(row.split()[1]) * 1024
                for row in status.splitlines()
                if row.startswith("VmRSS:")
            )
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            stack += [int(c) for c in children]
        except (OSError, StopIteration):
            continue
    return total


async def _session(browser, url: str, seed: int, deadline: float) -> tuple[float, str]:
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(max(1.0, deadline - time.monotonic()) * 1000)
    started = time.monotonic()
    try:
        await page.goto(url, wait_until="domcontentloaded")
        await page.get_by_text("Durable crossover, P50").wait_for()
        field = page.get_by_label("Seed", exact=True)  # not its help button
        await field.fill(str(seed))
        await field.press("Enter")
        await page.wait_for_function(
            """() => document.body.innerText.includes('busy') ||
                     !document.querySelector('[data-testid="stStatusWidget"]')"""
        )
        await page.get_by_text("Durable crossover, P50").wait_for()
        body = await page.inner_text("body")
        return time.monotonic() - started, "busy" if "server is busy" in body else "answered"
    except Exception as exc:  # a session that did not get an answer in time
        return time.monotonic() - started, f"failed: {type(exc).__name__}"
    finally:
        await context.close()


async def _run(url: str, sessions: int, timeout: float) -> list[tuple[float, str]]:
    from playwright.async_api import async_playwright

    deadline = time.monotonic() + timeout
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            return await asyncio.gather(
                *(_session(browser, url, 1000 + i, deadline) for i in range(sessions))
            )
        finally:
            await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "outproduce", "app", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    peak = [0]
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss(server.pid))
            time.sleep(0.2)

    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        watcher = threading.Thread(target=poll, daemon=True)
        watcher.start()
        results = asyncio.run(_run(url, args.sessions, args.timeout))
    finally:
        stop.set()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    times = [t for t, status in results if status == "answered"]
    print(
        f"sessions: {args.sessions}, answered {len(times)}, "
        f"busy {sum(s == 'busy' for _, s in results)}, "
        f"failed {sum(s.startswith('failed') for _, s in results)}"
    )
    if times:
        print(
            f"latency to numbers: median {statistics.median(times):.1f} s, max {max(times):.1f} s"
        )
    print(f"server peak memory: {peak[0] / 2**20:,.0f} MiB   goal <= 2048 MiB")


if __name__ == "__main__":
    main()
