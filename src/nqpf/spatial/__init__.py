"""Spatial structure: weights, spatial autocorrelation, geographical detector and GWR.

The weights and distances live in :mod:`nqpf.geo` and are re-exported here.
"""

from nqpf.geo import (
    EARTH_RADIUS_KM,
    SpatialWeights,
    as_weights,
    contiguity_weights,
    contiguity_with_notes,
    distance_weights,
    economic_distance_weights,
    great_circle_distance,
    great_circle_matrix,
    knn_weights,
    nested_weights,
    province_geometries,
)
from nqpf.spatial.autocorrelation import (
    GetisOrdResult,
    LocalMoranResult,
    MoranResult,
    SpatialPanelStatistic,
    getis_ord,
    getis_ord_by_year,
    local_moran,
    local_moran_by_year,
    moran,
    moran_by_year,
)
from nqpf.spatial.geodetector import (
    DISCRETIZATION_METHODS,
    INTERACTION_TYPES,
    GeoDetectorResult,
    OptimalDiscretization,
    discretize,
    geodetector,
    optimal_discretization,
)
from nqpf.spatial.gwr import GWRResult, gwr, mgwr

__all__ = [
    "DISCRETIZATION_METHODS",
    "EARTH_RADIUS_KM",
    "INTERACTION_TYPES",
    "GWRResult",
    "GeoDetectorResult",
    "OptimalDiscretization",
    "discretize",
    "geodetector",
    "optimal_discretization",
    "GetisOrdResult",
    "LocalMoranResult",
    "MoranResult",
    "SpatialPanelStatistic",
    "SpatialWeights",
    "as_weights",
    "contiguity_weights",
    "contiguity_with_notes",
    "distance_weights",
    "economic_distance_weights",
    "getis_ord",
    "getis_ord_by_year",
    "great_circle_distance",
    "great_circle_matrix",
    "gwr",
    "knn_weights",
    "local_moran",
    "local_moran_by_year",
    "mgwr",
    "moran",
    "moran_by_year",
    "nested_weights",
    "province_geometries",
]
