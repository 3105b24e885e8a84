"""Independent access to the bundled raw files (gzip + csv modules, no pandas, no nqpf code)."""

import csv
import gzip
from importlib.resources import files

import pytest


def read_raw(dataset: str, name: str) -> list[dict[str, str]]:
    path = files("nqpf.data") / "files" / dataset / name
    with path.open("rb") as handle, gzip.open(handle, "rt", encoding="utf-8", newline="") as text:
        return list(csv.DictReader(text))


@pytest.fixture(scope="session")
def raw():
    cache: dict[tuple[str, str], list[dict[str, str]]] = {}

    def get(dataset: str, name: str) -> list[dict[str, str]]:
        if (dataset, name) not in cache:
            cache[(dataset, name)] = read_raw(dataset, name)
        return cache[(dataset, name)]

    return get
