"""The studies of the main job (``nqpf report``), in report order.

Each entry runs one study on the :class:`~nqpf.studies.base.MainJob`: the index first (every
later study reads its score), then regional differences, spatial structure, the coupling of the
index's elements, drivers and the inter-regional network (estimated technology flows, network
structure, gravity linkages). A new family appends one :class:`~nqpf.studies.base.Study` here;
the report, the workbook and the workbench loop over this tuple.
"""

from __future__ import annotations

from nqpf.studies.base import MainJob, Study, StudyResult
from nqpf.studies.chain import chain_study
from nqpf.studies.city import CITY_RUNS, city_study
from nqpf.studies.coupling import coupling_study
from nqpf.studies.disparity import disparity_study
from nqpf.studies.drivers import drivers_study
from nqpf.studies.efficiency import efficiency_study
from nqpf.studies.index import index_study
from nqpf.studies.inputs import is_province, require_bundled
from nqpf.studies.network import network_study
from nqpf.studies.scales import scales_study
from nqpf.studies.scenario import DEFAULT_CHANGES, scenario_study
from nqpf.studies.spatial import spatial_study

__all__ = ["STUDIES"]


def _index(job: MainJob) -> StudyResult:
    progress = job.progress("Monte Carlo runs", job.runs) if job.progress else None
    return index_study(
        job.panel,
        job.system,
        weighting=job.weighting,
        aggregation=job.aggregation,
        runs=job.runs,
        seed=job.seed,
        progress=progress,
    )


def _disparity(job: MainJob) -> StudyResult:
    return disparity_study(job.index, "score", "macro_region", seed=job.seed)


def _weights(job: MainJob) -> str:
    """Queen contiguity for provinces; the 4 nearest city seats otherwise."""
    codes = job.index.scores["region_code"].unique()
    return "queen" if all(is_province(c) for c in codes) else "knn:4"


def _spatial(job: MainJob) -> StudyResult:
    return spatial_study(job.index, "score", w=_weights(job), seed=job.seed)


def _coupling(job: MainJob) -> StudyResult:
    return coupling_study(job.index)


def _efficiency(job: MainJob) -> StudyResult:
    return efficiency_study(job.panel)


def _chain(job: MainJob) -> StudyResult:
    return chain_study(job.panel)


def _drivers(job: MainJob) -> StudyResult:
    return drivers_study(job.panel, job.index, w=_weights(job), seed=job.seed)


def _network(job: MainJob) -> StudyResult:
    progress = job.progress("网络分析 Network analyses", 6) if job.progress else None
    return network_study(job.index, seed=job.seed, progress=progress)


def _city(job: MainJob) -> StudyResult:
    require_bundled(job.panel, "city", "the bundled city data")
    runs = min(job.runs, CITY_RUNS)
    progress = job.progress("Monte Carlo runs", runs) if job.progress else None
    return city_study(runs=runs, seed=job.seed, progress=progress)


def _scales(job: MainJob) -> StudyResult:
    require_bundled(job.panel, "scales", "the bundled census, prefecture panel and patents")
    return scales_study()


def _scenario(job: MainJob) -> StudyResult:
    """+10 % R&D intensity in the Central region, with the main job's runs and seed."""
    progress = job.progress("情景 Scenario runs", 2 * job.runs) if job.progress else None
    return scenario_study(
        job.panel,
        job.system,
        DEFAULT_CHANGES,
        runs=job.runs,
        seed=job.seed,
        weighting=job.weighting,
        aggregation=job.aggregation,
        progress=progress,
    )


#: The main job's studies, in report order.
STUDIES: tuple[Study, ...] = (
    Study("index", "Composite index 综合指数", _index),
    Study("disparity", "Regional differences 区域差异", _disparity),
    Study("spatial", "Spatial structure 空间格局", _spatial),
    Study(
        "coupling",
        "Coupling coordination 耦合协调",
        _coupling,
        hint="Coupling needs an index system with at least two dimensions (elements).",
    ),
    Study(
        "efficiency",
        "TFP and green TFP 全要素生产率",
        _efficiency,
        hint="The efficiency study runs on the bundled province inputs; for your own table run "
        "`nqpf efficiency --data FILE --input COL --output COL --undesirable COL`.",
    ),
    Study(
        "chain",
        "Innovation-chain efficiency 创新链两阶段效率",
        _chain,
        hint="The chain's default variables are indicators of the bundled data; for your own "
        "table run `nqpf chain --data FILE --input COL --intermediate COL --output COL`.",
    ),
    Study(
        "drivers",
        "Drivers 影响因素",
        _drivers,
        hint="The default drivers are variables of the bundled data; for your own table run "
        "`nqpf drivers --data FILE --x 'name=expression'` with drivers built from its columns.",
    ),
    Study(
        "network",
        "Networks 区域联系与网络",
        _network,
        hint="For your own O–D table run `nqpf network study --data FILE --flows OD.csv`.",
    ),
    Study(
        "city",
        "City index 城市新质生产力指数",
        _city,
        hint="It uses the bundled city data; `nqpf city --system FILE` runs another city system.",
    ),
    Study(
        "scales",
        "Urban agglomerations and scales 城市群与多尺度",
        _scales,
        hint="For your own city table run `nqpf scales --data FILE --value COL`.",
    ),
    Study(
        "scenario",
        "Scenario analysis 情景分析",
        _scenario,
        hint="The default scenario changes rd_intensity of nqpf-province.yaml; for your own "
        "system run `nqpf scenario --data FILE --change 'INDICATOR*1.1@REGIONS'`.",
    ),
)
