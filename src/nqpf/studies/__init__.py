"""Studies: each orchestrates the analysis packages on one input and returns tables and figures.

- :func:`index_study`: the composite index and the uncertainty of its ranks;
- :func:`disparity_study`: regional differences and their dynamics (Dagum, Theil, densities,
  convergence, Markov chains, rank mobility);
- :func:`spatial_study`: Moran's I by year, LISA clusters, Gi* hot spots;
- :func:`coupling_study`: coupling coordination of the index's elements, or of a user's own
  subsystem scores;
- :func:`efficiency_study`: yearly DEA scores, Malmquist TFP and global Malmquist–Luenberger
  green TFP of the provinces on real inputs (:func:`efficiency_inputs`) or a user's panel;
- :func:`chain_study`: two-stage innovation-chain efficiency (R&D → commercialisation);
- :func:`drivers_study`: spatial panel model with effects, geographical detector, GWR;
- :func:`network_study`: estimated technology flows, network structure, gravity linkages and
  gravity checked against observed intercity networks;
- :func:`city_study`: the city index, its rank uncertainty and Moran's I on the bundled city data;
- :func:`scales_study`: urban-agglomeration concentration and aggregation across scales;
- :func:`scenario_study`: what-if changes of indicators against the baseline, with rank intervals.

Every study reads its input through :func:`~nqpf.studies.inputs.value_table` and its spatial
weights through :func:`~nqpf.studies.inputs.study_weights`, and returns a
:class:`~nqpf.studies.base.StudyResult` whose ``tables()`` and ``figures()`` the report, the
command line and the workbench loop over. :data:`STUDIES` is the main job.
"""

from nqpf.studies.base import FigureSpec, MainJob, Study, StudyResult
from nqpf.studies.chain import DEFAULT_CHAIN, ChainStudyResult, chain_study
from nqpf.studies.city import CityStudyResult, city_study
from nqpf.studies.coupling import CouplingStudyResult, coupling_study
from nqpf.studies.disparity import NATIONAL, DisparityStudyResult, auto_classes, disparity_study
from nqpf.studies.drivers import (
    DEFAULT_DRIVERS,
    DEFAULT_DRIVERS_NOTE,
    Driver,
    DriversStudyResult,
    drivers_study,
)
from nqpf.studies.efficiency import (
    EfficiencyInputs,
    EfficiencyStudyResult,
    efficiency_inputs,
    efficiency_study,
)
from nqpf.studies.index import IndexStudyResult, index_study
from nqpf.studies.inputs import WEIGHTS_SPECS, study_weights, value_table
from nqpf.studies.network import NetworkStudyResult, network_study
from nqpf.studies.registry import STUDIES
from nqpf.studies.scales import ScalesStudyResult, scales_study
from nqpf.studies.scenario import Change, ScenarioStudyResult, parse_change, scenario_study
from nqpf.studies.spatial import SpatialStudyResult, spatial_study

__all__ = [
    "DEFAULT_CHAIN",
    "DEFAULT_DRIVERS",
    "DEFAULT_DRIVERS_NOTE",
    "NATIONAL",
    "STUDIES",
    "WEIGHTS_SPECS",
    "Change",
    "CityStudyResult",
    "ChainStudyResult",
    "CouplingStudyResult",
    "DisparityStudyResult",
    "Driver",
    "DriversStudyResult",
    "EfficiencyInputs",
    "EfficiencyStudyResult",
    "FigureSpec",
    "IndexStudyResult",
    "MainJob",
    "NetworkStudyResult",
    "ScalesStudyResult",
    "ScenarioStudyResult",
    "SpatialStudyResult",
    "Study",
    "StudyResult",
    "auto_classes",
    "city_study",
    "chain_study",
    "coupling_study",
    "disparity_study",
    "drivers_study",
    "efficiency_inputs",
    "efficiency_study",
    "index_study",
    "network_study",
    "parse_change",
    "scales_study",
    "scenario_study",
    "spatial_study",
    "study_weights",
    "value_table",
]
