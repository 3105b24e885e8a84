"""Studies: each orchestrates the analysis packages on one input and returns tables and figures.

- :func:`index_study`: the composite index and the uncertainty of its ranks;
- :func:`disparity_study`: regional differences and their dynamics (Dagum, Theil, densities,
  convergence, Markov chains, rank mobility);
- :func:`spatial_study`: Moran's I by year, LISA clusters, Gi* hot spots;
- :func:`drivers_study`: spatial panel model with effects, geographical detector, GWR;
- :func:`coupling_study`: coupling coordination of the index's three elements;
- :func:`network_study`: estimated technology flows, network structure, gravity linkages and
  gravity checked against observed intercity networks.
- :func:`chain_study`: two-stage innovation-chain efficiency (R&D → commercialisation).

Every study reads its input through :func:`~nqpf.studies.inputs.value_table` and its spatial
weights through :func:`~nqpf.studies.inputs.study_weights`, and returns a
:class:`~nqpf.studies.base.StudyResult` whose ``tables()`` and ``figures()`` the report, the
command line and the workbench loop over. :data:`STUDIES` is the main job.
"""

from nqpf.studies.base import FigureSpec, MainJob, Study, StudyResult
from nqpf.studies.chain import DEFAULT_CHAIN, ChainStudyResult, chain_study
from nqpf.studies.coupling import CouplingStudyResult, coupling_study
from nqpf.studies.disparity import NATIONAL, DisparityStudyResult, auto_classes, disparity_study
from nqpf.studies.drivers import (
    DEFAULT_DRIVERS,
    DEFAULT_DRIVERS_NOTE,
    Driver,
    DriversStudyResult,
    drivers_study,
)
from nqpf.studies.index import IndexStudyResult, index_study
from nqpf.studies.inputs import WEIGHTS_SPECS, study_weights, value_table
from nqpf.studies.network import NetworkStudyResult, network_study
from nqpf.studies.registry import STUDIES
from nqpf.studies.spatial import SpatialStudyResult, spatial_study

__all__ = [
    "DEFAULT_CHAIN",
    "DEFAULT_DRIVERS",
    "DEFAULT_DRIVERS_NOTE",
    "NATIONAL",
    "STUDIES",
    "WEIGHTS_SPECS",
    "ChainStudyResult",
    "CouplingStudyResult",
    "DisparityStudyResult",
    "Driver",
    "DriversStudyResult",
    "FigureSpec",
    "IndexStudyResult",
    "MainJob",
    "NetworkStudyResult",
    "SpatialStudyResult",
    "Study",
    "StudyResult",
    "auto_classes",
    "chain_study",
    "coupling_study",
    "disparity_study",
    "drivers_study",
    "index_study",
    "network_study",
    "spatial_study",
    "study_weights",
    "value_table",
]
