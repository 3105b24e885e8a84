"""Built-in city groupings of the disparity study: by province and by urban agglomeration.

Data: SYNTHETIC values (seeded uniform draws) on real city codes. The expected groups are worked
out by hand from the region registry (the province of each city) and from the curated
urban-agglomeration list shipped with nqpf (``load_urban_agglomerations``):

==========  ======  ==========================================================
city        code    curated list
==========  ======  ==========================================================
北京市      110100  京津冀城市群 (2015)
石家庄市    130100  京津冀城市群 (2015)
唐山市      130200  京津冀城市群 (2015)
邯郸市      130400  京津冀城市群 (2015), 中原城市群 (2016)
邢台市      130500  京津冀城市群 (2015), 中原城市群 (2016)
太原市      140100  山西中部城市群 (2022)
大同市      140200  none
运城市      140800  中原城市群 (2016), 关中平原城市群 (2018, partly)
广州市      440100  珠江三角洲城市群 (2008), 粤港澳大湾区 (2019)
深圳市      440300  珠江三角洲城市群 (2008), 粤港澳大湾区 (2019)
汕头市      440500  none
==========  ======  ==========================================================
"""

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import DataValidationError
from nqpf.studies.disparity import NATIONAL, disparity_study

CITIES = [110100, 130100, 130200, 130400, 130500, 140100, 140200, 140800, 440100, 440300, 440500]
YEARS = [2019, 2020, 2021, 2022]

BJ, HEBEI, SHANXI, GD = "北京 Beijing", "河北 Hebei", "山西 Shanxi", "广东 Guangdong"
JJJ = "京津冀城市群 Beijing–Tianjin–Hebei"
PRD = "珠江三角洲城市群 Pearl River Delta"
GBA = "粤港澳大湾区 Guangdong–Hong Kong–Macao Greater Bay Area"
ZY = "中原城市群 Central Plains"
GZ = "关中平原城市群 Guanzhong Plain"
SXZ = "山西中部城市群 Central Shanxi"
OTHER = "其他 Other"


@pytest.fixture(scope="module")
def cities() -> pd.DataFrame:
    """SYNTHETIC: 11 real cities × 4 years, value uniform on [1, 3] (seed 7)."""
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "region_code": np.repeat(CITIES, len(YEARS)),
            "year": np.tile(YEARS, len(CITIES)),
            "value": rng.uniform(1.0, 3.0, len(CITIES) * len(YEARS)),
        }
    )


def _study(frame, group, **kwargs):
    return disparity_study(frame, "value", group, w=False, bootstrap=0, grid=16, **kwargs)


def _groups_of(study) -> dict[int, str]:
    first = study.data[study.data.year == YEARS[0]]
    return dict(zip(first.region.tolist(), first.group.tolist(), strict=True))


def _gini(values: list[float]) -> float:
    n, mu = len(values), sum(values) / len(values)
    return sum(abs(a - b) for a in values for b in values) / (2 * n * n * mu)


# ---------------------------------------------------------------------------- province
def test_cities_grouped_by_their_province(cities):
    study = _study(cities, "province")
    assert study.groups == (BJ, HEBEI, SHANXI, GD)  # by province code
    expected = {110100: BJ, 140100: SHANXI, 140200: SHANXI, 140800: SHANXI}
    expected |= {c: HEBEI for c in (130100, 130200, 130400, 130500)}
    expected |= {c: GD for c in (440100, 440300, 440500)}
    assert _groups_of(study) == expected
    assert any("cities grouped by their province" in n for n in study.notes)


def test_a_single_city_province_stays_in_dagum_and_leaves_the_per_group_parts(cities):
    study = _study(cities, "province")
    # Beijing is one city: its within-group Gini is 0 and the decomposition still adds up
    table = study.dagum.table
    g_bj = table[(table.component == "group_gini") & (table.group == BJ)].value
    assert np.all(g_bj.to_numpy() == 0.0)
    block = cities[cities.year == 2022]
    comps = study.dagum.components().loc[2022]
    assert comps["total"] == pytest.approx(_gini(block.value.tolist()), rel=1e-12)
    parts = comps[["within", "between", "transvariation"]].sum()
    assert parts == pytest.approx(comps["total"], rel=1e-12)
    # ... and is left out of per-group densities, σ- and club convergence, with a note
    assert study.measured_groups == (HEBEI, SHANXI, GD)
    assert set(study.clubs.results) == {HEBEI, SHANXI, GD}
    assert set(study.group_sigma) == {HEBEI, SHANXI, GD}
    assert set(study.density_frame().group) == {NATIONAL, HEBEI, SHANXI, GD}
    note = [n for n in study.notes if "fewer than 2 regions" in n]
    assert note and BJ in note[0] and "Dagum" in note[0]
    # the common density grid still covers Beijing's values
    grid = study.density.grid
    assert grid[0] < cities.value.min() and cities.value.max() < grid[-1]
    text = str(study.summary())
    assert BJ in text  # in the Dagum tables, not in the club rows
    assert len(study.convergence_frame().query("analysis == 'club'").scope.unique()) == 3


def test_province_grouping_needs_city_codes(province_gdp):
    frame = province_gdp.rename(columns={"region": "region_code"})
    with pytest.raises(DataValidationError, match=r"needs city codes.*31 region\(s\) are province"):
        disparity_study(frame, "gdp", "province", w=False, bootstrap=0)


def test_a_data_column_named_like_the_builtin_grouping_is_reported(cities):
    frame = cities.assign(province="mine")
    study = _study(frame, "province")
    assert study.groups == (BJ, HEBEI, SHANXI, GD)
    assert any("own column 'province' is not used" in n for n in study.notes)


# ---------------------------------------------------------------------------- agglomeration
def test_overlapping_cities_raise_by_default_and_say_how_to_choose(cities):
    with pytest.raises(DataValidationError) as info:
        _study(cities, "agglomeration")
    message = str(info.value)
    assert message.startswith("5 city/cities belong to more than one urban agglomeration")
    assert "邯郸市 130400: 京津冀城市群 (2015) / 中原城市群 (2016)" in message
    assert "运城市 140800: 中原城市群 (2016) / 关中平原城市群 (2018, partly)" in message
    assert "广州市 440100: 珠江三角洲城市群 (2008) / 粤港澳大湾区 (2019)" in message
    assert "overlap='first-plan'" in message and "overlap={city: agglomeration}" in message


def test_unassigned_cities_raise_by_default_naming_them(cities):
    with pytest.raises(DataValidationError) as info:
        _study(cities, "agglomeration", overlap="first-plan")
    message = str(info.value)
    assert message.startswith("2 of 11 cities are in no urban agglomeration")
    assert "大同市 140200, 汕头市 440500" in message
    assert "unassigned='other'" in message and "unassigned='drop'" in message


def test_first_plan_and_an_explicit_other_group(cities):
    study = _study(cities, "agglomeration", overlap="first-plan", unassigned="other")
    expected = {c: JJJ for c in (110100, 130100, 130200, 130400, 130500)}
    expected |= {140100: SXZ, 140800: ZY, 440100: PRD, 440300: PRD}
    expected |= {140200: OTHER, 440500: OTHER}
    assert _groups_of(study) == expected
    assert study.groups == (JJJ, PRD, ZY, SXZ, OTHER)  # curated order, Other last
    assert study.measured_groups == (JJJ, PRD, OTHER)  # 中原 and 山西中部 have one city here
    notes = " | ".join(study.notes)
    assert "邯郸市 130400 → 京津冀城市群" in notes and "运城市 140800 → 中原城市群" in notes
    assert "广州市 440100 → 珠江三角洲城市群" in notes
    assert "form the group 其他 Other (unassigned='other'): 大同市 140200, 汕头市 440500" in notes
    assert "without a city after the overlap rule: 粤港澳大湾区" in notes
    assert "curated list" in notes
    assert study.meta["overlap"] == "first-plan" and study.meta["unassigned"] == "other"


def test_a_user_mapping_and_dropping_unassigned_cities(cities):
    choice = {
        130400: "中原城市群",
        "邢台市": "中原城市群",
        140800: "关中平原城市群",
        440100: "粤港澳大湾区",
        "深圳": "粤港澳大湾区",
    }
    study = _study(cities, "agglomeration", overlap=choice, unassigned="drop")
    expected = {c: JJJ for c in (110100, 130100, 130200)}
    expected |= {130400: ZY, 130500: ZY, 140100: SXZ, 140800: GZ, 440100: GBA, 440300: GBA}
    assert _groups_of(study) == expected  # 大同 and 汕头 left out
    assert study.data.region.nunique() == 9
    notes = " | ".join(study.notes)
    assert "left out of the whole study (unassigned='drop'): 大同市 140200, 汕头市 440500" in notes
    assert "chosen by the user's mapping" in notes and "珠江三角洲城市群" in notes
    assert study.meta["overlap"] == "mapping"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"overlap": {130400: "中原城市群"}}, r"leaves 4 city/cities .* without a choice"),
        (
            {"overlap": {130400: "长江三角洲城市群"}},
            r"puts 邯郸市 130400 in '长江三角洲城市群', but the curated list has it in "
            r"\['中原城市群', '京津冀城市群'\]",
        ),
        ({"overlap": "latest"}, "overlap must be 'error', 'first-plan' or a mapping"),
        ({"overlap": "first-plan", "unassigned": "keep"}, "unassigned must be 'error'"),
    ],
    ids=["mapping-incomplete", "mapping-wrong-choice", "overlap-value", "unassigned-value"],
)
def test_bad_agglomeration_options(cities, kwargs, message):
    with pytest.raises(DataValidationError, match=message):
        _study(cities, "agglomeration", **kwargs)


def test_agglomeration_options_belong_to_that_grouping(cities):
    with pytest.raises(DataValidationError, match="apply to group='agglomeration' only"):
        _study(cities, "province", unassigned="other")


def test_agglomeration_needs_city_codes():
    frame = pd.DataFrame(
        {"region_code": ["北京", "上海"] * 2, "year": [2020, 2020, 2021, 2021], "value": 1.0}
    )
    with pytest.raises(DataValidationError, match=r"needs city codes.*not city codes.*'北京'"):
        _study(frame, "agglomeration")


def test_agglomeration_groups_of_every_city_follow_the_raw_curated_table():
    """by_agglomeration reads the membership through nqpf.paths.memberships(); the groups of all
    registry cities must equal those worked out with pandas from the raw loader's table
    (first plan wins, ties impossible; cities in no agglomeration → Other)."""
    from nqpf.data import load_urban_agglomerations
    from nqpf.paths import AGGLOMERATION_EN
    from nqpf.regions import cities as registry
    from nqpf.studies.groups import by_agglomeration

    codes = pd.Series(registry().index.to_numpy(dtype=np.int64))
    grouping = by_agglomeration(codes, overlap="first-plan", unassigned="other")
    raw = load_urban_agglomerations().data.sort_values("plan_year", kind="stable")
    first = raw.drop_duplicates("region_code").set_index("region_code").agglomeration
    expected = [
        f"{first[c]} {AGGLOMERATION_EN[first[c]]}" if c in first.index else OTHER for c in codes
    ]
    assert grouping.labels.tolist() == expected
    assert set(AGGLOMERATION_EN) == set(raw.agglomeration)
