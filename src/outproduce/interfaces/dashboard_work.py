"""The dashboard's work tools, without Streamlit: levers in words, links, downloads, compare.

What ran is recorded once (``run_record``) and feeds the page's caption, the downloads'
manifest and the scenario saved as it ran; the page's state round-trips through its
URL; two scenarios are compared in one table and on one scale.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from outproduce.interfaces.dashboard import MAX_SESSION_SAMPLES, Views, computation_slot
from outproduce.scenario.model import Scenario

#: The dashboard's levers as the page states them, with their neutral values.
LEVER_NAMES = {
    "russia": ("Russian production", 1.0, "x{:g}"),
    "ramp_speed": ("alliance ramp-up speed", 1.0, "x{:g}"),
    "shape": ("spending path", None, "{}"),
    "contract_years": ("contract length", None, "{} years"),
    "pooling": ("pooling", None, "{}"),
}


def changed_levers(base: Scenario, levers: dict[str, Any]) -> dict[str, Any]:
    """The levers that change ``base`` (a spending option equal to the scenario's is not)."""
    spending = base.spending.model_dump() if base.spending else {}
    # A multiplier is neutral at its LEVER_NAMES value; an option at the scenario's own.
    neutral = {name: spending.get(name, default) for name, (_, default, _) in LEVER_NAMES.items()}
    return {k: v for k, v in levers.items() if v is not None and v != neutral[k]}


def levers_text(levers: dict[str, Any]) -> str:
    """Changed levers in words ("Russian production x0.8; contract length 5 years")."""
    return (
        "; ".join(f"{LEVER_NAMES[k][0]} {LEVER_NAMES[k][2].format(v)}" for k, v in levers.items())
        or "no lever changed"
    )


def run_record(
    base: Scenario, changed: Scenario, levers: dict[str, Any], samples: int, seed: int
) -> dict[str, Any]:
    """What ran: shown on the page and written as the downloads' manifest."""
    from outproduce.data.catalog import DATA_VERSION
    from outproduce.version import __version__

    return {
        "scenario": base.name,
        "scenario_hash": changed.scenario_hash(),
        "levers": changed_levers(base, levers),
        "samples": samples,
        "seed": seed,
        "data_version": DATA_VERSION,
        "package_version": __version__,
    }


def download_scenario(changed: Scenario, record: dict[str, Any]) -> Scenario:
    """The scenario as it ran: named after its levers, with the samples and seed used.

    Loading it and running it with its own defaults gives the numbers on the page.
    """
    levers = record["levers"]
    suffix = "".join(f"+{k}-{v}" for k, v in levers.items())
    described = f"{changed.description} Dashboard levers: {levers_text(levers)}.".strip()
    return changed.model_copy(
        update={
            "name": f"{record['scenario']}{suffix}",
            "samples": record["samples"],
            "seed": record["seed"],
            "description": described,
        }
    )


def results_zip(views: Views, record: dict[str, Any]) -> bytes:
    """The downloadable results: one tidy CSV per table and a manifest of what ran."""
    import io
    import json
    import zipfile

    tables = {"balance_annual.csv": views.annual}
    if views.allies is not None:
        tables["spending_allies.csv"] = views.allies
    if views.order_book is not None:
        tables["order_book.csv"] = views.order_book
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame in tables.items():
            archive.writestr(name, frame.to_csv(index=False))
        manifest = record | {"files": sorted(tables)}
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, default=str))
    return buffer.getvalue()


#: Help beside each lever: what it does and what it rests on.
LEVER_HELP = {
    "russia": "Multiplies every published step of Russia's own production (not North "
    "Korea's or Iran's deliveries). 1.0 = as published; the 2025 figure rests on a copy "
    "of an Estonian intelligence estimate (grade C, see the report's sources).",
    "ramp_speed": "Divides every alliance line's ramp-up time (first output to full "
    "rate): 2 = twice as fast as the published dates.",
    "shape": "How each ally's core defence spending moves from its latest NATO figure "
    "to its target (3.5% of GDP by 2035, the Hague summit, June 2025): linear in share "
    "of GDP, constant growth, or front-loaded. The path is an assumption.",
    "contract_years": "Length of the budgets' ammunition contracts. With 1-year "
    "contracts industry builds nothing beyond its published plans; longer ones let "
    "capacity follow signed demand (the decision rule 'follow contracts').",
    "pooling": "Who signs the budgets' contracts: each ally alone, the EU members "
    "together, or the whole alliance. A contract's unit price falls with its size "
    "(0-10% a doubling, a labelled assumption), so pooled money buys more rounds.",
    "samples": "Monte Carlo samples: more give smoother quantiles and take longer.",
    "seed": "The random seed: the same seed gives the same numbers on any machine.",
}
#: The page's state as URL parameters: name -> (type, default, allowed values or range).
QUERY = {
    "russia": (float, 1.0, (0.3, 2.0)),
    "ramp_speed": (float, 1.0, (0.25, 4.0)),
    "shape": (str, "linear", ("linear", "constant_growth", "front_loaded")),
    "contract_years": (int, 1, (1, 11)),
    "pooling": (str, "national", ("national", "eu", "alliance")),
    "samples": (int, 300, (20, MAX_SESSION_SAMPLES)),
    "seed": (int, 20251106, (0, 2**31 - 1)),
}


def state_from_query(params: Any) -> dict[str, Any]:
    """The levers, samples and seed a link asks for; a missing or bad value is the default.

    A link is typed by people: a value that does not parse or is out of range falls
    back to the default rather than stopping the page.
    """
    state = {}
    for name, (kind, default, allowed) in QUERY.items():
        raw = params.get(name)
        try:
            value = kind(raw) if raw is not None else default
        except (TypeError, ValueError):
            value = default
        if kind is str:
            value = value if value in allowed else default
        elif not allowed[0] <= value <= allowed[1]:
            value = default
        state[name] = value
    return state


def query_of(state: dict[str, Any]) -> dict[str, str]:
    """The URL parameters of a state (those that differ from the defaults)."""
    return {
        name: f"{state[name]:g}" if isinstance(state[name], float) else str(state[name])
        for name, (_, default, _) in QUERY.items()
        if name in state and state[name] != default
    }


#: The key figures compared side by side: metric key, label (naming figures of the
#: first scenario's metrics in braces), format.
COMPARED = (
    ("ratio", "Alliance ÷ adversary output, {month} (median)", "{:.2f}"),
    ("p_crossover", "P(alliance durably ahead by 2035)", "{:.0%}"),
    ("crossover_p50", "Durable crossover, median", "{}"),
    ("core_share", "Alliance core spending 2025, % of GDP", "{:.2f}"),
    ("gap_pp", "Gap to 3.5%, percentage points", "{:.2f}"),
    ("core_usd_last", "Alliance core spending {last_year}, 2025 USD bn (median)", "{:,.0f}"),
    ("delivered_total", "Rounds the budgets' contracts deliver, {book_years} (median)", "{:,.0f}"),
    ("on_time", "Share of contracted rounds delivered on time (median)", "{:.0%}"),
    ("p_crossover_following", "P(ahead by 2035) if capacity follows contracts", "{:.0%}"),
)


def letters(count: int) -> list[str]:
    """The names of compared scenarios: A (the page's), B, C."""
    return [chr(ord("A") + k) for k in range(count)]


def differences(views: list[Views], names: list[str]) -> pd.DataFrame:
    """The key figures of two or three scenarios in one table, with their differences.

    Balance, spending, contracts and every holder's stock target, in rows with full
    labels (nothing truncated); a column per scenario ("A: name") and one difference
    from A per other scenario ("A − B"), in the figure's own unit (percentage points
    for probabilities). A figure one scenario lacks is a dash.
    """
    tags = letters(len(views))
    context = {
        key: next((v.metrics[key] for v in views if key in v.metrics), "")
        for key in ("month", "last_year", "book_years")
    }
    rows = [
        (label.format(**context), [v.metrics.get(key) for v in views], form)
        for key, label, form in COMPARED
    ]
    holders = dict.fromkeys(
        (s["name"], s["target"], s["month"], s["year"])
        for v in views
        for s in v.metrics.get("stocks", [])
    )
    for name, target, month, year in holders:
        found = [
            next((s for s in v.metrics.get("stocks", []) if s["name"] == name), {}) for v in views
        ]
        rows.append(
            (
                f"{name}: P(stock reaches the target of {target:,.0f} by {month})",
                [s.get("p_reached") for s in found],
                "{:.0%}",
            )
        )
        rows.append(
            (
                f"{name}: median stock at the end of {year}",
                [s.get("stock_end") for s in found],
                "{:,.0f}",
            )
        )
    table = []
    for label, values, form in rows:
        if all(v is None for v in values):
            continue
        shown = [_shown(v, form, label) for v in values]
        table.append([label, *shown, *(_change(values[0], v, form) for v in values[1:])])
    columns = [f"{t}: {n}" for t, n in zip(tags, names, strict=True)]
    changes = [f"{tags[0]} − {t}" for t in tags[1:]]
    return pd.DataFrame(table, columns=["figure", *columns, *changes])


def _shown(value: Any, form: str, label: str) -> str:
    """A compared figure as shown; a missing crossover is 'not by 2035', other gaps '–'."""
    if value is None:
        return "not by 2035" if "crossover" in label else "–"
    return form.format(value)


def _change(a: Any, b: Any, form: str) -> str:
    """A − B in the figure's unit: pp for shares, signed numbers, 'differs' for dates."""
    if not (isinstance(a, int | float) and isinstance(b, int | float)):
        return "" if a == b else "differs"
    if "%}" in form:
        return f"{(a - b) * 100:+.0f} pp"
    return form.replace("{:", "{:+").format(a - b)


def same_axes(*figures: Any) -> None:
    """Give charts compared side by side one y-axis range (from zero to the highest value)."""
    import numpy as np

    top = 0.0
    for figure in figures:
        for trace in figure.data:
            values = _numbers(getattr(trace, "y", None))
            if values.size and np.isfinite(values).any():
                top = max(top, float(np.nanmax(values)))
    for figure in figures:
        figure.update_yaxes(range=[0, top * 1.05], autorange=False)


def _numbers(y: Any) -> Any:
    """A trace's y values as floats.

    Also when plotly holds them as a typed-array spec (``{"dtype", "bdata"}``), as it
    does after the dashboard's cache.
    """
    import base64

    import numpy as np

    if y is None:
        return np.zeros(0)
    if isinstance(y, dict) and "bdata" in y:
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).astype(float)
    return np.asarray(y, dtype=float)


def provenance_tables(scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scenario's assumptions and its sources, as the report lists them.

    Assumptions by name: value, why, sources, field path; sources: title, publisher,
    date, grade, address.
    """
    from outproduce.interfaces.report_methods import assumptions_used
    from outproduce.interfaces.report_sources import sources_used

    assumptions = pd.DataFrame(
        [
            {
                "assumption": a["name"],
                "value": a["value"],
                "why": a["note"],
                "sources": "; ".join(a["sources"]),
                "field": a["path"],
            }
            for a in assumptions_used(scenario)
        ]
    )
    sources = pd.DataFrame(
        [
            {
                "source": s["source_id"],
                "title": s["title"],
                "publisher": s["publisher"],
                "published": s["published"],
                "grade": s["reliability"],
                "address": s["url"],
            }
            for s in sources_used(scenario, {})
        ]
    )
    return assumptions, sources


#: Most samples of a robust plan asked from the dashboard (the CLI takes up to 1,000).
MAX_DASHBOARD_ROBUST = 50


def plan_limited(scenario: Scenario, goal: dict[str, Any]) -> Any:
    """``outproduce.plan`` within the server's cap on concurrent computations.

    ``goal``: objective, target (rounds a year), by (YYYY-MM), budget (USD), with_inputs,
    robust (0: the plan for the median), pooling (None, national, eu or alliance). Bad
    goals raise InputError, shown as one line.
    """
    from outproduce.analyses.plan import plan
    from outproduce.errors import InputError

    robust = int(goal.get("robust") or 0)
    if robust > MAX_DASHBOARD_ROBUST:
        raise InputError(
            f"expected at most {MAX_DASHBOARD_ROBUST} samples for a robust plan here "
            f"(`outproduce plan --robust` takes up to 1,000), got {robust}",
            field="robust",
        )
    with computation_slot():
        return plan(
            scenario,
            goal["objective"],
            target=goal.get("target"),
            by=goal.get("by"),
            budget=goal.get("budget"),
            robust=robust or None,
            shortfall_price=goal.get("shortfall_price") if robust else None,
            with_inputs=bool(goal.get("with_inputs")),
            pooling=goal.get("pooling"),
        )
