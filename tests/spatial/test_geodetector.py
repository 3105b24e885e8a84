"""Geographical detector against published outputs and the PyPI ``geodetector`` package.

References
----------
R geodetector 1.0-5 vignette ("A tutorial for the geodetector R package", Xu, Hou, Wang & Yin,
CRAN, 2024-08-20), neural-tube-defect data ``CollectData`` (185 units): printed outputs of
``factor_detector``, ``interaction_detector``, ``risk_detector`` and ``ecological_detector``.
The same data ship with the PyPI ``geodetector`` package as ``disease.csv`` (columns ``type`` =
soil type, ``region`` = watershed, ``level`` = elevation; the soil-type codes there are
1, 2, 3, 5, 7 where R has 1..5, in the same order).

R gdverse vignette "Original Geographical Detector (GD)" (same NTD data) and the gdverse
``factor_detector`` / spEcula ``ssh.test`` examples on y = 1..7: printed q and p-values under the
convention that drops single-observation strata and uses the population variance in lambda.

Tolerances follow the printed precision (half a unit in the last printed digit); p-values of
the non-central F also allow 1e-9 absolute, the accuracy bound of R's ``pnbeta`` (errmax).
"""

import numpy as np
import pandas as pd
import pytest
from geodetector import GeoDetector
from geodetector.dataset import load_disease
from hypothesis import given, settings
from hypothesis import strategies as st
from mapclassify import EqualInterval, FisherJenks, Quantiles
from scipy import stats

from nqpf.errors import DataValidationError
from nqpf.spatial.geodetector import (
    JENKS_MAX_SAMPLE,
    discretize,
    geodetector,
    optimal_discretization,
)

FACTORS = ["soiltype", "watershed", "elevation"]


@pytest.fixture(scope="module")
def ntd():
    return load_disease().rename(
        columns={"type": "soiltype", "region": "watershed", "level": "elevation"}
    )


@pytest.fixture(scope="module")
def ntd_r(ntd):
    return geodetector(ntd, "incidence", FACTORS)


# ---------------------------------------------------------------- R geodetector 1.0-5 vignette
def test_factor_detector_r_vignette(ntd_r):
    expected = {  # factor: (q-statistic, p-value) as printed
        "elevation": (0.6067087, 0.04080407),
        "soiltype": (0.3857168, 0.3632363),
        "watershed": (0.6377737, 0.0001169914),
    }
    for f, (q, p) in expected.items():
        assert ntd_r.q[f] == pytest.approx(q, abs=5e-8)
        # R's non-central F (pnbeta) guarantees 1e-9 absolute accuracy: allow 1e-9 + printing
        assert ntd_r.p_value[f] == pytest.approx(p, abs=1e-9 + 5e-8 * p)


def test_interaction_detector_r_vignette(ntd_r):
    iq = ntd_r.interaction_q
    assert iq.loc["soiltype", "watershed"] == pytest.approx(0.735680548139531, abs=1e-13)
    assert iq.loc["soiltype", "elevation"] == pytest.approx(0.663523698335635, abs=1e-13)
    assert iq.loc["watershed", "elevation"] == pytest.approx(0.71359677853471, abs=1e-13)
    assert iq.loc["soiltype", "soiltype"] == pytest.approx(0.385716842809428, abs=1e-13)
    # gdverse vignette: all three interactions "Enhance, bi-"
    assert set(ntd_r.interaction.type) == {"bi-enhance"}
    assert set(ntd_r.interaction.type_zh) == {"双因子增强"}


R_RISK = {  # R vignette: stratum means and the 0.05 t-test matrix (upper triangle, row-wise)
    "soiltype": (
        [6.340000, 6.687500, 6.583279, 5.843810, 6.347073],
        ["TTTF", "FTT", "TT", "T"],
    ),
    "watershed": (
        [6.167813, 6.813103, 6.474231, 6.728000, 5.910000, 5.845714, 6.494167, 6.360769, 6.579231],
        ["TTTTTTTT", "TFTTTTT", "TTTFFF", "TTTTT", "FTTT", "TTT", "FF", "T"],
    ),
    "elevation": (
        [6.455882, 6.171111, 6.258108, 6.621364, 5.908889, 6.888636, 5.790000],
        ["TTTTTT", "FTTTT", "TTTT", "TTT", "TT", "T"],
    ),
}


@pytest.mark.parametrize("factor", FACTORS)
def test_risk_detector_r_vignette(ntd_r, factor):
    means, upper = R_RISK[factor]
    got = ntd_r.risk_means.loc[ntd_r.risk_means.factor == factor, "mean"].to_numpy()
    np.testing.assert_allclose(got, means, atol=5e-7)
    matrix = ntd_r.risk_matrix(factor).to_numpy()
    for i, row in enumerate(upper):
        for k, flag in enumerate(row):
            assert matrix[i, i + 1 + k] == ("Y" if flag == "T" else "N"), (i, i + 1 + k)


def test_ecological_detector_r_vignette(ntd_r):
    m = ntd_r.ecological_matrix()
    assert m.loc["soiltype", "watershed"] == "Y"
    assert m.loc["soiltype", "elevation"] == "Y"
    assert m.loc["watershed", "elevation"] == "N"


# ---------------------------------------------------------------- gdverse (drop convention)
def test_factor_detector_gdverse_vignette(ntd):
    r = geodetector(ntd, "incidence", FACTORS, convention="python")
    expected = {
        "watershed": (0.6377737, 0.000128803),
        "elevation": (0.6067087, 0.043382244),
        "soiltype": (0.3857168, 0.372145486),
    }
    for f, (q, p) in expected.items():
        assert r.q[f] == pytest.approx(q, abs=5e-8)
        assert r.p_value[f] == pytest.approx(p, abs=1e-9 + 5e-10)  # pnbeta accuracy + printing


def test_gdverse_toy_example_and_conventions():
    df = pd.DataFrame({"y": np.arange(1.0, 8.0), "x1": list("xyyyzzz"), "x2": list("aabbccc")})
    py = geodetector(df, "y", ["x1", "x2"], convention="python")
    # gdverse factor_detector / spEcula ssh.test printed output
    assert py.q["x1"] == pytest.approx(0.7714286, abs=5e-8)
    assert py.p_value["x1"] == pytest.approx(0.07936477, abs=5e-9)
    assert py.q["x2"] == pytest.approx(0.8929, abs=5e-5)
    assert py.p_value["x2"] == pytest.approx(0.03168, abs=5e-6)
    assert py.interaction.type.item() == "nonlinear-weaken"  # "Weaken, nonlinear"
    # reported, not silent: stratum x of x1, and the two lone crossed strata of x1 ∩ x2
    assert [i.indicator for i in py.report] == ["x1", "x1 ∩ x2"]
    risk = py.risk.set_index(["stratum_1", "stratum_2"])
    assert not risk.loc[("a", "b"), "significant"]
    assert risk.loc[("a", "c"), "significant"] and risk.loc[("b", "c"), "significant"]
    assert risk.loc[("y", "z"), "significant"]

    r = geodetector(df, "y", ["x1", "x2"])
    # hand-worked, single-observation stratum kept: SST = 28, SSW = 0 + 2 + 2 = 4
    assert r.q["x1"] == pytest.approx(1 - 4 / 28, abs=1e-14)
    means, counts = np.array([1.0, 3.0, 6.0]), np.array([1, 3, 3])
    lam = ((means**2).sum() - (np.sqrt(counts) * means).sum() ** 2 / 7) / np.var(
        np.arange(1.0, 8.0), ddof=1
    )
    f_value = (7 - 3) / (3 - 1) * (24 / 28) / (4 / 28)
    assert r.p_value["x1"] == pytest.approx(stats.ncf.sf(f_value, 2, 4, lam), rel=1e-12)
    assert r.interaction.type.item() == "bi-enhance"


# ---------------------------------------------------------------- PyPI geodetector parity
@pytest.fixture(scope="module")
def synthetic():
    rng = np.random.default_rng(42)
    n = 4000
    df = pd.DataFrame(
        {
            "f1": rng.integers(0, 6, n),
            "f2": rng.integers(0, 10, n),
            "f3": rng.integers(0, 4, n),
            "f4": rng.integers(0, 12, n),
        }
    )
    df.loc[0, "f1"] = 60  # single-observation strata
    df.loc[1, "f2"] = 61
    df.loc[2, "f2"] = 62
    df["y"] = 0.4 * df.f1 + np.sin(df.f2) + 0.2 * df.f1 * (df.f3 == 2) + rng.normal(0, 1, n)
    return df


def test_python_convention_matches_pypi_geodetector(synthetic):
    factors = ["f1", "f2", "f3", "f4"]
    ref = GeoDetector(factors=factors, target="y").fit(synthetic)
    ours = geodetector(synthetic, "y", factors, convention="python")
    refq = ref.q_values_.set_index("variable")
    np.testing.assert_allclose(ours.q[factors], refq.q_value[factors], rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.p_value[factors], refq.p_value[factors], rtol=0, atol=1e-10)
    np.testing.assert_allclose(
        ours.interaction_q.loc[factors, factors].to_numpy(),
        ref.interaction_q_.loc[factors, factors].to_numpy(),
        rtol=0,
        atol=1e-10,
    )
    keys = ["nonlinear-weaken", "uni-weaken", "bi-enhance", "independent", "nonlinear-enhance"]
    for row in ours.interaction.itertuples():
        assert row.type == keys[ref.interaction_type_.loc[row.factor_1, row.factor_2]]
    eco = ours.ecological.set_index(["factor_1", "factor_2"])
    for row in ref.ecological_result_.itertuples():
        got = eco.loc[(row.factor_1, row.factor_2)]
        assert got.statistic == pytest.approx(row.f_stat, abs=1e-10)
        assert got.p_value == pytest.approx(row.p_value, abs=1e-10)
        assert got.significant == row.significant
    for f in factors:
        theirs = ref.risk_result_[f]
        mine = ours.risk[(ours.risk.factor == f) & ours.risk.p_value.notna()]
        assert len(mine) == len(theirs)
        np.testing.assert_allclose(mine.t_statistic, theirs.t_stat, rtol=0, atol=1e-10)
        np.testing.assert_allclose(mine.p_value, theirs.p_value, rtol=0, atol=1e-10)
    dropped = {(i.indicator, i.original) for i in ours.report if "∩" not in i.indicator}
    assert dropped == {("f1", 60), ("f2", 61), ("f2", 62)}


def test_r_convention_differs_only_through_singletons(synthetic):
    factors = ["f1", "f3"]
    r = geodetector(synthetic, "y", factors)
    py = geodetector(synthetic, "y", factors, convention="python")
    assert r.q["f3"] == pytest.approx(py.q["f3"], abs=1e-14)  # no singleton stratum
    assert r.q["f1"] != py.q["f1"]
    assert r.factor_table.set_index("factor").singleton_strata["f1"] == 1


# ---------------------------------------------------------------- invariants
@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 6), st.integers(2, 6))
def test_q_properties(seed, l1, l2):
    rng = np.random.default_rng(seed)
    n = 60
    df = pd.DataFrame({"a": rng.integers(0, l1, n), "b": rng.integers(0, l2, n)})
    df["y"] = rng.normal(size=n) + df.a
    if df.a.nunique() < 2 or df.b.nunique() < 2:
        return
    r = geodetector(df, "y", ["a", "b"], detectors=("interaction",))
    assert 0 <= r.q["a"] <= 1 + 1e-12
    # crossing refines the partition: SSW cannot grow
    assert r.interaction_q.loc["a", "b"] >= max(r.q) - 1e-12
    # labels and row order do not matter
    shuffled = df.sample(frac=1, random_state=int(seed % 1000)).assign(a=lambda d: 10 - d.a)
    r2 = geodetector(shuffled, "y", ["a", "b"], detectors=())
    assert r2.q["a"] == pytest.approx(r.q["a"], abs=1e-12)
    # q equals the R^2 of regressing y on stratum dummies (eta squared)
    dummies = pd.get_dummies(df.a).to_numpy(float)
    fit = np.linalg.lstsq(dummies, df.y.to_numpy(), rcond=None)[0]
    resid = df.y.to_numpy() - dummies @ fit
    r_squared = 1 - resid @ resid / ((df.y - df.y.mean()) ** 2).sum()
    assert r.q["a"] == pytest.approx(r_squared, abs=1e-10)


# ---------------------------------------------------------------- discretisation
def test_discretize_against_mapclassify():
    rng = np.random.default_rng(3)
    x = rng.lognormal(size=500)
    for method, cls in [("equal", EqualInterval), ("quantile", Quantiles)]:
        codes, breaks = discretize(x, method, 6)
        ref = cls(x, k=6)
        np.testing.assert_allclose(breaks, ref.bins[:-1], rtol=1e-12)
        np.testing.assert_array_equal(codes, ref.yb)
    codes, breaks = discretize(x, "natural_breaks", 5)
    ref = FisherJenks(x, k=5)
    np.testing.assert_allclose(breaks, ref.bins[:-1], rtol=1e-12)
    np.testing.assert_array_equal(codes, ref.yb)


def test_natural_breaks_sample_is_seeded_and_seed_none_is_recorded():
    """Above JENKS_MAX_SAMPLE values the breaks are FisherJenks on the seeded sample."""
    rng = np.random.default_rng(8)
    x = rng.lognormal(size=JENKS_MAX_SAMPLE + 500)
    sample = np.random.default_rng(2).choice(x, size=JENKS_MAX_SAMPLE, replace=False)
    ref = FisherJenks(np.concatenate([sample, [x.min(), x.max()]]), k=4)
    np.testing.assert_allclose(discretize(x, "natural_breaks", 4, seed=2)[1], ref.bins[:-1])
    data = pd.DataFrame({"y": x + rng.normal(size=x.size), "x": x})
    first = geodetector(data, "y", ["x"], {"x": ("natural_breaks", 4)}, seed=None)
    assert isinstance(first.meta["seed"], int)
    again = geodetector(data, "y", ["x"], {"x": ("natural_breaks", 4)}, seed=first.meta["seed"])
    pd.testing.assert_frame_equal(again.discretization, first.discretization)
    assert again.q.equals(first.q)


def test_discretize_geometric_and_sd_hand_worked():
    x = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    codes, breaks = discretize(x, "geometric", 4)
    np.testing.assert_allclose(breaks, [2.0, 4.0, 8.0])  # 1 * 16^(j/4)
    assert codes.tolist() == [0, 0, 1, 2, 3]
    codes, breaks = discretize(x, "sd", 2)
    np.testing.assert_allclose(breaks, [x.mean()])
    with pytest.raises(DataValidationError, match="positive"):
        discretize(x - 5, "geometric", 3)


def test_optimal_discretization(ntd):
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 10, 600)
    y = np.where(x < 3, 1.0, np.where(x < 7, 2.5, 4.0)) + rng.normal(0, 0.3, 600)
    best = optimal_discretization(x, y, classes=range(2, 8))
    table = best.to_frame()
    assert set(table.method) == {"equal", "quantile", "natural_breaks", "geometric", "sd"}
    top = table.loc[table.q.idxmax()]
    assert best.q == pytest.approx(top.q)
    # the chosen breaks reproduce the same q through geodetector
    df = pd.DataFrame({"x": x, "y": y})
    again = geodetector(df, "y", ["x"], discretize={"x": best.breaks.tolist()})
    assert again.q["x"] == pytest.approx(best.q, abs=1e-12)
    opt = geodetector(df, "y", ["x"], discretize={"x": "optimal"})  # default classes 3..10
    default = optimal_discretization(x, y)
    assert opt.q["x"] == pytest.approx(default.q, abs=1e-12)
    assert opt.discretization.method.item() == default.method
    assert str(best.summary())


def test_optimal_discretization_geometric_inapplicable():
    x = np.linspace(-1, 1, 50)
    best = optimal_discretization(x, x**2, methods=("geometric", "equal"), classes=[3])
    row = best.table.set_index("method").loc["geometric"]
    assert np.isnan(row.q) and "positive" in row.note
    assert best.method == "equal"


# ---------------------------------------------------------------- bad input
def test_bad_input(ntd):
    bad = ntd.copy()
    bad.loc[[3, 17], "incidence"] = np.nan
    with pytest.raises(DataValidationError, match=r"rows \[3, 17\]"):
        geodetector(bad, "incidence", FACTORS)
    bad = ntd.copy()
    bad.loc[5, "watershed"] = np.nan
    with pytest.raises(DataValidationError, match=r"\['watershed'\] at rows \[5\]"):
        geodetector(bad, "incidence", FACTORS)
    with pytest.raises(DataValidationError, match="single stratum"):
        geodetector(ntd.assign(one=1), "incidence", ["one"])
    with pytest.raises(DataValidationError, match="constant"):
        geodetector(ntd.assign(incidence=1.0), "incidence", FACTORS)
    with pytest.raises(DataValidationError, match="not found"):
        geodetector(ntd, "incidence", ["soil"])
    with pytest.raises(DataValidationError, match="also listed"):
        geodetector(ntd, "incidence", ["incidence"])
    with pytest.raises(DataValidationError, match="looks continuous"):
        geodetector(ntd.assign(c=np.arange(185.0)), "incidence", ["c"])
    with pytest.raises(DataValidationError, match="convention"):
        geodetector(ntd, "incidence", FACTORS, convention="stata")
    with pytest.raises(DataValidationError, match="detectors"):
        geodetector(ntd, "incidence", FACTORS, detectors=("hotspot",))
    with pytest.raises(DataValidationError, match="not factors"):
        geodetector(ntd, "incidence", FACTORS, discretize={"x": ("equal", 3)})
    with pytest.raises(DataValidationError, match="unknown discretisation method"):
        geodetector(ntd, "incidence", ["elevation"], discretize={"elevation": ("kmeans", 3)})
    two = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": ["a", "b", "b", "b"]})
    with pytest.raises(DataValidationError, match="fewer than two strata"):
        geodetector(two, "y", ["x"], convention="python")
    with pytest.raises(DataValidationError, match="constant"):
        discretize(np.ones(5), "equal", 3)
    with pytest.raises(DataValidationError, match="classes"):
        discretize(np.arange(5.0), "equal", 1)


def test_frame_has_every_detector(ntd_r):
    frame = ntd_r.to_frame()
    assert set(frame.detector) == {"factor", "interaction", "risk", "ecological"}
    assert ntd_r.to_dict()["meta"]["convention"] == "R"
    assert ntd_r.interaction_type.loc["soiltype", "watershed"] == "bi-enhance"


def test_to_frame_rows_per_detector(ntd, ntd_r):
    frame = ntd_r.to_frame()
    assert list(frame.columns) == [
        "detector", "factor", "factor_2", "stratum_1", "stratum_2", "statistic", "value",
        "p_value", "significant", "label_zh", "label_en",
    ]  # fmt: skip
    counts = frame.detector.value_counts()
    assert counts["factor"] == 3 and counts["interaction"] == 3 and counts["ecological"] == 3
    assert counts["risk"] == len(ntd_r.risk)
    factor = frame[frame.detector == "factor"].set_index("factor")
    assert (factor.statistic == "q").all()
    np.testing.assert_array_equal(factor.value.to_numpy(), ntd_r.q.to_numpy())
    risk = frame[frame.detector == "risk"]
    assert (risk.statistic == "t").all() and risk.stratum_1.map(type).eq(str).all()
    eco = frame[frame.detector == "ecological"]
    assert (eco.statistic == "F").all() and eco.label_en.isna().all()
    only = geodetector(ntd, "incidence", ["soiltype"], detectors=("factor",)).to_frame()
    assert list(only.detector) == ["factor"] and only.value.iloc[0] == ntd_r.q["soiltype"]
