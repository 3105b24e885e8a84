"""The composite-index study: the index of a panel and, optionally, the uncertainty of its ranks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from nqpf.index import IndexResult, UncertaintyResult, compute_index, index_uncertainty
from nqpf.results import Summary, make_meta
from nqpf.studies.base import StudyResult

__all__ = ["IndexStudyResult", "index_study"]


@dataclass(frozen=True)
class IndexStudyResult(StudyResult):
    """A composite index and the Monte Carlo uncertainty of its ranks.

    Attributes
    ----------
    index
        The composite index (:class:`~nqpf.index.IndexResult`).
    uncertainty
        Rank uncertainty (:class:`~nqpf.index.UncertaintyResult`), or ``None`` when no runs
        were asked for.
    """

    key = "index"
    title = ("综合指数", "Composite index")

    index: IndexResult
    uncertainty: UncertaintyResult | None = None

    @property
    def notes(self) -> tuple[str, ...]:
        """What the reader must know (the number of validation issues)."""
        return (f"{len(self.index.report)} validation issues (see the validation table)",)

    def rank_intervals(self) -> pd.DataFrame | None:
        """Nominal, median, 5 % and 95 % rank of every region-year, or ``None``."""
        return None if self.uncertainty is None else self.uncertainty.summary_frame()

    def tables(self) -> dict[str, pd.DataFrame]:
        """The index sheets (:meth:`~nqpf.index.IndexResult.tables`), then ``rank_uncertainty``."""
        out = self.index.tables()
        intervals = self.rank_intervals()
        if intervals is not None:
            out["rank_uncertainty"] = intervals
        return out

    def to_frame(self) -> pd.DataFrame:
        """The index's tidy frame (:meth:`~nqpf.index.IndexResult.to_frame`)."""
        return self.index.to_frame()

    def summary(self) -> Summary:
        """Weights and the latest ranking, then the sensitivity and rank intervals of the runs."""
        base = self.index.summary()
        tables = list(base.tables)
        if self.uncertainty is not None:
            tables += list(self.uncertainty.summary().tables)
        return Summary(base.title, tuple(tables), base.notes)


def index_study(
    panel: Any,
    system: Any = "nqpf-province",
    *,
    weighting: str = "entropy",
    aggregation: str = "linear",
    normalization: str = "minmax",
    runs: int = 1000,
    seed: Any = 0,
    progress: Callable[[int, int], None] | None = None,
) -> IndexStudyResult:
    """Compute a composite index (:func:`~nqpf.index.compute_index`) and its rank uncertainty.

    ``runs`` Monte Carlo runs of :func:`~nqpf.index.index_uncertainty` (0: none), seeded with
    ``seed``; ``progress(done, total)`` is called as the runs complete.
    """
    result = compute_index(
        panel, system, weighting=weighting, aggregation=aggregation, normalization=normalization
    )
    uncertainty = (
        index_uncertainty(result, n_runs=runs, seed=seed, progress=progress) if runs else None
    )
    return IndexStudyResult(
        index=result,
        uncertainty=uncertainty,
        meta=make_meta(
            "index_study",
            system=result.system_name,
            weighting=weighting if isinstance(weighting, str) else "given",
            aggregation=aggregation,
            normalization=normalization,
            runs=int(runs),
            seed=uncertainty.meta.get("seed") if uncertainty is not None else None,
        ),
    )
