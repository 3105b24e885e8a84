"""Panel and spatial panel econometrics.

Fixed-effects SAR/SEM/SDM/SDEM by maximum likelihood with the Lee–Yu bias correction,
LeSage–Pace effects, LM/LR/Wald/Hausman tests, and non-spatial panel fixed effects for
comparison.

>>> from nqpf.econometrics import SpatialPanel
>>> SpatialPanel("sdm", "twoway")
SpatialPanel(model='sdm', effects='twoway', lee_yu=True, vcov='information')
"""

from nqpf.econometrics._data import EFFECTS
from nqpf.econometrics.diagnostics import lm_tests, outcomes_frame
from nqpf.econometrics.effects import Spectrum, impacts
from nqpf.econometrics.logdet import SparseLogdet
from nqpf.econometrics.panel import PanelFEResults, hausman, panel_fe
from nqpf.econometrics.spatial_panel import MODELS, SpatialPanel, SpatialPanelResults
from nqpf.results import TestResult

__all__ = [
    "EFFECTS",
    "MODELS",
    "PanelFEResults",
    "SpatialPanel",
    "SparseLogdet",
    "SpatialPanelResults",
    "Spectrum",
    "TestResult",
    "hausman",
    "impacts",
    "lm_tests",
    "outcomes_frame",
    "panel_fe",
]
