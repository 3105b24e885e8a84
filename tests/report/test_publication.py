"""Publication style: grey-safe palettes, colour bars, legends, scale bars, captions, files."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from nqpf.errors import DataValidationError
from nqpf.regions import provinces
from nqpf.report.maps import _boundaries, province_map
from nqpf.report.plots import save_figures
from nqpf.report.style import (
    MIN_LIGHTNESS_STEP,
    OKABE_ITO,
    caption,
    categorical,
    is_bilingual,
    lightness,
    series_styles,
)
from nqpf.studies.base import FigureSpec


def test_lightness_matches_cie_reference_values():
    # CIE L* of sRGB greys: 119/255 is the textbook L* = 50 grey; white 100, black 0
    assert lightness("#ffffff") == pytest.approx(100.0, abs=1e-6)
    assert lightness("#000000") == pytest.approx(0.0, abs=1e-6)
    assert lightness("#777777") == pytest.approx(50.0, abs=0.1)
    assert lightness("#0072B2") == pytest.approx(46.0, abs=0.6)  # Okabe-Ito blue


@pytest.mark.parametrize("n", range(2, 21))
def test_consecutive_categorical_colours_differ_in_grey(n):
    greys = [lightness(c) for c in categorical(n)]
    steps = np.abs(np.diff(greys))
    assert steps.min() >= MIN_LIGHTNESS_STEP, (n, np.round(greys))


def test_palette_wraps_around_safely_and_line_series_also_differ_in_style():
    greys = [lightness(c) for c in OKABE_ITO]
    assert abs(greys[-1] - greys[0]) >= MIN_LIGHTNESS_STEP  # the cycle restarts safely
    styles = series_styles(6)
    assert len({(s["linestyle"], s["marker"]) for s in styles}) == 6
    assert len(set(categorical(16))) == 16


def test_bilingual_captions():
    assert caption(" 得分", "Score ") == "得分 Score"
    assert is_bilingual("莫兰指数 Moran's I")
    assert not is_bilingual("莫兰指数Moran's I")  # no space between the languages
    assert not is_bilingual("莫兰指数")


# --- maps: colour bar, legend, scale bar (synthetic values) -------------------------------


def _renderer(fig):
    return FigureCanvasAgg(fig).get_renderer()


def _synthetic_scores(high: float) -> pd.Series:
    codes = provinces().index[:31]
    return pd.Series(np.linspace(-0.2, high, len(codes)), index=codes)


def test_colour_bar_covers_data_beyond_the_given_limits():
    values = _synthetic_scores(1.5)  # synthetic, beyond vmin=0, vmax=1
    fig = province_map(values, label="得分 Score", vmin=0.0, vmax=1.0)
    bars = [a._colorbar for a in fig.axes[0].child_axes if hasattr(a, "_colorbar")]
    assert len(bars) == 1
    norm = bars[0].norm
    assert norm.vmin <= values.min() and norm.vmax >= values.max()


def _region_boxes(ax):
    shapes = _boundaries("province")
    return [ax.transData.transform_bbox(p.get_extents()) for p in shapes.paths]


def _legend_overlaps(fig) -> list[str]:
    renderer = _renderer(fig)
    fig.draw(renderer)
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent(renderer)
    shapes = _boundaries("province")
    hits = []
    for code, path in zip(shapes.codes, shapes.paths, strict=True):
        if path.transformed(ax.transData).intersects_bbox(legend, filled=True):
            hits.append(str(code))
    return hits


def test_class_legend_does_not_sit_on_the_regions():
    codes = provinces().index[:31]
    classes = pd.Series(["高-高 HH", "低-低 LL", "高-低 HL", "低-高 LH", "不显著 n.s."] * 7)
    values = pd.Series(classes.iloc[: len(codes)].to_numpy(), index=codes)
    fig = province_map(values, categorical=True, label="聚类 Cluster")
    assert _legend_overlaps(fig) == []


def test_no_data_legend_beside_a_colour_bar_does_not_sit_on_the_regions():
    fig = province_map(_synthetic_scores(1.0).iloc[:20], label="得分 Score")
    assert _legend_overlaps(fig) == []


def _scale_labels_overlap(fig) -> list[tuple[str, str]]:
    renderer = _renderer(fig)
    fig.draw(renderer)
    texts = [t for t in fig.axes[0].texts if t.get_text() in {"0", "250", "500", "km"}]
    assert len(texts) == 4
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    return [(a, b) for (a, ba), (b, bb) in itertools.combinations(boxes, 2) if ba.overlaps(bb)]


def test_scale_bar_labels_do_not_collide_on_the_standard_and_the_tall_legend_map():
    standard = province_map(_synthetic_scores(1.0), label="得分 Score")
    codes = provinces().index[:31]
    many = pd.Series([f"类 Class {i % 14:02d}" for i in range(len(codes))], index=codes)
    tall = province_map(many, categorical=True, label="类 Class")
    assert _scale_labels_overlap(standard) == []
    assert _scale_labels_overlap(tall) == []


# --- save_figures -------------------------------------------------------------------------


class _SyntheticStudy:
    """Synthetic: one weights bar chart."""

    def figures(self):
        data = pd.DataFrame(
            {
                "indicator": ["研发 R&D", "专利 Patents"],
                "dimension": ["劳动者 Labourers", "劳动资料 Means of labour"],
                "weight": [0.6, 0.4],
            }
        )
        return {"weights": FigureSpec("指标权重 Indicator weights", "weights_bar", data)}


def test_save_figures_writes_300_dpi_png_and_svg_with_text_as_outlines(tmp_path):
    from PIL import Image

    paths = save_figures(_SyntheticStudy(), tmp_path / "figs")
    assert [p.name for p in paths] == ["weights.png", "weights.svg"]
    with Image.open(paths[0]) as image:
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.5)
    svg = paths[1].read_text(encoding="utf-8")
    assert "<text" not in svg and "<path" in svg  # glyphs as outlines: no font needed


def test_save_figures_rejects_unknown_formats_and_low_dpi(tmp_path):
    with pytest.raises(DataValidationError, match="'bmp'"):
        save_figures(_SyntheticStudy(), tmp_path, formats=["bmp"])
    with pytest.raises(DataValidationError, match="dpi"):
        save_figures(_SyntheticStudy(), tmp_path, dpi=10)


# --- every study's captions (the main job on the bundled data) ----------------------------


@pytest.mark.slow
def test_every_figure_caption_of_every_study_is_bilingual():
    from nqpf.report.build import run_main_job

    job = run_main_job(runs=0)
    captions = {
        f"{key}.{name}": spec.caption
        for key, result in job.results.items()
        for name, spec in result.figures().items()
    }
    assert captions
    bad = {k: c for k, c in captions.items() if not is_bilingual(re.sub(r"\s+", " ", c))}
    assert bad == {}


# --- nqpf figures ---------------------------------------------------------------------------


def test_figures_command_writes_each_study_folder_and_rejects_a_bad_format(tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    import nqpf.studies
    from nqpf.cli import app

    runner = CliRunner()
    monkeypatch.setattr(nqpf.studies, "STUDIES", nqpf.studies.STUDIES[:1])  # the index only
    out = tmp_path / "figs"
    result = runner.invoke(app, ["figures", "--out", str(out), "--runs", "0", "--format", "svg"])
    assert result.exit_code == 0, result.output
    svgs = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.svg"))
    assert svgs and all(name.startswith("index/") for name in svgs)
    assert not list(out.rglob("*.png"))
    listed = {f["path"] for f in json.loads((out / "manifest.json").read_text())["files"]}
    assert listed == set(svgs)
    bad = runner.invoke(app, ["figures", "--out", str(tmp_path / "x"), "--format", "bmp"])
    assert bad.exit_code == 2 and not (tmp_path / "x").exists()
