"""Indicator weights: entropy, CRITIC, coefficient of variation, equal, PCA, AHP and combinations.

The objective methods (entropy, CRITIC, CV, PCA) take the RAW indicator table and first apply the
global (pooled) min-max normalisation with the given directions, so that their result does not
depend on units or on which way an indicator points. Every function returns an
:class:`IndexWeights` result: ``.weights`` (a Series indexed by indicator that sums to 1), the
method's intermediate quantities in ``.to_frame()``, and the method and parameters in ``.meta``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
from scipy.special import xlogy

from nqpf.errors import DataValidationError, WeightsError
from nqpf.index._checks import as_frame, by_indicator, check_method, plain, resolve_directions
from nqpf.index.normalise import normalize_resolved
from nqpf.results import Result, Summary, make_meta

__all__ = [
    "SAATY_RANDOM_INDEX",
    "WEIGHTING_METHODS",
    "AHPResult",
    "IndexWeights",
    "ahp_weights",
    "combine_weights",
    "critic_weights",
    "cv_weights",
    "entropy_weights",
    "equal_weights",
    "indicator_weights",
    "pca_weights",
]

WEIGHTING_METHODS: tuple[str, ...] = ("entropy", "critic", "cv", "equal", "pca")
"""Data-driven weighting methods accepted by :func:`indicator_weights`."""

SAATY_RANDOM_INDEX: dict[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
}
"""Saaty's random consistency index RI by matrix order (Saaty 1980, *The Analytic Hierarchy
Process*, McGraw-Hill)."""

ArrayLike2D: TypeAlias = pd.DataFrame | np.ndarray
Directions: TypeAlias = Mapping[Hashable, Any] | pd.Series | Sequence[Any] | None

_TITLES = {
    "entropy_weights": "Entropy weights 熵权法权重",
    "critic_weights": "CRITIC weights CRITIC法权重",
    "cv_weights": "Coefficient-of-variation weights 变异系数法权重",
    "equal_weights": "Equal weights 等权重",
    "pca_weights": "PCA weights 主成分分析法权重",
    "combined_weights": "Combined weights 组合权重",
}
_COLUMN_LABELS = {
    "weight": "权重 weight",
    "entropy": "信息熵 e_j",
    "divergence": "差异系数 d_j",
    "std": "标准差 σ_j",
    "conflict": "冲突性 Σ(1 − r_jk)",
    "information": "信息量 C_j",
    "mean": "均值 mean",
    "cv": "变异系数 v_j",
    "dimension": "维度 dimension",
}


@dataclass(frozen=True)
class IndexWeights(Result):
    r"""Indicator weights and the quantities the method derived them from.

    Attributes
    ----------
    weights
        Weight per indicator (index named ``indicator``), non-negative, summing to 1.
    details
        Method-specific columns indexed like ``weights``: ``entropy`` and ``divergence``
        (:math:`e_j`, :math:`d_j`) for entropy weights; ``std``, ``conflict`` and ``information``
        (:math:`\sigma_j`, :math:`\sum_k (1 - r_{jk})`, :math:`C_j`) for CRITIC; ``mean``,
        ``std`` and ``cv`` for CV weights; ``dimension`` for equal weights per dimension; no
        column for the other methods.

    """

    weights: pd.Series
    details: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator: ``indicator, weight`` and the method's detail columns."""
        table = self.weights.rename("weight").to_frame().join(self.details)
        return table.rename_axis("indicator").reset_index()

    def summary(self) -> Summary:
        """The weights and detail columns, with the method's parameters as a note."""
        table = self.to_frame().set_index("indicator").rename(columns=_COLUMN_LABELS)
        table.index.name = "指标 indicator"
        method = str(self.meta.get("method", ""))
        parameters = ", ".join(
            f"{k}={v}" for k, v in self.meta.items() if k not in ("method", "nqpf_version")
        )
        return Summary(
            _TITLES.get(method, method), (("", table),), (parameters,) if parameters else ()
        )


WeightsLike: TypeAlias = (
    IndexWeights | pd.Series | Mapping[Hashable, float] | Sequence[float] | np.ndarray
)


def align_weights(weights: WeightsLike, columns: pd.Index) -> np.ndarray:
    """Weights as a float array in column order; non-negative, finite and summing to 1.

    Shared by the aggregation, obstacle and uncertainty functions of :mod:`nqpf.index`; an
    :class:`IndexWeights` result is read through its ``.weights``.
    """
    if isinstance(weights, IndexWeights):
        weights = weights.weights
    if isinstance(weights, pd.Series | Mapping):
        lookup = by_indicator(weights, columns, "weight", WeightsError)
        w = np.array([float(lookup[c]) for c in columns])
    else:
        w = np.asarray(weights, dtype=float).ravel()
        if len(w) != len(columns):
            raise WeightsError(
                f"{len(w)} weights given for {len(columns)} indicators {list(columns)}"
            )
    if not np.all(np.isfinite(w)):
        raise WeightsError("weights contain missing or infinite values")
    if np.any(w < 0):
        j = int(np.argmax(w < 0))
        raise WeightsError(f"weight of indicator {plain(columns[j])} is negative ({w[j]:g})")
    if not np.isclose(w.sum(), 1.0, rtol=0, atol=1e-8):
        raise WeightsError(f"weights sum to {w.sum():.10g}, not 1; normalise them first")
    return w


def _unit(X: ArrayLike2D, directions: Directions) -> tuple[pd.DataFrame, np.ndarray]:
    """Global min-max normalised ``X`` (benefit type) and the resolved directions."""
    frame = as_frame(X)
    signs = resolve_directions(directions, frame.columns)
    return normalize_resolved(frame, signs), signs


def _result(
    raw: np.ndarray,
    columns: pd.Index,
    method: str,
    details: Mapping[str, Any] | None = None,
    **parameters: Any,
) -> IndexWeights:
    total = raw.sum()
    if not np.isfinite(total) or total <= 0:
        raise WeightsError(f"{method} weights are undefined here (sum of raw scores {total!r})")
    index = pd.Index(columns).rename("indicator")
    return IndexWeights(
        weights=pd.Series(raw / total, index=index, name=f"{method}_weight"),
        details=pd.DataFrame(dict(details or {}), index=index),
        meta=make_meta(f"{method}_weights", **parameters),
    )


def entropy_weights(
    X: ArrayLike2D, directions: Directions = None, shift: float = 0.0
) -> IndexWeights:
    r"""Entropy weights of indicators, pooled over all rows (the "global" panel mode).

    Parameters
    ----------
    X
        Raw indicator values, rows = observations (all regions and years), columns = indicators.
    directions
        ``+1`` benefit / ``-1`` cost per indicator (see
        :func:`~nqpf.index.normalize_indicators`); default all benefit.
    shift
        Non-negative constant added to every normalised value before computing shares. The
        default ``0.0`` adds nothing: zeros contribute :math:`0 \ln 0 = 0`. A positive shift
        (the ``0.0001`` seen in some papers) changes the weights; it is recorded in
        ``meta["shift"]`` and must be reported by any result that uses it.

    Returns
    -------
    IndexWeights
        ``.weights`` per indicator, summing to 1; ``.to_frame()`` adds the entropy
        :math:`e_j` and divergence :math:`d_j` of each indicator.

    Raises
    ------
    DataValidationError
        NaN / infinite cells, a constant indicator (a single row makes every indicator
        constant), bad directions, or a negative shift.

    Notes
    -----
    With :math:`y_{ij}` the global min-max normalised value of row :math:`i` (region-year) and
    indicator :math:`j`, plus the shift :math:`a`, and :math:`n` the number of rows:

    .. math::

        p_{ij} = \frac{y_{ij} + a}{\sum_i (y_{ij} + a)}, \qquad
        e_j = -\frac{1}{\ln n} \sum_i p_{ij} \ln p_{ij}\ (0 \ln 0 = 0), \qquad
        d_j = 1 - e_j, \qquad w_j = \frac{d_j}{\sum_k d_k}.

    Sources: Shannon (1948), *Bell System Technical Journal* 27; Hwang & Yoon (1981),
    *Multiple Attribute Decision Making*, Springer, section on the entropy method.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, 1.0, 1.0, 9.0]})
    >>> entropy_weights(X).weights.round(4)
    indicator
    a    0.2129
    b    0.7871
    Name: entropy_weight, dtype: float64

    """
    return _entropy(*_unit(X, directions), shift=shift)


def _entropy(unit: pd.DataFrame, signs: np.ndarray, shift: float = 0.0) -> IndexWeights:
    shift = float(shift)
    if not (np.isfinite(shift) and shift >= 0):
        raise DataValidationError(f"shift must be a non-negative number; got {shift!r}")
    # every column of a min-max table reaches 1, so the column sums are positive
    y = unit.to_numpy() + shift
    p = y / y.sum(axis=0)
    n = y.shape[0]
    entropy = -xlogy(p, p).sum(axis=0) / math.log(n)
    divergence = 1.0 - entropy
    return _result(
        divergence,
        unit.columns,
        "entropy",
        {"entropy": entropy, "divergence": divergence},
        shift=shift,
        directions=[int(s) for s in signs],
        n=n,
    )


def critic_weights(X: ArrayLike2D, directions: Directions = None) -> IndexWeights:
    r"""CRITIC weights (Criteria Importance Through Intercriteria Correlation).

    Parameters
    ----------
    X
        Raw indicator values (rows = observations, columns = indicators).
    directions
        ``+1`` benefit / ``-1`` cost per indicator; default all benefit.

    Returns
    -------
    IndexWeights
        ``.weights`` per indicator, summing to 1 (a single indicator gets weight 1);
        ``.to_frame()`` adds :math:`\sigma_j`, the conflict :math:`\sum_k (1 - r_{jk})` and
        the information :math:`C_j`.

    Raises
    ------
    DataValidationError
        NaN / infinite cells, a constant indicator (a single row makes every indicator
        constant), bad directions.
    WeightsError
        All information measures are 0 (every pair of indicators perfectly correlated).

    Notes
    -----
    On the global min-max normalised values :math:`y_{ij}`, with :math:`\sigma_j` the SAMPLE
    standard deviation (divisor :math:`n-1`) and :math:`r_{jk}` the Pearson correlation:

    .. math::

        C_j = \sigma_j \sum_{k} (1 - r_{jk}), \qquad w_j = \frac{C_j}{\sum_k C_k}.

    Source: Diakoulaki, Mavrotas & Papayannakis (1995), Determining objective weights in
    multiple criteria problems: the CRITIC method, *Computers & Operations Research* 22(7),
    763-770.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 1.0, 3.0], "c": [3.0, 1.0, 2.0]})
    >>> critic_weights(X).weights.round(4)
    indicator
    a    0.4
    b    0.2
    c    0.4
    Name: critic_weight, dtype: float64

    """
    return _critic(*_unit(X, directions))


def _critic(unit: pd.DataFrame, signs: np.ndarray) -> IndexWeights:
    y, columns = unit.to_numpy(), unit.columns
    directions = [int(s) for s in signs]
    sigma = y.std(axis=0, ddof=1)
    if y.shape[1] == 1:
        return _result(
            np.ones(1), columns, "critic", {"std": sigma}, std_ddof=1, directions=directions
        )
    r = np.corrcoef(y, rowvar=False)
    conflict = (1.0 - r).sum(axis=0)
    information = sigma * conflict
    information = np.clip(information, 0.0, None)  # rounding can give -1e-17 for r == 1
    # with every pair perfectly correlated, the C_j are rounding noise (~1e-16 sigma)
    if information.sum() <= 1e-10 * sigma.sum() * (len(sigma) - 1):
        raise WeightsError(
            "CRITIC weights are undefined: all indicators are perfectly correlated "
            f"({list(columns)})"
        )
    return _result(
        information,
        columns,
        "critic",
        {"std": sigma, "conflict": conflict, "information": information},
        std_ddof=1,
        directions=directions,
    )


def cv_weights(X: ArrayLike2D, directions: Directions = None) -> IndexWeights:
    r"""Coefficient-of-variation weights.

    Parameters
    ----------
    X
        Raw indicator values (rows = observations, columns = indicators).
    directions
        ``+1`` benefit / ``-1`` cost per indicator; default all benefit.

    Returns
    -------
    IndexWeights
        ``.weights`` per indicator, summing to 1; ``.to_frame()`` adds the ``mean``, ``std``
        and ``cv`` of each indicator's normalised values.

    Notes
    -----
    On the global min-max normalised values :math:`y_{ij}` (so the CV does not depend on units
    or on the direction of an indicator's raw scale), with sample standard deviation
    :math:`\sigma_j` (divisor :math:`n-1`) and mean :math:`\bar y_j`:

    .. math::

        v_j = \frac{\sigma_j}{\bar y_j}, \qquad w_j = \frac{v_j}{\sum_k v_k}.

    Source: OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 6.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [0.0, 0.0, 5.0]})
    >>> cv_weights(X).weights.round(4)
    indicator
    a    0.3660
    b    0.6340
    Name: cv_weight, dtype: float64

    """
    return _cv(*_unit(X, directions))


def _cv(unit: pd.DataFrame, signs: np.ndarray) -> IndexWeights:
    y = unit.to_numpy()
    mean, std = y.mean(axis=0), y.std(axis=0, ddof=1)
    cv = std / mean
    return _result(
        cv,
        unit.columns,
        "cv",
        {"mean": mean, "std": std, "cv": cv},
        std_ddof=1,
        directions=[int(s) for s in signs],
    )


def equal_weights(
    X: ArrayLike2D | Sequence[Hashable] | pd.Index,
    dimensions: Mapping[Hashable, Hashable] | None = None,
) -> IndexWeights:
    r"""Equal weights, optionally equal per dimension and then equal within it.

    Parameters
    ----------
    X
        An indicator table (its columns are used) or the indicator names themselves.
    dimensions
        Optional mapping indicator → dimension. If given, each of the :math:`D` dimensions gets
        :math:`1/D` and shares it equally among its :math:`n_d` indicators.

    Returns
    -------
    IndexWeights
        ``.weights`` :math:`w_j = 1/m`, or :math:`w_j = 1/(D\,n_{d(j)})` with dimensions (then
        ``.to_frame()`` adds each indicator's ``dimension``).

    Examples
    --------
    >>> equal_weights(["a", "b", "c"]).weights.tolist()
    [0.333..., 0.333..., 0.333...]
    >>> dimensions = {"a": "D1", "b": "D1", "c": "D2"}
    >>> equal_weights(["a", "b", "c"], dimensions=dimensions).weights.tolist()
    [0.25, 0.25, 0.5]

    """
    if isinstance(X, pd.DataFrame):
        columns = X.columns
    elif isinstance(X, np.ndarray) and X.ndim == 2:
        columns = pd.RangeIndex(X.shape[1])
    else:
        columns = pd.Index(list(X))
    if len(columns) == 0 or columns.has_duplicates:
        raise DataValidationError(
            f"equal_weights needs distinct indicator names; got {list(columns)}"
        )
    if dimensions is None:
        return _result(np.ones(len(columns)), columns, "equal")
    dims = _dimension_labels(dimensions, columns)
    counts = pd.Series(dims).value_counts()
    raw = np.array([1.0 / (len(counts) * counts[d]) for d in dims])
    return _result(
        raw,
        columns,
        "equal",
        {"dimension": dims},
        dimensions="equal per dimension, then within",
    )


def _dimension_labels(dimensions: Mapping[Hashable, Hashable], columns: pd.Index) -> list[Hashable]:
    missing = [c for c in columns if c not in dimensions]
    if missing:
        raise DataValidationError(f"dimensions gives no dimension for indicator(s) {missing}")
    return [dimensions[c] for c in columns]


def pca_weights(
    X: ArrayLike2D,
    directions: Directions = None,
    n_components: int | None = None,
    min_eigenvalue: float = 1.0,
) -> IndexWeights:
    r"""Principal-component weights: squared loadings weighted by explained variance.

    Parameters
    ----------
    X
        Raw indicator values (rows = observations, columns = indicators).
    directions
        ``+1`` benefit / ``-1`` cost per indicator; default all benefit.
    n_components
        Number of components to keep. Default: every component with eigenvalue
        ``> min_eigenvalue`` (Kaiser criterion), at least one.
    min_eigenvalue
        Eigenvalue threshold when ``n_components`` is None.

    Returns
    -------
    IndexWeights
        ``.weights`` per indicator, summing to 1 (all non-negative); ``meta`` records the
        number of components kept and their explained variance.

    Notes
    -----
    PCA of the correlation matrix of the global min-max normalised values (no rotation). With
    eigenvalues :math:`\lambda_k` and unit eigenvectors :math:`a_{\cdot k}` of the :math:`K`
    retained components:

    .. math::

        w_j = \sum_{k=1}^{K} \frac{\lambda_k}{\sum_{l=1}^{K} \lambda_l}\, a_{jk}^2 .

    Since :math:`\sum_j a_{jk}^2 = 1`, the weights sum to 1. Squaring removes the arbitrary sign
    of each eigenvector. Source: OECD/JRC (2008), *Handbook on Constructing Composite
    Indicators*, section 6.1 (weights from squared loadings scaled by explained variance);
    Nicoletti, Scarpetta & Boylaud (2000), OECD Economics Department Working Paper 226.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 1.0, 4.0, 3.0]})
    >>> pca_weights(X).weights.round(4)
    indicator
    a    0.5
    b    0.5
    Name: pca_weight, dtype: float64

    """
    return _pca(*_unit(X, directions), n_components=n_components, min_eigenvalue=min_eigenvalue)


def _pca(
    unit: pd.DataFrame,
    signs: np.ndarray,
    n_components: int | None = None,
    min_eigenvalue: float = 1.0,
) -> IndexWeights:
    y = unit.to_numpy()
    m = y.shape[1]
    corr = np.atleast_2d(np.corrcoef(y, rowvar=False))
    eigenvalues, vectors = np.linalg.eigh(corr)
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues, vectors = eigenvalues[order], vectors[:, order]
    if n_components is None:
        k = max(1, int((eigenvalues > min_eigenvalue).sum()))
    else:
        if not (isinstance(n_components, int | np.integer) and 1 <= n_components <= m):
            raise DataValidationError(
                f"n_components must be an integer in 1..{m}; got {n_components!r}"
            )
        k = int(n_components)
    share = eigenvalues[:k] / eigenvalues[:k].sum()
    raw = (vectors[:, :k] ** 2) @ share
    return _result(
        raw,
        unit.columns,
        "pca",
        directions=[int(s) for s in signs],
        n_components=k,
        explained_variance=[float(v) for v in eigenvalues[:k] / eigenvalues.sum()],
    )


@dataclass(frozen=True)
class AHPResult(IndexWeights):
    r"""Weights from an AHP pairwise comparison matrix, with Saaty's consistency check.

    Attributes
    ----------
    weights
        Principal-eigenvector priorities, summing to 1.
    lambda_max
        Principal eigenvalue :math:`\lambda_{max}`.
    consistency_index
        :math:`CI = (\lambda_{max} - n)/(n - 1)`.
    random_index
        Saaty's random index RI for this order.
    consistency_ratio
        :math:`CR = CI/RI` (0 for n <= 2).

    """

    lambda_max: float
    consistency_index: float
    random_index: float
    consistency_ratio: float

    @property
    def n(self) -> int:
        """Order of the matrix (number of criteria)."""
        return len(self.weights)

    @property
    def consistent(self) -> bool:
        """Whether the judgements are acceptably consistent (CR < 0.1)."""
        return bool(self.consistency_ratio < 0.1)

    def summary(self) -> Summary:
        """Weights and consistency statistics; an inconsistent matrix is flagged in the notes."""
        stats = pd.DataFrame(
            {
                "value": [
                    self.lambda_max,
                    self.consistency_index,
                    self.random_index,
                    self.consistency_ratio,
                ]
            },
            index=pd.Index(
                [
                    "最大特征根 λmax",
                    "一致性指标 CI",
                    "随机一致性指标 RI",
                    "一致性比率 CR",
                ],
                name="statistic 统计量",
            ),
        )
        table = self.weights.rename("权重 weight").rename_axis("指标 indicator").to_frame()
        if self.consistent:
            verdict = f"CR = {self.consistency_ratio:.4f} < 0.10: judgements acceptably consistent."
        else:
            verdict = (
                f"WARNING: CR = {self.consistency_ratio:.4f} >= 0.10: the pairwise judgements are "
                "NOT acceptably consistent (一致性检验未通过); revise the matrix before using "
                "these weights."
            )
        return Summary(
            "AHP weights 层次分析法权重",
            (("Weights 权重", table), ("Consistency 一致性检验", stats)),
            (verdict,),
        )


def ahp_weights(
    pairwise: pd.DataFrame | np.ndarray | Sequence[Sequence[float]],
    random_index: float | None = None,
    rtol: float = 1e-2,
) -> AHPResult:
    r"""AHP weights from a pairwise comparison matrix (principal eigenvector method).

    Parameters
    ----------
    pairwise
        Square matrix :math:`A` with :math:`a_{ij}` = importance of criterion :math:`i` over
        :math:`j` (Saaty's 1-9 scale), :math:`a_{ii} = 1` and :math:`a_{ji} = 1/a_{ij}`. A
        DataFrame's index gives the criterion names.
    random_index
        RI to use; default Saaty's table (:data:`SAATY_RANDOM_INDEX`, orders 1-10). Required for
        larger matrices.
    rtol
        Relative tolerance of the reciprocity check :math:`|a_{ij} a_{ji} - 1| \le rtol`; the
        default 0.01 accepts judgements typed with two decimals (``0.33`` for 1/3).

    Returns
    -------
    AHPResult
        ``weights``, ``lambda_max``, ``consistency_index``, ``random_index``,
        ``consistency_ratio``; ``consistent`` is False (and the summary says so) when CR ≥ 0.1.

    Raises
    ------
    WeightsError
        A matrix that is not square, has non-positive or non-finite entries, a diagonal other
        than 1, or is not reciprocal (naming the pair), or an order without a tabulated RI.

    Notes
    -----
    .. math::

        A w = \lambda_{max} w, \qquad CI = \frac{\lambda_{max} - n}{n - 1}, \qquad
        CR = \frac{CI}{RI_n}.

    CR < 0.1 is Saaty's acceptance threshold. Sources: Saaty (1977), A scaling method for
    priorities in hierarchical structures, *Journal of Mathematical Psychology* 15, 234-281;
    Saaty (1980), *The Analytic Hierarchy Process*, McGraw-Hill (random index table).

    Examples
    --------
    >>> result = ahp_weights([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    >>> result.weights.round(3).tolist()
    [0.637, 0.258, 0.105]
    >>> round(result.lambda_max, 3), round(result.consistency_ratio, 3), result.consistent
    (3.039, 0.033, True)

    """
    if isinstance(pairwise, pd.DataFrame):
        names = pd.Index(pairwise.index)
        A = pairwise.to_numpy(dtype=float)
    else:
        A = np.asarray(pairwise, dtype=float)
        names = pd.RangeIndex(A.shape[0]) if A.ndim == 2 else pd.RangeIndex(0)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
        raise WeightsError(f"the pairwise matrix must be square; got shape {A.shape}")
    n = A.shape[0]
    if not np.all(np.isfinite(A)) or np.any(A <= 0):
        i, j = np.argwhere(~(np.isfinite(A) & (A > 0)))[0]
        raise WeightsError(
            f"pairwise entry ({plain(names[i])}, {plain(names[j])}) is {A[i, j]!r}; "
            "all entries must be positive numbers"
        )
    if not np.allclose(np.diag(A), 1.0, rtol=0, atol=rtol):
        i = int(np.argmax(np.abs(np.diag(A) - 1)))
        raise WeightsError(f"diagonal entry of {plain(names[i])} is {A[i, i]!r}; it must be 1")
    product = A * A.T
    bad = np.argwhere(np.abs(product - 1.0) > rtol)
    if bad.size:
        i, j = bad[0]
        raise WeightsError(
            f"pairwise matrix is not reciprocal: a[{plain(names[i])}, {plain(names[j])}] = "
            f"{A[i, j]:g} but a[{plain(names[j])}, {plain(names[i])}] = {A[j, i]:g} "
            f"(expected {1 / A[i, j]:g})"
        )
    if random_index is None:
        if n not in SAATY_RANDOM_INDEX:
            raise WeightsError(
                f"no tabulated random index for a {n}x{n} matrix; pass random_index= explicitly"
            )
        random_index = SAATY_RANDOM_INDEX[n]
    eigenvalues, vectors = np.linalg.eig(A)
    k = int(np.argmax(eigenvalues.real))
    lambda_max = float(eigenvalues[k].real)
    vector = np.abs(vectors[:, k].real)
    index = names.rename("indicator")
    ci = (lambda_max - n) / (n - 1) if n > 2 else 0.0
    cr = ci / random_index if random_index > 0 else 0.0
    return AHPResult(
        weights=pd.Series(vector / vector.sum(), index=index, name="ahp_weight"),
        details=pd.DataFrame(index=index),
        lambda_max=lambda_max,
        consistency_index=float(ci),
        random_index=float(random_index),
        consistency_ratio=float(cr),
        meta=make_meta(
            "ahp_weights",
            n=n,
            random_index=float(random_index),
            reciprocity_rtol=rtol,
            lambda_max=lambda_max,
            consistency_ratio=float(cr),
        ),
    )


def combine_weights(
    *weights: IndexWeights | pd.Series | np.ndarray | Sequence[float],
    method: str = "multiplicative",
    alpha: Sequence[float] | None = None,
) -> IndexWeights:
    r"""Combine several weight vectors (e.g. subjective AHP and objective entropy) into one.

    Parameters
    ----------
    *weights
        Two or more weight vectors over the same indicators (weights results such as
        :func:`entropy_weights` returns, Series with the same index labels, or arrays of equal
        length), each non-negative and summing to 1.
    method
        ``"multiplicative"`` or ``"linear"``.
    alpha
        Only for ``"linear"``: the share of each vector, non-negative, summing to 1; default
        equal shares.

    Returns
    -------
    IndexWeights
        ``.weights``: the combined weights, summing to 1.

    Raises
    ------
    WeightsError
        Fewer than two vectors, mismatched indicators, negative entries, vectors or ``alpha`` not
        summing to 1, ``alpha`` with the multiplicative method, or a product that is 0
        everywhere.
    ValueError
        Unknown ``method``.

    Notes
    -----
    .. math::

        \text{multiplicative:}\quad w_j = \frac{\prod_k w^{(k)}_j}{\sum_l \prod_k w^{(k)}_l},
        \qquad \text{linear:}\quad w_j = \sum_k \alpha_k w^{(k)}_j .

    These are the two usual rules of combined subjective-objective weighting (组合赋权); the
    multiplicative rule favours indicators on which the methods agree.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.Series({"x": 0.5, "y": 0.5})
    >>> b = pd.Series({"x": 0.8, "y": 0.2})
    >>> combine_weights(a, b).weights.tolist()
    [0.8, 0.2]
    >>> combine_weights(a, b, method="linear", alpha=[0.5, 0.5]).weights.round(2).tolist()
    [0.65, 0.35]

    """
    check_method(method, ("multiplicative", "linear"))
    if len(weights) < 2:
        raise WeightsError("combine_weights needs at least two weight vectors")
    vectors = [w.weights if isinstance(w, IndexWeights) else w for w in weights]
    first = vectors[0]
    if isinstance(first, pd.Series):
        index = first.index
    else:
        index = pd.RangeIndex(len(np.asarray(first)))
    stack = []
    for k, w in enumerate(vectors):
        if isinstance(w, pd.Series):
            if not (len(w) == len(index) and set(w.index) == set(index)):
                raise WeightsError(
                    f"weight vector {k} covers indicators {list(w.index)}, expected {list(index)}"
                )
            values = w.reindex(index).to_numpy(dtype=float)
        else:
            values = np.asarray(w, dtype=float).ravel()
            if len(values) != len(index):
                raise WeightsError(
                    f"weight vector {k} has {len(values)} entries, expected {len(index)}"
                )
        _check_weight_vector(values, f"weight vector {k}", index)
        stack.append(values)
    W = np.vstack(stack)
    if method == "multiplicative":
        if alpha is not None:
            raise WeightsError("alpha is only used by method='linear'")
        raw = W.prod(axis=0)
        if raw.sum() <= 0:
            raise WeightsError("the product of the weight vectors is 0 for every indicator")
        params: dict[str, Any] = {"combination": "multiplicative"}
    else:
        a = np.full(len(W), 1.0 / len(W)) if alpha is None else np.asarray(alpha, dtype=float)
        if a.shape != (len(W),) or np.any(a < 0) or not np.isclose(a.sum(), 1.0):
            raise WeightsError(
                f"alpha must hold {len(W)} non-negative shares summing to 1; got {alpha!r}"
            )
        raw = a @ W
        params = {"combination": "linear", "alpha": [float(x) for x in a]}
    return _result(raw, index, "combined", **params)


def _check_weight_vector(values: np.ndarray, what: str, index: pd.Index) -> None:
    if not np.all(np.isfinite(values)):
        raise WeightsError(f"{what} has missing or infinite entries")
    if np.any(values < 0):
        j = int(np.argmax(values < 0))
        raise WeightsError(f"{what} is negative for indicator {plain(index[j])} ({values[j]:g})")
    if not np.isclose(values.sum(), 1.0, rtol=0, atol=1e-8):
        raise WeightsError(f"{what} sums to {values.sum():.10g}, not 1; normalise it first")


def indicator_weights(
    X: ArrayLike2D,
    method: str = "entropy",
    directions: Directions = None,
    dimensions: Mapping[Hashable, Hashable] | None = None,
    **options: Any,
) -> IndexWeights:
    """Data-driven weights by method name.

    Parameters
    ----------
    X
        Raw indicator values.
    method
        One of :data:`WEIGHTING_METHODS`: ``"entropy"``, ``"critic"``, ``"cv"``, ``"equal"``,
        ``"pca"``.
    directions
        ``+1`` benefit / ``-1`` cost per indicator.
    dimensions
        Only for ``"equal"``: indicator → dimension, for equal weights per dimension.
    **options
        Passed to the method (``shift`` for entropy; ``n_components`` / ``min_eigenvalue``
        for PCA).

    Returns
    -------
    IndexWeights
        As the method's own function returns.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 1.0, 2.0]})
    >>> indicator_weights(X, "equal").weights.tolist()
    [0.5, 0.5]

    """
    check_method(method, WEIGHTING_METHODS)
    frame = as_frame(X)
    signs = resolve_directions(directions, frame.columns)
    unit = frame if method == "equal" else normalize_resolved(frame, signs)
    return weights_from_unit(unit, signs, method, dimensions, **options)


def weights_from_unit(
    unit: pd.DataFrame,
    signs: np.ndarray,
    method: str,
    dimensions: Mapping[Hashable, Hashable] | None = None,
    **options: Any,
) -> IndexWeights:
    """:func:`indicator_weights` of an already global min-max normalised table.

    The entry point of the index pipelines, which normalise once: ``unit`` is the benefit-type
    min-max table (``"equal"`` uses only its columns) and ``signs`` the resolved directions
    (+1/-1 aligned with its columns), recorded in ``meta``.
    """
    check_method(method, WEIGHTING_METHODS)
    if method == "equal":
        if options:
            raise TypeError(f"equal weights take no options; got {sorted(options)}")
        return equal_weights(unit.columns, dimensions=dimensions)
    if dimensions is not None:
        raise ValueError(f"dimensions is only used by the 'equal' method, not {method!r}")
    function = {"entropy": _entropy, "critic": _critic, "cv": _cv, "pca": _pca}[method]
    return function(unit, signs, **options)
