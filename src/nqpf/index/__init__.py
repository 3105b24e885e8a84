"""Composite-index numerics: normalisation, weights, aggregation, obstacles, rank uncertainty.

Every numeric function works on plain arrays or DataFrames (rows = observations such as
region-years, columns = indicators); :func:`compute_index` runs a YAML index system over a
:class:`~nqpf.panel.Panel`.
"""

from nqpf.index.aggregate import (
    AGGREGATION_METHODS,
    CompositeScores,
    aggregate_indicators,
    geometric_aggregate,
    linear_aggregate,
    topsis,
)
from nqpf.index.compute import (
    AGGREGATIONS,
    WEIGHTINGS,
    IndexResult,
    compute_index,
    index_of_values,
    index_uncertainty,
)
from nqpf.index.normalise import NORMALIZATION_METHODS, normalize_indicators
from nqpf.index.obstacle import ObstacleResult, obstacle_degree
from nqpf.index.system import IndexSystem, Indicator, builtin_systems, load_system
from nqpf.index.uncertainty import UNCERTAIN_INPUTS, UncertaintyResult, rank_uncertainty
from nqpf.index.weights import (
    SAATY_RANDOM_INDEX,
    WEIGHTING_METHODS,
    AHPResult,
    IndexWeights,
    ahp_weights,
    combine_weights,
    critic_weights,
    cv_weights,
    entropy_weights,
    equal_weights,
    indicator_weights,
    pca_weights,
)

__all__ = [
    "AGGREGATIONS",
    "WEIGHTINGS",
    "IndexResult",
    "IndexSystem",
    "Indicator",
    "builtin_systems",
    "compute_index",
    "index_of_values",
    "index_uncertainty",
    "load_system",
    "AGGREGATION_METHODS",
    "NORMALIZATION_METHODS",
    "SAATY_RANDOM_INDEX",
    "UNCERTAIN_INPUTS",
    "WEIGHTING_METHODS",
    "AHPResult",
    "CompositeScores",
    "IndexWeights",
    "ObstacleResult",
    "UncertaintyResult",
    "ahp_weights",
    "combine_weights",
    "critic_weights",
    "cv_weights",
    "entropy_weights",
    "equal_weights",
    "aggregate_indicators",
    "geometric_aggregate",
    "indicator_weights",
    "linear_aggregate",
    "normalize_indicators",
    "obstacle_degree",
    "pca_weights",
    "rank_uncertainty",
    "topsis",
]
