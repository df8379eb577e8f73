"""The outproduce dashboard: a Streamlit page over the Python API (``outproduce app``).

Run by ``streamlit run``; every number comes from ``dashboard.compute_views``, cached
by scenario hash, samples and seed. Uploaded YAML is size-limited, parsed with the
safe loader and validated like any scenario file: it is never executed.
"""

from __future__ import annotations

import copy
from typing import Any

import streamlit as st

from outproduce.data.catalog import DATA_VERSION
from outproduce.errors import InputError
from outproduce.interfaces.dashboard import (
    MAX_SESSION_SAMPLES,
    MAX_UPLOAD_BYTES,
    Busy,
    Views,
    compute_limited,
    drivers_limited,
    estimate_seconds,
    load_uploaded,
)
from outproduce.interfaces.dashboard_work import (
    LEVER_HELP,
    QUERY,
    differences,
    download_scenario,
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


@st.cache_data(show_spinner=False, max_entries=8)  # bounded memory: 8 results at most
def cached_views(scenario_json: str, samples: int, seed: int) -> Views:
    """Results for one scenario (as JSON: its hash is the cache key), samples and seed."""
    return compute_limited(Scenario.model_validate_json(scenario_json), samples, seed)


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


def _chart(ours: Any, theirs: Any, key: str) -> None:
    """A chart; in compare mode beside the other scenario's, both on one scale."""
    if theirs is None:
        st.plotly_chart(ours, key=key)
        return
    left_figure, right_figure = copy.deepcopy(ours), copy.deepcopy(theirs)
    same_axes(left_figure, right_figure)
    left, right = st.columns(2)
    left.plotly_chart(left_figure, key=f"{key}-left")
    right.plotly_chart(right_figure, key=f"{key}-right")


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
        compare = st.selectbox(
            "Compare side by side with",
            ["nothing", "this scenario without the levers", "the baseline"],
            key="compare",
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
    if not uploaded:  # the URL carries the state, so a link reopens this page
        state = dict(levers) | {"samples": int(samples), "seed": int(seed)}
        st.query_params.from_dict(query_of({k: v for k, v in state.items() if v is not None}))
    other = {
        "nothing": None,
        "this scenario without the levers": base,
        "the baseline": load_scenario("baseline"),
    }[compare]
    try:
        eta = estimate_seconds(int(samples)) * (1 if other is None else 2)
        with st.spinner(
            f"Running {int(samples):,} samples — about {max(eta, 1):.0f} s on this server "
            "(measured from its recent updates; results are then kept for this setting)…"
        ):
            views = cached_views(changed.model_dump_json(), int(samples), int(seed))
            reference = (
                None
                if other is None
                else cached_views(other.model_dump_json(), int(samples), int(seed))
            )
    except (Busy, InputError) as exc:
        st.warning(str(exc) if isinstance(exc, Busy) else f"error: {exc.one_line()}")
        st.stop()
    if reference is not None and other is not None:
        names = (f"{changed.name} with the levers", f"{other.name}, as loaded")
        left, right = st.columns(2)
        for column, shown, name, scenario in (
            (left, views, names[0], changed),
            (right, reference, names[1], other),
        ):
            with column:
                st.caption(f"{name} ({scenario.scenario_hash()})")
                if shown.metrics.get("verdict"):
                    st.info(shown.metrics["verdict"])
        st.table(differences(views, reference, names).set_index("figure"))  # no truncation
        balance_left, balance_right = (
            copy.deepcopy(views.balance_figure),
            copy.deepcopy(reference.balance_figure),
        )
        same_axes(balance_left, balance_right)  # one scale: the eye compares heights
        for figure, name in ((balance_left, names[0]), (balance_right, names[1])):
            figure.update_layout(title={"text": f"Output: {name}", "font": {"size": 14}})
        left, right = st.columns(2)
        left.plotly_chart(balance_left, key="balance-left")
        right.plotly_chart(balance_right, key="balance-right")
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
            "Assumptions and sources",
            "Downloads",
        ]
    )
    with tabs[0]:
        st.plotly_chart(views.balance_figure, key="balance")
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
                st.plotly_chart(chart, key=f"drivers-{name}")
            for paragraph in found["boxes"]:
                st.markdown(f"- {paragraph}")
    with tabs[2]:
        if views.spending_figure is None:
            st.info("This scenario has no spending section.")
        else:
            _chart(views.spending_figure, reference and reference.spending_figure, "spending")
            st.caption(source_summary(changed, "fig-totals"))
            st.plotly_chart(views.allies_figure, key="allies")
            st.caption(source_summary(changed, "fig-allies"))
            st.dataframe(readable(views.allies), hide_index=True)
    with tabs[3]:
        if views.order_book_figure is not None:
            _chart(views.order_book_figure, reference and reference.order_book_figure, "order-book")
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
            _chart(views.sustain_figure, reference and reference.sustain_figure, "sustain")
            st.caption(source_summary(changed, "fig-sustain"))
    with tabs[5]:
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
    with tabs[6]:
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
