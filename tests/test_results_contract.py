"""The results contract, checked on every public result type (like scikit-learn's common checks).

Every :class:`~nqpf.results.Result` subclass exported in the ``__all__`` of a public nqpf
package is discovered here and must have a factory in :data:`FACTORIES` that builds a real
instance on small synthetic or bundled data; a new result type without one fails
:func:`test_every_public_result_type_has_a_factory`. Adding one is one line:
``"NewResult": lambda: new_analysis(_long(), ...),``.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import pkgutil
from collections.abc import Callable
from functools import cache

import ibis
import joblib
import numpy as np
import pandas as pd
import pytest

import nqpf
from nqpf import disparity as dp
from nqpf import econometrics as em
from nqpf import index as ix
from nqpf import spatial as sp
from nqpf import studies as st
from nqpf.data import flows_from_records, load_city_census, load_city_master
from nqpf.efficiency import dea, malmquist, perpetual_inventory
from nqpf.geo import great_circle_matrix, region_coordinates
from nqpf.network import (
    cascade,
    core_periphery,
    mrqap,
    qap_correlation,
    resilience,
    resilience_curves,
)
from nqpf.network.communities import communities
from nqpf.network.graph import FlowNetwork
from nqpf.network.gravity import gravity_linkage, linkage_fit
from nqpf.network.interaction import doubly_constrained
from nqpf.network.metrics import network_metrics
from nqpf.panel import Panel
from nqpf.paths.coupling import coupling_coordination
from nqpf.paths.quotient import location_quotient
from nqpf.paths.scales import aggregate, concentration, memberships
from nqpf.regions import provinces
from nqpf.results import Result, Summary
from nqpf.studies import FigureSpec, StudyResult

# --------------------------------------------------------------------------- discovery
#: Base classes that are public but never returned themselves.
BASES = (Result, StudyResult)


def public_result_types() -> dict[str, type[Result]]:
    """Result subclasses in the ``__all__`` of every public top-level nqpf module or package."""
    found: dict[str, type[Result]] = {}
    for info in pkgutil.iter_modules(nqpf.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"nqpf.{info.name}")
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isclass(obj) and issubclass(obj, Result) and obj not in BASES:
                other = found.setdefault(obj.__name__, obj)
                assert other is obj, f"two public result types named {obj.__name__}"
    return found


# --------------------------------------------------------------------------- small data
YEARS = (2016, 2017, 2018, 2019)


def _dea_x() -> pd.DataFrame:
    """Inputs of 31 provinces × 4 years by (dmu, period): seeded capital and labour."""
    rng = np.random.default_rng(11)
    idx = pd.MultiIndex.from_product([_provinces().index, YEARS], names=["dmu", "period"])
    return pd.DataFrame(rng.uniform(1, 10, (len(idx), 2)), index=idx, columns=["k", "l"])


def _dea_y() -> pd.DataFrame:
    """GDP of :func:`_dea_x`'s rows (seeded)."""
    rng = np.random.default_rng(12)
    x = _dea_x()
    return pd.DataFrame({"gdp": rng.uniform(1, 10, len(x))}, index=x.index)


@cache
def _provinces() -> pd.DataFrame:
    return provinces()


@cache
def _long() -> pd.DataFrame:
    """31 provinces × 4 years: ``region_code, year, gdp, x, score, macro_region`` (seeded)."""
    rng = np.random.default_rng(7)
    table = _provinces()
    codes = table.index.to_numpy()
    frame = pd.DataFrame(
        [(c, t) for t in YEARS for c in codes], columns=["region_code", "year"]
    ).astype("int64")
    level = np.repeat(rng.lognormal(8.0, 0.8, size=len(codes))[None, :], len(YEARS), 0)
    growth = np.cumprod(1.0 + rng.normal(0.06, 0.02, size=level.shape), axis=0)
    frame["gdp"] = (level * growth).ravel()
    frame["x"] = rng.normal(size=len(frame))
    frame["score"] = 0.3 + 0.05 * np.log(frame.gdp) + 0.02 * frame.x
    frame["macro_region"] = table.loc[frame.region_code, "macro_region"].to_numpy()
    return frame


def _latest(column: str) -> pd.Series:
    one = _long()[_long().year == YEARS[-1]]
    return pd.Series(one[column].to_numpy(), index=one.region_code.to_numpy())


def _groups() -> np.ndarray:
    return _latest("macro_region").to_numpy()


def _wide() -> pd.DataFrame:
    return _long().pivot(index="region_code", columns="year", values="gdp")


@cache
def _w() -> sp.SpatialWeights:
    return sp.knn_weights(k=4)


def _w_matrix() -> np.ndarray:
    return _w().align(_wide().index).dense


@cache
def _system() -> dict:
    return {
        "name": "toy",
        "dimensions": [
            {"name": "d1", "indicators": [{"name": "a", "formula": "gdp", "direction": 1}]},
            {"name": "d2", "indicators": [{"name": "b", "formula": "x", "direction": -1}]},
        ],
    }


def _index_result() -> ix.IndexResult:
    return ix.compute_index(_panel(), _system(), weighting="entropy")


@cache
def _panel() -> Panel:
    return Panel.from_wide(_long()[["region_code", "year", "gdp", "x"]].rename(columns=REGION))


def _indicators() -> pd.DataFrame:
    return _long().set_index(["region_code", "year"])[["gdp", "x"]]


@cache
def _spatial_panel_frame() -> pd.DataFrame:
    """``y = (I - 0.4 W)⁻¹ (x + ε)`` by year with region effects (seeded)."""
    rng = np.random.default_rng(11)
    frame = _long()[["region_code", "year", "x"]].copy()
    codes = frame.region_code.unique()
    inverse = np.linalg.inv(np.eye(len(codes)) - 0.4 * _w().align(codes).dense)
    effect = rng.normal(size=len(codes))
    x = frame.x.to_numpy().reshape(len(YEARS), len(codes))
    y = (x + effect + 0.5 * rng.normal(size=x.shape)) @ inverse.T
    return frame.assign(y=y.ravel(), z=rng.normal(size=len(frame)))


def _flows() -> FlowNetwork:
    """A directed flow network among the 31 provinces: GDP products over k-nearest links."""
    gdp = _latest("gdp").to_numpy()
    return FlowNetwork.from_matrix(np.outer(gdp, gdp) * _w_matrix(), list(_latest("gdp").index))


def _sequential(build: Callable[[], Result]) -> Result:
    with joblib.parallel_config(backend="sequential"):  # mgwr asks for every core otherwise
        return build()


def _distances() -> pd.DataFrame:
    codes = list(_latest("gdp").index)
    return pd.DataFrame(great_circle_matrix(region_coordinates(codes)), codes, codes)


def _masses() -> pd.DataFrame:
    """Population (seeded), GDP and GDP per capita by province code."""
    gdp = _latest("gdp")
    population = np.random.default_rng(3).uniform(500, 10_000, len(gdp))
    return pd.DataFrame(
        {"population": population, "gdp": gdp.to_numpy(), "gdp_pc": gdp.to_numpy() / population},
        index=gdp.index,
    )


@cache
def _core_flows() -> FlowNetwork:
    """12 regions, core–periphery flows with noise and some missing edges (seeded)."""
    rng = np.random.default_rng(3)
    c = rng.uniform(0.1, 1.0, size=12)
    w = np.outer(c, c) * rng.lognormal(0.0, 0.5, size=(12, 12))
    w[rng.uniform(size=w.shape) < 0.3] = 0.0
    return FlowNetwork.from_matrix(w, [f"r{i}" for i in range(12)])


@cache
def _census() -> pd.DataFrame:
    """Census population of the cities, 2010 and 2020."""
    data = load_city_census().data
    return data[data.indicator == "census_population"]


DIRECTIONS = {"gdp": 1, "x": -1}
REGION = {"region_code": "region"}

#: One factory per public result type: type name → a function building a real instance.
FACTORIES: dict[str, Callable[[], Result]] = {
    # index
    "AHPResult": lambda: ix.ahp_weights([[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]]),
    "CompositeScores": lambda: ix.linear_aggregate(
        ix.normalize_indicators(_indicators(), DIRECTIONS),
        ix.entropy_weights(_indicators(), DIRECTIONS),
    ),
    "IndexWeights": lambda: ix.entropy_weights(_indicators(), DIRECTIONS),
    "IndexResult": _index_result,
    "ObstacleResult": lambda: ix.obstacle_degree(
        ix.normalize_indicators(_indicators(), DIRECTIONS),
        ix.entropy_weights(_indicators(), DIRECTIONS),
    ),
    "UncertaintyResult": lambda: ix.rank_uncertainty(
        _indicators(), DIRECTIONS, groups="year", n_runs=10, seed=0
    ),
    # disparity
    "BetaConvergenceResult": lambda: dp.beta_convergence(_long(), "gdp", region="region_code"),
    "ClubConvergenceResult": lambda: dp.club_convergence(
        _long(), "gdp", "macro_region", region="region_code"
    ),
    "DagumGiniResult": lambda: dp.dagum_gini(_latest("gdp").to_numpy(), _groups()),
    "DagumPanelResult": lambda: dp.dagum_gini_panel(
        _long(), "gdp", "macro_region", bootstrap=9, seed=1
    ),
    "DisparityStudyResult": lambda: st.disparity_study(
        _long(), "gdp", k=3, w=_w(), bootstrap=9, seed=1, grid=16
    ),
    "DisparityTable": lambda: dp.disparity_table(_long(), "gdp", "macro_region"),
    "KernelDensityResult": lambda: dp.kernel_density(_long(), "gdp", grid=16),
    "MarkovResult": lambda: dp.markov(_wide(), k=3, periods=2),
    "RankMobilityResult": lambda: dp.rank_mobility(_wide()),
    "SigmaConvergenceResult": lambda: dp.sigma_convergence(_long(), "gdp"),
    "SpatialBetaConvergenceResult": lambda: dp.spatial_beta_convergence(
        _long(), "gdp", _w_matrix(), draws=10, region="region_code"
    ),
    "SpatialMarkovResult": lambda: dp.spatial_markov(_wide(), _w_matrix(), k=3),
    "TheilResult": lambda: dp.theil(_latest("gdp").to_numpy(), _groups()),
    "TestResult": lambda: dp.homogeneity_test([[[3, 1], [1, 3]], [[1, 3], [2, 2]]])["LR"],
    # spatial
    "DriversStudyResult": lambda: _sequential(
        lambda: st.drivers_study(
            _panel(), _index_result(), x=["x"], w=_w(), draws=10, geodetector_classes=[3]
        )
    ),
    "GWRResult": lambda: _sequential(
        lambda: sp.gwr(_long()[_long().year == YEARS[-1]], "score", ["x"], bw=20)
    ),
    "GeoDetectorResult": lambda: sp.geodetector(
        _long().assign(q=pd.qcut(_long().x, 3, labels=False)), "gdp", ["q", "macro_region"]
    ),
    "GetisOrdResult": lambda: sp.getis_ord(_latest("gdp"), _w(), permutations=9, seed=1),
    "LocalMoranResult": lambda: sp.local_moran(_latest("gdp"), _w(), permutations=9, seed=1),
    "MoranResult": lambda: sp.moran(_latest("gdp"), _w(), permutations=9, seed=1),
    "OptimalDiscretization": lambda: sp.optimal_discretization(
        _long().x, _long().gdp, methods=("equal", "quantile"), classes=[3, 4]
    ),
    "SpatialPanelStatistic": lambda: sp.moran_by_year(
        _long(), _w(), value="gdp", permutations=9, seed=1
    ),
    "SpatialStudyResult": lambda: st.spatial_study(_long(), w=_w(), permutations=9, seed=1),
    "IndexStudyResult": lambda: st.index_study(_panel(), _system(), runs=10, seed=0),
    "CouplingStudyResult": lambda: st.coupling_study(_index_result()),
    "NetworkStudyResult": lambda: st.network_study(_long(), resilience_replicates=2, seed=0),
    "ScalesStudyResult": lambda: st.scales_study(
        _census()
        .pivot(index=["region_code", "year"], columns="indicator", values="value")
        .reset_index(),
        values=["census_population"],
    ),
    "ScenarioStudyResult": lambda: st.scenario_study(_panel(), _system(), ["a*1.1"], runs=10),
    "CityStudyResult": lambda: st.city_study(runs=5, permutations=9),
    "EfficiencyInputs": lambda: instance("EfficiencyStudyResult").inputs,
    "EfficiencyStudyResult": lambda: st.efficiency_study(),
    "ChainStudyResult": lambda: st.chain_study(model="additive"),
    "SpatialWeights": _w,
    # econometrics
    "PanelFEResults": lambda: em.panel_fe(_spatial_panel_frame(), "y", ["x", "z"]),
    "SpatialPanelResults": lambda: em.SpatialPanel("sar", "region", draws=10).fit(
        _spatial_panel_frame(), y="y", x=["x", "z"], w=_w()
    ),
    # network
    "Communities": lambda: communities(_flows(), seed=0),
    "NetworkMetrics": lambda: network_metrics(_flows()),
    # data
    "Loaded": load_city_master,
    "RecordFlows": lambda: flows_from_records(
        ibis.memtable({"o": ["北京", "上海", "火星"], "d": ["上海", "北京", "北京"]}),
        origin="o",
        destination="d",
    ),
    # network
    "ODEstimate": lambda: doubly_constrained(
        _latest("gdp"), _latest("gdp"), _distances(), target_mean_cost=1000.0
    ),
    "GravityLinkage": lambda: gravity_linkage(_masses(), per_capita="gdp_pc"),
    "LinkageFit": lambda: linkage_fit(
        gravity_linkage(_masses()).totals.set_index("region").total_linkage, _masses()
    ),
    # network: core–periphery, QAP, resilience
    "CorePeriphery": lambda: core_periphery(_core_flows(), starts=3),
    "QAPCorrelation": lambda: qap_correlation(
        _core_flows(), _core_flows().weights.T, permutations=9
    ),
    "MRQAP": lambda: mrqap(
        _core_flows(), {"reverse": _core_flows().weights.T}, permutations=9, seed=1
    ),
    "Resilience": lambda: resilience(_core_flows(), "random", replicates=3),
    "ResilienceCurves": lambda: resilience_curves(_core_flows(), replicates=3),
    "Cascade": lambda: cascade(_core_flows(), 0.1),
    # paths: scales
    "Membership": memberships,
    "Aggregated": lambda: aggregate(_census(), to="agglomeration"),
    "Concentration": lambda: concentration(_census()),
    # paths: coupling coordination, location quotient
    "CouplingCoordination": lambda: coupling_coordination(
        _long().assign(a=lambda f: f.score.clip(0, 1), b=lambda f: (f.x.abs() / 4).clip(0, 1))[
            ["region_code", "year", "a", "b"]
        ]
    ),
    "LocationQuotient": lambda: location_quotient(
        _long().melt(["region_code", "year"], ["gdp", "score"], "sector"),
        region="region_code",
        sector="sector",
        value="value",
        year="year",
    ),
    # efficiency
    "CapitalStock": lambda: perpetual_inventory(_wide().T, _wide().T * 0 + 1.0),
    "DEAResult": lambda: dea(
        _dea_x().xs(2019, level="period"), _dea_y().xs(2019, level="period"), super=True
    ),
    "Malmquist": lambda: malmquist(_dea_x(), _dea_y()),
    # efficiency: green productivity
    "DirectionalDistance": lambda: nqpf.efficiency.directional_distance(
        [1.0, 2.0], [2.0, 3.0], [2.0, 1.0], [1.0, 2.0], [4.0, 3.0], [2.0, 1.0]
    ),
    "MalmquistLuenberger": lambda: nqpf.efficiency.malmquist_luenberger(
        pd.DataFrame(
            {
                "region_code": list("abab"),
                "year": [1, 1, 2, 2],
                "x": 1.0,
                "y": [4.0, 2.0, 6.0, 4.0],
                "co2": 2.0,
            }
        ),
        inputs=["x"],
        good=["y"],
        bad=["co2"],
        kind="global",
    ),
    "TwoStage": lambda: nqpf.efficiency.two_stage(
        _dea_x(), _dea_y().rename(columns={"gdp": "z"}), _dea_y() * 0.5 + 1.0, model="additive"
    ),
}

PUBLIC = public_result_types()


@cache
def instance(name: str) -> Result:
    """The factory's instance of the public result type ``name`` (built once)."""
    result = FACTORIES[name]()
    assert type(result) is PUBLIC[name], f"the {name} factory built a {type(result).__name__}"
    return result


# --------------------------------------------------------------------------- checks
def test_every_public_result_type_has_a_factory():
    missing = sorted(set(PUBLIC) - set(FACTORIES))
    assert not missing, f"public result types without a factory in FACTORIES: {missing}"
    stale = sorted(set(FACTORIES) - set(PUBLIC))
    assert not stale, f"factories of types that are no longer public results: {stale}"


def test_discovery_finds_types_of_every_family():
    modules = {cls.__module__.split(".")[1] for cls in PUBLIC.values()}
    assert {"index", "disparity", "spatial", "econometrics", "data", "results"} <= modules


NAMES = sorted(set(PUBLIC) & set(FACTORIES))


@pytest.mark.parametrize("name", NAMES)
def test_frozen(name):
    result = instance(name)
    assert dataclasses.is_dataclass(result) and result.__dataclass_params__.frozen  # type: ignore[attr-defined]
    first = dataclasses.fields(result)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, first, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.meta = {}  # type: ignore[misc]


@pytest.mark.parametrize("name", NAMES)
def test_to_frame_is_a_flat_frame(name):
    frame = instance(name).to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) > 0
    assert not isinstance(frame.columns, pd.MultiIndex)
    assert all(isinstance(c, str) for c in frame.columns), list(frame.columns)
    assert frame.columns.is_unique, list(frame.columns)


@pytest.mark.parametrize("name", NAMES)
def test_summary_renders(name):
    summary = instance(name).summary()
    assert isinstance(summary, Summary)
    text, html = summary.as_text(), summary.as_html()
    assert isinstance(text, str) and text.strip()
    assert isinstance(html, str) and "<table" in html


@pytest.mark.parametrize("name", NAMES)
def test_to_dict_is_strict_json(name):
    payload = json.loads(json.dumps(instance(name).to_dict(), allow_nan=False))
    assert payload["meta"]["method"] and payload["meta"]["nqpf_version"]


@pytest.mark.parametrize("name", NAMES)
def test_meta_names_method_and_version(name):
    meta = instance(name).meta
    assert isinstance(meta.get("method"), str) and meta["method"]
    assert meta.get("nqpf_version")


STUDY_NAMES = sorted(n for n, cls in PUBLIC.items() if issubclass(cls, StudyResult))


@pytest.mark.parametrize("name", STUDY_NAMES)
def test_study_lists_tables_and_figures(name):
    study = instance(name)
    assert study.key and all(study.title)
    tables = study.tables()
    assert tables and all(isinstance(k, str) and k.isidentifier() for k in tables)
    assert all(isinstance(t, pd.DataFrame) for t in tables.values())
    figures = study.figures()
    assert figures and all(isinstance(f, FigureSpec) and f.caption for f in figures.values())
