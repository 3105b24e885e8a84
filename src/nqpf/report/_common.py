"""Small pieces shared by the study reports (captions, significance marks, saving a figure)."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from nqpf.studies.inputs import value_label

__all__ = ["save_figure", "stars", "value_label"]


def stars(p: float) -> str:
    """Significance marks: ``***`` p < 0.01, ``**`` p < 0.05, ``*`` p < 0.1; none if not finite."""
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def save_figure(fig: Figure, target: Any, **options: Any) -> None:
    """``fig.savefig(target, **options)`` without spurious floating-point warnings.

    mplot3d pads ragged polygons (the edges of a density surface) with uninitialised memory and
    projects the padding before masking it, so an overflow warning may or may not be raised
    depending on what that memory holds; the drawn figure is the same either way.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        fig.savefig(target, **options)
