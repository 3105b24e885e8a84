"""Report layer: figures, China maps, HTML reports, Excel and Stata files.

This is the only layer of nqpf that imports matplotlib (and cnmaps/shapely for maps); analysis
modules return results that these functions render.
"""

from nqpf.data.export import latex_table, stata_names, write_excel, write_stata
from nqpf.report._common import stars, value_label
from nqpf.report.figures import obstacle_bars, rank_intervals, trend_lines, weights_bar
from nqpf.report.fonts import use_cjk_font
from nqpf.report.html import HtmlReport
from nqpf.report.index_report import add_index_sections
from nqpf.report.maps import city_map, province_map

__all__ = [
    "HtmlReport",
    "add_index_sections",
    "city_map",
    "latex_table",
    "obstacle_bars",
    "province_map",
    "rank_intervals",
    "stars",
    "stata_names",
    "trend_lines",
    "use_cjk_font",
    "value_label",
    "weights_bar",
    "write_excel",
    "write_stata",
]
