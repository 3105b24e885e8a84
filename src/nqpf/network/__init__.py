"""Inter-regional flows and innovation networks.

O–D estimation from margins (Wilson's doubly constrained model), modified gravity linkages and
their check against observed connectivity, network structure (centralities, structural holes,
communities, core–periphery), QAP/MRQAP, and resilience to node removal. Every function takes a
:class:`FlowNetwork` or plain matrices and returns a :class:`~nqpf.results.Result`.
"""

from nqpf.network.communities import Communities, CommunityMethod, communities
from nqpf.network.coreperiphery import TIERS, CorePeriphery, core_periphery
from nqpf.network.graph import FlowNetwork, SelfFlows
from nqpf.network.gravity import GravityLinkage, LinkageFit, gravity_linkage, linkage_fit
from nqpf.network.interaction import Deterrence, ODEstimate, doubly_constrained
from nqpf.network.metrics import NODE_COLUMNS, NetworkMetrics, disparity_filter, network_metrics
from nqpf.network.qap import MRQAP, QAPCorrelation, mrqap, qap_correlation
from nqpf.network.resilience import (
    CURVE_COLUMNS,
    STRATEGIES,
    Cascade,
    Resilience,
    ResilienceCurves,
    Strategy,
    cascade,
    resilience,
    resilience_curves,
)

__all__ = [
    "CURVE_COLUMNS",
    "MRQAP",
    "NODE_COLUMNS",
    "STRATEGIES",
    "TIERS",
    "Cascade",
    "Communities",
    "CommunityMethod",
    "CorePeriphery",
    "Deterrence",
    "FlowNetwork",
    "GravityLinkage",
    "LinkageFit",
    "NetworkMetrics",
    "ODEstimate",
    "QAPCorrelation",
    "Resilience",
    "ResilienceCurves",
    "SelfFlows",
    "Strategy",
    "cascade",
    "communities",
    "core_periphery",
    "disparity_filter",
    "doubly_constrained",
    "gravity_linkage",
    "linkage_fit",
    "mrqap",
    "network_metrics",
    "qap_correlation",
    "resilience",
    "resilience_curves",
]
