"""How each study becomes report sections, and a page of its own.

:data:`SECTIONS` maps a study's key (:attr:`nqpf.studies.StudyResult.key`) to the function that
adds its sections to an :class:`~nqpf.report.html.HtmlReport` and to the subtitle of its own page.
The main job (:func:`nqpf.report.build.build_report`) and the study commands (``nqpf disparity``,
``nqpf spatial``, ``nqpf drivers``) both go through :func:`add_study_sections`; a new family adds
one entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from nqpf.report.chain_report import add_chain_sections, chain_subtitle
from nqpf.report.city_report import add_city_sections, city_subtitle
from nqpf.report.coupling_report import add_coupling_sections, coupling_subtitle
from nqpf.report.disparity_report import add_disparity_sections, disparity_subtitle
from nqpf.report.efficiency_report import add_efficiency_sections, efficiency_subtitle
from nqpf.report.html import HtmlReport
from nqpf.report.index_report import add_index_sections
from nqpf.report.network_report import add_network_sections, network_subtitle
from nqpf.report.scales_report import add_scales_sections, scales_subtitle
from nqpf.report.scenario_report import add_scenario_sections, scenario_subtitle
from nqpf.report.spatial_report import (
    add_drivers_sections,
    add_spatial_sections,
    drivers_subtitle,
    spatial_subtitle,
)
from nqpf.studies.base import StudyResult
from nqpf.studies.index import IndexStudyResult

__all__ = ["SECTIONS", "add_skipped_section", "add_study_sections", "write_study_page"]


def _index_sections(report: HtmlReport, study: IndexStudyResult) -> HtmlReport:
    return add_index_sections(
        report,
        study.index,
        uncertainty=study.rank_intervals(),
        sensitivity=None if study.uncertainty is None else study.uncertainty.sensitivity,
        repairs=False,
    )


def _index_subtitle(study: IndexStudyResult) -> str:
    years = study.index.years
    return f"{study.index.system_name}，{years[0]}–{years[-1]}"


#: Study key → (section writer, subtitle of the study's own page).
SECTIONS: dict[str, tuple[Callable[[HtmlReport, Any], HtmlReport], Callable[[Any], str]]] = {
    "index": (_index_sections, _index_subtitle),
    "disparity": (add_disparity_sections, disparity_subtitle),
    "spatial": (add_spatial_sections, spatial_subtitle),
    "coupling": (add_coupling_sections, coupling_subtitle),
    "drivers": (add_drivers_sections, drivers_subtitle),
    "network": (add_network_sections, network_subtitle),
    "scales": (add_scales_sections, scales_subtitle),
    "scenario": (add_scenario_sections, scenario_subtitle),
    "city": (add_city_sections, city_subtitle),
    "efficiency": (add_efficiency_sections, efficiency_subtitle),
    "chain": (add_chain_sections, chain_subtitle),
}


def add_study_sections(report: HtmlReport, study: StudyResult) -> HtmlReport:
    """Add the sections of ``study`` to ``report``."""
    try:
        writer, _ = SECTIONS[study.key]
    except KeyError:
        raise TypeError(f"no report sections are registered for study {study.key!r}") from None
    return writer(report, study)


def add_skipped_section(report: HtmlReport, skipped: Mapping[str, str]) -> HtmlReport:
    """A section listing the studies that could not run on these data, each with the reason."""
    if not skipped:
        return report
    report.section(
        "未能完成的分析",
        "Analyses not run on these data",
        intro="以下分析因数据不满足条件而未计算，原因如下。The following analyses were skipped; "
        "each line says why and what would make it run.",
    )
    for reason in skipped.values():
        report.text(reason, kind="warning")
    return report


def write_study_page(
    study: StudyResult,
    path: str | Path,
    *,
    title: tuple[str, str] | None = None,
    subtitle: str | None = None,
) -> Path:
    """Write a standalone, self-contained HTML page with only the sections of ``study``.

    The title defaults to the study's :attr:`~nqpf.studies.StudyResult.title`.
    """
    _, describe = SECTIONS[study.key]
    report = HtmlReport(*(title or study.title), subtitle=subtitle or describe(study))
    add_study_sections(report, study)
    return report.write(path)
