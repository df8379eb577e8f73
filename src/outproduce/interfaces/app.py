"""The outproduce dashboard: a Streamlit page over the Python API (``outproduce app``).

Run by ``streamlit run``; every number comes from ``dashboard.compute_views`` (run in a
background thread by ``dashboard.Update`` and kept by scenario, samples and seed, so
the page can show progress). Uploaded YAML is size-limited, parsed with the
safe loader and validated like any scenario file: it is never executed.
"""

from __future__ import annotations

import copy
import textwrap
import time
from typing import Any

import streamlit as st

from outproduce.data.catalog import DATA_VERSION
from outproduce.errors import InputError
from outproduce.interfaces.app_plan import plan_tab
from outproduce.interfaces.dashboard import (
    MAX_SESSION_SAMPLES,
    MAX_UPLOAD_BYTES,
    Busy,
    Update,
    Views,
    drivers_limited,
    load_uploaded,
)
from outproduce.interfaces.dashboard_work import (
    LEVER_HELP,
    QUERY,
    differences,
    download_scenario,
    letters,
    levers_text,
    provenance_tables,
    query_of,
    results_zip,
    run_record,
    same_axes,
    state_from_query,
)
from outproduce.interfaces.formatting import BEYOND, lead_times, readable
from outproduce.interfaces.report_sources import source_summary
from outproduce.scenario.levers import apply_levers
from outproduce.scenario.loading import load_scenario, scenario_yaml
from outproduce.scenario.model import Scenario


@st.cache_data(show_spinner=False, max_entries=8)
def cached_drivers(scenario_json: str, samples: int, seed: int) -> dict:
    """The Sobol' charts and PRIM boxes for one scenario (its JSON is the cache key)."""
    return drivers_limited(Scenario.model_validate_json(scenario_json), samples, seed)


def _pick_scenario() -> tuple[Scenario | None, str | None]:
    """The chosen scenario, or None and the one-line error of a bad upload."""
    choice = st.radio("Scenario", ["baseline", "upload a YAML file"], key="source")
    if choice == "baseline":
        return load_scenario("baseline"), None
    upload = st.file_uploader(
        f"Scenario YAML (at most {MAX_UPLOAD_BYTES // 1024} KB)", type=["yaml", "yml"]
    )
    if upload is None:
        return None, None
    try:
        return load_uploaded(upload.getvalue(), upload.name), None
    except InputError as exc:
        return None, f"error: {exc.one_line()}"


def _metrics(views: Views, label: str) -> None:
    m = views.metrics
    st.caption(label)
    if m.get("verdict"):  # the verdict first, in one plain sentence
        st.info(m["verdict"])
    one, two, three = st.columns(3)
    one.metric(
        f"Alliance ÷ adversary output, {m['month']} (P50)",
        "-" if m["ratio"] is None else f"{m['ratio']:.2f}",
        help="Median alliance output over the adversary's, 155mm-equivalent rounds.",
    )
    two.metric("Durable crossover, P50", m["crossover_p50"] or "not by 2035")
    three.metric("P(alliance durably ahead by 2035)", f"{m['p_crossover']:.0%}")
    if "gap_pp" in m:
        four, five, six = st.columns(3)
        four.metric("Alliance core spending 2025, % of GDP", f"{m['core_share']:.2f}")
        five.metric("Gap to 3.5%, percentage points", f"{m['gap_pp']:.2f}")
        if "p_crossover_following" in m:
            six.metric(
                "P(ahead by 2035) if capacity follows contracts",
                f"{m['p_crossover_following']:.0%}",
            )
    for sentence in m.get("targets", []):
        st.write(sentence)


#: The page's widget keys (the state's names are the levers' own, see ``QUERY``).
KEYS = {"ramp_speed": "speed", "contract_years": "years"}


def _number(name: str, label: str, start: dict[str, Any], step: Any, tag: str = "") -> Any:
    """A lever's number field: its range from ``QUERY``, its help from ``LEVER_HELP``."""
    _, _, (low, high) = QUERY[name]
    key = KEYS.get(name, name) + tag
    return st.number_input(label, low, high, start[name], step, key=key, help=LEVER_HELP[name])


def _choice(name: str, label: str, start: dict[str, Any]) -> Any:
    """A lever's choice: its options from ``QUERY``, its help from ``LEVER_HELP``."""
    options = list(QUERY[name][2])
    index = options.index(start[name])
    return st.selectbox(label, options, index, key=KEYS.get(name, name), help=LEVER_HELP[name])


def _plot(figure: Any, key: str, column: Any = st) -> None:
    """A chart whose camera button saves it in the sidebar's format, named after it."""
    image = st.session_state.get("image", "png")
    options = {"format": image, "scale": 2, "filename": f"outproduce-{key}"}
    column.plotly_chart(figure, key=key, config={"toImageButtonOptions": options})


def _chart(figures: list[Any], key: str, names: list[str] | None = None) -> None:
    """A chart; in compare mode the scenarios' side by side, on one scale, titled A, B, C."""
    if len(figures) == 1 or any(f is None for f in figures):
        _plot(figures[0], key)
        return
    shown = [copy.deepcopy(f) for f in figures]
    same_axes(*shown)  # one scale: the eye compares heights
    for figure, tag, name in zip(shown, letters(len(shown)), names or [], strict=False):
        wrapped = "<br>".join(textwrap.wrap(f"{tag}: {name}", 48)[:2])
        figure.update_layout(title={"text": wrapped, "font": {"size": 14}}, margin={"t": 80})
    for column, figure, tag in zip(st.columns(len(shown)), shown, letters(len(shown)), strict=True):
        _plot(figure, f"{key}-{tag}", column)


def _pin(label: str, scenario_json: str) -> None:
    """Keep the page's scenario with its levers, to compare later settings against it."""
    pinned = st.session_state.setdefault("pinned", {})
    if label in pinned or len(pinned) < MAX_PINNED:
        pinned[label] = scenario_json


#: Settings a session may pin for comparison.
MAX_PINNED = 6


def _run(scenarios: list[Scenario], samples: int, seed: int) -> list[Views]:
    """The scenarios' views; an update not cached shows a progress bar with its estimate."""
    update = Update([s.model_dump_json() for s in scenarios], samples, seed)
    if update.todo:
        bar = st.progress(0.0)
        count = len(update.todo)
        what = f"{samples:,} samples" + (f" of {count} scenarios" if count > 1 else "")
        while not update.done:
            share, left = update.progress()
            bar.progress(
                share,
                text=f"Running {what} — {update.stage}; about {left:.0f} s left "
                "(estimated from this server's recent updates; results are then kept for "
                "this setting)",
            )
            time.sleep(0.2)
        bar.empty()
    return update.result()


def main() -> None:
    """Lay out the page: levers in the sidebar, views (and a comparison) in the body."""
    st.set_page_config(page_title="outproduce dashboard", layout="wide")
    st.title("outproduce — ammunition mobilisation dashboard")
    st.caption(f"data {DATA_VERSION} · every input sourced or a labelled assumption")
    with st.sidebar:
        base, error = _pick_scenario()
        st.header("Levers")
        linked = state_from_query(st.query_params)  # a shared link reopens its levers
        russia = _number("russia", "Russian production (× published estimates)", linked, 0.05)
        speed = _number("ramp_speed", "Alliance ramp-up speed (× published)", linked, 0.25)
        shape = _choice("shape", "Spending path shape", linked)
        years = _number("contract_years", "Contract length (years)", linked, 1)
        pooling = _choice("pooling", "Pooling", linked)
        # An uploaded file's own samples and seed unless changed here (the widgets are
        # keyed by the file, so each upload starts from its values); the built-in
        # baseline starts at 300 samples for speed (its file says 2,000).
        uploaded = base is not None and base.origin != "<builtin:baseline>"
        start_samples = (
            min(max(base.samples, 20), MAX_SESSION_SAMPLES) if uploaded else linked["samples"]
        )
        start_seed = base.seed if uploaded else linked["seed"]
        tag = base.scenario_hash() if uploaded else "baseline"
        samples = _number("samples", "Samples", {"samples": start_samples}, 20, f"-{tag}")
        seed = _number("seed", "Seed", {"seed": start_seed}, 1, f"-{tag}")
        if uploaded and base.samples > MAX_SESSION_SAMPLES:
            st.caption(
                f"The file asks for {base.samples:,} samples; the dashboard runs at most "
                f"{MAX_SESSION_SAMPLES:,} (the CLI runs them all)."
            )
        st.header("Compare")
        pin_slot = st.container()  # filled once the page's scenario is known
        pinned = st.session_state.setdefault("pinned", {})
        compare = st.multiselect(
            "Compare side by side with (up to two)",
            ["this scenario without the levers", "the baseline", *pinned],
            key="compare",
            max_selections=2,
            help="Up to two other scenarios beside this one (A), at this page's samples and "
            "seed, every chart on one scale. Pin a setting to keep it: change the levers "
            "or upload another file, then compare against the pinned ones.",
        )
        st.radio(
            "Chart downloads (each chart's camera button)",
            ["png", "svg"],
            horizontal=True,
            key="image",
            help="PNG at twice the screen's resolution for slides; SVG for print.",
        )
    if base is None:
        if error:
            st.error(error)
        else:
            st.info("Choose a scenario file in the sidebar, or go back to the baseline.")
        st.stop()
    levers = {
        "russia": float(russia),
        "ramp_speed": float(speed),
        "shape": shape if base.spending else None,
        "contract_years": int(years) if base.spending else None,
        "pooling": pooling if base.spending else None,
    }
    changed = apply_levers(base, **levers)
    record = run_record(base, changed, levers, int(samples), int(seed))
    label = f"pinned: {base.name}, {levers_text(record['levers'])}"
    pin_slot.button(
        "Pin this setting",
        on_click=_pin,
        args=(label, changed.model_dump_json()),
        key="pin",
        help=f"Adds '{label}' to the scenarios to compare (at most {MAX_PINNED}).",
    )
    if not uploaded:  # the URL carries the state, so a link reopens this page
        state = dict(levers) | {"samples": int(samples), "seed": int(seed)}
        st.query_params.from_dict(query_of({k: v for k, v in state.items() if v is not None}))
    others = {
        "this scenario without the levers": (f"{base.name}, as loaded", base),
        "the baseline": ("baseline, as loaded", load_scenario("baseline")),
    } | {
        name: (name.removeprefix("pinned: "), Scenario.model_validate_json(text))
        for name, text in pinned.items()
    }
    names = [f"{changed.name} with the levers"] + [others[c][0] for c in compare]
    scenarios = [changed] + [others[c][1] for c in compare]
    try:
        shown = _run(scenarios, int(samples), int(seed))
    except (Busy, InputError) as exc:
        st.warning(str(exc) if isinstance(exc, Busy) else f"error: {exc.one_line()}")
        st.stop()
    views = shown[0]
    if len(shown) > 1:
        for column, one, tag, name, scenario in zip(
            st.columns(len(shown)), shown, letters(len(shown)), names, scenarios, strict=True
        ):
            column.caption(f"{tag}: {name} ({scenario.scenario_hash()})")
            if one.metrics.get("verdict"):
                column.info(one.metrics["verdict"])
        st.table(differences(shown, names).set_index("figure"))  # no truncation
        _chart([v.balance_figure for v in shown], "balance", names)
    else:
        _metrics(views, f"Scenario {changed.name} ({changed.scenario_hash()})")
    st.caption(
        f"Ran: scenario {record['scenario']} (hash {record['scenario_hash']}), "
        f"{record['samples']:,} samples, seed {record['seed']}; levers: "
        f"{levers_text(record['levers'])}; data {record['data_version']}."
    )
    tabs = st.tabs(
        [
            "Balance",
            "What decides it",
            "Spending",
            "Order book",
            "Stocks",
            "What to build",
            "Assumptions and sources",
            "Downloads",
        ],
        key="view",  # the chosen tab survives a rerun (a changed lever or field)
    )
    with tabs[0]:
        if len(shown) == 1:
            _plot(views.balance_figure, "balance")
        st.caption(source_summary(changed, "fig-balance"))
        st.dataframe(readable(views.annual), hide_index=True)
    with tabs[1]:
        st.caption(
            "Which assumptions decide the claim month's ratio and the 2030 output: a "
            "Sobol' analysis of about 1,000 runs (wide intervals at this size; "
            "`outproduce sensitivity` runs larger designs); and under which combinations "
            "of assumptions the answer changes (PRIM over this page's samples)."
        )
        if st.button("Rank the assumptions", key="drivers"):
            try:
                found = cached_drivers(changed.model_dump_json(), int(samples), int(seed))
            except Busy as exc:
                st.warning(str(exc))
                found = {"charts": None, "boxes": []}
            if found["charts"] == {}:
                st.info("Fewer than two groups of inputs are uncertain here: nothing to rank.")
            for name, chart in (found["charts"] or {}).items():
                _plot(chart, f"drivers-{name}")
            for paragraph in found["boxes"]:
                st.markdown(f"- {paragraph}")
    with tabs[2]:
        if views.spending_figure is None:
            st.info("This scenario has no spending section.")
        else:
            _chart([v.spending_figure for v in shown], "spending", names)
            st.caption(source_summary(changed, "fig-totals"))
            _plot(views.allies_figure, "allies")
            st.caption(source_summary(changed, "fig-allies"))
            st.dataframe(readable(views.allies), hide_index=True)
    with tabs[3]:
        if views.order_book_figure is not None:
            _chart([v.order_book_figure for v in shown], "order-book", names)
            st.caption(source_summary(changed, "fig-order-book"))
            book = views.order_book.assign(
                lead_time_months=lead_times(views.order_book["lead_time_months"])
            )
            st.dataframe(readable(book), hide_index=True)
            st.caption(
                "Lead time: months until a new order placed in January is filled behind "
                f"every order signed before it; '{BEYOND}': not before the horizon's end."
            )
    with tabs[4]:
        if views.sustain_figure is None:
            st.info("This scenario has no holders.")
        else:
            _chart([v.sustain_figure for v in shown], "sustain", names)
            st.caption(source_summary(changed, "fig-sustain"))
    with tabs[5]:
        plan_tab(changed, views.annual, _plot)
    with tabs[6]:
        assumptions, sources = provenance_tables(changed)
        st.caption(
            "Every assumption of the scenario (where nothing is published: a labelled "
            "range and its reasoning) and every source behind its figures, with its grade "
            "(A primary; B first-hand reporting; C a copy; D a party's state media)."
        )
        st.dataframe(assumptions, hide_index=True)
        st.dataframe(
            sources,
            hide_index=True,
            column_config={"address": st.column_config.LinkColumn("address")},
        )
    with tabs[7]:
        ran = download_scenario(changed, record)
        st.download_button(
            "Download results (zip of CSV files and a manifest)",
            results_zip(views, record),
            file_name=f"outproduce-{ran.name}-{record['scenario_hash']}.zip",
            mime="application/zip",
            key="download-results",
        )
        st.download_button(
            "Download scenario (YAML)",
            scenario_yaml(ran),
            file_name=f"{ran.name}.yaml",
            mime="application/x-yaml",
            key="download-scenario",
        )
        st.caption(
            "The scenario is saved as it ran (its name, samples and seed, and its levers "
            "in the description): `outproduce report --scenario FILE` gives these numbers."
        )


main()
