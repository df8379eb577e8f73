"""The ``outproduce`` command line (typer + rich).

Commands only parse arguments, call the Python API and format what it returns. Any
``InputError`` becomes one line on stderr and exit status 2: a traceback is a bug.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from outproduce.errors import InputError
from outproduce.interfaces.cli_catalog import data_app, runs_app, scenario_app
from outproduce.interfaces.cli_common import (
    SamplesOpt,
    ScenarioArg,
    SeedOpt,
    friendly,
    out,
    progress_bar,
    usage_error,
)
from outproduce.interfaces.cli_explain import register as register_explain
from outproduce.interfaces.cli_plan import register as register_plan
from outproduce.interfaces.cli_views import (
    print_balance,
    print_calibration,
    print_claim,
    print_spending,
    print_sustain,
)
from outproduce.interfaces.files import (
    result_folder,
    to_json,
    write_atomic,
)
from outproduce.speech import SPEECH_MONTH
from outproduce.version import __version__

if TYPE_CHECKING:
    pass

app = typer.Typer(
    help="outproduce: a sourced, reproducible model of the alliance's ammunition mobilisation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(data_app, name="data")
app.add_typer(runs_app, name="runs")
app.add_typer(scenario_app, name="scenario")


def _version(value: bool) -> None:
    if value:
        from outproduce.data.catalog import DATA_VERSION

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
    from outproduce.interfaces.report import STAGES, build_report
    from outproduce.scenario.loading import load_scenario

    loaded = load_scenario(scenario)
    with progress_bar() as progress:
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
    from outproduce.analyses.balance import balance, summarise
    from outproduce.interfaces.outputs import balance_document, write_balance_outputs
    from outproduce.scenario.loading import load_scenario

    ds = balance(load_scenario(scenario), samples=samples, seed=seed)
    summary = summarise(ds, at=at)
    if out_dir is not None:
        with result_folder(out_dir) as (work, record):
            written = [out_dir / p.name for p in write_balance_outputs(ds, summary, work)]
            record(ds.attrs)
    if as_json:
        print(to_json(balance_document(ds, summary)))
    else:
        print_balance(ds, summary)
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
    from outproduce.analyses.claim import claim
    from outproduce.interfaces.outputs import claim_document
    from outproduce.scenario.loading import load_scenario

    result = claim(load_scenario(scenario), samples=samples, seed=seed, at=at)
    if as_json:
        print(to_json(claim_document(result)))
        return
    print_claim(result)


@app.command("calibrate")
@friendly
def calibrate_cmd(
    scenario: ScenarioArg = "baseline",
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """The model's P10-P90 against every published estimate; coverage by grade."""
    from outproduce.analyses.calibrate import calibrate
    from outproduce.interfaces.outputs import calibration_document
    from outproduce.scenario.loading import load_scenario

    result = calibrate(load_scenario(scenario), samples=samples, seed=seed)
    if as_json:
        print(to_json(calibration_document(result)))
        return
    print_calibration(result)


@app.command("simulate")
@friendly
def simulate_cmd(
    out_path: Annotated[Path, typer.Option("--out", help="FILE.nc (NetCDF) or a folder (CSV).")],
    scenario: ScenarioArg = "baseline",
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Also keep the (sample x line x month) and (sample x order x month) arrays.",
        ),
    ] = False,
    design: Annotated[
        Path | None,
        typer.Option(
            "--design",
            help="CSV of uniforms in (0, 1): a column per input name, a row per sample.",
        ),
    ] = None,
) -> None:
    """Run the whole chain and write every variable (NetCDF) or P10/P50/P90 tables (CSV)."""
    from outproduce.analyses.run import read_design, run
    from outproduce.analyses.simulation import simulate, write_simulation
    from outproduce.scenario.loading import load_scenario

    loaded = load_scenario(scenario)
    if design is None:
        ds = simulate(loaded, samples=samples, seed=seed, full=full)
    else:
        the_run = run(
            loaded,
            samples=samples,
            seed=seed,
            full=full,
            design=read_design(design),
            design_file=str(design),
        )
        ds = simulate(the_run)
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
    from outproduce.analyses.sustain import summarise_sustain, sustain
    from outproduce.interfaces.outputs import provenance
    from outproduce.scenario.loading import load_scenario

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
    print_sustain(loaded, holders)


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
    from outproduce.analyses.spending import spending, summarise_spending
    from outproduce.interfaces.outputs import spending_document, write_spending_outputs
    from outproduce.scenario.loading import load_scenario

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
        print_spending(ds, tables, ally.upper() if ally else None)
        if out_dir is not None:
            out.print("Wrote: " + ", ".join(str(p) for p in written))


register_explain(app)  # outcomes, sensitivity, discover (cli_explain.py)
register_plan(app)  # plan (cli_plan.py)


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
        if usage_error(exc):
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


if __name__ == "__main__":
    main()
