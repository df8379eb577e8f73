"""The report's charts in a real browser: none can mislead by how it is drawn.

Opens ``report.html`` in headless Chromium (as in ``test_dashboard_browser.py``) and
reads every plotly chart's traces and layout as the page holds them: P10-P90 bands are
filled areas between two invisible lines (never stray markers), every legend entry has
a visible trace and a human name, the balance marks the speech's month and a median
crossover only if there is one, the order book's axis starts at zero with the planned
output drawn on top, and stock targets are drawn. Screenshots of each chart go to
``tests/artifacts/report/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from outproduce import load_scenario
from outproduce.interfaces.report import build_report
from test_dashboard_browser import CHROMIUM, FLAGS, sync_playwright

ARTIFACTS = Path(__file__).parent / "artifacts" / "report"
#: Internal ids that must never reach a legend.
IDS = ("europe_canada", "usa", "alliance_planned", "adversary,", "P50")


@pytest.fixture(scope="module")
def charts(tmp_path_factory):
    """Every chart of the baseline report: {div id: {"data": traces, "layout": layout}}."""
    folder = tmp_path_factory.mktemp("report")
    build_report(load_scenario("baseline"), folder, samples=200, seed=3)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto((folder / "report.html").as_uri())
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 5")
        # Where the verdict sits: above the summary and every chart.
        tops = page.evaluate(
            """() => ({verdict: document.querySelector('#verdict').getBoundingClientRect().top,
                summary: document.querySelector('#summary').getBoundingClientRect().top,
                chart: document.querySelector('.js-plotly-plot').getBoundingClientRect().top,
                text: document.querySelector('#verdict').innerText})"""
        )
        page.screenshot(path=str(ARTIFACTS / "top.png"))
        found = page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('.js-plotly-plot')]
                .map(d => [d.id, {data: d.data, layout: d.layout}]))"""
        )
        for div in found:
            page.locator(f"#{div}").screenshot(path=str(ARTIFACTS / f"{div}.png"))
        # From a chart to its source: the first link of the balance chart's source line.
        caption = page.locator(
            "xpath=//div[@id='fig-balance']/ancestor::div[1]/following-sibling::details[1]"
        )
        caption.locator("summary").click()  # unfold the chart's sources (click 1)
        link = caption.locator("a").first
        target = link.get_attribute("href")
        link.click()  # to the source's row (click 2), whose title links to it
        row = page.locator(target)
        clicked = {
            "hash": page.evaluate("location.hash"),
            "target": target,
            "row_visible": row.is_visible() and row.bounding_box()["y"] < 900,
            "url": row.locator("a").first.get_attribute("href"),
        }
        page.screenshot(path=str(ARTIFACTS / "source-row.png"))
        # On a phone (390 px): wide tables scroll inside their box, the page does not.
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto((folder / "report.html").as_uri() + "#spending")
        page.wait_for_timeout(500)
        narrow = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(ARTIFACTS / "narrow-390.png"))
        browser.close()
    found["top"] = tops
    found["clicked"] = clicked
    found["narrow"] = narrow
    return found


def test_the_verdict_comes_first_in_one_plain_sentence(charts):
    top = charts["top"]
    assert top["verdict"] < top["summary"] < top["chart"]
    assert top["text"].startswith("In 2025-11, that the allies out-produce Russia")
    assert "of Russia's own output (median" in top["text"]


def test_bands_are_filled_areas_and_every_legend_entry_is_visible(charts):
    assert {"fig-balance", "fig-totals", "fig-allies", "fig-order-book", "fig-sustain"} <= set(
        charts
    )
    for div, chart in charts.items():
        if div in ("top", "clicked", "narrow"):
            continue
        traces = chart["data"]
        for i, trace in enumerate(traces):
            name = trace.get("name", "")
            if "P10–P90" in name:
                upper = traces[i - 1]
                assert trace["fill"] == "tonexty" and trace["mode"] == "lines", (div, name)
                assert upper["mode"] == "lines" and upper.get("showlegend") is False, div
                assert upper["line"]["width"] == 0 and trace["line"]["width"] == 0, div
            if trace.get("showlegend", True) and trace.get("type", "scatter") == "scatter":
                assert trace.get("visible", True) is True, (div, name)
                values = [y for y in trace["y"] if y is not None]
                assert values, (div, name)
                drawn = trace.get("fill") not in (None, "none") or trace["line"].get("width", 2)
                assert drawn, (div, name)
                assert not any(i in name for i in IDS), (div, name)


def test_the_balance_marks_the_speech_and_no_crossover_the_medians_do_not_show(charts):
    layout = charts["fig-balance"]["layout"]
    texts = [a["text"] for a in layout.get("annotations", [])]
    assert any("the speech" in t for t in texts)
    lines = [s for s in layout["shapes"] if s["type"] == "line"]
    assert any(str(s["x0"]).startswith("2025-11") for s in lines)
    names = [t["name"] for t in charts["fig-balance"]["data"] if "name" in t]
    assert "Russia's own production, median" in names
    # On the baseline the medians never cross: no dashed median-crossover line.
    assert not any(s["line"].get("dash") == "dash" for s in lines)
    assert not any(t.startswith("median crossover") for t in texts)
    assert layout["yaxis"]["rangemode"] == "tozero"


def test_the_order_book_starts_at_zero_and_shows_the_planned_output(charts):
    chart = charts["fig-order-book"]
    assert chart["layout"]["yaxis"]["rangemode"] == "tozero"
    last = chart["data"][-1]
    assert last["name"].startswith("alliance output, published plans")
    assert last["line"]["dash"] == "dash"  # drawn on top, visible where the lines coincide


def test_stock_targets_are_drawn_and_a_recipient_is_not_a_stock(charts):
    chart = charts["fig-sustain"]
    texts = [a["text"] for a in chart["layout"].get("annotations", [])]
    assert "DEU target 230,000" in texts
    names = [t["name"] for t in chart["data"] if "name" in t]
    assert any(n.startswith("UKR (received so far; use not modelled)") for n in names)


def test_two_clicks_from_a_chart_to_its_source_and_its_address(charts):
    clicked = charts["clicked"]
    assert clicked["hash"] == clicked["target"] and clicked["target"].startswith("#src-")
    assert clicked["row_visible"]
    assert clicked["url"].startswith("http")


def test_the_page_fits_a_phone_and_tables_scroll_inside(charts):
    assert charts["narrow"] <= 392


def test_the_gap_chart_names_allies_and_draws_the_target(charts):
    chart = charts["fig-gap"]
    assert "Germany" in chart["data"][0]["y"] and "DEU" not in chart["data"][0]["y"]
    texts = [a["text"] for a in chart["layout"]["annotations"]]
    assert "3.5% core target" in texts


def test_each_ally_has_its_own_panel_with_its_target(charts):
    chart = charts["fig-allies"]
    titles = [a["text"] for a in chart["layout"]["annotations"]]
    assert "Germany" in titles and "Poland" in titles and len(titles) == 31
    targets = [t for t in chart["data"] if t.get("legendgroup") == "target"]
    assert len(targets) == 31 and {t["y"][0] for t in targets} == {3.5}
