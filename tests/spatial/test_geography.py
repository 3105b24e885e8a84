"""Geography layer: registry seats, cnmaps boundaries and points inside polygons."""

import numpy as np
import pytest
import shapely

from nqpf.errors import DataValidationError
from nqpf.geo import (
    SPECIAL_CODES,
    boundaries,
    province_geometries,
    region_coordinates,
    representative_points,
)
from nqpf.regions import cities, provinces


def test_region_coordinates_mix_provinces_and_cities():
    codes = [320500, 110000, 440300]  # Suzhou (city), Beijing (province), Shenzhen (city)
    got = region_coordinates(codes)
    want = np.array(
        [
            cities().loc[320500, ["lon", "lat"]].to_numpy(float),
            provinces().loc[110000, ["lon", "lat"]].to_numpy(float),
            cities().loc[440300, ["lon", "lat"]].to_numpy(float),
        ]
    )
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(region_coordinates(np.array([110000])), want[[1]])


def test_region_coordinates_name_unknown_codes():
    with pytest.raises(DataValidationError, match=r"\[999999, '北京'\]"):
        region_coordinates([110000, 999999, "北京"])


def test_province_boundaries_include_taiwan_hong_kong_macao(province_polygons):
    frame = boundaries("province")
    assert len(frame) == 34
    assert set(SPECIAL_CODES.values()) | set(provinces().index) == set(frame.index)
    assert frame.at[460000, "name"] == "海南省"
    assert set(province_polygons) == set(provinces().index)
    assert province_polygons[110000].equals(frame.at[110000, "geometry"])
    with pytest.raises(DataValidationError, match="level"):
        boundaries("township")  # type: ignore[arg-type]


def test_representative_points_lie_inside(province_polygons):
    geoms = list(province_geometries().values())
    points = representative_points(geoms)
    assert points.shape == (31, 2)
    inside = shapely.contains_xy(np.asarray(geoms, dtype=object), points[:, 0], points[:, 1])
    assert inside.all()
