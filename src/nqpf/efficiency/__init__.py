"""Efficiency and productivity: DEA, Malmquist indices and the capital stock.

DEA (CCR, BCC, super-efficiency, SBM with undesirable outputs), Malmquist and (global)
Malmquist–Luenberger indices, two-stage network DEA (Kao & Hwang 2008; Chen, Cook, Li & Zhu
2009) and the perpetual-inventory capital stock. Every function returns a
:class:`~nqpf.results.Result`; the linear programmes are solved with HiGHS through
:func:`scipy.optimize.linprog`.
"""

from nqpf.efficiency.capital import CapitalStock, perpetual_inventory
from nqpf.efficiency.dea import DEAResult, dea, distance_function
from nqpf.efficiency.luenberger import (
    DirectionalDistance,
    MalmquistLuenberger,
    directional_distance,
    malmquist_luenberger,
)
from nqpf.efficiency.malmquist import Malmquist, malmquist
from nqpf.efficiency.twostage import TwoStage, two_stage

__all__ = [
    "CapitalStock",
    "DEAResult",
    "DirectionalDistance",
    "Malmquist",
    "MalmquistLuenberger",
    "TwoStage",
    "dea",
    "directional_distance",
    "distance_function",
    "malmquist",
    "malmquist_luenberger",
    "perpetual_inventory",
    "two_stage",
]
