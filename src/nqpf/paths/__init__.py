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

__all__: list[str] = [
    "GRADES",
    "CouplingCoordination",
    "CouplingVariant",
    "LocationQuotient",
    "coupling_coordination",
    "grade_transitions",
    "location_quotient",
]
