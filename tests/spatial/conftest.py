import warnings

import pytest

from nqpf.errors import IslandWarning
from nqpf.geo import contiguity_weights, province_geometries


@pytest.fixture(scope="session")
def province_polygons():
    return province_geometries()


@pytest.fixture(scope="session")
def queen():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IslandWarning)
        return contiguity_weights()
