"""Bundled real datasets, their catalogue and loaders, the example table, Excel/Stata writers.

>>> from nqpf.data import catalog, load_province_panel
>>> sorted(set(catalog().level.str.split("; ").explode()))
['city', 'province']
"""

from nqpf.data.catalog import catalog, corrections, variables
from nqpf.data.city_panel import load_city_panel
from nqpf.data.example import EXAMPLE_YEARS, write_example
from nqpf.data.export import sheet_names, stata_names, write_excel, write_stata
from nqpf.data.loaders import (
    AGGREGATE_NAMES,
    PROVINCE_ISO_CODES,
    TIDY,
    Loaded,
    load_capital_stock_inputs,
    load_city_census,
    load_city_connectivity,
    load_city_master,
    load_co2_emissions,
    load_prefecture_components,
    load_province_components,
    load_province_gdp,
    load_province_panel,
    load_province_sci_tech,
    load_technology_market,
    load_urban_agglomerations,
)
from nqpf.data.records import RecordFlows, flows_from_records

__all__ = [
    "AGGREGATE_NAMES",
    "EXAMPLE_YEARS",
    "PROVINCE_ISO_CODES",
    "TIDY",
    "Loaded",
    "RecordFlows",
    "catalog",
    "corrections",
    "flows_from_records",
    "load_capital_stock_inputs",
    "load_city_census",
    "load_city_connectivity",
    "load_city_panel",
    "load_city_master",
    "load_co2_emissions",
    "load_prefecture_components",
    "load_province_components",
    "load_province_gdp",
    "load_province_panel",
    "load_province_sci_tech",
    "load_technology_market",
    "load_urban_agglomerations",
    "sheet_names",
    "stata_names",
    "variables",
    "write_example",
    "write_excel",
    "write_stata",
]
