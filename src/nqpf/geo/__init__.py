"""Geography and spatial weights: the layer below every analysis package.

Great-circle distances, internal distances, registry seat coordinates and cnmaps boundaries
(:mod:`nqpf.geo.geography`), and :class:`SpatialWeights` with its builders and the one coercer
:func:`as_weights` (:mod:`nqpf.geo.weights`). It imports nothing from the analysis packages, so
``spatial``, ``disparity``, ``econometrics``, the maps and the network code can all use it.
"""

from nqpf.geo.geography import (
    EARTH_RADIUS_KM,
    SPECIAL_CODES,
    boundaries,
    distance_matrix,
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
    "EARTH_RADIUS_KM",
    "SPECIAL_CODES",
    "SpatialWeights",
    "as_weights",
    "boundaries",
    "contiguity_weights",
    "contiguity_with_notes",
    "distance_matrix",
    "distance_weights",
    "economic_distance_weights",
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
