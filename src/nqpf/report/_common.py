"""Small pieces shared by the study reports (captions and significance marks)."""

from __future__ import annotations

import numpy as np

from nqpf.studies.inputs import value_label

__all__ = ["stars", "value_label"]


def stars(p: float) -> str:
    """Significance marks: ``***`` p < 0.01, ``**`` p < 0.05, ``*`` p < 0.1; none if not finite."""
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""
