"""Scales and paths: how well the three elements are combined, sector agglomeration, scales.

Coupling coordination of n subsystems, location quotients, and aggregation of regions to
agglomerations, provinces, macro-regions and the nation. Every function returns a
:class:`~nqpf.results.Result`.
"""

from nqpf.paths.coupling import (
    GRADES,
    CouplingCoordination,
    CouplingVariant,
    coupling_coordination,
    grade_transitions,
)
from nqpf.paths.quotient import LocationQuotient, location_quotient
from nqpf.paths.scales import (
    AGGLOMERATION_EN,
    MISSING_AGGLOMERATIONS,
    Aggregated,
    Concentration,
    Membership,
    Scale,
    agglomeration_label,
    aggregate,
    concentration,
    memberships,
)

__all__ = [
    "AGGLOMERATION_EN",
    "GRADES",
    "MISSING_AGGLOMERATIONS",
    "Aggregated",
    "Concentration",
    "CouplingCoordination",
    "CouplingVariant",
    "LocationQuotient",
    "Membership",
    "Scale",
    "aggregate",
    "agglomeration_label",
    "concentration",
    "coupling_coordination",
    "grade_transitions",
    "location_quotient",
    "memberships",
]
