"""The ``outproduce`` command line (typer + rich).

Commands only parse arguments, call the Python API and format what it returns. Any
``InputError`` becomes one line on stderr and exit status 2: a traceback is a bug.
"""

from __future__ import annotations

import functools
import math
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from outproduce import __version__
from outproduce.analyses.balance import SPEECH_MONTH, BalanceSummary, balance, summarise
from outproduce.analyses.calibrate import calibrate
from outproduce.analyses.claim import claim
from outproduce.analyses.simulation import simulate, write_simulation
from outproduce.analyses.spending import spending, summarise_spending
from outproduce.analyses.sustain import summarise_sustain, sustain
from outproduce.data.catalog import (
    DATA_VERSION,
    GRADES,
    TABLES,
    WEAK_MARKER,
    check_integrity,
    load_table,
)
from outproduce.errors import InputError
from outproduce.interfaces.files import (
    MANIFEST,
    find_results,
    read_manifest,
    result_folder,
    to_json,
    write_atomic,
)
from outproduce.interfaces.outputs import (
    balance_document,
    calibration_document,
    claim_document,
    crossover_text,
    provenance,
    spending_document,
    write_balance_outputs,
    write_spending_outputs,
)
from outproduce.scenario.limits import MAX_SAMPLES
from outproduce.scenario.loading import builtin_names, load_scenario, scenario_yaml
from outproduce.scenario.model import Scenario

app = typer.Typer(
    help="outproduce: a sourced, reproducible model of the alliance's ammunition mobilisation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="The packaged reference dataset and its sources.", no_args_is_help=True)
scenario_app = typer.Typer(help="Scenario files: validate and show.", no_args_is_help=True)
runs_app = typer.Typer(help="Result folders and their manifests.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(runs_app, name="runs")
app.add_typer(scenario_app, name="scenario")

out = Console(soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise typer.Exit(2)


def friendly(func: F) -> F:
    """Turn input errors (and unwritable outputs) into one line and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            _fail(exc.one_line())
        except BrokenPipeError:  # e.g. `outproduce data sources | head`: not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
        except OSError as exc:
            _fail(f"{getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}")
        return None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        print(f"outproduce {__version__} (data {DATA_VERSION})")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show package and data versions."
        ),
    ] = False,
) -> None:
    """Model the alliance's defence-industrial mobilisation from public, sourced data."""


ScenarioArg = Annotated[
    str, typer.Option("--scenario", "-s", help="Built-in scenario name or YAML file.")
]
SamplesOpt = Annotated[
    int | None,
    typer.Option(
        "--samples",
        "-n",
        min=1,
        max=MAX_SAMPLES,
        help="Monte Carlo samples (default: scenario's; at most 1,000,000).",
    ),
]
SeedOpt = Annotated[
    int | None, typer.Option("--seed", min=0, help="Random seed (default: scenario's).")
]


def _fmt(value: float) -> str:
    return (
        "-"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{value:,.0f}"
    )


def _short(value: float) -> str:
    """1.25M, 640k, 5,000; '…' for an open end of a published range."""
    if value is None or value != value:
        return "…"
    if abs(value) >= 1e6:
        return f"{value / 1e6:.2f}M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:.0f}k"
    return f"{value:,.0f}"


def _millions(mid: float, low: float, high: float) -> str:
    return f"{mid / 1e6:.2f} ({low / 1e6:.2f}–{high / 1e6:.2f})"


def _print_balance(ds: Any, summary: BalanceSummary) -> None:
    cross = summary.crossover
    out.print(
        f"[bold]Ammunition balance[/bold] — scenario [cyan]{ds.attrs['scenario']}[/cyan] "
        f"({ds.attrs['samples']} samples, seed {ds.attrs['seed']}, data "
        f"{ds.attrs['data_version']})"
    )
    out.print(
        "Units: 155mm-equivalent rounds. Crossover: first month from which the alliance "
        "stays at or above the adversary to the end of the horizon."
    )
    out.print(f"Crossover against Russia + transfers: {crossover_text(cross)}")
    out.print(
        "Crossover against Russian production alone: "
        f"{crossover_text(summary.crossover_production_only)}"
    )
    at = summary.at
    out.print(
        f"In {at['month']}: alliance {_fmt(at['alliance_p50'])}/month vs adversary "
        f"{_fmt(at['adversary_p50'])}/month (medians); ratio P10–P90 "
        f"{at['ratio_p10']:.2f}–{at['ratio_p90']:.2f}; P(alliance ahead) "
        f"{at['p_alliance_ahead']:.0%}"
    )
    partners = bool((summary.annual["partners_p50"] > 0).any())
    table = _table(
        "Annual output, million 155mm-equivalent rounds: P50 (P10–P90)",
        ("year", "alliance", "adversary", "P(alliance ahead)")
        + (("partners P50 (not counted)",) if partners else ()),
    )
    for row in summary.annual.to_dict("records"):
        table.add_row(
            str(int(row["year"])),
            _millions(row["alliance_p50"], row["alliance_p10"], row["alliance_p90"]),
            _millions(row["adversary_p50"], row["adversary_p10"], row["adversary_p90"]),
            f"{row['p_alliance_ahead']:.0%}",
            *((f"{row['partners_p50'] / 1e6:.2f}",) if partners else ()),
        )
    out.print(table)


@app.command("report")
@friendly
def report_cmd(
    scenario: ScenarioArg = "baseline",
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for report.html, CSV, JSON and PNG.")
    ] = Path("outproduce-report"),
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    open_report: Annotated[
        bool, typer.Option("--open", help="Open report.html in the web browser.")
    ] = False,
) -> None:
    """Run every analysis on a scenario and write one self-contained HTML report."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from outproduce.interfaces.report import STAGES, build_report

    loaded = load_scenario(scenario)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task("starting", total=len(STAGES))

        def step(stage: str) -> None:
            progress.update(task, description=stage, completed=STAGES.index(stage))

        with result_folder(out_dir) as (work, record):
            report = build_report(loaded, work, samples=samples, seed=seed, step=step)
            record(report.attrs)
        progress.update(task, completed=len(STAGES))
    out.print(f"[bold]outproduce report[/bold] — scenario [cyan]{loaded.name}[/cyan]")
    for line in report.headlines:
        out.print(f"• {line}")
    html = out_dir / report.files[0].name
    out.print(f"Report: {html} (and {len(report.files) - 1} files in {out_dir})")
    if open_report:
        import webbrowser

        webbrowser.open(html.resolve().as_uri())


@app.command("app")
@friendly
def app_cmd(
    host: Annotated[
        str, typer.Option("--host", help="Address to bind (default: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8501,
) -> None:
    """Start the web dashboard (Streamlit) on http://HOST:PORT; Ctrl-C stops it."""
    import subprocess

    page = Path(__file__).with_name("app.py")  # a Streamlit script: run, not imported
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(page),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.maxUploadSize",
        "1",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
    ]
    out.print(f"outproduce dashboard on http://{host}:{port} (Ctrl-C stops it)")
    child = subprocess.Popen(command)

    def stop(signum: int, _frame: Any) -> None:
        # SIGTERM or Ctrl-C: stop Streamlit too, so its port is freed.
        child.send_signal(signum)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    try:
        child.wait()
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


@app.command("balance")
@friendly
def balance_cmd(
    scenario: ScenarioArg = "baseline",
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write CSV, JSON and PNG here.")
    ] = None,
    at: Annotated[
        str, typer.Option("--at", help="Month of the 'who is ahead' check.")
    ] = SPEECH_MONTH,
) -> None:
    """Alliance vs adversary ammunition output, crossover month and annual totals."""
    ds = balance(load_scenario(scenario), samples=samples, seed=seed)
    summary = summarise(ds, at=at)
    if out_dir is not None:
        with result_folder(out_dir) as (work, record):
            written = [out_dir / p.name for p in write_balance_outputs(ds, summary, work)]
            record(ds.attrs)
    if as_json:
        print(to_json(balance_document(ds, summary)))
    else:
        _print_balance(ds, summary)
        if out_dir is not None:
            out.print("Wrote: " + ", ".join(str(p) for p in written))


@app.command("claim")
@friendly
def claim_cmd(
    scenario: ScenarioArg = "baseline",
    at: Annotated[str, typer.Option("--at", help="Month to test (YYYY-MM).")] = SPEECH_MONTH,
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Test the speech's claim: do the allies out-produce Russia (and its suppliers)."""
    result = claim(load_scenario(scenario), samples=samples, seed=seed, at=at)
    if as_json:
        print(to_json(claim_document(result)))
        return
    out.print(f"[bold]The claim[/bold] — “{result.attrs['claim']}” (Bucharest, 6 Nov 2025)")
    out.print(
        f"Scenario [cyan]{result.attrs['scenario']}[/cyan] ({result.attrs['samples']} samples, "
        f"seed {result.attrs['seed']}, data {result.attrs['data_version']})"
    )
    out.print(result.verdict)
    table = _table(
        f"Break-even in {result.month} (others at their medians), 155mm-equivalent rounds a year",
        ("the claim holds if", "versus", "is", "model median"),
    )
    for row in result.break_even:
        table.add_row(
            str(row["input"]),
            str(row["versus"]),
            f"{row['condition']} {_fmt(row['value'])}"
            if row["value"] is not None
            else "never (not even at 0)",
            _fmt(row["median"]),
        )
    out.print(table)
    out.print(f"Durable crossover against Russia alone: {crossover_text(result.since)}")
    out.print(
        f"Partners (not allies, not counted): {_fmt(result.medians['partners'])} a year (median)"
    )


@app.command("calibrate")
@friendly
def calibrate_cmd(
    scenario: ScenarioArg = "baseline",
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """The model's P10-P90 against every published estimate; coverage by grade."""
    result = calibrate(load_scenario(scenario), samples=samples, seed=seed)
    if as_json:
        print(to_json(calibration_document(result)))
        return
    out.print(
        f"[bold]Calibration[/bold] — scenario [cyan]{result.attrs['scenario']}[/cyan] "
        f"({result.attrs['samples']} samples, seed {result.attrs['seed']}): each published "
        "estimate against the model's P10–P90, in rounds as the publication counts them"
    )
    for row in result.estimates.to_dict("records"):
        published = (
            _short(row["published"])
            if row["published"] == row["published"]
            else f"{_short(row['published_low'])}–{_short(row['published_high'])}"
        )
        unit = row["unit"].replace("rounds_per_", "a ").replace("rounds", "in total")
        mark = "" if row["used_by"] else " (independent)"
        if row["status"] == "compared":
            verdict = "inside" if row["inside"] else "OUTSIDE"
            model = f"model {_short(row['p10'])}–{_short(row['p90'])}"
        else:
            verdict, model = "not compared", row["status"]
        out.print(
            f"{verdict:>12}  {row['id']}{mark}: {row['bloc']} {row['measure']} {row['period']}, "
            f"published {published} {unit} [{row['grade']}]; {model}",
            highlight=False,
        )
    cov = result.coverage
    parts = [
        f"{name} {cov[name]['inside']:.0%} of {cov[name]['n']}"
        for name in ("all", "A/B", "independent", "independent A/B")
        if cov[name]["n"]
    ]
    if not parts:
        out.print("No published estimate falls in this scenario's horizon and lines.")
        return
    out.print("Inside P10–P90: " + "; ".join(parts) + " (well calibrated: about 70–90%)")


@app.command("simulate")
@friendly
def simulate_cmd(
    out_path: Annotated[Path, typer.Option("--out", help="FILE.nc (NetCDF) or a folder (CSV).")],
    scenario: ScenarioArg = "baseline",
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
) -> None:
    """Run the whole chain and write every variable (NetCDF) or P10/P50/P90 tables (CSV)."""
    ds = simulate(load_scenario(scenario), samples=samples, seed=seed)
    if out_path.suffix == ".nc":
        written = [write_atomic(out_path, lambda tmp: write_simulation(ds, tmp))]
    else:
        with result_folder(out_path) as (work, record):
            written = [out_path / p.name for p in write_simulation(ds, work)]
            record(ds.attrs)
    out.print(
        f"Simulated {ds.attrs['scenario']} ({ds.attrs['samples']} samples, seed "
        f"{ds.attrs['seed']}): {ds.sizes['line']} lines, {ds.sizes['order']} orders, "
        f"{ds.sizes['holder']} holders, {ds.sizes['month']} months."
    )
    out.print("Wrote: " + ", ".join(str(p) for p in written))


@app.command("sustain")
@friendly
def sustain_cmd(
    scenario: ScenarioArg = "baseline",
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Stocks against consumption per holder: shortfalls, sustainment, rebuild time."""
    loaded = load_scenario(scenario)
    view = sustain(loaded, samples=samples, seed=seed)
    holders = summarise_sustain(view, loaded)
    if as_json:
        document = provenance(view.attrs) | {
            "units": "rounds (155mm-equivalent as bought)",
            "holders": holders,
        }
        print(to_json(document))
        return
    if not holders:
        out.print(f"Scenario {loaded.name} has no holders: add `holders:` to track stocks.")
    for entry in holders:
        table = _table(
            f"{entry['name']} ({entry['holder']}): stock at year end, rounds",
            (
                "year",
                "stock P50 (P10–P90)",
                "received",
                "consumed",
                "shortfall P50",
                "P(shortfall)",
                "months of sustainment",
            ),
        )
        for row in entry["yearly"]:
            table.add_row(
                str(row["year"]),
                f"{_fmt(row['stock_end_p50'])} ({_fmt(row['stock_end_p10'])}–"
                f"{_fmt(row['stock_end_p90'])})",
                _fmt(row["received_p50"]),
                _fmt(row["consumption_p50"]),
                _fmt(row["shortfall_p50"]),
                f"{row['p_shortfall']:.0%}",
                "-"
                if math.isnan(row["months_of_sustainment_p50"])
                else f"{row['months_of_sustainment_p50']:.1f}",
            )
        out.print(table)
        rebuild = entry.get("rebuild")
        if rebuild:
            by = rebuild["target_month"]
            chance = (
                f"; P(reached by {by}) {rebuild['p_reached_by_target_month']:.0%}" if by else ""
            )
            out.print(
                f"Target {_fmt(rebuild['target_stock'])} rounds: reached P10 "
                f"{rebuild['reached_p10'] or 'never'} · P50 {rebuild['reached_p50'] or 'never'}"
                f" · P90 {rebuild['reached_p90'] or 'never'}{chance}"
            )


def _table(title: str, columns: tuple[str, ...]) -> Table:
    """A rich table whose columns are right-aligned (numbers line up)."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column, justify="right")
    return table


def _money(value: float) -> str:
    """Billions with as many decimals as the size needs (three significant figures)."""
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return f"{value:,.{digits}f}"


def _bn(row: dict[str, Any], key: str) -> str:
    return f"{_money(row[key])} ({_money(row[key + '_p10'])}–{_money(row[key + '_p90'])})"


def _print_spending(ds: Any, tables: dict[str, Any], ally: str | None) -> None:
    base = ds.attrs["price_base"]
    out.print(
        f"[bold]Spending pathways[/bold] — scenario [cyan]{ds.attrs['scenario']}[/cyan] "
        f"({ds.attrs['samples']} samples, seed {ds.attrs['seed']}, data "
        f"{ds.attrs['data_version']}). Money: USD bn, {base}; shares: % of GDP (NATO "
        "definition); P50 (P10–P90)."
    )
    if ally:
        rows = [r for r in tables["yearly"] if r["iso3"] == ally]
        info = next(r for r in tables["allies"] if r["iso3"] == ally)
        table = _table(
            f"{ally}: core {info['target_share']:g}% by {info['target_year']} "
            f"({info['shape']}), resilience up to {ds.attrs['resilience_target_pct']:g}%",
            (
                "year",
                "kind",
                "core %",
                "core USD bn",
                "increase over base",
                "resilience USD bn",
                "rounds/yr, million",
            ),
        )
        for row in rows:
            real = not math.isnan(row["core_usd"])
            table.add_row(
                str(row["year"]),
                row["kind"],
                f"{row['core_share']:.2f}",
                _bn(row, "core_usd") if real else f"{_money(row['core_usd_current'])} current",
                _bn(row, "increase_usd") if real else "-",
                _bn(row, "resilience_usd") if real else "-",
                _millions(row["rounds"], row["rounds_p10"], row["rounds_p90"]) if real else "-",
            )
        out.print(table)
        out.print(
            f"Cumulative extra core spending over the base year to {info['target_year']}: "
            f"{_bn(info, 'cumulative_extra_core_usd')}; core target reached: "
            f"{info['year_core_reached'] or 'never'}; largest yearly rise needed "
            f"{info['required_rise_pp']:.2f} pp vs {info['record_rise_pp']:.2f} pp in its "
            f"2014–2025 record{' — beyond its record' if info['exceeds_record'] else ''}."
        )
        return
    table = _table(
        "Per ally: where it starts, the gap, and what the pathway costs",
        (
            "ally",
            "start",
            "target",
            "reached",
            "gap pp",
            "core USD bn at target year",
            "cumulative extra",
            "rounds/yr at target year",
            "beyond record",
        ),
    )
    for row in tables["allies"]:
        table.add_row(
            row["iso3"],
            f"{row['start_share']:.2f} ({row['start_year']})",
            f"{row['target_share']:g} by {row['target_year']}",
            str(row["year_core_reached"] or "never"),
            f"{row['gap_pp']:.2f}",
            _bn(row, "core_usd_end"),
            _bn(row, "cumulative_extra_core_usd"),
            _fmt(row["rounds_end"]),
            "yes" if row["exceeds_record"] else "",
        )
    out.print(table)
    groups = _table(
        "Aggregates (GDP-weighted shares)",
        ("group", "year", "core %", "core USD bn", "resilience USD bn", "rounds/yr"),
    )
    for row in tables["groups"]:
        if row["year"] in (2014, 2024, 2025, 2030, 2035):
            real = not math.isnan(row["core_usd"])
            groups.add_row(
                row["group"],
                str(row["year"]),
                f"{row['core_share']:.2f}",
                _bn(row, "core_usd") if real else f"{row['core_usd_current']:,.0f} current",
                _bn(row, "resilience_usd") if real else "-",
                _fmt(row["rounds"]),
            )
    out.print(groups)
    if "order_book_left_out" in ds.attrs:
        out.print(f"Order book left out: {ds.attrs['order_book_left_out']}.")
    if tables["order_book"]:
        book = tables["contracts"]
        demand = _table(
            f"Order book: budgets' contracts ({book['contract_years']}-year, "
            f"{book['pooling']}) supplied by the alliance's lines — million rounds",
            (
                "year",
                "demand",
                "delivered",
                "backlog (Dec)",
                "lead time (months)",
                "output, planned",
                "output, following contracts",
                "adversary",
                "P(ahead), following",
            ),
        )
        for row in tables["order_book"]:
            lead = row["lead_time_months"]
            demand.add_row(
                str(row["year"]),
                _millions(row["demand_rounds"], row["demand_rounds_p10"], row["demand_rounds_p90"]),
                f"{row['delivered_rounds'] / 1e6:.2f}",
                f"{row['backlog_rounds'] / 1e6:.2f}",
                "beyond horizon" if lead is None else f"{lead:.0f}",
                f"{row['output_rounds'] / 1e6:.2f}",
                f"{row['output_following_rounds'] / 1e6:.2f}",
                f"{row['adversary_rounds'] / 1e6:.2f}",
                f"{row['p_ahead_following']:.0%}",
            )
        out.print(demand)
        out.print(
            f"Delivered on time (by each contract's end): {book['on_time_share']:.0%} "
            f"({book['on_time_share_p10']:.0%}–{book['on_time_share_p90']:.0%}). Crossover "
            f"with planned capacity: {crossover_text(book['crossover_planned'])}; if "
            f"capacity follows contracts: {crossover_text(book['crossover_following'])}."
        )


@app.command("spending")
@friendly
def spending_cmd(
    scenario: ScenarioArg = "baseline",
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    ally: Annotated[
        str | None, typer.Option("--ally", help="One ally's year-by-year table (ISO3, e.g. DEU).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write CSV, JSON and PNG here.")
    ] = None,
) -> None:
    """Pathways to 3.5% core + 1.5% resilience by 2035 per ally, and the rounds they buy."""
    ds = spending(load_scenario(scenario), samples=samples, seed=seed)
    if ally is not None and ally.upper() not in set(ds["ally"].values):
        raise InputError(
            f"unknown ally {ally!r}; expected one of: {', '.join(ds['ally'].values)}",
            field="--ally",
        )
    tables = summarise_spending(ds)
    if out_dir is not None:
        with result_folder(out_dir) as (work, record):
            written = [out_dir / p.name for p in write_spending_outputs(ds, tables, work)]
            record(ds.attrs)
    if as_json:
        print(to_json(spending_document(ds, tables)))
    else:
        _print_spending(ds, tables, ally.upper() if ally else None)
        if out_dir is not None:
            out.print("Wrote: " + ", ".join(str(p) for p in written))


@data_app.command("sources")
@friendly
def data_sources(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON records.")] = False,
    grade: Annotated[
        str | None,
        typer.Option("--grade", help="Only sources of these grades, e.g. C or C,D."),
    ] = None,
) -> None:
    """List every source with its grade, publisher, date, title and URL.

    Grades: A primary, B first-hand media or research, C copy or aggregator, D a
    belligerent's state media (that party's own claim).
    """
    frame = load_table("sources")
    if grade is not None:
        wanted = {g.strip() for g in grade.split(",") if g.strip()}
        unknown = wanted - set(GRADES)
        if unknown or not wanted:
            raise InputError(
                f"unknown grade {', '.join(sorted(unknown)) or repr(grade)}; expected one or "
                f"more of {', '.join(GRADES)}, separated by commas",
                file="command line",
                field="--grade",
            )
        frame = frame[frame["reliability"].isin(wanted)]
    if as_json:
        print(to_json(frame.to_dict("records"), indent=1))
        return
    counts = frame["reliability"].value_counts()
    print(
        f"{len(frame)} sources · data {DATA_VERSION} · grades: "
        + ", ".join(f"{g} {counts.get(g, 0)}" for g in GRADES if counts.get(g, 0))
    )
    for row in frame.to_dict("records"):
        print(
            f"[{row['reliability']}] {row['source_id']}  {row['published']}  {row['publisher']}  "
            f"{row['title']}\n    {row['url']}"
        )


@data_app.command("show")
@friendly
def data_show(
    table: Annotated[str, typer.Argument(help=f"One of: {', '.join(TABLES)}.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """Print one packaged table."""
    if fmt not in ("table", "csv", "json"):
        raise InputError(f"unknown format {fmt!r}; expected table, csv or json", field="--format")
    frame = load_table(table)
    if fmt == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    elif fmt == "json":
        print(frame.to_json(orient="records", force_ascii=False, indent=1))
    else:
        out.print(f"[bold]{table}[/bold]: {TABLES[table].description} ({len(frame)} rows)")
        view = Table()
        for column in frame.columns:
            view.add_column(column, overflow="fold")
        for row in frame.astype(str).replace("nan", "").itertuples(index=False):
            view.add_row(*row)
        out.print(view)


@data_app.command("version")
def data_version() -> None:
    """Print the data version (edition + content hash)."""
    print(DATA_VERSION)


@data_app.command("check")
def data_check() -> None:
    """Check the packaged tables and the built-in scenarios.

    Sources resolve and are graded; units, dates and ranges are valid; no figure rests
    on C/D sources alone without saying so.
    """
    problems = check_integrity()
    for name in builtin_names():
        problems += [
            f"<builtin:{name}>: {path}: rests on C/D sources alone; expected its note to "
            f"say {WEAK_MARKER}"
            for path in load_scenario(name).unmarked_weak_figures()
        ]
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) in {len(TABLES)} tables, data {DATA_VERSION}")
    raise typer.Exit(1 if problems else 0)


def _scenario_summary(scenario: Scenario) -> str:
    blocs = {
        b: sum(1 for ln in scenario.lines.values() if ln.bloc == b)
        for b in ("alliance", "adversary")
    }
    return (
        f"{scenario.name} (hash {scenario.scenario_hash()}): {blocs['alliance']} alliance "
        f"and {blocs['adversary']} adversary lines, horizon {scenario.horizon.start}.."
        f"{scenario.horizon.end}, {scenario.samples} samples, seed {scenario.seed}"
    )


@runs_app.command("list")
@friendly
def runs_list(
    root: Annotated[Path, typer.Argument(help="Folder to search (two levels down).")] = Path("."),
) -> None:
    """List result folders (those with a manifest): scenario, hash, seed, samples, when."""
    folders = find_results(root)
    if not folders:
        print(f"no result folders (with {MANIFEST}) in {root}")
        return
    for folder in folders:
        info = read_manifest(folder)
        print(
            f"{folder}  {info.get('scenario')} (hash {info.get('scenario_hash')})  seed "
            f"{info.get('seed')}  {info.get('samples')} samples  data {info.get('data_version')}"
            f"  finished {info.get('finished')}"
        )


@runs_app.command("show")
@friendly
def runs_show(
    folder: Annotated[Path, typer.Argument(help="A result folder.")],
) -> None:
    """Print a result folder's manifest (what made it, with which versions, when)."""
    print(to_json(read_manifest(folder)))


@scenario_app.command("validate")
@friendly
def scenario_validate(
    file: Annotated[str, typer.Argument(help="Scenario YAML file (or built-in name).")],
) -> None:
    """Check a scenario file; print a one-line summary or one clear error (exit 2)."""
    print(f"OK {file}: {_scenario_summary(load_scenario(file))}")


@scenario_app.command("show")
@friendly
def scenario_show(
    name: Annotated[str, typer.Argument(help="Built-in name or YAML file.")] = "baseline",
) -> None:
    """Print the resolved scenario (every line and assumption) as YAML."""
    scenario = load_scenario(name)
    print(f"# {_scenario_summary(scenario)}")
    print(scenario_yaml(scenario))


@scenario_app.command("list")
def scenario_list() -> None:
    """List the built-in scenarios."""
    for name in builtin_names():
        print(name)


def _usage_error(exc: Exception) -> bool:
    """Print the parser's usage error (bad option or value) as one line; False if not one.

    Typer's parser errors carry ``format_message`` and ``exit_code`` (they are click's
    UsageError, vendored by typer, so matched by shape rather than imported). Asking for
    help with no arguments prints the help itself.
    """
    if not (hasattr(exc, "format_message") and isinstance(getattr(exc, "exit_code", None), int)):
        return False
    message = exc.format_message()
    if type(exc).__name__ == "NoArgsIsHelpError":
        print(message, file=sys.stderr)
        return True
    ctx = getattr(exc, "ctx", None)
    hint = f" (see: {ctx.command_path} --help)" if ctx is not None else ""
    print(f"error: {' '.join(message.split())}{hint}", file=sys.stderr)
    return True


def main() -> None:
    """Console-script entry point: every failure is one line, never a traceback.

    A usage error (unknown option, value out of range) is ``error: ...`` and exit 2, like
    an input error; an unexpected failure is ``internal error: ...`` and exit 1. Set
    OUTPRODUCE_DEBUG=1 to see the traceback of an internal error.
    """
    try:
        code = typer.main.get_command(app).main(standalone_mode=False)
    except typer.Abort:
        print("error: aborted", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:
        if _usage_error(exc):
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        if os.environ.get("OUTPRODUCE_DEBUG"):
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} (a bug: please report it; "
            "OUTPRODUCE_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
