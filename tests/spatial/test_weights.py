"""Spatial weights against libpysal (same polygons / points), pyproj geodesics and hand values."""

import json

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from nqpf.errors import DataValidationError, IslandWarning, WeightsError
from nqpf.geo import (
    EARTH_RADIUS_KM,
    SpatialWeights,
    contiguity_weights,
    distance_weights,
    economic_distance_weights,
    great_circle_distance,
    great_circle_matrix,
    knn_weights,
    nested_weights,
)
from nqpf.regions import provinces

HAINAN, GUANGXI, GUANGDONG = 460000, 450000, 440000


def _gdf(polygons):
    return gpd.GeoDataFrame(
        {"region_code": list(polygons)}, geometry=list(polygons.values()), crs=4326
    ).set_index("region_code")


def _neighbour_sets(w: SpatialWeights):
    return {c: set(w.neighbors(c)) for c in w.codes}


# ---------------------------------------------------------------- contiguity
@pytest.mark.parametrize("kind", ["queen", "rook"])
def test_contiguity_matches_libpysal(province_polygons, kind):
    gdf = _gdf(province_polygons)
    ref = libpysal.graph.Graph.build_contiguity(gdf, rook=(kind == "rook"), strict=True)
    with pytest.warns(IslandWarning, match="460000"):
        w = contiguity_weights(kind=kind, islands="keep", row_standardize=False)
    ours = _neighbour_sets(w)
    for code in gdf.index:
        assert ours[code] == set(ref[code].index) - {code}, code


def test_contiguity_sanity(queen):
    assert set(queen.neighbors(110000)) == {120000, 130000}  # Beijing: Tianjin, Hebei
    assert queen.islands == (HAINAN,)
    # Hainan's polygons touch no province; the repair linked it to the nearest capital seat
    assert queen.added_links == ((HAINAN, GUANGXI),)
    assert queen.neighbors(HAINAN) == (GUANGXI,)
    assert HAINAN in queen.neighbors(GUANGXI)
    assert HAINAN not in queen.neighbors(GUANGDONG)
    assert queen.n_components == 1
    np.testing.assert_allclose(queen.sparse.sum(axis=1), 1.0, rtol=0, atol=1e-14)
    assert len(queen.report) == 1 and queen.report.issues[0].kind == "island"


def test_island_repair_warns_and_k(province_polygons):
    with pytest.warns(IslandWarning, match=r"460000 -> \[450000, 440000\]"):
        w = contiguity_weights(k_islands=2)
    assert set(w.neighbors(HAINAN)) == {GUANGXI, GUANGDONG}
    # distances from the registry seats, hand-checked with the haversine formula
    p = provinces()
    d = great_circle_distance(
        p.lon[HAINAN], p.lat[HAINAN], p.lon[[GUANGXI, GUANGDONG]], p.lat[[GUANGXI, GUANGDONG]]
    )
    assert d[0] < d[1]


def test_island_policy_raise_and_keep():
    with pytest.raises(WeightsError, match="460000"):
        contiguity_weights(islands="raise")
    with pytest.warns(IslandWarning, match="left isolated"):
        w = contiguity_weights(islands="keep")
    assert w.isolated == (HAINAN,)
    with pytest.warns(IslandWarning, match="460000"):
        repaired = w.connect_islands()
    assert repaired.neighbors(HAINAN) == (GUANGXI,)


def test_contiguity_subset_names_and_user_geometries(province_polygons):
    w = contiguity_weights(["北京", "天津", "河北省", 140000], row_standardize=False)
    assert w.codes == (110000, 120000, 130000, 140000)
    assert w.neighbors(140000) == (130000,)
    # numpy integer codes (as they come out of a DataFrame) give plain int codes
    same = contiguity_weights(np.array(w.codes), row_standardize=False)
    assert same.codes == w.codes and all(type(c) is int for c in same.codes)
    # user GeoDataFrame in a projected CRS gives the same neighbours
    gdf = _gdf({c: province_polygons[c] for c in w.codes}).to_crs(3857)
    w2 = contiguity_weights(geometries=gdf, row_standardize=False)
    assert _neighbour_sets(w2) == _neighbour_sets(w)


def test_contiguity_bad_input():
    with pytest.raises(WeightsError, match="kind"):
        contiguity_weights(kind="bishop")
    with pytest.raises(WeightsError, match="twice"):
        contiguity_weights([110000, "北京"])
    with pytest.raises(WeightsError, match="geometries"):
        contiguity_weights(geometries=[1, 2])


def test_rook_differs_from_queen_on_a_corner():
    # four unit squares meeting at (1, 1): diagonal squares are queen but not rook neighbours
    sq = {
        "sw": shapely.box(0, 0, 1, 1),
        "se": shapely.box(1, 0, 2, 1),
        "nw": shapely.box(0, 1, 1, 2),
        "ne": shapely.box(1, 1, 2, 2),
    }
    points = pd.DataFrame(
        {"lon": [0.5, 1.5, 0.5, 1.5], "lat": [0.5, 0.5, 1.5, 1.5]}, index=list(sq)
    )
    q = contiguity_weights(geometries=sq, points=points, row_standardize=False)
    r = contiguity_weights(geometries=sq, kind="rook", points=points, row_standardize=False)
    assert set(q.neighbors("sw")) == {"se", "nw", "ne"}
    assert set(r.neighbors("sw")) == {"se", "nw"}


# ---------------------------------------------------------------- distances
def test_haversine_beijing_shanghai():
    p = provinces()
    d = great_circle_distance(p.lon[110000], p.lat[110000], p.lon[310000], p.lat[310000])
    # the commonly quoted Beijing-Shanghai straight-line distance is about 1,067 km
    assert abs(float(d) - 1067) < 5
    # WGS84 geodesic (pyproj): the sphere differs from the ellipsoid by < 0.5 %
    _, _, geodesic = Geod(ellps="WGS84").inv(
        p.lon[110000], p.lat[110000], p.lon[310000], p.lat[310000]
    )
    assert abs(float(d) - geodesic / 1000) / (geodesic / 1000) < 0.005


def test_one_degree_of_longitude_on_equator():
    # hand-worked: 2*pi*R/360
    assert great_circle_distance(0, 0, 1, 0) == pytest.approx(
        2 * np.pi * EARTH_RADIUS_KM / 360, rel=1e-12
    )


# ---------------------------------------------------------------- knn / distance
@pytest.fixture(scope="module")
def random_points():
    rng = np.random.default_rng(11)
    return np.column_stack([rng.uniform(75, 130, 400), rng.uniform(18, 50, 400)])


@pytest.mark.parametrize("k", [1, 4, 8])
def test_knn_matches_libpysal(random_points, k):
    w = knn_weights(random_points, k=k, row_standardize=False)
    ref = libpysal.weights.KNN.from_array(
        random_points, k=k, distance_metric="arc", radius=EARTH_RADIUS_KM, silence_warnings=True
    )
    for i in range(len(random_points)):
        assert set(w.neighbors(i)) == set(ref.neighbors[i]), i


def test_knn_provinces_and_registry_lookup():
    w = knn_weights(["北京", "天津", "河北", "上海"], k=1, row_standardize=False)
    assert w.codes == (110000, 120000, 130000, 310000)
    assert w.neighbors(110000) == (120000,)


def test_distance_weights_against_libpysal(random_points):
    pts = random_points[:60]
    w = distance_weights(pts, power=2, row_standardize=False)
    # libpysal DistanceBand with arc distances, binary=False, alpha=-2, threshold above the max
    with np.errstate(divide="ignore"):  # libpysal raises 0 self-distances to -2 internally
        ref = libpysal.weights.DistanceBand.from_array(
            pts,
            threshold=20000.0,
            binary=False,
            alpha=-2.0,
            distance_metric="arc",
            radius=EARTH_RADIUS_KM,
            silence_warnings=True,
        )
    ref_dense = ref.full()[0]
    np.testing.assert_allclose(w.dense, ref_dense, rtol=1e-9, atol=0)


def test_distance_cutoff():
    w = distance_weights(cutoff=1700.0, row_standardize=False)
    d = great_circle_matrix(provinces()[["lon", "lat"]].to_numpy())
    expect = (d <= 1700) & (d > 0)
    assert np.array_equal(w.dense > 0, expect)
    np.testing.assert_allclose(w.dense[expect], 1 / d[expect], rtol=1e-12)
    with pytest.raises(WeightsError, match="cutoff"):
        distance_weights(cutoff=100.0)


def test_distance_bad_input():
    with pytest.raises(WeightsError, match="same location"):
        distance_weights(
            np.array([[100.0, 30.0], [100.0, 30.0], [101.0, 31.0]]), codes=["a", "b", "c"]
        )
    with pytest.raises(WeightsError, match="non-finite"):
        knn_weights(np.array([[100.0, np.nan], [100.0, 30.0], [101.0, 31.0]]), k=1)
    with pytest.raises(WeightsError, match="k must"):
        knn_weights(k=31)


# ---------------------------------------------------------------- economic / nested
def test_economic_distance_hand_worked():
    w = economic_distance_weights(pd.Series({"a": 1.0, "b": 3.0, "c": 7.0}), row_standardize=False)
    expect = np.array([[0, 1 / 2, 1 / 6], [1 / 2, 0, 1 / 4], [1 / 6, 1 / 4, 0]])
    np.testing.assert_allclose(w.dense, expect, rtol=1e-15)


def test_economic_distance_equal_values_named():
    with pytest.raises(WeightsError, match=r"'b' and 'c' have the same economic level"):
        economic_distance_weights({"a": 1.0, "b": 2.0, "c": 2.0})
    with pytest.raises(DataValidationError, match=r"\['b'\]"):
        economic_distance_weights({"a": 1.0, "b": np.nan, "c": 2.0})


def test_nested_hand_worked(queen):
    g = provinces()
    econ = economic_distance_weights(pd.Series(np.arange(31.0) ** 1.5 + 1, index=g.index))
    nest = nested_weights(queen, econ)
    prod = (queen.dense > 0) * econ.dense
    expect = prod / prod.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(nest.dense, expect, rtol=1e-12)
    assert nest.kind == "nested"


# ---------------------------------------------------------------- conversions / align
def test_libpysal_round_trip(queen):
    w = queen.to_libpysal()
    assert w.id_order == list(queen.codes)
    np.testing.assert_array_equal(w.sparse.toarray(), queen.dense)
    back = SpatialWeights.from_libpysal(w)
    assert back.codes == queen.codes and back.row_standardized
    np.testing.assert_array_equal(back.dense, queen.dense)
    g = queen.to_libpysal("graph")
    assert g.transformation == "R"
    np.testing.assert_array_equal(g.sparse.toarray(), queen.dense)
    back = SpatialWeights.from_libpysal(g)
    np.testing.assert_array_equal(back.dense, queen.dense)


def test_align_reorders_and_names_mismatches(queen):
    codes = list(reversed(queen.codes))
    a = queen.align(codes)
    assert a.codes == tuple(codes)
    np.testing.assert_array_equal(a.dense, queen.dense[::-1, ::-1])
    with pytest.raises(WeightsError, match=r"in the data but not in the weights: \[710000\]"):
        queen.align([*queen.codes, 710000])
    with pytest.raises(WeightsError, match=r"in the weights but not in the data: \[650000\]"):
        queen.align(queen.codes[:-1])
    with pytest.raises(WeightsError, match="duplicates"):
        queen.align([*queen.codes, 110000])


def test_subset_restandardises_and_warns(queen):
    with pytest.warns(IslandWarning, match="650000"):
        sub = queen.subset([110000, 120000, 130000, 650000])
    assert sub.neighbors(110000) == (120000, 130000)
    np.testing.assert_allclose(sub.dense[0], [0, 0.5, 0.5, 0])


def test_from_array_bad_input():
    with pytest.raises(WeightsError, match="diagonal"):
        SpatialWeights.from_array(np.eye(2), ["a", "b"])
    with pytest.raises(WeightsError, match="negative"):
        SpatialWeights.from_array([[0, -1], [1, 0]], ["a", "b"])
    with pytest.raises(WeightsError, match="shape"):
        SpatialWeights.from_array(np.zeros((2, 2)), ["a", "b", "c"])
    with pytest.raises(WeightsError, match="unique"):
        SpatialWeights.from_array([[0, 1], [1, 0]], ["a", "a"])
    with pytest.raises(WeightsError, match="libpysal"):
        SpatialWeights.from_libpysal(np.zeros((2, 2)))


def test_to_frame_and_summary(queen):
    frame = queen.to_frame()
    assert list(frame.columns) == ["region_code", "neighbor_code", "weight"]
    assert len(frame) == queen.sparse.nnz
    text = str(queen.summary())
    assert "460000-450000" in text
    assert queen.to_dict()["meta"]["kind"] == "queen"
    json.dumps(queen.to_dict(), allow_nan=False)


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=3, max_value=25), st.integers(min_value=0, max_value=2**32 - 1))
def test_row_standardisation_property(n, seed):
    rng = np.random.default_rng(seed)
    m = rng.random((n, n)) * (rng.random((n, n)) < 0.5)
    np.fill_diagonal(m, 0)
    m[:, 0] += np.r_[0, np.ones(n - 1)]  # every row but the first has a neighbour
    m[0, 1] = 1.0
    w = SpatialWeights.from_array(m, list(range(n)))
    np.testing.assert_allclose(w.sparse.sum(axis=1), 1.0, atol=1e-12)
    x = rng.normal(size=n)
    np.testing.assert_allclose(w.lag(x), (m / m.sum(1, keepdims=True)) @ x, atol=1e-12)
