"""Report section of the innovation-chain study.

:func:`add_chain_sections` turns a :class:`~nqpf.studies.ChainStudyResult` into the section
"创新链两阶段效率 Two-stage innovation-chain efficiency": the stage 1 vs stage 2 scatter and the map
of overall efficiency in the latest year, the national and macro-region means by year, and the
notes (variables, years, left-out region-years, uniqueness of the decomposition).
"""

from __future__ import annotations

from nqpf.report.html import HtmlReport
from nqpf.report.plots import add_figure
from nqpf.studies.chain import ChainStudyResult

__all__ = ["CHAIN_SECTION_TITLE", "add_chain_sections", "chain_subtitle"]

#: (Chinese, English) title of the chain section.
CHAIN_SECTION_TITLE = ("创新链两阶段效率", "Two-stage innovation-chain efficiency")

_MODELS = {
    "relational": ("关联模型（Kao & Hwang 2008）", "relational model (Kao & Hwang 2008)"),
    "additive": (
        "加性模型（Chen, Cook, Li & Zhu 2009）",
        "additive model (Chen, Cook, Li & Zhu 2009)",
    ),
}


def add_chain_sections(report: HtmlReport, study: ChainStudyResult) -> HtmlReport:
    """Add :data:`CHAIN_SECTION_TITLE` (scatter, map, means, notes) to ``report``."""
    years = study.years
    span = f"{years[0]}–{years[-1]}"
    zh, en = _MODELS[study.efficiency.model]
    report.section(
        *CHAIN_SECTION_TITLE,
        intro=(
            f"研发阶段（投入→专利与论文）与成果转化阶段（专利与论文→技术市场成交额与新产品销售收入）的"
            f"两阶段网络DEA效率，{zh}，规模报酬不变，{span}，每年各自的前沿面。\n"
            f"Two-stage network DEA of the R&D stage (inputs → patents and papers) and the "
            f"commercialisation stage (patents and papers → technology-market turnover and "
            f"new-product sales), {en}, constant returns, {span}, one frontier per year."
        ),
    )
    for spec in study.figures().values():
        add_figure(report, spec)
    means = study.means().rename(
        columns={
            "year": "年份 Year",
            "group": "区域 Region",
            "regions": "地区数 Regions",
            "overall": "总效率 Overall",
            "stage1": "研发阶段 Stage 1",
            "stage2": "转化阶段 Stage 2",
        }
    )
    report.table(means, caption=f"全国与四大区域均值 National and macro-region means, {span}")
    for note in study.notes:
        report.text(note, kind="note")
    return report


def chain_subtitle(study: ChainStudyResult) -> str:
    """Subtitle of the study's own page: model and years."""
    years = study.years
    return f"{_MODELS[study.efficiency.model][0]}，{years[0]}–{years[-1]}"
