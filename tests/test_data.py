"""Integrity of the packaged reference dataset."""

from __future__ import annotations

import re

from outproduce import DATA_VERSION
from outproduce.data.catalog import TABLES, load_table, split_sources
from outproduce.data.checks import check_integrity

EU_ALLIES = {
    "BEL",
    "BGR",
    "HRV",
    "CZE",
    "DNK",
    "EST",
    "FIN",
    "FRA",
    "DEU",
    "GRC",
    "HUN",
    "ITA",
    "LVA",
    "LTU",
    "LUX",
    "NLD",
    "POL",
    "PRT",
    "ROU",
    "SVK",
    "SVN",
    "ESP",
    "SWE",
}


def test_integrity_has_no_problems():
    assert check_integrity() == []


def test_every_table_row_names_existing_sources():
    known = set(load_table("sources")["source_id"])
    for name, spec in TABLES.items():
        if not spec.sourced:
            continue
        for cell in load_table(name)["source_id"]:
            ids = split_sources(cell)
            assert ids, f"{name}: row without source"
            assert set(ids) <= known, f"{name}: {set(ids) - known}"


def test_sources_resolve_to_title_publisher_url_date():
    for row in load_table("sources").to_dict("records"):
        assert row["title"].strip() and row["publisher"].strip()
        assert row["url"].startswith(("http://", "https://"))
        assert re.match(r"^\d{4}(-\d{2}){0,2}$", row["published"])


def test_thirty_two_allies_with_unique_codes_and_23_in_the_eu():
    allies = load_table("allies")
    assert len(allies) == 32
    assert allies["iso3"].is_unique
    assert set(allies.loc[allies["eu_member"] == "true", "iso3"]) == EU_ALLIES
    assert allies.set_index("iso3").loc["SWE", "accession_year"] == 2024
    assert allies.set_index("iso3").loc["FIN", "accession_year"] == 2023


def test_adversary_axis_lists_russia_and_its_suppliers():
    adversary = load_table("adversary").set_index("iso3")
    assert adversary.loc["RUS", "role"] == "principal"
    assert {"PRK", "IRN"} <= set(adversary.index[adversary["role"] == "supplier"])
    assert adversary.loc["CHN", "role"] == "dual-use supplier"


def test_baseline_lines_have_steps_and_cover_both_blocs():
    lines = load_table("lines")
    steps = load_table("capacity_steps")
    assert set(steps["line_id"]) <= set(lines["line_id"])
    baseline = lines[lines["in_baseline"] == "true"]
    assert set(baseline["bloc"]) == {"alliance", "adversary", "partners"}
    assert set(baseline["line_id"]) <= set(steps["line_id"])


def test_steps_are_in_date_order_within_each_line():
    steps = load_table("capacity_steps").sort_values(["line_id", "step"])
    for _, group in steps.groupby("line_id"):
        starts = list(group["first_output"])
        fulls = list(group["full_rate"])
        assert all(a <= b for a, b in zip(starts, fulls, strict=True))
        assert all(fulls[i] <= starts[i + 1] for i in range(len(starts) - 1))


def test_published_ranges_are_ranges_not_points():
    steps = load_table("capacity_steps")
    low, mid, high = (steps[f"rate_{k}_per_year"] for k in ("low", "central", "high"))
    assert ((low <= high) & (mid.isna() | ((low <= mid) & (mid <= high)))).all()
    # The EU pre-war level is published as 230,000 vs 300,000: kept as a range.
    eu = steps[(steps["line_id"] == "eu_155_industry") & (steps["step"] == 1)].iloc[0]
    assert (eu["rate_low_per_year"], eu["rate_high_per_year"]) == (230000, 300000)
    assert eu["rate_central_per_year"] != eu["rate_central_per_year"]  # NaN: none published


def test_data_version_names_edition_and_content_hash():
    assert re.fullmatch(r"\d{4}\.\d{2}\+[0-9a-f]{8}", DATA_VERSION)
