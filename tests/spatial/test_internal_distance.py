"""Internal distance (2/3)·√(area/π) of a region against areas published by statistical offices."""

import math

import pytest

from nqpf.errors import DataValidationError
from nqpf.geo.geography import internal_distance


@pytest.mark.parametrize(
    ("code", "published_km2"),
    [
        (110000, 16_410.54),  # Beijing Statistical Yearbook: 16,410.54 km²
        (420000, 185_900.0),  # Hubei provincial government: 18.59 万 km²
    ],
)
def test_internal_distance_matches_published_area_within_5_percent(code, published_km2):
    expected = 2 / 3 * math.sqrt(published_km2 / math.pi)
    got = internal_distance([code])
    assert got.index.tolist() == [code]
    # ±5 % on the area is ±2.5 % on its square root
    assert got.loc[code] == pytest.approx(expected, rel=0.025)


def test_internal_distance_mixes_levels_and_names_unknown_codes():
    got = internal_distance([310000, 320100])
    assert got.index.tolist() == [310000, 320100]
    assert (got > 0).all() and got.loc[320100] < got.loc[310000] * 2
    with pytest.raises(DataValidationError, match="999900"):
        internal_distance([999900])
