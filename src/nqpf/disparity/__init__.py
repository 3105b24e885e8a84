"""Regional differences and their dynamics.

How unequal is a regional value, where does the inequality come from (within or between groups),
is it converging, and how do regions move between levels?

- :func:`dagum_gini`, :func:`dagum_gini_panel`: Dagum's Gini decomposition (exact, O(n log n)),
  by year with bootstrap intervals;
- :func:`theil`, :func:`coefficient_of_variation`, :func:`disparity_table`;
- :func:`kernel_density`, :func:`kde_bandwidth`: Gaussian kernel density by year;
- :func:`sigma_convergence`, :func:`beta_convergence`, :func:`club_convergence`,
  :func:`spatial_beta_convergence`;
- :func:`markov`, :func:`spatial_markov`, :func:`homogeneity_test`, :func:`rank_mobility`;

:func:`nqpf.studies.disparity_study` runs all of them on one value, by year and group, in one call.
"""

from nqpf.disparity.convergence import (
    BetaConvergenceResult,
    ClubConvergenceResult,
    SigmaConvergenceResult,
    SpatialBetaConvergenceResult,
    beta_convergence,
    club_convergence,
    sigma_convergence,
    spatial_beta_convergence,
)
from nqpf.disparity.dagum import DagumGiniResult, DagumPanelResult, dagum_gini, dagum_gini_panel
from nqpf.disparity.density import (
    BANDWIDTH_RULES,
    KernelDensityResult,
    kde_bandwidth,
    kernel_density,
)
from nqpf.disparity.markov import (
    MarkovResult,
    RankMobilityResult,
    SpatialMarkovResult,
    homogeneity_test,
    markov,
    rank_mobility,
    spatial_markov,
)
from nqpf.disparity.theil import (
    DisparityTable,
    TheilResult,
    coefficient_of_variation,
    disparity_table,
    theil,
)
from nqpf.results import TestResult

__all__ = [
    "BANDWIDTH_RULES",
    "BetaConvergenceResult",
    "ClubConvergenceResult",
    "DagumGiniResult",
    "DagumPanelResult",
    "DisparityTable",
    "KernelDensityResult",
    "MarkovResult",
    "RankMobilityResult",
    "SigmaConvergenceResult",
    "SpatialBetaConvergenceResult",
    "SpatialMarkovResult",
    "TestResult",
    "TheilResult",
    "beta_convergence",
    "club_convergence",
    "coefficient_of_variation",
    "dagum_gini",
    "dagum_gini_panel",
    "disparity_table",
    "homogeneity_test",
    "kde_bandwidth",
    "kernel_density",
    "markov",
    "rank_mobility",
    "sigma_convergence",
    "spatial_beta_convergence",
    "spatial_markov",
    "theil",
]
