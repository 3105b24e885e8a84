"""Fixtures of the report tests: a small fake composite-index result built from its contract."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import numpy as np
import pandas as pd
import pytest

from nqpf.regions import provinces
from nqpf.validation import ValidationReport


@dataclass(frozen=True)
class FakeIndexResult:
    scores: pd.DataFrame
    dimension_scores: pd.DataFrame
    indicator_weights: pd.DataFrame
    obstacles: pd.DataFrame
    system_name: str
    meta: dict[str, Any] = field(default_factory=dict)


INDICATORS = pd.DataFrame(
    {
        "indicator": ["rd_staff", "edu_years", "patents", "broadband"],
        "dimension": [
            "劳动者 Labourers",
            "劳动者 Labourers",
            "劳动资料 Means of labour",
            "劳动资料 Means of labour",
        ],
        "weight": [0.3, 0.2, 0.35, 0.15],
        "label_zh": ["研发人员", "平均受教育年限", "发明专利", "宽带接入"],
        "label_en": ["R&D staff", "Years of schooling", "Invention patents", "Broadband"],
        "direction": ["+", "+", "+", "+"],
        "unit": ["人", "年", "件", "户"],
    }
)


def make_fake_result(years: tuple[int, ...] = (2020, 2021, 2022), seed: int = 7) -> FakeIndexResult:
    rng = np.random.default_rng(seed)
    codes = provinces().index.to_numpy()
    rows, dims, obstacles = [], [], []
    for year in years:
        score = rng.uniform(0.05, 0.9, len(codes))
        rank = (-score).argsort().argsort() + 1
        for code, s, r in zip(codes, score, rank, strict=True):
            rows.append((int(code), year, float(s), int(r)))
            for dim in INDICATORS["dimension"].unique():
                dims.append((int(code), year, dim, float(s * rng.uniform(0.8, 1.2))))
            shares = rng.dirichlet(np.ones(len(INDICATORS))) * 100
            for ind, pct in zip(INDICATORS["indicator"], shares, strict=True):
                obstacles.append((int(code), year, "indicator", ind, float(pct)))
            obstacles.append(
                (int(code), year, "dimension", "劳动者 Labourers", float(shares[:2].sum()))
            )
            obstacles.append(
                (int(code), year, "dimension", "劳动资料 Means of labour", float(shares[2:].sum()))
            )
    return FakeIndexResult(
        scores=pd.DataFrame(rows, columns=["region_code", "year", "score", "rank"]),
        dimension_scores=pd.DataFrame(dims, columns=["region_code", "year", "dimension", "score"]),
        indicator_weights=INDICATORS.copy(),
        obstacles=pd.DataFrame(
            obstacles, columns=["region_code", "year", "level", "factor", "obstacle_pct"]
        ),
        system_name="测试指标体系 <test system>",
        meta={
            "method": "composite_index",
            "normalization": "min-max (global)",
            "weighting": "entropy",
            "aggregation": "linear",
        },
    )


@pytest.fixture(scope="session")
def fake_result() -> FakeIndexResult:
    return make_fake_result()


@pytest.fixture(scope="session")
def fake_uncertainty(fake_result: FakeIndexResult) -> pd.DataFrame:
    latest = fake_result.scores[fake_result.scores.year == 2022]
    nominal = latest["rank"].to_numpy()
    return pd.DataFrame(
        {
            "region_code": latest["region_code"].to_numpy(),
            "year": 2022,
            "nominal": nominal,
            "median": nominal.astype(float),
            "p05": np.maximum(1, nominal - 3),
            "p95": np.minimum(31, nominal + 4),
        }
    )


@pytest.fixture()
def fake_validation() -> ValidationReport:
    report = ValidationReport()
    report.add(
        "alias",
        "repaired",
        "'江两' read as '江西' (user alias)",
        source="demo.csv",
        region="360000",
        original="江两",
        repaired="江西",
    )
    report.add(
        "interpolated",
        "filled",
        "linear interpolation <script>alert(1)</script>",
        source="demo.csv",
        region="540000",
        year=2021,
        indicator="patents",
    )
    return report


VOID_TAGS = {"meta", "img", "br", "link", "input", "hr"}


class BalancedHTML(HTMLParser):
    """Checks that every non-void tag is closed in order; collects tags, attributes and URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.errors.append(f"</{tag}> with open {self.stack[-3:]}")


@pytest.fixture
def parse_html() -> Callable[[str], BalancedHTML]:
    """Parse a page, assert that its tags balance, and return the collected tags and URLs."""

    def parse(page: str) -> BalancedHTML:
        checker = BalancedHTML()
        checker.feed(page)
        checker.close()
        assert not checker.errors and not checker.stack, (checker.errors, checker.stack)
        return checker

    return parse
