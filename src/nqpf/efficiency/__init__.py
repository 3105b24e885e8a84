"""Efficiency and productivity: DEA, Malmquist indices and the capital stock.

DEA (CCR, BCC, super-efficiency, SBM with undesirable outputs), Malmquist and (global)
Malmquist–Luenberger indices, and the perpetual-inventory capital stock. Every function returns a
:class:`~nqpf.results.Result`; the linear programmes are solved with HiGHS through
:func:`scipy.optimize.linprog`.
"""

from nqpf.efficiency.luenberger import (
    DirectionalDistance,
    MalmquistLuenberger,
    directional_distance,
    malmquist_luenberger,
)

__all__: list[str] = [
    "DirectionalDistance",
    "MalmquistLuenberger",
    "directional_distance",
    "malmquist_luenberger",
]
