"""Spatial structure: weights, spatial autocorrelation, geographical detector and GWR."""

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
from nqpf.spatial.weights import (
    EARTH_RADIUS_KM,
    SpatialWeights,
    contiguity_weights,
    distance_weights,
    economic_distance_weights,
    great_circle_distance,
    great_circle_matrix,
    knn_weights,
    nested_weights,
    province_geometries,
)

__all__ = [
    "EARTH_RADIUS_KM",
    "GetisOrdResult",
    "LocalMoranResult",
    "MoranResult",
    "SpatialPanelStatistic",
    "SpatialWeights",
    "contiguity_weights",
    "distance_weights",
    "economic_distance_weights",
    "getis_ord",
    "getis_ord_by_year",
    "great_circle_distance",
    "great_circle_matrix",
    "knn_weights",
    "local_moran",
    "local_moran_by_year",
    "moran",
    "moran_by_year",
    "nested_weights",
    "province_geometries",
]
