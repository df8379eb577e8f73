"""The ``data``, ``scenario`` and ``runs`` commands.

What is packaged, what a scenario resolves to, and what earlier runs wrote.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from outproduce.errors import InputError
from outproduce.interfaces.cli_common import friendly, out
from outproduce.interfaces.files import MANIFEST, find_results, read_manifest, to_json

if TYPE_CHECKING:
    from outproduce.scenario.model import Scenario


def _table_names() -> list[str]:
    """The packaged tables' names, read from the folder (without loading pandas)."""
    folder = resources.files("outproduce.data").joinpath("tables")
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".csv"))


data_app = typer.Typer(help="The packaged reference dataset and its sources.", no_args_is_help=True)
scenario_app = typer.Typer(help="Scenario files: validate and show.", no_args_is_help=True)
runs_app = typer.Typer(help="Result folders and their manifests.", no_args_is_help=True)


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
    from outproduce.data.catalog import DATA_VERSION, GRADES, load_table

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
    table: Annotated[str, typer.Argument(help=f"One of: {', '.join(_table_names())}.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """Print one packaged table."""
    from outproduce.data.catalog import TABLES, load_table

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
    from outproduce.data.catalog import DATA_VERSION

    print(DATA_VERSION)


@data_app.command("check")
def data_check() -> None:
    """Check the packaged tables and the built-in scenarios.

    Sources resolve and are graded; units, dates and ranges are valid; no figure rests
    on C/D sources alone without saying so.
    """
    from outproduce.data.catalog import DATA_VERSION, TABLES, WEAK_MARKER
    from outproduce.data.checks import check_integrity
    from outproduce.scenario.loading import builtin_names, load_scenario

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
    from outproduce.scenario.loading import load_scenario

    print(f"OK {file}: {_scenario_summary(load_scenario(file))}")


@scenario_app.command("show")
@friendly
def scenario_show(
    name: Annotated[str, typer.Argument(help="Built-in name or YAML file.")] = "baseline",
) -> None:
    """Print the resolved scenario (every line and assumption) as YAML."""
    from outproduce.scenario.loading import load_scenario, scenario_yaml

    scenario = load_scenario(name)
    print(f"# {_scenario_summary(scenario)}")
    print(scenario_yaml(scenario))


@scenario_app.command("list")
def scenario_list() -> None:
    """List the built-in scenarios."""
    from outproduce.scenario.loading import builtin_names

    for name in builtin_names():
        print(name)
