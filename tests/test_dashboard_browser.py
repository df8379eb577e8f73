"""The dashboard in a real browser: headless Chromium driven by Playwright.

Starts ``python -m outproduce app`` on a free localhost port and drives the page: it
loads, a control changes a shown number, a bad upload shows the clear error, and a
download works. Screenshots of each state go to ``tests/artifacts/dashboard/``.

Needs Debian's ``chromium`` (``/usr/bin/chromium``, or ``OUTPRODUCE_CHROMIUM``);
``playwright install`` cannot download browsers here. Without it the tests skip,
unless ``OUTPRODUCE_BROWSER_TESTS=require`` (set by ``.ci/run``), where they fail.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from conftest import free_port
from outproduce import load_scenario
from outproduce.scenario.levers import apply_levers
from outproduce.scenario.loading import scenario_yaml

CHROMIUM = Path(os.environ.get("OUTPRODUCE_CHROMIUM", "/usr/bin/chromium"))
REQUIRED = os.environ.get("OUTPRODUCE_BROWSER_TESTS") == "require"
ARTIFACTS = Path(__file__).parent / "artifacts" / "dashboard"
#: Flags for a closed network: no background connections, no sandbox as root.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 180_000

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    expect = sync_playwright = None

if not REQUIRED and (sync_playwright is None or not CHROMIUM.exists()):
    pytest.skip("no Chromium/Playwright here (set OUTPRODUCE_CHROMIUM)", allow_module_level=True)


@pytest.fixture(scope="module")
def url():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "outproduce", "app", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the app starts Streamlit as a child: stop both
    )
    address = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{address}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                os.killpg(process.pid, signal.SIGTERM)
                pytest.fail("the dashboard did not start")
            time.sleep(0.5)
    yield address
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, url):
    context = browser.new_context(viewport={"width": 1366, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_text("Durable crossover, P50").wait_for()
    yield page
    context.close()


def _idle(page) -> None:
    """Wait until the script's rerun has finished (the page's running indicator is gone).

    Elements of the previous run stay on the page until the rerun replaces them: a
    button clicked before then still carries the previous run's data.
    """
    page.wait_for_function("""() => !document.querySelector('[data-testid="stStatusWidget"]')""")


def _metrics(page) -> list[str]:
    return page.locator('[data-testid="stMetricValue"]').all_inner_texts()


def test_page_loads_with_the_numbers(page):
    values = _metrics(page)
    assert len(values) >= 6
    assert 0 < float(values[0]) < 5  # alliance / adversary output ratio, Nov 2025
    page.locator(".js-plotly-plot").first.wait_for()  # the balance chart has drawn
    # The verdict first, in words, above the figures.
    verdict = page.get_by_text("that the allies out-produce Russia in artillery ammunition is")
    box, figures = verdict.bounding_box(), page.locator('[data-testid="stMetricValue"]').first
    assert box is not None and box["y"] < figures.bounding_box()["y"]
    assert "durably ahead of Russia alone by 2035" in verdict.inner_text()
    # Under the chart, how many sources it rests on, by grade.
    assert (
        page.get_by_text("Sources of this chart:")
        .first.inner_text()
        .startswith("Sources of this chart: ")
    )
    page.screenshot(path=str(ARTIFACTS / "1-loaded.png"), full_page=True)


def test_a_control_changes_a_shown_number(page):
    before = float(_metrics(page)[0])
    field = page.get_by_label("Russian production (× published estimates)", exact=True)
    field.fill("0.60")
    field.press("Enter")
    page.wait_for_function(
        """(before) => {
            const v = document.querySelector('[data-testid="stMetricValue"]');
            return v && parseFloat(v.innerText) !== before;
        }""",
        arg=before,
    )
    page.wait_for_load_state("networkidle")
    after = float(_metrics(page)[0])
    # Less Russian output, a higher ratio (suppliers' transfers are not scaled, so the
    # ratio rises by less than 1 / 0.6; the exact scaling is in test_levers.py).
    assert before < after < before / 0.6
    page.screenshot(path=str(ARTIFACTS / "2-russia-0.6.png"), full_page=True)


def test_the_assumptions_that_decide_are_ranked(page):
    page.get_by_role("tab", name="What decides it").click()
    page.get_by_role("button", name="Rank the assumptions").click()
    page.get_by_text("What drives the ratio of allied to Russia's").wait_for(timeout=90_000)
    page.get_by_text("What drives the alliance's output in 2030").wait_for()
    boxes = page.get_by_text("never durably ahead within the horizon")
    boxes.wait_for()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTIFACTS / "6-drivers.png"), full_page=True)
    boxes.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "7-drivers-boxes.png"), full_page=True)


def _compare_with(page, *names: str) -> None:
    box = page.get_by_label("Compare side by side with (up to two)", exact=True)
    for name in names:
        box.scroll_into_view_if_needed()  # the list opens only in view
        box.click()
        page.get_by_role("option", name=name).click()
        page.wait_for_load_state("networkidle")
    page.keyboard.press("Escape")


def test_three_scenarios_side_by_side(page):
    """A pinned setting, the baseline and the page's levers: one table, one scale each."""
    field = page.get_by_label("Russian production (× published estimates)", exact=True)
    field.fill("1.50")
    field.press("Enter")
    page.get_by_text("levers: Russian production x1.5").wait_for()
    page.get_by_role("button", name="Pin this setting").click()
    page.wait_for_load_state("networkidle")
    field.fill("0.80")
    field.press("Enter")
    page.get_by_text("levers: Russian production x0.8").wait_for()
    _compare_with(page, "the baseline", "pinned: baseline, Russian production x1.5")
    page.get_by_text("C: baseline, Russian production x1.5").first.wait_for()
    page.wait_for_load_state("networkidle")
    row = page.locator("tr").filter(has_text="Alliance ÷ adversary output, 2025-11 (median)")
    row.locator("td").nth(4).wait_for()  # the table is drawn after the captions
    cells = row.locator("td").all_inner_texts()
    a, b, c = (float(v) for v in cells[:3])
    assert c < b < a  # more Russian output: a lower alliance/adversary ratio
    # The differences, of the unrounded figures: within a rounding step of the shown ones.
    assert [float(v) for v in cells[3:]] == pytest.approx([a - b, a - c], abs=0.0101)
    # The spending and stock figures are compared too.
    for figure in ("Alliance core spending 2035", "Germany (Bundeswehr 155mm stock): median"):
        assert page.locator("tr").filter(has_text=figure).count() == 1
    page.locator(".js-plotly-plot").nth(2).wait_for()
    ranges = page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].slice(0, 3)
            .map(d => d._fullLayout.yaxis.range)"""
    )
    assert ranges[0] == ranges[1] == ranges[2]
    cut = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stMain"] *')]
            .filter(e => getComputedStyle(e).textOverflow === 'ellipsis'
                    && e.scrollWidth > e.clientWidth + 1)
            .map(e => e.innerText)"""
    )
    assert cut == []
    page.locator("table").first.screenshot(path=str(ARTIFACTS / "5-compare-table.png"))
    page.locator(".js-plotly-plot").nth(2).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "5-compare-balance.png"))
    # Every view is compared: each tab's charts side by side, on one scale.
    for tab, key in (("Spending", "spending"), ("Order book", "order"), ("Stocks", "sustain")):
        page.get_by_role("tab", name=tab).click()
        visible = page.locator(".js-plotly-plot:visible")  # the three balances, then the tab's
        visible.nth(5).wait_for()
        ranges = visible.evaluate_all("ds => ds.map(d => d._fullLayout.yaxis.range)")[3:6]
        assert ranges[0] == ranges[1] == ranges[2], tab
        visible.nth(5).scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"5-compare-{key}.png"))
    assert ranges[0][1] > 200_000  # the stocks' axis: rounds


def test_an_update_shows_its_progress_and_charts_save_as_svg(page):
    field = page.get_by_label("Samples", exact=True)
    field.fill("2980")  # not computed before by any test: the update is not cached
    field.press("Enter")
    bar = page.locator('[data-testid="stProgress"]')
    bar.wait_for()
    assert re.search(r"Running 2,980 samples — .+; about \d+ s left", bar.inner_text())
    page.screenshot(path=str(ARTIFACTS / "8-progress.png"))
    bar.wait_for(state="detached")
    page.get_by_text("svg", exact=True).click()
    page.wait_for_load_state("networkidle")
    chart = page.locator(".js-plotly-plot").first
    chart.hover()
    with page.expect_download() as saved:
        chart.locator('.modebar-btn[data-title^="Download plot"]').click()
    assert saved.value.suggested_filename == "outproduce-balance.svg"
    svg = Path(saved.value.path()).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Ammunition output" in svg


def test_a_bad_upload_shows_the_clear_error(page, tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    page.get_by_text("upload a YAML file").click()
    page.locator('input[type="file"]').set_input_files(str(bad))
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="malformed YAML")
    alert.wait_for()
    text = alert.inner_text()
    assert "error: broken.yaml" in text and "Traceback" not in page.content()
    page.screenshot(path=str(ARTIFACTS / "3-bad-upload.png"), full_page=True)


def test_an_uploaded_files_samples_and_seed_are_what_runs(page, tmp_path):
    """The file's samples and seed are used (not the sidebar's defaults) and said."""
    mine = tmp_path / "mine.yaml"
    text = scenario_yaml(load_scenario("baseline")).replace("samples: 2000", "samples: 40")
    mine.write_text(text.replace("seed: 20251106", "seed: 5"), encoding="utf-8")
    page.get_by_text("upload a YAML file").click()
    page.locator('input[type="file"]').set_input_files(str(mine))
    ran = page.get_by_text("Ran: scenario baseline")
    ran.wait_for()
    page.wait_for_load_state("networkidle")
    assert "40 samples, seed 5" in ran.inner_text()
    samples = page.get_by_label("Samples", exact=True)
    expect(samples).to_have_count(1)  # the baseline's widget goes when the rerun ends
    assert samples.input_value() == "40"
    page.screenshot(path=str(ARTIFACTS / "8-upload-samples.png"), full_page=True)


def test_the_scenario_downloads_as_it_ran(page, tmp_path):
    page.get_by_label("Russian production (× published estimates)", exact=True).fill("0.80")
    page.get_by_label("Russian production (× published estimates)", exact=True).press("Enter")
    page.get_by_text("levers: Russian production x0.8").wait_for()
    _idle(page)
    page.get_by_role("tab", name="Downloads").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download scenario (YAML)").click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    ran = load_scenario(target)
    assert (ran.name, ran.samples, ran.seed) == ("baseline+russia-0.8", 300, 20251106)
    with page.expect_download() as info:
        page.get_by_role(
            "button", name="Download results (zip of CSV files and a manifest)"
        ).click()
    results = tmp_path / "results.zip"
    info.value.save_as(results)
    with zipfile.ZipFile(results) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["levers"] == {"russia": 0.8} and manifest["samples"] == 300
        assert archive.read("balance_annual.csv").decode().startswith("year,")
    assert (
        manifest["scenario_hash"]
        == apply_levers(load_scenario("baseline"), russia=0.8).scenario_hash()
    )
    page.screenshot(path=str(ARTIFACTS / "4-downloads.png"), full_page=True)


def test_a_link_reopens_the_same_levers(browser, url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{url}/?russia=0.6&contract_years=5", wait_until="domcontentloaded")
    ran = page.get_by_text("Ran: scenario baseline")
    ran.wait_for()
    assert "Russian production x0.6; contract length 5 years" in ran.inner_text()
    field = page.get_by_label("Russian production (× published estimates)", exact=True)
    assert field.input_value() == "0.60"
    # Changing a lever changes the link.
    field.fill("0.70")
    field.press("Enter")
    page.get_by_text("Russian production x0.7").wait_for()
    assert "russia=0.7" in page.url and "contract_years=5" in page.url
    context.close()


def test_the_assumptions_and_sources_are_in_view(page):
    page.get_by_role("tab", name="Assumptions and sources").click()
    page.get_by_text("Every assumption of the scenario").wait_for()
    grids = page.locator('[data-testid="stDataFrame"]:visible')
    grids.nth(1).wait_for()
    page.screenshot(path=str(ARTIFACTS / "9-assumptions-sources.png"), full_page=True)


def test_the_plan_tab_shows_a_checked_plan(page):
    page.get_by_role("tab", name="What to build").click()
    target = page.get_by_label("Rounds a year to hold (million)", exact=True)
    target.fill("3.0")
    target.press("Enter")
    _idle(page)
    page.get_by_text("the allies' budgets, alliance-wide contracts", exact=True).click()
    _idle(page)
    page.get_by_role("button", name="Plan", exact=True).click()
    page.get_by_text("Checked in the engine").wait_for(timeout=90_000)
    page.get_by_text("the plan for the median: capital USD").wait_for()
    chart = page.locator(".js-plotly-plot:visible").last
    chart.wait_for()
    names = chart.evaluate("d => d.data.map(t => t.name)")
    assert names[:2] == ["alliance without the plan", "the plan's new lines"]
    chart.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "9-plan.png"))
    # Who pays: the comparison of national and pooled purchases, with its table.
    page.get_by_text("National or pooled purchases", exact=True).wait_for()
    words = page.get_by_text("Who pays: the goal counts the rounds made").inner_text()
    assert "with national contracts costs USD" in words and "alliance-wide" in words
    table = page.locator('[data-testid="stDataFrame"]:visible').last
    table.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "9-plan-who-pays.png"))
