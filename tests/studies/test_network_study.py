"""The network study: estimated technology flows, network structure, gravity, modelled vs observed.

References: the technology-market margins as loaded, closed-form results of the doubly
constrained model (β = 0 gives T_ij = O_i D_j / T), the gravity formula of DESIGN.md computed by
hand from the bundled data, the great-circle distance Beijing–Shanghai, and for the QAP part
`mrqap`/`qap_correlation` called on matrices built here plus OLS by least squares.
"""

import math

import numpy as np
import pandas as pd
import pytest

from nqpf._random import RandomSource
from nqpf.data.loaders import load_city_connectivity, load_province_panel, load_technology_market
from nqpf.errors import DataValidationError
from nqpf.geo.geography import (
    great_circle_distance,
    great_circle_matrix,
    internal_distance,
    region_coordinates,
)
from nqpf.network.graph import FlowNetwork
from nqpf.network.qap import mrqap, qap_correlation
from nqpf.studies.network import ATTACKS, DISTANCE_DECAY, NetworkStudyResult, network_study


@pytest.fixture(scope="module")
def study() -> NetworkStudyResult:
    scores = pd.DataFrame(
        {
            "region_code": [110000, 310000, 440000, 510000] * 2,
            "year": [2017] * 4 + [2018] * 4,
            "score": [0.8, 0.7, 0.75, 0.4, 0.82, 0.72, 0.78, 0.45],
        }
    )
    return network_study(scores, resilience_replicates=5, seed=3, qap_permutations=99)


def _off_diagonal_ols(y: np.ndarray, predictors: list[np.ndarray]) -> np.ndarray:
    """Intercept and slopes of OLS on the off-diagonal cells."""
    off = ~np.eye(len(y), dtype=bool)
    X = np.column_stack([np.ones(off.sum()), *(p[off] for p in predictors)])
    return np.linalg.lstsq(X, y[off], rcond=None)[0]


def test_every_year_holds_both_margins_after_rescaling_inflows(study):
    market = load_technology_market().data
    assert sorted(study.estimates) == sorted(market.year.unique())
    for year, est in study.estimates.items():
        part = market[market.year == year].set_index("region_code")
        out = part.outflow_amount.reindex(est.flows.index).fillna(0.0)
        into = part.inflow_amount.reindex(est.flows.index).fillna(0.0)
        flows = est.flows
        np.testing.assert_allclose(flows.sum(axis=1), out, rtol=1e-8, atol=1e-6)
        np.testing.assert_allclose(
            flows.sum(axis=0), into * out.sum() / into.sum(), rtol=1e-8, atol=1e-6
        )
    margins = study.margins.set_index("year")
    assert margins.at[2023, "total_outflow"] == pytest.approx(586_505_782)
    assert margins.at[2023, "gap"] == pytest.approx(586_505_782 - 574_001_275)
    assert any("rescaled to the outflow total" in n for n in study.notes)
    assert any("西藏" in n and "read as 0" in n for n in study.notes)


def test_costs_are_great_circle_with_internal_distance_on_the_diagonal(study):
    cost = study.estimates[2023].cost
    bj_sh = great_circle_distance(116.407, 39.904, 121.473, 31.230)
    assert cost.at[110000, 310000] == pytest.approx(bj_sh, rel=0.01)
    assert cost.at[110000, 310000] == pytest.approx(1067, rel=0.01)
    assert cost.at[110000, 110000] == pytest.approx(internal_distance([110000]).item())


def test_default_beta_halves_the_mean_distance_of_distance_free_flows(study):
    est = study.estimates[2023]
    o = est.flows.sum(axis=1).to_numpy()
    d = est.flows.sum(axis=0).to_numpy()
    c = est.cost.to_numpy()
    free_mean = float(o @ c @ d) / o.sum() ** 2  # β = 0: T_ij = O_i D_j / T
    assert est.mean_cost == pytest.approx(DISTANCE_DECAY * free_mean, rel=1e-6)
    assert est.beta > 0


def test_every_flow_table_says_estimated(study):
    tables = study.tables()
    flows = tables["estimated_flows"]
    assert "estimated_flow" in flows.columns and "flow" not in flows.columns
    assert {"estimated_flows", "estimated_flow_margins"} <= set(tables)
    caption = study.figures()["flow_map"].caption
    assert "估计" in caption and "estimated" in caption
    assert any(n.startswith("估计值 ESTIMATES") for n in study.notes)


def test_network_parts_run_on_the_latest_year(study):
    assert study.year == 2023 and study.flows_source == "estimated"
    net = study.network
    assert net.n == 31 and np.all(np.diag(net.weights) == 0)
    tables = study.tables()
    assert len(tables["estimated_network_centrality"]) == 31
    from_flows = [n for n in tables if not n.startswith(("gravity_", "city_gravity_"))]
    assert all(n.startswith("estimated_") for n in from_flows), from_flows
    captions = [f.caption for k, f in study.figures().items() if k != "city_fit"]
    assert all("估计" in c and "estimated" in c for c in captions), captions
    assert set(tables["estimated_resilience_robustness"].strategy) == set(ATTACKS)
    assert set(tables["estimated_resilience_curves"].strategy) == set(ATTACKS)
    assert tables["estimated_network_communities"].community.min() == 0
    assert len(tables["estimated_core_periphery"]) == 31


def test_index_gravity_uses_bundled_population_and_gdp(study):
    g = study.gravity
    assert study.gravity_year == 2018
    panel = load_province_panel()
    pop = panel.evaluate("population").xs(2018, level="year")
    gdp = panel.evaluate("gdp").xs(2018, level="year")
    size = {110000: 0.82, 310000: 0.72, 440000: 0.78, 510000: 0.45}
    per_capita = gdp * 1e4 / pop
    seats = {110000: (116.407394, 39.904211), 310000: (121.473662, 31.230372)}
    a, b = 110000, 310000
    dist = great_circle_distance(*seats[a], *seats[b])
    k = size[a] / (size[a] + size[b])
    expected = (
        k
        * math.sqrt(pop[a] * size[a])
        * math.sqrt(pop[b] * size[b])
        / (dist / abs(per_capita[a] - per_capita[b])) ** 2
    )
    assert g.linkage.at[a, b] == pytest.approx(expected, rel=1e-3)


def test_city_gravity_is_checked_against_the_three_observed_networks(study):
    fit = study.city_fit
    assert set(fit.network) == {"mob_degree", "sm_degree", "pub_degree"}
    assert set(fit.specification) == {"population_gdp", "population_patents"}
    assert (fit.n == 274).all()
    # one city's modelled total linkage by hand: Σ_j k_ij √(P_i G_i) √(P_j G_j) / D_ij²
    data = load_city_connectivity().data.set_index("region_code")
    p, g = data.resident_population.to_numpy(), data.gdp.to_numpy()
    i = data.index.get_loc(310100)
    dist = great_circle_distance(data.lon.iloc[i], data.lat.iloc[i], data.lon, data.lat)
    others = np.arange(len(p)) != i
    terms = g[i] / (g[i] + g) * np.sqrt(p[i] * g[i]) * np.sqrt(p * g)
    expected = float((terms[others] / dist[others] ** 2).sum())
    scatter = study.city_scatter.query("specification == 'population_gdp'")
    got = scatter.set_index("region_code").at[310100, "modelled"]
    assert got == pytest.approx(expected, rel=1e-3)
    assert "fit_scatter" == study.figures()["city_fit"].plot


def test_user_city_table_runs_gravity_and_own_flows_and_skips_the_rest():
    scores = pd.DataFrame(
        {"region_code": [110100, 310100, 440100], "year": [2020] * 3, "score": [0.9, 0.8, 0.6]}
    )
    od = pd.DataFrame(
        {
            "origin": [110100, 310100, 440100, 110100],
            "destination": [310100, 440100, 110100, 440100],
            "flow": [5.0, 3.0, 2.0, 1.0],
        }
    )
    result = network_study(scores, flows=od, resilience_replicates=2)
    assert not result.estimates and result.flows_source == "user"
    assert result.network.n == 3
    assert result.gravity is not None and result.gravity.linkage.shape == (3, 3)
    assert len(result.city_fit) == 0
    joined = " ".join(result.notes)
    assert "Estimated technology flows skipped" in joined
    assert "Modelled vs observed skipped" in joined
    assert "QAP analysis skipped: 3 region(s) with a score; it needs at least 4" in joined
    assert result.mrqap is None and "qap_correlation" not in result.tables()
    assert "estimated_flows" not in result.tables()
    assert "流量 Flow" in result.figures()["flow_map"].options["label"]


def test_bad_options_are_errors():
    with pytest.raises(DataValidationError, match="2011"):
        network_study(year=2011)
    with pytest.raises(DataValidationError, match="not both"):
        network_study(beta=0.001, target_mean_cost=300)
    with pytest.raises(DataValidationError, match="FlowNetwork"):
        network_study(flows=[1, 2])


def test_flows_can_be_a_flow_network_and_beta_can_be_given():
    net = FlowNetwork.from_matrix([[0, 2, 1], [1, 0, 0], [3, 1, 0]], [110000, 120000, 130000])
    result = network_study(flows=net, beta=0.002, resilience_replicates=2)
    assert result.network is net
    assert "QAP analysis skipped: no index score" in " ".join(result.notes)
    assert result.mrqap is None and result.qap_correlations.empty
    assert all(est.beta == pytest.approx(0.002) for est in result.estimates.values())


def test_mrqap_equals_a_direct_call_on_matrices_built_independently(study):
    nodes = [110000, 310000, 440000, 510000]
    flows = study.estimates[2023].flows.loc[nodes, nodes].to_numpy()
    y = np.log1p(flows)
    np.fill_diagonal(y, 0.0)
    distance = great_circle_matrix(region_coordinates(nodes))
    s = np.array([0.82, 0.72, 0.78, 0.45])  # 2018: the latest score year up to 2023
    scores = np.abs(s[:, None] - s[None, :])
    panel = load_province_panel()
    g = (
        (
            panel.evaluate("gdp").xs(2018, level="year")
            * 1e4
            / panel.evaluate("population").xs(2018, level="year")
        )
        .reindex(nodes)
        .to_numpy()
    )
    gdp_pc = np.abs(g[:, None] - g[None, :])
    source = RandomSource.from_seed(3)
    predictors = {"distance": distance, "score_difference": scores, "gdp_pc_difference": gdp_pc}
    direct = mrqap(y, predictors, permutations=99, seed=source.child("mrqap").seed)
    assert study.qap_year == 2018
    assert study.mrqap.r_squared == pytest.approx(direct.r_squared, rel=1e-9)
    pd.testing.assert_frame_equal(study.mrqap.coefficients, direct.coefficients, rtol=1e-7)
    np.testing.assert_allclose(
        study.mrqap.coefficients.coefficient,
        _off_diagonal_ols(y, list(predictors.values())),
        rtol=1e-7,
    )
    corr = study.qap_correlations.set_index("predictor")
    for name, matrix in predictors.items():
        alone = qap_correlation(matrix, y, permutations=99, seed=source.child("qap", name).seed)
        assert corr.at[name, "correlation"] == pytest.approx(alone.correlation, rel=1e-9)
        assert corr.at[name, "p_two_sided"] == alone.p_two_sided
    tables = study.tables()
    assert {"estimated_qap_correlation", "estimated_mrqap"} <= set(tables)
    assert "qap_correlation" not in tables and "mrqap" not in tables
    assert (tables["estimated_mrqap"].r_squared == direct.r_squared).all()
    joined = " ".join(study.notes)
    assert "ln(1 + estimated flow, 万元)" in joined and "by construction" in joined
    assert "latest score year up to the network's year 2023" in joined
    assert "27: 天津" in joined  # provinces without a score are named, not dropped silently


def test_qap_on_the_users_flows_picks_the_score_year_and_says_what_is_left_out():
    cities = [110100, 310100, 440100, 510100, 420100]
    scores = pd.DataFrame(
        {
            "region_code": cities * 2,
            "year": [2018] * 5 + [2020] * 5,
            "score": [0.9, 0.8, 0.6, 0.5, 0.55, 0.92, 0.85, 0.62, 0.5, 0.6],
        }
    )
    w = np.array(
        [
            [0, 9, 4, 1, 3],
            [7, 0, 5, 2, 2],
            [3, 6, 0, 1, 1],
            [1, 1, 2, 0, 4],
            [2, 3, 1, 5, 0],
        ],
        dtype=float,
    )
    net = FlowNetwork.from_matrix(w, cities)
    result = network_study(
        scores, flows=net, year=2019, resilience_replicates=2, qap_permutations=49, seed=5
    )
    assert result.qap_year == 2018 and result.flows_source == "user"
    s = np.array([0.9, 0.8, 0.6, 0.5, 0.55])
    distance = great_circle_matrix(region_coordinates(cities))
    expected = _off_diagonal_ols(np.log1p(w), [distance, np.abs(s[:, None] - s[None, :])])
    coefficients = result.mrqap.coefficients
    assert list(coefficients.term) == ["intercept", "distance", "score_difference"]
    np.testing.assert_allclose(coefficients.coefficient, expected, rtol=1e-7)
    assert {"qap_correlation", "mrqap"} <= set(result.tables())
    joined = " ".join(result.notes)
    assert "ln(1 + flow, the units of the flows given)" in joined
    assert "GDP per capita difference left out" in joined
    assert "by construction" not in joined
