"""Spatial structure: weights, spatial autocorrelation, geographical detector and GWR."""

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
    "SpatialWeights",
    "contiguity_weights",
    "distance_weights",
    "economic_distance_weights",
    "great_circle_distance",
    "great_circle_matrix",
    "knn_weights",
    "nested_weights",
    "province_geometries",
]
