"""The one-call study: wiring, group handling and bad input, checked against plain formulas.

Data: real provincial GDP 2013-2022 (``province_gdp`` fixture, NBS via the bundled dataset).
"""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nqpf.econometrics import SpatialPanel
from nqpf.errors import DataValidationError, DuplicateError
from nqpf.geo import knn_weights
from nqpf.regions import provinces
from nqpf.studies.disparity import NATIONAL, auto_classes, disparity_study


@pytest.fixture(scope="module")
def gdp(province_gdp) -> pd.DataFrame:
    frame = province_gdp[province_gdp.year >= 2013].rename(columns={"region": "region_code"})
    return frame.reset_index(drop=True)


@pytest.fixture(scope="module")
def study(gdp):
    return disparity_study(gdp, "gdp", "macro_region", w=False, bootstrap=19, seed=3, grid=48)


def _plain_dagum(values: list[float], groups: list[str]) -> dict[str, float]:
    """Dagum (1997) by the textbook double sums, in plain Python (independent reference)."""
    n = len(values)
    mu = sum(values) / n
    labels = sorted(set(groups))
    members = {g: [v for v, h in zip(values, groups, strict=True) if h == g] for g in labels}
    mean = {g: sum(m) / len(m) for g, m in members.items()}
    p = {g: len(m) / n for g, m in members.items()}
    s = {g: len(m) * mean[g] / (n * mu) for g, m in members.items()}
    total = sum(abs(a - b) for a in values for b in values) / (2 * n * n * mu)
    within = 0.0
    for g, m in members.items():
        g_jj = sum(abs(a - b) for a in m for b in m) / (2 * len(m) ** 2 * mean[g])
        within += g_jj * p[g] * s[g]
    between = trans = 0.0
    for i, j in enumerate(labels):
        for h in labels[i + 1 :]:
            hi, lo = (j, h) if mean[j] >= mean[h] else (h, j)
            a, b = members[hi], members[lo]
            g_jh = sum(abs(x - y) for x in a for y in b) / (len(a) * len(b) * (mean[hi] + mean[lo]))
            d = sum(max(x - y, 0.0) for x in a for y in b) / (len(a) * len(b))
            q = sum(max(y - x, 0.0) for x in a for y in b) / (len(a) * len(b))
            big_d = (d - q) / (d + q)
            weight = p[hi] * s[lo] + p[lo] * s[hi]
            between += g_jh * weight * big_d
            trans += g_jh * weight * (1 - big_d)
    return {"total": total, "within": within, "between": between, "transvariation": trans}


def test_dagum_by_year_equals_the_plain_double_sum(gdp, study):
    comps = study.dagum.components()
    for year in (2013, 2022):
        block = gdp[gdp.year == year]
        ref = _plain_dagum(block.gdp.tolist(), block.macro_region.tolist())
        for part, expected in ref.items():
            assert comps.loc[year, part] == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_macro_regions_are_the_nbs_four_with_their_sizes(study):
    # NBS 2011 division: East 10, Central 6, West 12, Northeast 3 provinces
    assert study.groups == ("东部 East", "中部 Central", "西部 West", "东北 Northeast")
    sizes = study.data[study.data.year == 2022].groupby("group").region.nunique()
    assert sizes.to_dict() == {
        "东部 East": 10,
        "中部 Central": 6,
        "西部 West": 12,
        "东北 Northeast": 3,
    }


def test_markov_counts_every_transition_once(study):
    # 31 regions × 9 year-to-year steps, whatever the classes
    assert int(study.markov.counts.to_numpy().sum()) == 31 * 9
    assert study.k == 4 and "7.75" in study.k_reason


def test_rank_mobility_matches_scipy(gdp, study):
    wide = gdp.pivot(index="region_code", columns="year", values="gdp")
    tau, p = stats.kendalltau(wide[2013], wide[2022])
    row = study.mobility.table.query("kind == 'first-last'").iloc[0]
    assert row.tau == pytest.approx(tau, abs=1e-12)
    assert row.p_value == pytest.approx(p, rel=1e-9)


def test_beta_matches_least_squares_with_explicit_dummies(gdp, study):
    data = gdp.sort_values(["region_code", "year"])
    data = data.assign(ln_y=np.log(data.gdp))
    data["g"] = data.groupby("region_code").ln_y.shift(-1) - data.ln_y
    data = data.dropna(subset=["g"])
    x = pd.get_dummies(data.region_code, dtype=float)
    x = x.join(pd.get_dummies(data.year, dtype=float, drop_first=True))
    x.insert(0, "ln_y", data.ln_y)
    coef = np.linalg.lstsq(x.to_numpy(), data.g.to_numpy(), rcond=None)[0]
    assert study.beta.beta == pytest.approx(coef[0], rel=1e-9)
    assert study.beta.speed == pytest.approx(-math.log(1 + coef[0]), rel=1e-9)


def test_theil_groups_add_up_to_the_within_part(study):
    t = study.theil_frame()
    for kind in ("T", "L"):
        block = t[(t.kind == kind) & (t.year == 2022)]
        within = block.query("component == 'within'").value.iloc[0]
        parts = block.query("component == 'group_contribution'").value.sum()
        assert parts == pytest.approx(within, rel=1e-12)


def test_frames_and_summary(study):
    frame = study.to_frame()
    assert list(frame.columns) == ["part", "year", "group", "measure", "value"]
    assert set(frame.part) >= {"measures", "sigma", "beta", "club", "steady_state", "mobility"}
    density = study.density_frame()
    assert set(density.group) == {NATIONAL, *study.groups}
    assert density.groupby(["year", "group"]).size().eq(48).all()
    conv = study.convergence_frame()
    assert set(conv.analysis) == {"sigma", "sigma_trend", "beta", "club"}
    assert set(study.markov_frame().chain) == {"classical"}  # w=False
    text = str(study.summary())
    assert "Spatial Markov chain skipped" in text and "k = 4" in text


def test_to_frame_parts_carry_the_component_results(study):
    frame = study.to_frame()
    mob = frame[frame.part == "mobility"]
    np.testing.assert_array_equal(mob.value.to_numpy(), study.mobility.table.tau.to_numpy())
    assert mob.year.tolist() == study.mobility.table.to_year.tolist()
    assert mob.group.tolist() == study.mobility.table.from_year.tolist()
    ss = frame[frame.part == "steady_state"]
    assert (ss.measure == "probability").all() and ss.year.isna().all()
    np.testing.assert_array_equal(ss.value.to_numpy(), study.markov.steady_state.to_numpy())
    sigma = frame[(frame.part == "sigma") & (frame.group == NATIONAL)]
    for measure in ("cv", "sd_log"):
        got = sigma[sigma.measure == measure].set_index("year").value
        np.testing.assert_array_equal(got.to_numpy(), study.sigma.table[measure].to_numpy())
    beta = frame[frame.part == "beta"].set_index("measure").value
    assert beta["beta"] == study.beta.beta and beta["half_life"] == study.beta.half_life
    assert list(beta.index) == ["beta", "std_error", "p_value", "speed", "half_life"]


def test_spatial_markov_with_province_contiguity_reports_hainan(gdp):
    study = disparity_study(gdp[gdp.year >= 2018], "gdp", bootstrap=0, grid=16)
    assert study.spatial_markov is not None
    island = [n for n in study.notes if "460000" in n]
    assert island and "450000" in island[0]  # Hainan linked to Guangxi, reported
    assert int(study.spatial_markov.counts.to_numpy().sum()) == 31 * 4


def test_spatial_beta_equals_spatial_panel_on_growth_built_here(gdp):
    # reference: SpatialPanel (SDM, two-way, Lee-Yu) on ln(y_{t+1}/y_t) and ln y_t built with
    # pandas here, same weights and seed: the same estimator on the same arrays (1e-12)
    w = knn_weights(list(provinces().index), k=4)
    study = disparity_study(gdp, "gdp", w=w, bootstrap=0, grid=16, seed=5)
    d = gdp.sort_values(["region_code", "year"]).copy()
    d["lead"] = d.groupby("region_code").gdp.shift(-1)
    d = d.dropna(subset=["lead"])
    growth = pd.DataFrame(
        {
            "region": d.region_code.to_numpy(),
            "year": d.year.to_numpy(),
            "growth": np.log(d.lead.to_numpy() / d.gdp.to_numpy()),
            "ln_y": np.log(d.gdp.to_numpy()),
        }
    )
    ref = SpatialPanel("sdm", "twoway", seed=5).fit(
        growth, y="growth", x=["ln_y"], w=w, region="region"
    )
    sb = study.spatial_beta
    assert sb is not None and sb.model == "sdm" and sb.fixed_effects == "twoway"
    assert sb.beta == pytest.approx(ref.params["ln_y"], abs=1e-12)
    assert sb.theta == pytest.approx(ref.params["W*ln_y"], abs=1e-12)
    assert sb.rho == pytest.approx(ref.params["rho"], abs=1e-12)
    assert sb.direct["std_error"] == pytest.approx(ref.effects.loc["ln_y", "direct_se"], abs=1e-12)
    assert sb.speed == pytest.approx(-math.log(1 + sb.beta), rel=1e-12)
    conv = study.convergence_frame().query("analysis == 'spatial_beta'")
    pick = conv.set_index(["term", "statistic"]).value
    assert pick[("ln_y", "estimate")] == sb.beta
    assert pick[("direct:ln_y", "std_error")] == sb.direct["std_error"]
    assert pick[("half_life_direct", "estimate")] == sb.half_life_direct
    part = study.to_frame().query("part == 'spatial_beta'").set_index("measure").value
    assert part["rho"] == sb.rho and part["total"] == sb.total["estimate"]
    assert "空间β收敛 Spatial β-convergence (SDM, twoway FE, Lee–Yu)" in str(study.summary())


def test_spatial_beta_skipped_with_a_note(gdp, study):
    assert study.spatial_beta is None  # w=False
    assert any("Spatial β-convergence skipped: no spatial weights" in n for n in study.notes)
    assert "spatial_beta" not in set(study.convergence_frame().analysis)
    w = knn_weights(list(provinces().index), k=4, row_standardize=False)
    raw = disparity_study(gdp, "gdp", w=w, bootstrap=0, grid=16)
    assert raw.spatial_beta is None and raw.spatial_markov is not None
    assert any("skipped: WeightsError" in n and "row-standardised" in n for n in raw.notes)


def test_user_group_column_and_explicit_k(gdp):
    frame = gdp.assign(coast=np.where(gdp.macro_region == "east", "coastal", "inland"))
    frame = frame.drop(columns="macro_region")
    study = disparity_study(frame, "gdp", "coast", k=3, w=False, bootstrap=0, grid=16)
    assert study.groups == ("coastal", "inland") and study.k == 3
    assert set(study.clubs.results) == {"coastal", "inland"}


def test_auto_classes_keeps_about_seven_regions_per_class():
    assert [auto_classes(n)[0] for n in (14, 20, 31, 35, 300)] == [2, 2, 4, 5, 5]
    with pytest.raises(DataValidationError, match="at least 2 regions"):
        auto_classes(1)


def test_unknown_group_column_is_named(gdp):
    with pytest.raises(DataValidationError, match=r"\['province_group'\] not found.*macro_region"):
        disparity_study(gdp, "gdp", "province_group", w=False, bootstrap=0)


def test_one_year_is_too_few(gdp):
    with pytest.raises(DataValidationError, match=r"at least 2 years; the data have 1: \[2022\]"):
        disparity_study(gdp[gdp.year == 2022], "gdp", w=False, bootstrap=0)


def test_duplicate_region_year(gdp):
    doubled = pd.concat([gdp, gdp.iloc[[0]]], ignore_index=True)
    with pytest.raises(DuplicateError, match="110000 appears more than once in 2013"):
        disparity_study(doubled, "gdp", w=False, bootstrap=0)


def test_non_numeric_value_names_region_and_year(gdp):
    bad = gdp.astype({"gdp": object})
    bad.loc[bad.index[5], "gdp"] = "n/a"
    region, year = bad.loc[bad.index[5], ["region_code", "year"]]
    with pytest.raises(DataValidationError, match=f"region {region} in {year} \\('n/a'\\)"):
        disparity_study(bad, "gdp", w=False, bootstrap=0)


def test_missing_group_label(gdp):
    bad = gdp.astype({"macro_region": object})
    bad.loc[bad.index[0], "macro_region"] = None
    with pytest.raises(DataValidationError, match="missing for"):
        disparity_study(bad, "gdp", w=False, bootstrap=0)


def test_macro_region_needs_region_codes(gdp):
    named = gdp.drop(columns="macro_region").assign(region_code=gdp.name)
    with pytest.raises(DataValidationError, match="province or city codes"):
        disparity_study(named, "gdp", w=False, bootstrap=0)


def test_bad_k_and_unknown_year(gdp):
    with pytest.raises(DataValidationError, match="k must be an integer >= 2"):
        disparity_study(gdp, "gdp", k=1, w=False, bootstrap=0)
    with pytest.raises(DataValidationError, match=r"year\(s\) \[1990\] are not in the data"):
        disparity_study(gdp, "gdp", years=[1990, 2020], w=False, bootstrap=0)


def test_wrong_input_type():
    with pytest.raises(DataValidationError, match="takes a composite-index result"):
        disparity_study([1, 2, 3])


def test_three_year_panel_states_what_it_cannot_support(gdp):
    # finding 9: on 3 years the spatial chain ran on a handful of transitions per row and the
    # output printed "half-life nan years" for clubs without convergence, with no caution
    short = gdp[gdp.year >= 2020]
    study = disparity_study(short, "gdp", bootstrap=0, grid=16)
    per_row = study.spatial_markov.counts.sum(axis=1)
    assert per_row.sum() == 31 * 2 and (per_row < 10).sum() >= 12
    notes = study.notes
    spatial = [n for n in notes if n.startswith("空间马尔可夫链 Spatial Markov: ")]
    for (lag, cls), n in per_row[per_row < 10].items():
        assert any(f"lag class {lag} · class {cls} ({n})" in s for s in spatial)
    assert any("indicative only" in n for n in spatial)
    assert any(n.startswith("σ收敛 σ-convergence: the trend is fitted on 3 years") for n in notes)
    # macro-region clubs: the West and the Northeast diverge in 2020-2022 (β > 0); every club
    # without a half-life is named with the reason
    clubs = study.clubs.results
    assert clubs["西部 West"].beta > 0 and clubs["东北 Northeast"].beta > 0
    for club, res in clubs.items():
        if math.isnan(res.half_life):
            assert f"俱乐部收敛 Club convergence: {club}: {res.half_life_reason}" in notes
            assert "nan" not in res.half_life_text()
    assert any("东北 Northeast" in n and "(n = 3)" in n for n in notes)  # 3 provinces a year
    summary = study.summary()
    assert summary.notes[0] == study.k_reason and tuple(summary.notes[1:]) == notes
    assert len(set(summary.notes)) == len(summary.notes)  # nothing repeated


def test_long_panel_has_no_short_panel_notes(study):
    # 31 provinces × 10 years, 4 classes: every classical row is well filled
    assert study.markov.counts.sum(axis=1).min() >= 10
    assert not any(
        n.startswith(("马尔可夫链 Markov:", "σ收敛 σ-convergence:")) for n in study.notes
    )
