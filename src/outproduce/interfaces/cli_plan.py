"""``outproduce plan``: the cheapest way to a goal, most rounds for a budget, earliest year."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from outproduce.errors import InputError
from outproduce.interfaces.cli_common import ScenarioArg, SeedOpt, friendly, number_table, out
from outproduce.interfaces.files import result_folder, to_json, write_text_atomic


def plan_cmd(
    objective: Annotated[
        str, typer.Option("--objective", help="min-cost, max-output or earliest.")
    ] = "min-cost",
    scenario: ScenarioArg = "baseline",
    target: Annotated[
        float | None,
        typer.Option("--target", help="Rounds a year to hold (min-cost, earliest)."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="YYYY-MM: held in every calendar year from this month's year (min-cost), "
            "or the deadline for rounds delivered (max-output).",
        ),
    ] = None,
    budget: Annotated[
        float | None, typer.Option("--budget", help="Capital budget, USD (max-output).")
    ] = None,
    integer: Annotated[
        bool,
        typer.Option("--integer", help="Each candidate built once, whole or not (a MIP)."),
    ] = False,
    robust: Annotated[
        int | None,
        typer.Option("--robust", help="Plan once over K Monte Carlo samples of the run."),
    ] = None,
    shortfall_price: Annotated[
        float | None,
        typer.Option(
            "--shortfall-price",
            help="With --robust: USD a round short of the target (instead of every sample).",
        ),
    ] = None,
    with_inputs: Annotated[
        bool,
        typer.Option(
            "--with-inputs",
            help="New rounds also need explosive and propellant from new input plants.",
        ),
    ] = False,
    national: Annotated[
        bool,
        typer.Option(
            "--national",
            help="The target's rounds must also be bought by the allies' budgets, each "
            "ally contracting alone.",
        ),
    ] = False,
    pooled: Annotated[
        bool,
        typer.Option(
            "--pooled",
            help="The target's rounds must also be bought by the allies' budgets in joint "
            "contracts (--pool: alliance or eu).",
        ),
    ] = False,
    pool: Annotated[
        str | None,
        typer.Option(
            "--pool", help="With --pooled: alliance (every ally) or eu (the EU's members)."
        ),
    ] = None,
    start: Annotated[
        str, typer.Option("--start", help="First month a build may start (YYYY-MM).")
    ] = "2026-01",
    seed: SeedOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write plan.json and the plan's tables here.")
    ] = None,
) -> None:
    """Plan new lines, expansions and input plants for a munitions goal (linopy + HiGHS).

    The plan is checked in the engine: its lines, run with the same samples, reproduce
    its rounds. An unmet goal says which target cannot be met, by how much, and the
    best achievable. Every plan compares buying the goal's rounds with national and
    pooled contracts (the saving, the first year the budgets pay, who supplies whom).
    """
    from outproduce.analyses.plan import plan

    result = plan(
        scenario,
        objective=objective,
        target=target,
        by=by,
        budget=budget,
        integer=integer,
        robust=robust,
        shortfall_price=shortfall_price,
        start=start,
        seed=seed,
        with_inputs=with_inputs,
        pooling=pooling_option(national, pooled, pool),
    )
    document = result.to_dict()
    if out_dir is not None:
        with result_folder(out_dir) as (work, record):
            write_text_atomic(work / "plan.json", to_json(document))
            if result.table is not None:
                import pandas as pd

                columns = ["candidate", "name", "makes", "size", "start", "capex_usd"]
                builds = pd.DataFrame(document["investments"], columns=columns)
                builds.to_csv(work / "plan_builds.csv", index=False)
                yearly = result.table[["made", "existing"]].groupby("month.year").sum()
                yearly = yearly.mean("sample").to_dataframe()
                yearly.columns = ["plan_rounds", "existing_rounds"]
                yearly.to_csv(work / "plan_rounds_by_year.csv")
            if result.procurement is not None:
                procurement_tables(result.procurement, work)
            record({"scenario": result.scenario.name, "objective": objective})
    if as_json:
        print(to_json(document))
    else:
        print_plan(document)
        if out_dir is not None:
            out.print(f"Wrote: {out_dir}/plan.json and the plan's tables")
    if document["status"] == "check_failed":  # the engine disagrees: never a quiet success
        raise typer.Exit(1)


def print_plan(document: dict) -> None:
    """The plan in words and one table of its builds."""
    out.print(
        f"[bold]outproduce plan[/bold] — scenario [cyan]{document['scenario']}[/cyan], "
        f"objective {document['objective']}: [bold]{document['status']}[/bold]"
    )
    out.print(document["message"], highlight=False)
    if document["investments"]:
        table = number_table("Builds", ("candidate", "makes", "size a year", "start", "capex"))
        for row in document["investments"]:
            table.add_row(
                row["name"],
                row["makes"],
                f"{row['size']:,.0f}",
                row["start"],
                f"USD {row['capex_usd'] / 1e6:,.0f}m",
            )
        out.print(table)
        out.print(
            f"Capital: USD {document['cost_usd'] / 1e9:,.2f} bn; rounds the plan's lines "
            f"deliver: {document['rounds_delivered']:,.0f} (mean over samples)."
        )
    for price in document["shadow_prices"][:6]:
        out.print(f"  - {price['words']}", highlight=False)
    found = document.get("procurement")
    if found:
        out.print(found["words"], highlight=False)
        table = number_table(
            f"Who buys, {found['years'][0]} (median)", ("pooling", "buyer", "rounds", "USD a round")
        )
        for pooling, row in found["poolings"].items():
            for buyer in row["buyers"][:3]:
                price = buyer["unit_price_usd"]
                table.add_row(
                    pooling,
                    buyer["buyer"],
                    f"{buyer['rounds']:,.0f}",
                    "-" if price is None else f"{price:,.0f}",
                )
        out.print(table)
        from outproduce.analyses.plan_buyers import makers_words

        makers = makers_words(found["suppliers"], 6)
        out.print(f"Who supplies (share of the alliance's rounds, {found['years'][0]}): {makers}.")
    check = document["check"]
    if "engine_rel_diff" in check:
        verdict = "reproduces" if check["passed"] else "does NOT reproduce"
        out.print(
            f"Check: the engine, run with the plan's {check['lines']} line(s), {verdict} its "
            f"rounds (largest relative difference {check['engine_rel_diff']:.1e})."
        )


def pooling_option(national: bool, pooled: bool, pool: str | None) -> str | None:
    """``--national`` / ``--pooled [--pool eu|alliance]`` as the plan's pooling (or None)."""
    if national and pooled:
        raise InputError("choose --national or --pooled, not both", field="--pooled")
    if pool is not None and not pooled:
        raise InputError("--pool only applies with --pooled; leave it out", field="--pool")
    if pool is not None and pool not in ("eu", "alliance"):
        raise InputError(f"expected --pool alliance or eu, got {pool!r}", field="--pool")
    if pooled:
        return pool or "alliance"
    return "national" if national else None


def procurement_tables(found: dict, folder: Path) -> None:
    """plan_procurement.csv (each pooling by year) and plan_buyers.csv (each buyer)."""
    import pandas as pd

    yearly, buyers = [], []
    for pooling, row in found["poolings"].items():
        for year, bought, price in zip(
            found["years"], row["rounds_bought"], row["unit_price_usd"], strict=True
        ):
            yearly.append(
                {"pooling": pooling, "year": year, "rounds_bought": bought, "unit_price_usd": price}
            )
        for buyer in row["buyers"]:
            buyers.append(buyer | {"pooling": pooling, "members": " ".join(buyer["members"])})
    pd.DataFrame(yearly).to_csv(folder / "plan_procurement.csv", index=False)
    columns = ["pooling", "buyer", "year", "rounds", "unit_price_usd", "cost_usd", "members"]
    pd.DataFrame(buyers, columns=columns).to_csv(folder / "plan_buyers.csv", index=False)


def register(app: typer.Typer) -> None:
    """Add ``outproduce plan`` to the main app."""
    app.command("plan")(friendly(plan_cmd))
