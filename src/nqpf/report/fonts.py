"""CJK fonts for matplotlib figures.

Figures carry Chinese and English labels. Matplotlib's default DejaVu Sans has no CJK glyphs, so
:func:`use_cjk_font` registers the Noto Sans CJK SC file shipped by the ``mplfonts`` package and
puts it first in the sans-serif list (DejaVu Sans stays behind it as a glyph fallback). The
report layer builds figures with :class:`matplotlib.figure.Figure` directly (never ``pyplot``), so
no GUI backend or screen is needed: PNG output goes through the Agg renderer.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from matplotlib import font_manager, rcParams

from nqpf.report.style import use_style

__all__ = ["CJK_FONT_FAMILY", "cjk_font_path", "use_cjk_font"]

#: Family name of the registered CJK font.
CJK_FONT_FAMILY = "Noto Sans CJK SC"
_FONT_FILE = "NotoSansCJKsc-Regular.otf"


def cjk_font_path() -> Path:
    """Path of the Noto Sans CJK SC font file shipped by ``mplfonts``.

    Raises
    ------
    FileNotFoundError
        If ``mplfonts`` is not installed or does not contain the font file.

    Examples
    --------
    >>> cjk_font_path().name
    'NotoSansCJKsc-Regular.otf'
    """
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the 'mplfonts' package is required for Chinese figure labels")
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "fonts" / _FONT_FILE
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{_FONT_FILE} not found in the 'mplfonts' package")


@cache
def _register() -> str:
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def use_cjk_font() -> str:
    """Make matplotlib render Chinese labels; return the font family name.

    Registers the font file once (later calls only reset the settings) and sets
    ``font.family = "sans-serif"``, puts the CJK family first in ``font.sans-serif`` and sets
    ``axes.unicode_minus = False`` (the CJK font has no U+2212 minus sign, so the ASCII hyphen is
    used for negative tick labels), after the publication style of
    :func:`nqpf.report.style.use_style`. The settings are global matplotlib ``rcParams``.

    Returns
    -------
    str
        The registered family name, ``"Noto Sans CJK SC"``.

    Examples
    --------
    >>> use_cjk_font()
    'Noto Sans CJK SC'
    >>> import matplotlib
    >>> matplotlib.rcParams["font.sans-serif"][0], matplotlib.rcParams["axes.unicode_minus"]
    ('Noto Sans CJK SC', False)
    """
    family = _register()
    use_style()
    rest = [name for name in rcParams["font.sans-serif"] if name != family]
    rcParams["font.family"] = ["sans-serif"]
    rcParams["font.sans-serif"] = [family, *rest]
    rcParams["axes.unicode_minus"] = False
    return family
