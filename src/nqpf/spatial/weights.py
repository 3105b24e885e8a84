r"""Spatial weights: who neighbours whom, and how strongly.

Every builder returns a :class:`SpatialWeights`: the region codes, a ``scipy.sparse`` CSR array
with a zero diagonal, the kind of weights, whether rows are standardised, and the island repairs
that were made. It converts to and from libpysal (``W`` and ``Graph``) and aligns to the regions of
a data set, refusing to guess when they do not match.

Builders
--------
:func:`contiguity_weights`
    Queen or rook contiguity from polygons (cnmaps province boundaries by default).
:func:`knn_weights`
    *k* nearest neighbours by great-circle distance.
:func:`distance_weights`
    Inverse great-circle distance :math:`d_{ij}^{-p}`, optionally cut off.
:func:`economic_distance_weights`
    :math:`1 / |\bar g_i - \bar g_j|` from a per-region economic level.
:func:`nested_weights`
    Elementwise product of a geographic and an economic matrix, re-standardised.

Distances are great-circle (haversine) distances in kilometres on a sphere of radius
:data:`EARTH_RADIUS_KM` = 6371.0088 km, the IUGG mean Earth radius :math:`R_1 = (2a + b)/3` of the
WGS84 ellipsoid; against the ellipsoidal (geodesic) distance the error is below 0.5 %.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from nqpf.errors import DataValidationError, IslandWarning, WeightsError
from nqpf.results import Result, Summary, make_meta
from nqpf.validation import ValidationReport

if TYPE_CHECKING:  # pragma: no cover
    import libpysal

__all__ = [
    "EARTH_RADIUS_KM",
    "SpatialWeights",
    "contiguity_weights",
    "distance_weights",
    "economic_distance_weights",
    "great_circle_distance",
    "great_circle_matrix",
    "knn_weights",
    "nested_weights",
    "province_geometries",
]

#: Mean Earth radius in km (IUGG R1 of the WGS84 ellipsoid) used for great-circle distances.
EARTH_RADIUS_KM = 6371.0088

Islands = Literal["nearest", "keep", "raise"]


# --------------------------------------------------------------------------------------------
# great-circle distances
# --------------------------------------------------------------------------------------------
def great_circle_distance(
    lon1: Any, lat1: Any, lon2: Any, lat2: Any, radius: float = EARTH_RADIUS_KM
) -> Any:
    r"""Great-circle (haversine) distance in km between points given in degrees.

    .. math::

        d = 2R \arcsin \sqrt{\sin^2\frac{\varphi_2 - \varphi_1}{2}
            + \cos\varphi_1 \cos\varphi_2 \sin^2\frac{\lambda_2 - \lambda_1}{2}}

    Parameters
    ----------
    lon1, lat1, lon2, lat2
        Longitudes :math:`\lambda` and latitudes :math:`\varphi` in degrees (scalars or
        broadcastable arrays).
    radius
        Sphere radius :math:`R` in km; default :data:`EARTH_RADIUS_KM`.

    Notes
    -----
    Sinnott, R. W. (1984). Virtues of the haversine. *Sky and Telescope* 68(2), 159. The haversine
    form is numerically stable for small distances.

    Examples
    --------
    Beijing to Shanghai (government seats):

    >>> round(float(great_circle_distance(116.407394, 39.904211, 121.473662, 31.230372)))
    1067
    """
    lam1, phi1, lam2, phi2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2)
    )
    h = (
        np.sin((phi2 - phi1) / 2) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2
    )
    return 2 * radius * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def great_circle_matrix(lonlat: np.ndarray, radius: float = EARTH_RADIUS_KM) -> np.ndarray:
    """Dense matrix of great-circle distances (km) between all rows of an ``(n, 2)`` lon/lat array.

    Examples
    --------
    >>> great_circle_matrix(np.array([[0.0, 0.0], [1.0, 0.0]])).round(3)
    array([[  0.   , 111.195],
           [111.195,   0.   ]])
    """
    lonlat = np.asarray(lonlat, dtype=float)
    lon, lat = lonlat[:, 0], lonlat[:, 1]
    return great_circle_distance(lon[:, None], lat[:, None], lon[None, :], lat[None, :], radius)


def _unit_vectors(lonlat: np.ndarray) -> np.ndarray:
    lam, phi = np.radians(lonlat[:, 0]), np.radians(lonlat[:, 1])
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def _chord_to_km(chord: np.ndarray, radius: float = EARTH_RADIUS_KM) -> np.ndarray:
    return 2 * radius * np.arcsin(np.clip(chord / 2, 0.0, 1.0))


def _km_to_chord(km: float, radius: float = EARTH_RADIUS_KM) -> float:
    return float(2 * np.sin(min(km / (2 * radius), np.pi / 2)))


# --------------------------------------------------------------------------------------------
# the weights type
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SpatialWeights(Result):
    """Spatial weights over a fixed, ordered set of regions.

    Attributes
    ----------
    codes
        Region codes in matrix order (GB/T 2260 ints for Chinese regions; any hashable otherwise).
    sparse
        ``scipy.sparse.csr_array`` of shape ``(n, n)``, float64, zero diagonal. Multiply with ``@``
        (``w.sparse @ x`` is the spatial lag).
    kind
        ``"queen"``, ``"rook"``, ``"knn"``, ``"distance"``, ``"economic"``, ``"nested"`` or
        ``"custom"``.
    row_standardized
        Whether every non-empty row sums to 1.
    islands
        Regions that had no neighbour as built (before any repair).
    added_links
        ``(island, neighbour)`` pairs added by the island repair (each added in both directions).
    report
        A :class:`~nqpf.validation.ValidationReport` listing the repairs.

    Examples
    --------
    >>> w = SpatialWeights.from_array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], codes=["a", "b", "c"])
    >>> w.n, w.row_standardized, w.neighbors("b")
    (3, True, ('a', 'c'))
    >>> w.dense[1]
    array([0.5, 0. , 0.5])
    """

    codes: tuple[Hashable, ...]
    sparse: sparse.csr_array
    kind: str = "custom"
    row_standardized: bool = True
    islands: tuple[Hashable, ...] = ()
    added_links: tuple[tuple[Hashable, Hashable], ...] = ()
    report: ValidationReport = field(default_factory=ValidationReport, repr=False)

    # ---- construction -----------------------------------------------------------------------
    @classmethod
    def from_array(
        cls,
        matrix: Any,
        codes: Sequence[Hashable],
        *,
        kind: str = "custom",
        row_standardize: bool = True,
    ) -> SpatialWeights:
        """Weights from a dense or sparse ``(n, n)`` matrix whose rows follow ``codes``.

        The diagonal must be zero and all weights finite and non-negative. Regions without any
        neighbour are kept (their spatial lag is 0) and reported with an
        :class:`~nqpf.errors.IslandWarning`; use :meth:`connect_islands` to repair them.
        """
        codes = _check_codes(codes)
        mat = sparse.csr_array(matrix, dtype=float) if not sparse.issparse(matrix) else None
        if mat is None:
            mat = sparse.csr_array(matrix).astype(float)
        n = len(codes)
        if mat.shape != (n, n):
            raise WeightsError(f"weights matrix has shape {mat.shape} but {n} codes were given")
        mat.sum_duplicates()
        data = mat.data
        if not np.all(np.isfinite(data)):
            i = int(np.repeat(np.arange(n), np.diff(mat.indptr))[~np.isfinite(data)][0])
            raise WeightsError(f"weights row of region {codes[i]!r} has a non-finite weight")
        if np.any(data < 0):
            i = int(np.repeat(np.arange(n), np.diff(mat.indptr))[data < 0][0])
            raise WeightsError(f"weights row of region {codes[i]!r} has a negative weight")
        diag = mat.diagonal()
        if np.any(diag != 0):
            i = int(np.flatnonzero(diag)[0])
            raise WeightsError(
                f"weights diagonal must be zero; region {codes[i]!r} has w_ii = {diag[i]:g}"
            )
        mat.eliminate_zeros()
        isolated = tuple(codes[i] for i in np.flatnonzero(np.diff(mat.indptr) == 0))
        if isolated:
            warnings.warn(
                f"{len(isolated)} region(s) have no neighbour and are left isolated as given "
                f"(spatial lag 0): {list(isolated)}; call .connect_islands() to link them",
                IslandWarning,
                stacklevel=2,
            )
        if row_standardize:
            mat = _row_standardize(mat)
        return cls(
            codes=codes,
            sparse=mat,
            kind=kind,
            row_standardized=bool(row_standardize),
            islands=isolated,
            meta=make_meta("spatial_weights", kind=kind, n=n),
        )

    @classmethod
    def from_libpysal(cls, w: Any, *, kind: str = "custom") -> SpatialWeights:
        """Weights from a libpysal ``W`` or ``Graph`` (ids become codes, order kept).

        The row-standardised flag follows the libpysal transformation (``"R"``); weights are taken
        as they are, not re-standardised.
        """
        if hasattr(w, "unique_ids") and hasattr(w, "transformation"):  # libpysal.graph.Graph
            ids = list(w.unique_ids)
            mat = sparse.csr_array(w.sparse)
            transformed = str(w.transformation).upper() == "R"
        elif hasattr(w, "id_order") and hasattr(w, "sparse"):  # libpysal.weights.W
            ids = list(w.id_order)
            mat = sparse.csr_array(w.sparse)
            transformed = str(w.transform).upper() == "R"
        else:
            raise WeightsError(
                f"expected a libpysal W or Graph, got {type(w).__name__}; "
                "use SpatialWeights.from_array for matrices"
            )
        out = cls.from_array(mat, ids, kind=kind, row_standardize=False)
        return replace(out, row_standardized=transformed)

    # ---- views ------------------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of regions."""
        return len(self.codes)

    @property
    def dense(self) -> np.ndarray:
        """The weights as a dense ``(n, n)`` array."""
        return self.sparse.toarray()

    @property
    def cardinalities(self) -> pd.Series:
        """Number of neighbours of each region (Series indexed by code)."""
        return pd.Series(
            np.diff(self.sparse.indptr), index=pd.Index(self.codes, name="region_code")
        )

    @property
    def isolated(self) -> tuple[Hashable, ...]:
        """Regions that have no neighbour now (after any repair)."""
        return tuple(self.codes[i] for i in np.flatnonzero(np.diff(self.sparse.indptr) == 0))

    @property
    def n_components(self) -> int:
        """Number of connected components of the (symmetrised) neighbour graph."""
        return int(connected_components(self.sparse, directed=True, connection="weak")[0])

    def neighbors(self, code: Hashable) -> tuple[Hashable, ...]:
        """Neighbours of one region, in matrix order."""
        i = self._position(code)
        cols = self.sparse.indices[self.sparse.indptr[i] : self.sparse.indptr[i + 1]]
        return tuple(self.codes[j] for j in np.sort(cols))

    def lag(self, values: Any) -> np.ndarray:
        """Spatial lag :math:`Wx` of values in matrix order (or a Series aligned by code)."""
        x = self._values(values)
        return np.asarray(self.sparse @ x)

    def to_frame(self) -> pd.DataFrame:
        """Tidy edge list: ``region_code``, ``neighbor_code``, ``weight`` (one row per link)."""
        coo = self.sparse.tocoo()
        codes = np.asarray(self.codes, dtype=object)
        return pd.DataFrame(
            {
                "region_code": codes[coo.row],
                "neighbor_code": codes[coo.col],
                "weight": coo.data,
            }
        )

    def summary(self) -> Summary:
        """Number of regions and links, neighbour counts, islands and repairs."""
        card = np.diff(self.sparse.indptr)
        table = pd.DataFrame(
            {
                "value": [
                    self.kind,
                    self.n,
                    int(self.sparse.nnz),
                    float(card.mean()) if self.n else float("nan"),
                    int(card.min()) if self.n else 0,
                    int(card.max()) if self.n else 0,
                    self.row_standardized,
                    ", ".join(map(str, self.islands)) or "-",
                    ", ".join(f"{a}-{b}" for a, b in self.added_links) or "-",
                    self.n_components,
                ]
            },
            index=pd.Index(
                [
                    "类型 kind",
                    "区域数 regions",
                    "连接数 links",
                    "平均邻居数 mean neighbours",
                    "最少邻居 min neighbours",
                    "最多邻居 max neighbours",
                    "行标准化 row-standardised",
                    "孤岛 islands",
                    "补充连接 added links",
                    "连通分量 components",
                ],
                name="item",
            ),
        )
        return Summary("空间权重 Spatial weights", (("", table),))

    # ---- conversions ------------------------------------------------------------------------
    def to_libpysal(self, kind: Literal["W", "graph"] = "W") -> libpysal.weights.W | Any:
        """Convert to a libpysal ``W`` (``kind="W"``) or ``Graph`` (``kind="graph"``).

        The weights are passed as they are; a row-standardised matrix gets transformation ``"R"``.
        """
        from libpysal import graph as lgraph
        from libpysal import weights as lweights

        ids = list(self.codes)
        if kind == "graph":
            g = lgraph.Graph.from_sparse(self.sparse, ids=ids)
            if self.row_standardized:
                g = lgraph.Graph(g.adjacency, transformation="R", is_sorted=True)
            return g
        if kind != "W":
            raise WeightsError(f"kind must be 'W' or 'graph', got {kind!r}")
        neighbors: dict[Hashable, list[Hashable]] = {}
        weights: dict[Hashable, list[float]] = {}
        mat = self.sparse
        for i, code in enumerate(ids):
            sl = slice(mat.indptr[i], mat.indptr[i + 1])
            cols = mat.indices[sl]
            order = np.argsort(cols, kind="stable")
            neighbors[code] = [ids[j] for j in cols[order]]
            weights[code] = mat.data[sl][order].tolist()
        w = lweights.W(neighbors, weights, id_order=ids, silence_warnings=True)
        if self.row_standardized:
            w._transform = "R"
        return w

    # ---- transformations --------------------------------------------------------------------
    def align(self, codes: Iterable[Hashable]) -> SpatialWeights:
        """Reorder to the regions of a data set.

        Raises
        ------
        WeightsError
            If ``codes`` has duplicates or does not contain exactly the regions of the weights; the
            message names the regions missing from the weights and those the data lack. Use
            :meth:`subset` to drop regions explicitly.
        """
        target = list(codes)
        dup = pd.Index(target)[pd.Index(target).duplicated()].unique().tolist()
        if dup:
            raise WeightsError(f"data regions contain duplicates: {dup}")
        have = set(self.codes)
        missing = [c for c in target if c not in have]
        extra = [c for c in self.codes if c not in set(target)]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"regions in the data but not in the weights: {missing}")
            if extra:
                parts.append(f"regions in the weights but not in the data: {extra}")
            raise WeightsError(
                "spatial weights do not match the data regions; "
                + "; ".join(parts)
                + " (use .subset() to drop regions explicitly)"
            )
        if tuple(target) == self.codes:
            return self
        pos = {c: i for i, c in enumerate(self.codes)}
        perm = np.array([pos[c] for c in target])
        mat = sparse.csr_array(self.sparse[perm][:, perm])
        return replace(self, codes=tuple(target), sparse=mat)

    def subset(
        self, codes: Iterable[Hashable], *, row_standardize: bool | None = None
    ) -> SpatialWeights:
        """Keep only ``codes`` (in that order), dropping links to removed regions.

        Rows are re-standardised when the weights were row-standardised (or when
        ``row_standardize=True``). Regions left without any neighbour are reported with an
        :class:`~nqpf.errors.IslandWarning`.
        """
        target = list(codes)
        unknown = [c for c in target if c not in set(self.codes)]
        if unknown:
            raise WeightsError(f"regions not in the weights: {unknown}")
        pos = {c: i for i, c in enumerate(self.codes)}
        perm = np.array([pos[c] for c in target], dtype=int)
        mat = sparse.csr_array(self.sparse[perm][:, perm])
        std = self.row_standardized if row_standardize is None else row_standardize
        out = SpatialWeights.from_array(mat, target, kind=self.kind, row_standardize=False)
        if std:
            out = replace(out, sparse=_row_standardize(out.sparse), row_standardized=True)
        else:
            out = replace(out, row_standardized=False)
        return replace(out, meta={**self.meta, "subset_of": self.n}, report=self.report)

    def standardize(self) -> SpatialWeights:
        r"""Row-standardised copy: :math:`w^*_{ij} = w_{ij} / \sum_k w_{ik}` (empty rows stay 0)."""
        return replace(self, sparse=_row_standardize(self.sparse), row_standardized=True)

    def connect_islands(
        self,
        k: int = 1,
        points: Any = None,
    ) -> SpatialWeights:
        """Link every region without neighbours to its ``k`` nearest regions (great-circle).

        Links are added in both directions with weight 1 (before re-standardisation), an
        :class:`~nqpf.errors.IslandWarning` names them and the repair is added to :attr:`report`.
        ``points`` gives lon/lat per code (DataFrame with ``lon``, ``lat`` indexed by code);
        by default the registry's capital or city seats are used.
        """
        codes, lonlat = _locations(list(self.codes) if points is None else points, None)
        if points is not None:
            lookup = dict(zip(codes, range(len(codes)), strict=True))
            missing = [c for c in self.codes if c not in lookup]
            if missing:
                raise WeightsError(f"no lon/lat given for regions {missing}")
            lonlat = lonlat[[lookup[c] for c in self.codes]]
        binary = self.sparse.copy()
        binary.data[:] = 1.0
        mat, links = _connect_islands(binary, self.codes, lonlat, k, self.report)
        if not links:
            return self
        std = self.row_standardized
        return replace(
            self,
            sparse=_row_standardize(mat) if std else mat,
            islands=tuple(dict.fromkeys(self.islands + tuple(a for a, _ in links))),
            added_links=self.added_links + tuple(links),
        )

    # ---- helpers ----------------------------------------------------------------------------
    def _position(self, code: Hashable) -> int:
        try:
            return self.codes.index(code)
        except ValueError:
            raise WeightsError(f"region {code!r} is not in the spatial weights") from None

    def _values(self, values: Any) -> np.ndarray:
        if isinstance(values, pd.Series):
            values = values.reindex(self.align(values.index).codes)
        x = np.asarray(values, dtype=float)
        if x.shape[0] != self.n:
            raise WeightsError(f"{x.shape[0]} values for {self.n} regions in the weights")
        return x


# --------------------------------------------------------------------------------------------
# builders
# --------------------------------------------------------------------------------------------
def contiguity_weights(
    regions: Iterable[object] | None = None,
    kind: Literal["queen", "rook"] = "queen",
    geometries: Any = None,
    islands: Islands = "nearest",
    k_islands: int = 1,
    row_standardize: bool = True,
    *,
    points: Any = None,
    precision: int | None = None,
) -> SpatialWeights:
    r"""Queen or rook contiguity weights from polygon boundaries.

    Two regions are *queen* neighbours when their boundaries share at least one vertex and *rook*
    neighbours when they share at least one edge (two consecutive vertices):

    .. math::

        w_{ij} = \begin{cases} 1 & i \ne j \text{ share a vertex (queen) / an edge (rook)} \\
                 0 & \text{otherwise,} \end{cases}
        \qquad w^*_{ij} = w_{ij} / \textstyle\sum_k w_{ik}.

    Regions without a neighbour (Hainan 460000 among the provinces) are never left isolated
    silently: by default each is linked to its ``k_islands`` nearest regions by great-circle
    distance between representative points, in both directions, an
    :class:`~nqpf.errors.IslandWarning` names them and the repair is listed in the result's
    ``report`` and ``added_links``.

    Parameters
    ----------
    regions
        Region codes or names to include (province names are normalised); default all regions of
        ``geometries``, or the 31 mainland provinces.
    kind
        ``"queen"`` (shared vertex) or ``"rook"`` (shared edge).
    geometries
        Polygons: a GeoDataFrame/GeoSeries indexed by region code (or with a ``region_code``
        column), or a mapping code → shapely geometry. Default: the cnmaps province boundaries.
    islands
        ``"nearest"`` (link to nearest regions, warn), ``"keep"`` (leave isolated, warn) or
        ``"raise"`` (:class:`~nqpf.errors.WeightsError`).
    k_islands
        Number of nearest regions each island is linked to.
    row_standardize
        Row-standardise the weights (default).
    points
        Representative lon/lat per region for the island repair (DataFrame with ``lon``/``lat``
        indexed by code). Default: the registry's capital (province) or government seat (city);
        for other codes the polygons' representative points.
    precision
        Round vertex coordinates to this many decimals before matching (for boundaries that do
        not share vertices exactly). Default: exact matching.

    Returns
    -------
    SpatialWeights

    Notes
    -----
    Vertex matching is the rule of GeoDa and libpysal's default ``Queen``/``Rook``; on the cnmaps
    province boundaries it gives the same neighbour sets as shapely's ``touches``/``intersects``
    predicates. With capital seats as representative points Hainan's nearest province is
    Guangxi (Haikou–Nanning ≈ 313 km; Haikou–Guangzhou ≈ 459 km); the cnmaps polygons of
    Hainan and Guangdong do not touch.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     w = contiguity_weights()
    >>> w.n, w.islands, w.added_links
    (31, (460000,), ((460000, 450000),))
    >>> w.neighbors(110000)
    (120000, 130000)
    """
    if kind not in ("queen", "rook"):
        raise WeightsError(f"kind must be 'queen' or 'rook', got {kind!r}")
    if islands not in ("nearest", "keep", "raise"):
        raise WeightsError(f"islands must be 'nearest', 'keep' or 'raise', got {islands!r}")
    geoms = _geometries(geometries)
    if regions is not None:
        wanted = _region_codes(regions, geoms)
        geoms = {c: geoms[c] for c in wanted}
    codes = tuple(geoms)
    if not codes:
        raise WeightsError("no regions to build weights from")
    mat = _vertex_contiguity(list(geoms.values()), rook=(kind == "rook"), precision=precision)
    report = ValidationReport()
    isolated = tuple(codes[i] for i in np.flatnonzero(np.diff(mat.indptr) == 0))
    links: list[tuple[Hashable, Hashable]] = []
    if isolated:
        if islands == "raise":
            raise WeightsError(f"regions without {kind} contiguity neighbours: {list(isolated)}")
        if islands == "keep":
            warnings.warn(
                f"regions without {kind} neighbours left isolated (islands='keep'): "
                f"{list(isolated)}",
                IslandWarning,
                stacklevel=2,
            )
            for c in isolated:
                report.add("island", "kept apart", f"{c} has no {kind} neighbour", region=str(c))
        else:
            lonlat = _representative_points(codes, geoms, points)
            mat, links = _connect_islands(mat, codes, lonlat, k_islands, report)
    if row_standardize:
        mat = _row_standardize(mat)
    return SpatialWeights(
        codes=codes,
        sparse=mat,
        kind=kind,
        row_standardized=row_standardize,
        islands=isolated,
        added_links=tuple(links),
        report=report,
        meta=make_meta(
            "contiguity_weights",
            kind=kind,
            n=len(codes),
            islands=islands,
            k_islands=k_islands,
            source="cnmaps" if geometries is None else "user geometries",
        ),
    )


def _contiguity_quietly(
    codes: Sequence[Hashable], kind: Literal["queen", "rook"], row_standardize: bool
) -> tuple[SpatialWeights, list[str]]:
    """:func:`contiguity_weights` of ``codes`` with its island warning caught, not shown.

    For callers that turn the island repair into a note of their own. Returns the weights and the
    messages of the caught :class:`~nqpf.errors.IslandWarning`; any other warning is passed on.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", IslandWarning)
        w = contiguity_weights(codes, kind=kind, row_standardize=row_standardize)
    islands: list[str] = []
    for item in caught:
        if issubclass(item.category, IslandWarning):
            islands.append(str(item.message))
        else:  # not ours to swallow
            warnings.warn_explicit(
                item.message, item.category, item.filename, item.lineno, source=item.source
            )
    return w, islands


def knn_weights(
    locations: Any = None,
    k: int = 4,
    *,
    codes: Sequence[Hashable] | None = None,
    row_standardize: bool = True,
) -> SpatialWeights:
    r"""*k*-nearest-neighbour weights by great-circle distance.

    .. math::

        w_{ij} = 1 \text{ if } j \text{ is among the } k \text{ regions closest to } i, \quad
        \text{else } 0.

    The matrix is not symmetric in general. Ties at the *k*-th distance are broken by the
    KD-tree's order. Nearest neighbours by great-circle distance are found exactly with a KD-tree
    on unit-sphere coordinates (chord length is monotone in arc length).

    Parameters
    ----------
    locations
        Region codes/names (looked up in the registry: capital seats for provinces, government
        seats for cities), a DataFrame with ``lon`` and ``lat`` columns indexed by code, or an
        ``(n, 2)`` lon/lat array with ``codes``. Default: the 31 provinces.
    k
        Number of neighbours, ``1 <= k < n``.
    codes
        Codes for an array of locations (default ``0 .. n-1``).
    row_standardize
        Row-standardise (each weight becomes :math:`1/k`).

    Examples
    --------
    >>> w = knn_weights(k=2)
    >>> w.neighbors(310000)  # Shanghai: Hangzhou and Nanjing (Suzhou is not a capital)
    (320000, 330000)
    """
    ids, lonlat = _locations(locations, codes)
    n = len(ids)
    if not 1 <= k < n:
        raise WeightsError(f"k must be between 1 and n - 1 = {n - 1}, got {k}")
    _check_distinct(ids, lonlat)
    tree = cKDTree(_unit_vectors(lonlat))
    _, idx = tree.query(_unit_vectors(lonlat), k=k + 1)
    rows = np.repeat(np.arange(n), k)
    cols = np.empty((n, k), dtype=int)
    for i in range(n):  # drop self (normally the first hit) without assuming its position
        hits = idx[i][idx[i] != i][:k]
        cols[i] = hits
    mat = sparse.csr_array((np.ones(n * k), (rows, cols.ravel())), shape=(n, n))
    if row_standardize:
        mat = _row_standardize(mat)
    return SpatialWeights(
        codes=ids,
        sparse=mat,
        kind="knn",
        row_standardized=row_standardize,
        meta=make_meta("knn_weights", k=k, n=n, distance="great-circle", radius_km=EARTH_RADIUS_KM),
    )


def distance_weights(
    locations: Any = None,
    power: float = 1.0,
    cutoff: float | None = None,
    *,
    codes: Sequence[Hashable] | None = None,
    row_standardize: bool = True,
) -> SpatialWeights:
    r"""Inverse great-circle distance weights.

    .. math::

        w_{ij} = \begin{cases} d_{ij}^{-p} & i \ne j,\; d_{ij} \le c \\ 0 & \text{otherwise}
        \end{cases}

    with :math:`d_{ij}` the haversine distance in km (:func:`great_circle_distance`), :math:`p` =
    ``power`` and :math:`c` = ``cutoff`` (no cut-off by default, a dense matrix).

    Parameters
    ----------
    locations, codes
        As in :func:`knn_weights`.
    power
        Distance-decay exponent (1: inverse distance, 2: inverse squared distance; > 0).
    cutoff
        Maximum distance in km; a region with no other region within it raises
        :class:`~nqpf.errors.WeightsError` naming it.
    row_standardize
        Row-standardise (default).

    Examples
    --------
    >>> w = distance_weights([110000, 120000, 310000], row_standardize=False)
    >>> round(1 / w.dense[0, 2])  # Beijing-Shanghai, km
    1067
    """
    ids, lonlat = _locations(locations, codes)
    n = len(ids)
    if n < 2:
        raise WeightsError("distance weights need at least two regions")
    if not power > 0:
        raise WeightsError(f"power must be positive, got {power}")
    _check_distinct(ids, lonlat)
    if cutoff is None:
        dist = great_circle_matrix(lonlat)
        np.fill_diagonal(dist, np.inf)
        mat = sparse.csr_array(dist ** (-power))
    else:
        if not cutoff > 0:
            raise WeightsError(f"cutoff must be a positive distance in km, got {cutoff}")
        tree = cKDTree(_unit_vectors(lonlat))
        coo = tree.sparse_distance_matrix(tree, _km_to_chord(cutoff), output_type="coo_matrix")
        keep = coo.row != coo.col
        km = _chord_to_km(coo.data[keep])
        ok = km <= cutoff
        mat = sparse.csr_array(
            (km[ok] ** (-power), (coo.row[keep][ok], coo.col[keep][ok])), shape=(n, n)
        )
        lonely = [ids[i] for i in np.flatnonzero(np.diff(mat.indptr) == 0)]
        if lonely:
            raise WeightsError(
                f"no other region within cutoff = {cutoff} km of {lonely}; raise the cutoff"
            )
    if row_standardize:
        mat = _row_standardize(mat)
    return SpatialWeights(
        codes=ids,
        sparse=mat,
        kind="distance",
        row_standardized=row_standardize,
        meta=make_meta(
            "distance_weights", power=power, cutoff_km=cutoff, n=n, radius_km=EARTH_RADIUS_KM
        ),
    )


def economic_distance_weights(
    values: Any,
    *,
    codes: Sequence[Hashable] | None = None,
    row_standardize: bool = True,
) -> SpatialWeights:
    r"""Economic distance weights :math:`w_{ij} = 1 / |\bar g_i - \bar g_j|`.

    .. math::

        w_{ij} = \begin{cases} 1 / |\bar g_i - \bar g_j| & i \ne j \\ 0 & i = j \end{cases}

    where :math:`\bar g_i` is region *i*'s economic level, usually per-capita GDP averaged over
    the study period (compute the average yourself, e.g. ``panel.groupby("region_code").mean()``).

    Parameters
    ----------
    values
        A Series indexed by region code, a mapping code → value, or an array with ``codes``.
    codes
        Region codes for an array of values (default ``0 .. n-1``).
    row_standardize
        Row-standardise (default).

    Raises
    ------
    DataValidationError
        For a missing or non-finite value (naming the region).
    WeightsError
        When two regions have equal values: the distance is zero and the weight undefined (naming
        the pair) — it is not turned into an infinite weight.

    Notes
    -----
    Common in the Chinese regional-economics literature, e.g. Lin, Long & Wu (2006), 经济学
    (季刊) 5(2), as the "economic distance" matrix of spatial econometric models.

    Examples
    --------
    >>> w = economic_distance_weights({"a": 1.0, "b": 2.0, "c": 4.0}, row_standardize=False)
    >>> w.dense
    array([[0.  , 1.  , 0.33...],
           [1.  , 0.  , 0.5 ],
           [0.33..., 0.5 , 0.  ]])
    """
    ids, g = _series(values, codes, "economic level")
    n = len(ids)
    if n < 2:
        raise WeightsError("economic distance weights need at least two regions")
    diff = np.abs(g[:, None] - g[None, :])
    np.fill_diagonal(diff, np.inf)
    if np.any(diff == 0):
        i, j = np.argwhere(diff == 0)[0]
        raise WeightsError(
            f"regions {ids[i]!r} and {ids[j]!r} have the same economic level ({g[i]:g}): "
            "their economic distance is 0 and the weight 1/|g_i - g_j| is undefined"
        )
    mat = sparse.csr_array(1.0 / diff)
    if row_standardize:
        mat = _row_standardize(mat)
    return SpatialWeights(
        codes=ids,
        sparse=mat,
        kind="economic",
        row_standardized=row_standardize,
        meta=make_meta("economic_distance_weights", n=n),
    )


def nested_weights(
    geographic: SpatialWeights,
    economic: SpatialWeights,
    *,
    row_standardize: bool = True,
) -> SpatialWeights:
    r"""Nested geographic × economic weights :math:`w_{ij} = w^{geo}_{ij} \, w^{eco}_{ij}`.

    .. math::

        w_{ij} = \frac{w^{geo}_{ij} w^{eco}_{ij}}{\sum_k w^{geo}_{ik} w^{eco}_{ik}}

    The elementwise (Hadamard) product, re-standardised by rows. Because row-standardisation
    multiplies each row by a constant, the result does not depend on whether the inputs were
    standardised. The economic weights are aligned to the geographic region order.

    Raises
    ------
    WeightsError
        If the regions differ, or a region with geographic neighbours ends with none.

    Examples
    --------
    >>> geo = SpatialWeights.from_array([[0, 1, 1], [1, 0, 0], [1, 0, 0]], ["a", "b", "c"])
    >>> eco = economic_distance_weights({"a": 1.0, "b": 2.0, "c": 4.0})
    >>> nested_weights(geo, eco).dense[0]
    array([0.  , 0.75, 0.25])
    """
    eco = economic.align(geographic.codes)
    mat = sparse.csr_array(geographic.sparse.multiply(eco.sparse))
    mat.eliminate_zeros()
    lost = np.flatnonzero((np.diff(mat.indptr) == 0) & (np.diff(geographic.sparse.indptr) > 0))
    if lost.size:
        raise WeightsError(
            "regions lose all neighbours in the nested weights: "
            f"{[geographic.codes[i] for i in lost]}"
        )
    if row_standardize:
        mat = _row_standardize(mat)
    return replace(
        geographic,
        sparse=mat,
        kind="nested",
        row_standardized=row_standardize,
        meta=make_meta("nested_weights", geographic=geographic.kind, economic=economic.kind),
    )


# --------------------------------------------------------------------------------------------
# geometry helpers
# --------------------------------------------------------------------------------------------
@cache
def _cnmaps_provinces() -> tuple[tuple[str, Any], ...]:
    import cnmaps

    records = cnmaps.get_adm_maps(level="省", record="all")
    return tuple((str(r["province"]), _as_shapely(r["geometry"])) for r in records)


def _as_shapely(geom: Any) -> Any:
    """A shapely geometry from shapely or a wrapper exposing ``wkb`` (cnmaps ``MapPolygon``)."""
    import shapely

    if isinstance(geom, shapely.Geometry):
        return geom
    if hasattr(geom, "wkb"):
        return shapely.from_wkb(geom.wkb)
    raise WeightsError(f"not a polygon geometry: {type(geom).__name__}")


def province_geometries() -> dict[int, Any]:
    """The 31 mainland province polygons from cnmaps, keyed by GB/T 2260 code (cached).

    The first call reads the cnmaps boundary data (a few seconds); later calls are instant.
    """
    from nqpf.regions import provinces

    by_name = {name: geom for name, geom in _cnmaps_provinces()}
    table = provinces()
    missing = [n for n in table.name if n not in by_name]
    if missing:  # pragma: no cover - depends on the installed cnmaps data
        raise WeightsError(f"cnmaps has no boundary for provinces {missing}")
    return {int(code): by_name[name] for code, name in table.name.items()}


def _geometries(geometries: Any) -> dict[Hashable, Any]:
    if geometries is None:
        geoms: dict[Hashable, Any] = {c: g for c, g in province_geometries().items()}
        return geoms
    if isinstance(geometries, Mapping):
        return {c: _as_shapely(g) for c, g in geometries.items()}
    if isinstance(geometries, pd.DataFrame):
        frame = geometries
        if "region_code" in frame.columns:
            frame = frame.set_index("region_code")
        crs = getattr(frame, "crs", None)
        if crs is not None and not crs.is_geographic:
            frame = frame.to_crs(4326)
        geom = frame.geometry
        if geom.index.has_duplicates:
            dup = geom.index[geom.index.duplicated()].tolist()
            raise WeightsError(f"duplicate region codes in geometries: {dup}")
        return dict(zip(geom.index, geom.to_numpy(), strict=True))
    if isinstance(geometries, pd.Series):
        crs = getattr(geometries, "crs", None)
        if crs is not None and not crs.is_geographic:
            geometries = geometries.to_crs(4326)
        return dict(geometries.items())
    raise WeightsError(
        "geometries must be a GeoDataFrame/GeoSeries indexed by region code or a mapping "
        f"code -> geometry, got {type(geometries).__name__}"
    )


def _region_codes(regions: Iterable[object], geoms: Mapping[Hashable, Any]) -> list[Hashable]:
    from nqpf.regions import normalize

    wanted: list[Hashable] = []
    for r in regions:
        r = r.item() if isinstance(r, np.generic) else r
        if r in geoms:
            wanted.append(r)
        else:
            wanted.append(normalize([r])[0])
    missing = [c for c in wanted if c not in geoms]
    if missing:
        raise WeightsError(f"no boundary for regions {missing}")
    dup = pd.Index(wanted)[pd.Index(wanted).duplicated()].tolist()
    if dup:
        raise WeightsError(f"regions listed twice: {dup}")
    return wanted


def _vertex_contiguity(geoms: list[Any], *, rook: bool, precision: int | None) -> sparse.csr_array:
    """Binary contiguity by shared vertices (queen) or shared edges (rook), vectorised."""
    import shapely

    n = len(geoms)
    arr = np.asarray(geoms, dtype=object)
    # explode polygons to rings: get_rings gives exterior + interiors of every polygon part
    parts, part_idx = shapely.get_parts(arr, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    if precision is not None:
        coords = np.round(coords, precision)
    owner = part_idx[ring_part][coord_ring]
    if rook:
        same_ring = coord_ring[1:] == coord_ring[:-1]
        a, b = coords[:-1][same_ring], coords[1:][same_ring]
        gid = owner[:-1][same_ring]
        swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
        lo = np.where(swap[:, None], b, a)
        hi = np.where(swap[:, None], a, b)
        keys = np.column_stack([lo, hi])
    else:
        keys, gid = coords, owner
    pairs = _shared_key_pairs(keys, gid)
    if pairs.size == 0:
        return sparse.csr_array((n, n), dtype=float)
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    mat = sparse.csr_array((np.ones(rows.size), (rows, cols)), shape=(n, n))
    mat.sum_duplicates()
    mat.data[:] = 1.0
    return mat


def _shared_key_pairs(keys: np.ndarray, gid: np.ndarray) -> np.ndarray:
    """Pairs of distinct owners that share a key row (a vertex or an edge)."""
    table = np.column_stack([keys, gid.astype(float)])
    table = np.unique(table, axis=0)  # sorted by key, then owner; one row per (key, owner)
    k = table[:, :-1]
    owners = table[:, -1].astype(np.int64)
    same_next = np.all(k[1:] == k[:-1], axis=1)
    if not same_next.any():
        return np.empty((0, 2), dtype=np.int64)
    # run ids of equal keys
    starts = np.concatenate([[True], ~same_next])
    run = np.cumsum(starts) - 1
    out = []
    offset = 1
    while True:
        if offset >= len(owners):
            break
        same = run[offset:] == run[:-offset]
        if not same.any():
            break
        out.append(np.column_stack([owners[:-offset][same], owners[offset:][same]]))
        offset += 1
    pairs = np.concatenate(out)
    return pairs[pairs[:, 0] != pairs[:, 1]]


def _representative_points(
    codes: tuple[Hashable, ...], geoms: Mapping[Hashable, Any], points: Any
) -> np.ndarray:
    if points is not None:
        ids, lonlat = _locations(points, None)
        lookup = dict(zip(ids, range(len(ids)), strict=True))
        missing = [c for c in codes if c not in lookup]
        if missing:
            raise WeightsError(f"no representative point given for regions {missing}")
        return lonlat[[lookup[c] for c in codes]]
    registry = _registry_points(codes)
    if registry is not None:
        return registry
    import shapely

    pts = shapely.point_on_surface(np.asarray([geoms[c] for c in codes], dtype=object))
    return shapely.get_coordinates(pts)


def _registry_points(codes: Sequence[Hashable]) -> np.ndarray | None:
    from nqpf.regions import cities, provinces

    for table in (provinces(), cities()):
        try:
            sub = table.loc[list(codes), ["lon", "lat"]]
        except (KeyError, TypeError):
            continue
        if sub.notna().all().all():
            return sub.to_numpy(dtype=float)
    return None


def _connect_islands(
    mat: sparse.csr_array,
    codes: Sequence[Hashable],
    lonlat: np.ndarray,
    k: int,
    report: ValidationReport,
) -> tuple[sparse.csr_array, list[tuple[Hashable, Hashable]]]:
    n = len(codes)
    isolated = np.flatnonzero(np.diff(mat.indptr) == 0)
    if isolated.size == 0:
        return mat, []
    if not 1 <= k < n:
        raise WeightsError(f"k_islands must be between 1 and {n - 1}, got {k}")
    links: list[tuple[Hashable, Hashable]] = []
    lil = mat.tolil()
    names = []
    for i in isolated.tolist():
        dist = great_circle_distance(lonlat[i, 0], lonlat[i, 1], lonlat[:, 0], lonlat[:, 1])
        dist[i] = np.inf
        nearest = np.argsort(dist, kind="stable")[:k].tolist()
        for j in nearest:
            lil[i, j] = 1.0
            lil[j, i] = 1.0
            links.append((codes[i], codes[j]))
            report.add(
                "island",
                "repaired",
                f"{codes[i]} has no contiguity neighbour; linked to nearest region {codes[j]} "
                f"({dist[j]:.0f} km, great-circle)",
                region=str(codes[i]),
                repaired=str(codes[j]),
            )
        names.append(f"{codes[i]} -> {[codes[j] for j in nearest]}")
    warnings.warn(
        "regions without contiguity neighbours linked to their nearest region(s) by great-circle "
        "distance: " + "; ".join(names),
        IslandWarning,
        stacklevel=3,
    )
    return sparse.csr_array(lil.tocsr()), links


# --------------------------------------------------------------------------------------------
# generic helpers
# --------------------------------------------------------------------------------------------
def _row_standardize(mat: sparse.csr_array) -> sparse.csr_array:
    sums = np.asarray(mat.sum(axis=1)).ravel()
    scale = np.divide(1.0, sums, out=np.zeros_like(sums), where=sums > 0)
    out = sparse.csr_array(sparse.diags_array(scale) @ mat)
    out.sort_indices()
    return out


def _check_codes(codes: Sequence[Hashable]) -> tuple[Hashable, ...]:
    ids = tuple(c.item() if isinstance(c, np.generic) else c for c in codes)
    dup = pd.Index(ids)[pd.Index(ids).duplicated()].unique().tolist()
    if dup:
        raise WeightsError(f"region codes must be unique; duplicated: {dup}")
    return ids


def _check_distinct(ids: Sequence[Hashable], lonlat: np.ndarray) -> None:
    bad = ~np.all(np.isfinite(lonlat), axis=1)
    if bad.any():
        where = [ids[i] for i in np.flatnonzero(bad).tolist()]
        raise WeightsError(f"missing or non-finite lon/lat for regions {where}")
    _, first, counts = np.unique(lonlat, axis=0, return_index=True, return_counts=True)
    if np.any(counts > 1):
        dup = lonlat[first[counts > 1][0]]
        same = [ids[i] for i in np.flatnonzero(np.all(lonlat == dup, axis=1)).tolist()]
        raise WeightsError(f"regions {same} have the same location {tuple(dup)}: distance 0")


def _locations(
    locations: Any, codes: Sequence[Hashable] | None
) -> tuple[tuple[Hashable, ...], np.ndarray]:
    """(codes, lon/lat array) from region names/codes, a lon/lat frame or an array."""
    if locations is None:
        from nqpf.regions import provinces

        table = provinces()
        return tuple(int(c) for c in table.index), table[["lon", "lat"]].to_numpy(dtype=float)
    if isinstance(locations, pd.DataFrame):
        frame = locations.set_index("region_code") if "region_code" in locations else locations
        if not {"lon", "lat"} <= set(frame.columns):
            raise WeightsError(
                f"a locations frame needs 'lon' and 'lat' columns, got {list(frame.columns)}"
            )
        ids = _check_codes(list(frame.index))
        return ids, frame[["lon", "lat"]].to_numpy(dtype=float)
    arr = np.asarray(locations)
    if arr.ndim == 2 and arr.shape[1] == 2 and np.issubdtype(arr.dtype, np.number):
        ids = _check_codes(codes if codes is not None else range(arr.shape[0]))
        if len(ids) != arr.shape[0]:
            raise WeightsError(f"{len(ids)} codes for {arr.shape[0]} locations")
        return ids, arr.astype(float)
    items = list(locations)
    points = _registry_points(items)
    if points is not None:
        return _check_codes(items), points
    from nqpf.regions import normalize

    ids = _check_codes(normalize(items))
    points = _registry_points(ids)
    assert points is not None
    return ids, points


def _series(
    values: Any, codes: Sequence[Hashable] | None, what: str
) -> tuple[tuple[Hashable, ...], np.ndarray]:
    if isinstance(values, Mapping):
        values = pd.Series(values)
    if isinstance(values, pd.Series):
        ids = _check_codes(list(values.index))
        x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    else:
        x = np.asarray(values, dtype=float).ravel()
        ids = _check_codes(codes if codes is not None else range(x.size))
        if len(ids) != x.size:
            raise WeightsError(f"{len(ids)} codes for {x.size} values")
    bad = ~np.isfinite(x)
    if bad.any():
        where = [ids[i] for i in np.flatnonzero(bad).tolist()]
        raise DataValidationError(f"{what} is missing or not finite for regions {where}")
    return ids, x
