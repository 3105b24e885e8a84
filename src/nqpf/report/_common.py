"""Small pieces shared by the study reports (captions and significance marks)."""

from __future__ import annotations

import numpy as np

#: Bilingual caption names of measured values that are not plain column names.
VALUE_LABELS = {"score": "综合得分 Composite score"}


def value_label(value: str) -> str:
    """Caption name of a measured value: the index score by its bilingual name, else as given."""
    return VALUE_LABELS.get(value, value)


def stars(p: float) -> str:
    """Significance marks: ``***`` p < 0.01, ``**`` p < 0.05, ``*`` p < 0.1; none if not finite."""
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""
