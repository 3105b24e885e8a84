"""Shared fixtures of the study tests: the bundled panel and its composite index."""

import pytest

from nqpf.data import load_province_panel
from nqpf.index import compute_index


@pytest.fixture(scope="session")
def bundled_panel():
    return load_province_panel()


@pytest.fixture(scope="session")
def index_result(bundled_panel):
    return compute_index(bundled_panel)
