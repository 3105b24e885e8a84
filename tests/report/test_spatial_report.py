"""Spatial and drivers studies on the bundled real data: numbers against independent
computations, report sections, figures, workbook sheets and bad input."""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nqpf.data import load_province_panel
from nqpf.data.export import write_excel
from nqpf.econometrics import SpatialPanel
from nqpf.errors import DataValidationError, WeightsError
from nqpf.index import compute_index
from nqpf.report import spatial_figures as figs
from nqpf.report.html import HtmlReport
from nqpf.report.spatial_report import (
    DRIVERS_SECTION_TITLES,
    SPATIAL_SECTION_TITLES,
    add_drivers_sections,
    add_spatial_sections,
)
from nqpf.spatial import SpatialWeights
from nqpf.studies import drivers_study, spatial_study, study_weights


@pytest.fixture(scope="module")
def panel():
    return load_province_panel()


@pytest.fixture(scope="module")
def index_result(panel):
    return compute_index(panel)


@pytest.fixture(scope="module")
def study(index_result):
    return spatial_study(index_result, permutations=99, seed=1)


@pytest.fixture(scope="module")
def drivers(panel, index_result):
    return drivers_study(panel, index_result, draws=60, seed=3)


@pytest.fixture(scope="module")
def page(study, drivers) -> str:
    report = HtmlReport("空间格局", "Spatial structure", dpi=30)
    assert add_spatial_sections(report, study) is report
    assert add_drivers_sections(report, drivers) is report
    return report.render()


# ---------------------------------------------------------------------------------------------
# numbers against independent computations
# ---------------------------------------------------------------------------------------------
def test_queen_weights_of_the_provinces(study):
    w = study.weights
    assert w.kind == "queen" and not w.row_standardized  # binary, as built
    # contiguity read off a map: Beijing borders Tianjin and Hebei only; Hainan is an island
    assert w.neighbors(110000) == (120000, 130000)
    assert w.added_links == ((460000, 450000),)
    assert any("海南 Hainan → 广西 Guangxi" in n for n in study.notes)


def test_moran_of_one_year_equals_the_formula(study, index_result):
    """I = n / S0 · z'Wz / z'z on the row-standardised queen matrix, written out with numpy."""
    w = study.weights.standardize()
    scores = index_result.scores.query("year == 2018").set_index("region_code")["score"]
    x = scores.reindex(list(w.codes)).to_numpy()
    W = w.dense
    z = x - x.mean()
    expected = len(x) / W.sum() * (z @ W @ z) / (z @ z)
    row = study.moran.table.set_index("year").loc[2018]
    assert row["statistic"] == pytest.approx(expected, rel=1e-12)
    assert row["expected"] == pytest.approx(-1 / 30, rel=1e-12)
    # the Moran scatter slope (lag of z on z) is I for row-standardised weights
    lisa = study.lisa.table.query("year == 2018")
    assert np.polyfit(lisa.z, lisa.lag, 1)[0] == pytest.approx(expected, rel=1e-9)


def test_lisa_quadrants_follow_the_signs(study, index_result):
    w = study.weights.standardize()
    x = index_result.scores.query("year == 2022").set_index("region_code")["score"]
    z = x.reindex(list(w.codes)).to_numpy() - x.mean()
    lag = w.dense @ z
    expected = np.where(z > 0, np.where(lag > 0, "HH", "HL"), np.where(lag > 0, "LH", "LL"))
    assert study.local.quadrant.tolist() == expected.tolist()
    assert set(study.local.cluster) <= {"HH", "LL", "HL", "LH", "ns"}


def test_gi_star_z_scores_from_the_formula(study, index_result):
    """Ord & Getis (1995) z of G_i* with binary weights including i, written out with numpy."""
    w = study.weights
    x = (
        index_result.scores.query("year == 2022")
        .set_index("region_code")["score"]
        .reindex(list(w.codes))
        .to_numpy()
    )
    n = len(x)
    B = (w.dense > 0).astype(float) + np.eye(n)
    wi = B.sum(axis=1)
    s1 = (B**2).sum(axis=1)
    mean, sd = x.mean(), x.std()
    z = (B @ x - mean * wi) / (sd * np.sqrt((n * s1 - wi**2) / (n - 1)))
    np.testing.assert_allclose(study.hot.z_score, z, rtol=1e-10)


def test_effects_equal_spatial_panel_called_directly(drivers):
    """Same data, same W, same seed: the study adds nothing to the estimator's numbers."""
    direct = SpatialPanel("sdm", "twoway", draws=60, seed=3).fit(
        drivers.data, y="score", x=drivers.names, w=drivers.weights
    )
    pd.testing.assert_series_equal(drivers.spatial.params, direct.params, rtol=1e-12)
    pd.testing.assert_frame_equal(drivers.spatial.effects, direct.effects, rtol=1e-12)


def test_effects_from_the_fitted_parameters(drivers):
    """LeSage–Pace: S_k = (I − ρW)⁻¹(β_k I + θ_k W); direct = mean diag, total = mean row sum."""
    fit = drivers.spatial
    W = drivers.weights.dense
    n = W.shape[0]
    inverse = np.linalg.inv(np.eye(n) - fit.params["rho"] * W)
    for name in drivers.names:
        S = inverse @ (fit.params[name] * np.eye(n) + fit.params[f"W*{name}"] * W)
        direct, total = np.trace(S) / n, S.sum() / n
        row = fit.effects.loc[name]
        assert row["direct"] == pytest.approx(direct, rel=1e-8)
        assert row["total"] == pytest.approx(total, rel=1e-8)
        assert row["indirect"] == pytest.approx(total - direct, rel=1e-8, abs=1e-12)


def test_geodetector_q_from_its_strata(drivers):
    """q = 1 − Σ N_h σ_h² / (N σ²) on the reported breaks, with pandas groupby."""
    data = drivers.data
    for row in drivers.discretization.itertuples():
        strata = np.searchsorted(np.asarray(row.breaks), data[row.factor], side="left")
        grouped = data.groupby(strata)["score"]
        ssw = (grouped.var(ddof=0) * grouped.size()).sum()
        q = 1 - ssw / (len(data) * data["score"].var(ddof=0))
        assert drivers.geodetector.q[row.factor] == pytest.approx(q, rel=1e-10)
        assert row.q == pytest.approx(q, rel=1e-10)
        assert row.method in ("equal", "quantile", "natural_breaks", "geometric", "sd")
        assert 3 <= row.classes <= 6


def test_gwr_equals_mgwr_called_directly(drivers):
    from mgwr.gwr import GWR

    cross = drivers.data.query("year == 2022").reset_index(drop=True)
    from nqpf.regions import provinces

    coords = provinces().loc[cross.region_code, ["lon", "lat"]].to_numpy()

    def z(a):
        return (a - a.mean(axis=0)) / a.std(axis=0)

    y = z(cross[["score"]].to_numpy())
    X = z(cross[drivers.names].to_numpy())
    bw = drivers.gwr.bandwidth.iloc[0]
    ref = GWR(coords, y, X, bw, kernel="bisquare", fixed=False, spherical=True, n_jobs=1).fit()
    ours = drivers.gwr.wide().reindex(cross.region_code).to_numpy()
    np.testing.assert_allclose(ours, ref.params, rtol=1e-8, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# report, figures, workbook
# ---------------------------------------------------------------------------------------------
def test_sections_render_as_self_contained_html(page, drivers, parse_html):
    checker = parse_html(page)
    assert all(u.startswith(("data:image/png;base64,", "#")) for u in checker.urls)
    assert "http://" not in page and "https://" not in page
    heads = re.findall(r'<h2 id="[^"]+">(.*?) <span class="en">(.*?)</span></h2>', page)
    assert heads == [*SPATIAL_SECTION_TITLES, *DRIVERS_SECTION_TITLES]
    # Moran line, Moran scatter, LISA map, hot-spot map; effects, q bars, interaction, GWR maps
    assert page.count('src="data:image/png;base64,') == 8
    captions = re.findall(r"<caption>(.*?)</caption>", page)
    assert any("Global Moran&#x27;s I by year" in c for c in captions)
    assert any("Direct, indirect and total effects" in c for c in captions)
    assert any("Interaction detector" in c for c in captions)
    assert "Hainan" in page and "Small-sample caution" in page
    effects = re.search(r"indirect and total effects</caption>(.*?)</table>", page, re.S).group(1)
    row = drivers.spatial.effects.loc["agri_support"]
    assert f"{row['indirect']:.4f}" in effects and "财政支农力度" in effects


def test_tables_go_to_the_workbook(study, drivers, tmp_path):
    tables = {**study.tables(), **drivers.tables()}
    assert list(tables) == [
        "moran",
        "lisa",
        "hotspots",
        "sdm",
        "effects",
        "sdm_tests",
        "geodetector",
        "interaction",
        "gwr",
    ]
    path = write_excel(tables, tmp_path / "t.xlsx")
    lisa = pd.read_excel(path, sheet_name="lisa")
    assert len(lisa) == 31 * 12 and "region" in lisa.columns
    effects = pd.read_excel(path, sheet_name="effects")
    assert len(effects) == 3 * len(drivers.names)
    gwr = pd.read_excel(path, sheet_name="gwr")
    assert len(gwr) == 31 * (len(drivers.names) + 1)


def test_summaries_and_tidy_frames(study, drivers):
    assert "Global Moran's I by year" in str(study.summary())
    frame = study.to_frame()
    assert set(frame.part) == {"moran", "lisa", "hotspots"}
    assert (frame.query("part == 'lisa'").groupby("year").value.sum() == 31).all()
    tidy = drivers.to_frame()
    assert set(tidy.part) >= {"coefficient", "direct", "indirect", "total", "panel_fe"}
    assert "Geographical detector" in str(drivers.summary())


def test_figure_inputs_are_checked():
    with pytest.raises(DataValidationError, match="unknown LISA cluster"):
        figs.lisa_map(pd.DataFrame({"region_code": [110000], "cluster": ["XX"]}))
    with pytest.raises(DataValidationError, match="-3 … 3"):
        figs.hotspot_map(pd.DataFrame({"region_code": [110000], "hotspot": [4]}))
    with pytest.raises(DataValidationError, match="no term"):
        figs.gwr_coefficient_maps(
            pd.DataFrame({"region_code": [110000], "term": ["a"], "estimate": [1.0]}), ["b"]
        )
    with pytest.raises(DataValidationError, match="lacks column"):
        figs.moran_lines(pd.DataFrame({"year": [2020], "statistic": [0.1]}))


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------
def test_weights_that_do_not_match_the_regions(index_result, panel, study):
    thirty = study.weights.subset([c for c in study.weights.codes if c != 650000])
    with pytest.raises(WeightsError, match="650000"):
        spatial_study(index_result, w=thirty, permutations=0)
    with pytest.raises(WeightsError, match="650000"):
        drivers_study(panel, index_result, w=thirty, draws=10)
    with pytest.raises(WeightsError, match="unknown spatial weights 'hexagon'"):
        study_weights("hexagon", [110000, 120000, 130000])
    with pytest.raises(WeightsError, match="not provinces"):
        study_weights("queen", [110100, 120100, 130100])


def test_user_weights_are_used_as_given(index_result):
    codes = sorted(index_result.scores.region_code.unique())
    ring = np.zeros((31, 31))  # each province linked to the next in code order, both ways
    for i in range(31):
        ring[i, (i + 1) % 31] = ring[(i + 1) % 31, i] = 1.0
    w = SpatialWeights.from_array(ring, codes=codes[::-1], row_standardize=False)
    result = spatial_study(index_result, w=w, permutations=0)
    x = index_result.scores.query("year == 2022").set_index("region_code")["score"]
    z = x.reindex(codes[::-1]).to_numpy() - x.mean()
    expected = 31 / ring.sum() * (z @ ring @ z) / (z @ z)  # binary = row-standardised here
    assert result.moran.table.statistic.iloc[-1] == pytest.approx(expected, rel=1e-12)
    assert result.weights.codes == tuple(codes)  # aligned to the data


def test_bad_study_arguments(index_result, panel):
    with pytest.raises(DataValidationError, match="map year 1999"):
        spatial_study(index_result, year=1999, permutations=0)
    with pytest.raises(DataValidationError, match="'nope' is not in the index result"):
        spatial_study(index_result, "nope", permutations=0)
    with pytest.raises(DataValidationError, match="model must be one of"):
        drivers_study(panel, index_result, model="ols")
    with pytest.raises(DataValidationError, match="did you mean.*gdp"):
        drivers_study(panel, index_result, x=["log(gpd)"], draws=10)
    with pytest.raises(DataValidationError, match="listed twice"):
        drivers_study(panel, index_result, x=["log(gdp)", "log( gdp )"], draws=10)
    with pytest.raises(DataValidationError, match="collinear"):
        drivers_study(panel, index_result, x=["a=gdp", "b=2 * gdp"], draws=10)


@settings(max_examples=25, deadline=None)
@given(
    values=arrays(
        np.float64,
        12,
        elements=st.floats(0.01, 100, allow_nan=False, allow_infinity=False),
        unique=True,
    ),
    k=st.integers(1, 5),
)
def test_local_morans_add_up_to_the_global_one(values, k):
    """Row-standardised W (S_0 = n) and m_2 = z'z/(n−1): Σ_i I_i = (n − 1) I, in every year."""
    codes = [110000, 120000, 130000, 140000, 150000, 210000, 220000, 230000, 310000, 320000]
    codes += [330000, 340000]
    frame = pd.DataFrame({"region_code": codes, "year": 2022, "v": values})
    result = spatial_study(frame, "v", w=f"knn:{k}", permutations=0)
    moran = result.moran.table.statistic.iloc[0]
    assert result.local.statistic.sum() == pytest.approx(11 * moran, rel=1e-9, abs=1e-12)
    assert result.hot.hotspot.tolist() == [
        int(np.sign(z)) * (3 if p < 0.01 else 2 if p < 0.05 else 1 if p < 0.1 else 0)
        for z, p in zip(result.hot.z_score, result.hot.p_value, strict=True)
    ]
