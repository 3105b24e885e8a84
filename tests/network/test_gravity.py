"""Modified gravity linkages (hand-checked, symmetry and scale facts, bad input) and linkage_fit."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from nqpf.errors import DataValidationError, DuplicateError
from nqpf.geo import great_circle_matrix, region_coordinates
from nqpf.network.graph import FlowNetwork
from nqpf.network.gravity import GravityLinkage, LinkageFit, gravity_linkage, linkage_fit

MASSES = pd.DataFrame(
    {"population": [4.0, 1.0, 9.0], "gdp": [1.0, 4.0, 1.0], "gdp_pc": [2.0, 5.0, 3.0]},
    index=["a", "b", "c"],
)
DIST = pd.DataFrame(
    [[0.0, 3.0, 4.0], [3.0, 0.0, 6.0], [4.0, 6.0, 0.0]], index=MASSES.index, columns=MASSES.index
)


def test_three_regions_by_hand():
    # √(P G): a 2, b 2, c 3.  k_ab = 1/5, k_ba = 4/5, k_ac = k_ca = 1/2, k_bc = 4/5, k_cb = 1/5.
    # economic distance D/|Δg|: ab 3/3 = 1, ac 4/1 = 4, bc 6/2 = 3.
    # R_ab = 1/5·4/1 = 0.8, R_ba = 4/5·4 = 3.2, R_ac = R_ca = 1/2·6/16 = 0.1875,
    # R_bc = 4/5·6/9 = 8/15, R_cb = 1/5·6/9 = 2/15.
    result = gravity_linkage(MASSES, per_capita="gdp_pc", distance=DIST)
    expected = [[0, 0.8, 0.1875], [3.2, 0, 8 / 15], [0.1875, 2 / 15, 0]]
    np.testing.assert_allclose(result.linkage.to_numpy(), expected, rtol=1e-12)
    totals = [0.9875, 3.2 + 8 / 15, 0.1875 + 2 / 15]
    np.testing.assert_allclose(result.totals.total_linkage, totals, rtol=1e-12)
    np.testing.assert_allclose(result.totals.share, np.array(totals) / sum(totals), rtol=1e-12)
    assert result.undefined.empty and isinstance(result, GravityLinkage)


def test_geographic_distance_only_by_hand():
    # R_ab = 1/5 · 4 / 9, R_bc = 4/5 · 6 / 36
    result = gravity_linkage(MASSES, distance=DIST)
    assert result.linkage.at["a", "b"] == pytest.approx(4 / 45)
    assert result.linkage.at["b", "c"] == pytest.approx(4 / 5 * 6 / 36)
    assert "no economic distance" in result.notes[1]


def random_masses(seed: int, n: int = 6) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "population": rng.uniform(1, 100, n),
            "gdp": rng.uniform(1, 100, n),
            "gdp_pc": rng.uniform(1, 10, n),
        },
        index=[f"r{k}" for k in range(n)],
    )
    xy = rng.uniform(0, 1000, (n, 2))
    return frame, np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))


@pytest.mark.parametrize("per_capita", [None, "gdp_pc"])
def test_k_splits_a_symmetric_gravity_term(per_capita):
    masses, d = random_masses(1)
    r = gravity_linkage(masses, per_capita=per_capita, distance=d).linkage.to_numpy()
    p, g = masses.population.to_numpy(), masses.gdp.to_numpy()
    k = g[:, None] / (g[:, None] + g[None, :])
    np.testing.assert_allclose(k + k.T, 1.0)
    gap = (
        1.0
        if per_capita is None
        else np.abs(masses.gdp_pc.to_numpy()[:, None] - masses.gdp_pc.to_numpy())
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        symmetric = np.sqrt(np.outer(p * g, p * g)) / (d / gap) ** 2
    np.fill_diagonal(symmetric, 0.0)
    np.testing.assert_allclose(r + r.T, symmetric, rtol=1e-12)


scale = st.floats(0.01, 100.0)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), c=scale)
def test_scale_properties(seed, c):
    masses, d = random_masses(seed)
    base = gravity_linkage(masses, distance=d).linkage
    econ = gravity_linkage(masses, per_capita="gdp_pc", distance=d).linkage

    def linkage(frame, dist=d, per_capita=None):
        return gravity_linkage(frame, per_capita=per_capita, distance=dist).linkage

    pd.testing.assert_frame_equal(linkage(masses.assign(gdp=c * masses.gdp)), c * base, rtol=1e-9)
    pd.testing.assert_frame_equal(
        linkage(masses.assign(population=c * masses.population)), c * base, rtol=1e-9
    )
    pd.testing.assert_frame_equal(linkage(masses, dist=c * d), base / c**2, rtol=1e-9)
    shifted = masses.assign(gdp_pc=masses.gdp_pc + c)
    pd.testing.assert_frame_equal(linkage(shifted, per_capita="gdp_pc"), econ, rtol=1e-6)
    scaled = masses.assign(gdp_pc=masses.gdp_pc * c)
    pd.testing.assert_frame_equal(linkage(scaled, per_capita="gdp_pc"), econ * c**2, rtol=1e-9)


def test_totals_shares_and_memberships():
    masses, d = random_masses(5)
    result = gravity_linkage(masses, per_capita="gdp_pc", distance=d)
    assert result.totals.share.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(result.totals.total_linkage, result.linkage.sum(axis=1))
    f = result.memberships()
    np.testing.assert_allclose(f.sum(axis=1), 1.0)
    np.testing.assert_allclose(
        f.to_numpy() * result.linkage.sum(axis=1).to_numpy()[:, None], result.linkage
    )


def test_equal_per_capita_values_are_undefined_never_infinite():
    masses = MASSES.assign(gdp_pc=[2.0, 5.0, 2.0])
    result = gravity_linkage(masses, per_capita="gdp_pc", distance=DIST)
    r = result.linkage
    assert math.isnan(r.at["a", "c"]) and math.isnan(r.at["c", "a"])
    assert np.isfinite(r.to_numpy()[~np.isnan(r.to_numpy())]).all()
    assert result.undefined.to_dict("list") == {"origin": ["a", "c"], "destination": ["c", "a"]}
    assert any("undefined for 1 pair(s)" in n and "'a'–'c'" in n for n in result.notes)
    assert result.totals.total_linkage.at[0] == pytest.approx(0.8)
    net = result.network()
    assert isinstance(net, FlowNetwork) and net.weights[0, 2] == 0 and net.weights[0, 1] > 0
    assert any("2 undefined linkage(s)" in n for n in net.notes)
    assert result.memberships().at["a", "b"] == pytest.approx(1.0)
    assert "未定义 Undefined" in str(result.summary())


def test_great_circle_distances_by_default():
    codes = [110000, 310000, 440000]
    masses = MASSES.set_axis(codes)
    result = gravity_linkage(masses)
    d = great_circle_matrix(region_coordinates(codes))
    expected = gravity_linkage(masses, distance=d)
    pd.testing.assert_frame_equal(result.linkage, expected.linkage)
    lonlat = pd.DataFrame(region_coordinates(codes), index=codes, columns=["lon", "lat"])
    given_points = gravity_linkage(masses, coordinates=lonlat.iloc[::-1])
    pd.testing.assert_frame_equal(given_points.linkage, expected.linkage)
    with pytest.raises(DataValidationError, match="no registry seat"):
        gravity_linkage(MASSES)


def test_distance_frame_is_aligned_by_label():
    shuffled = DIST.iloc[[2, 0, 1], [1, 2, 0]]
    pd.testing.assert_frame_equal(
        gravity_linkage(MASSES, distance=shuffled).linkage,
        gravity_linkage(MASSES, distance=DIST).linkage,
    )
    # a larger matrix (e.g. of all provinces) serves a subset of regions
    pd.testing.assert_frame_equal(
        gravity_linkage(MASSES.iloc[:2], distance=DIST).linkage,
        gravity_linkage(MASSES.iloc[:2], distance=DIST.iloc[:2, :2]).linkage,
    )


def test_result_parts():
    result = gravity_linkage(MASSES, per_capita="gdp_pc", distance=DIST)
    frame = result.to_frame()
    assert list(frame.columns) == ["origin", "destination", "linkage"] and len(frame) == 6
    assert frame.set_index(["origin", "destination"]).linkage[("b", "a")] == pytest.approx(3.2)
    assert "引力联系 Gravity linkages" in str(result.summary())
    assert result.meta["per_capita"] == "gdp_pc"


# --------------------------------------------------------------------------- bad input
def with_cell(i, j, value):
    d = DIST.astype(object)
    d.loc[i, j] = value
    return d


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"distance": with_cell("a", "c", 0.0)}, "between 'a' and 'c' is 0"),
        ({"distance": with_cell("b", "a", np.nan)}, "between 'b' and 'a' is missing"),
        ({"distance": DIST.drop(columns="b")}, r"distance columns lack \['b'\]"),
        ({"distance": np.ones((2, 2))}, r"shape \(2, 2\)"),
        ({"distance": DIST, "per_capita": "pc"}, "no column 'pc'"),
        ({"distance": DIST, "mass": "people"}, "no column 'people'"),
        ({"distance": DIST, "coordinates": DIST}, "not both"),
        ({"coordinates": pd.DataFrame({"lon": [1.0, 2.0], "lat": [0, 0]}, ["a", "b"])}, r"\['c'\]"),
        ({"coordinates": pd.DataFrame({"lon": [1.0] * 3, "lat": [0.0] * 3}, list("abc"))}, "is 0"),
    ],
)
def test_bad_input_names_what_is_wrong(kwargs, message):
    with pytest.raises(DataValidationError, match=message):
        gravity_linkage(MASSES, **kwargs)


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("population", 0.0, "'population' of region 'b' is 0; gravity masses must be positive"),
        ("gdp", -2.0, "'gdp' of region 'b' is -2"),
        ("gdp", np.nan, "'gdp' of region 'b' is missing"),
        ("gdp_pc", np.nan, "'gdp_pc' of region 'b' is missing"),
    ],
)
def test_bad_masses_name_the_region(column, value, message):
    masses = MASSES.copy()
    masses.loc["b", column] = value
    with pytest.raises(DataValidationError, match=message):
        gravity_linkage(masses, per_capita="gdp_pc", distance=DIST)


def test_duplicate_and_too_few_regions():
    with pytest.raises(DuplicateError, match="'a' appears more than once"):
        gravity_linkage(MASSES.set_axis(["a", "b", "a"]), distance=DIST.to_numpy())
    with pytest.raises(DataValidationError, match="at least two"):
        gravity_linkage(MASSES.iloc[:1], distance=[[0.0]])


# --------------------------------------------------------------------------- linkage_fit
def test_linkage_fit_against_scipy():
    rng = np.random.default_rng(4)
    regions = [f"c{k}" for k in range(40)]
    modelled = pd.Series(rng.lognormal(size=40), regions)
    observed = pd.DataFrame(
        {
            "mobility": modelled * rng.lognormal(0, 0.5, 40),
            "weibo": rng.lognormal(size=40),
        },
        index=regions,
    )
    observed.iloc[3, 0] = 0.0
    observed.iloc[5, 0] = np.nan
    observed.iloc[7, 1] = -1.0
    fit = linkage_fit(modelled, observed)
    assert isinstance(fit, LinkageFit)
    table = fit.to_frame().set_index("network")
    for name in observed:
        keep = observed[name] > 0
        m, o = modelled[keep], observed[name][keep]
        rho, rho_p = stats.spearmanr(m, o)
        r, r_p = stats.pearsonr(np.log(m), np.log(o))
        row = table.loc[name]
        assert row.n == keep.sum() and row.dropped == 40 - keep.sum()
        np.testing.assert_allclose(
            row[["spearman", "spearman_p", "pearson_log", "pearson_log_p"]].astype(float),
            [rho, rho_p, r, r_p],
            rtol=1e-12,
        )
    assert table.dropped.tolist() == [2, 1]
    assert "network 'mobility': 2 of 40 region(s) dropped (1 missing, 1 non-positive)" in fit.notes
    points = fit.points
    assert len(points) == 80 and points.used.sum() == 77
    assert "Spearman ρ" in str(fit.summary())


def test_linkage_fit_counts_regions_missing_on_either_side():
    modelled = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0], list("abcde"))
    observed = pd.DataFrame({"net": [2.0, 1.0, 4.0, 3.0, 9.0]}, index=list("bcdef"))
    row = linkage_fit(modelled, observed).table.iloc[0]
    # common regions b..e; a (no observation) and f (no model value) are dropped
    assert row.n == 4 and row.dropped == 2
    assert row.spearman == pytest.approx(stats.spearmanr([2, 3, 4, 5], [2, 1, 4, 3])[0])


def test_linkage_fit_bad_input():
    modelled = pd.Series([1.0, 2.0, 3.0], list("abc"))
    with pytest.raises(DataValidationError, match="share no region"):
        linkage_fit(modelled, pd.DataFrame({"net": [1.0, 2.0]}, index=["x", "y"]))
    with pytest.raises(DataValidationError, match="observed 'net' value of region 'b'"):
        linkage_fit(modelled, pd.DataFrame({"net": [1.0, "many", 3.0]}, index=list("abc")))
    with pytest.raises(DuplicateError):
        linkage_fit(modelled.set_axis(list("aab")), pd.DataFrame({"net": [1.0]}, ["a"]))
    small = linkage_fit(modelled, pd.DataFrame({"net": [1.0, 2.0, 0.0]}, index=list("abc")))
    assert math.isnan(small.table.spearman[0]) and "too few" in small.notes[-1]
