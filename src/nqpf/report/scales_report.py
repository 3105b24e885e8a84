"""Report section of the scales study.

:func:`add_scales_sections` turns a :class:`~nqpf.studies.ScalesStudyResult` into the section
"城市群与多尺度 Urban agglomerations and scales": the membership status (unverified list,
missing agglomerations) as a warning, the concentration statements ("the agglomerations hold
N % of …"), the agglomeration map, the bar chart of shares, the concentration table with the
member cities with and without data, the aggregates by macro-region and nation (and, as tables,
by agglomeration and province), and the notes.
"""

from __future__ import annotations

from nqpf.paths import MISSING_AGGLOMERATIONS, agglomeration_label
from nqpf.report.html import HtmlReport
from nqpf.report.plots import add_figure
from nqpf.studies.scales import ScalesStudyResult

__all__ = ["SCALES_SECTION_TITLE", "add_scales_sections", "scales_subtitle"]

#: (Chinese, English) title of the scales section.
SCALES_SECTION_TITLE = ("城市群与多尺度", "Urban agglomerations and scales")

_SCALE_TITLES = {
    "agglomeration": ("城市群汇总", "By urban agglomeration"),
    "province": ("省份汇总", "By province"),
    "macro_region": ("四大区域汇总", "By macro-region"),
    "nation": ("全国汇总", "Nation"),
}

_COUNTS = {
    "members": "有数据 with data",
    "members_missing": "无数据 without",
    "partial": "其中部分 partial",
}


def _measure(study: ScalesStudyResult, indicator: str, year: object) -> str:
    names = dict.fromkeys(study.measure_label(indicator))  # one name when both are the same
    return f"{' '.join(names)} {year}"


def add_scales_sections(report: HtmlReport, study: ScalesStudyResult) -> HtmlReport:
    """Add :data:`SCALES_SECTION_TITLE` (status, statements, map, shares, tables) to ``report``."""
    member = study.membership
    report.section(
        *SCALES_SECTION_TITLE,
        intro=(
            f"{len(member.agglomerations)} 个城市群的人口、经济与创新集聚度，以及由城市向城市群、"
            "省份、四大区域与全国的汇总（总量求和，人均量按人口加权）。\n"
            f"Concentration of population, output and innovation in {len(member.agglomerations)} "
            "urban agglomerations, and aggregates from cities to agglomerations, provinces, "
            "macro-regions and the nation (totals summed; per-head values weighted by "
            "population)."
        ),
    )
    if member.source == "bundled":
        report.text(
            "成员名单未经核实 Membership not verified: the bundled list was compiled by hand from "
            "the plan documents and not checked line by line against the plan texts; "
            f"{len(MISSING_AGGLOMERATIONS)} of the 19 national agglomerations are missing ("
            + "、".join(MISSING_AGGLOMERATIONS)
            + "). State this beside any share quoted from this section.",
            kind="warning",
        )
    else:
        report.text(f"城市群成员 Membership: {member.source}", kind="note")
    for statement in study.statements():
        report.text(statement)
    for spec in study.figures().values():
        add_figure(report, spec)
    table = study.concentration_table()
    if not table.empty:
        table = table.assign(
            measure=[
                _measure(study, i, y) for i, y in zip(table.indicator, table.year, strict=True)
            ]
        )
        wide = table.pivot_table(index="label", columns="measure", values="share", sort=False)
        wide.index.name = "城市群 Agglomeration"
        report.table(
            wide,
            caption="城市群占全国份额（%）Agglomerations' shares of the national totals (%)",
            float_format="{:.2f}",
            index=True,
        )
        coverage = table.pivot_table(
            index="label",
            columns="measure",
            values=["members", "members_missing", "partial"],
            sort=False,
        )
        coverage = coverage.reindex(index=wide.index)
        coverage.columns = [f"{m}: {_COUNTS[k]}" for k, m in coverage.columns]
        coverage.index.name = "城市群 Agglomeration"
        report.table(
            coverage.astype(int),
            caption="成员城市数 Member cities with and without data, and partial members counted",
            index=True,
        )
    aggregates = study.aggregates
    for scale in ("macro_region", "nation"):
        block = aggregates[aggregates["scale"] == scale]
        if block.empty:
            continue
        wide = block.assign(
            measure=[
                _measure(study, i, y) for i, y in zip(block.indicator, block.year, strict=True)
            ]
        ).pivot_table(index="unit_name", columns="measure", values="value", sort=False)
        wide.index.name = "单元 Unit"
        report.table(
            wide,
            caption=f"{' '.join(_SCALE_TITLES[scale])}: sums and population-weighted means",
            float_format="{:,.2f}",
            index=True,
        )
    listed = [s for s in ("agglomeration", "province") if s in set(aggregates["scale"])]
    if listed:
        report.text(
            "城市群与省份汇总见表 scales_aggregates。Aggregates by "
            + " and ".join(_SCALE_TITLES[s][1].removeprefix("By ") for s in listed)
            + " are in the table scales_aggregates (workbook sheet, CSV file).",
            kind="note",
        )
    for note in study.notes:
        report.text(note, kind="note")
    return report


def scales_subtitle(study: ScalesStudyResult) -> str:
    """Subtitle of the study's own page: agglomerations, membership and data."""
    names = "、".join(
        agglomeration_label(a).split(" ")[0] for a in study.membership.agglomerations[:3]
    )
    source = "随包数据 bundled data" if study.source == "bundled" else "用户数据 user data"
    return (
        f"{len(study.membership.agglomerations)} 个城市群（{names}…），"
        f"{study.membership.source} membership，{source}"
    )
