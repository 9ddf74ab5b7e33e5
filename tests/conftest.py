"""Shared fixtures: a fresh archive per test and an article factory."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.items import Article
from storage import Archive

# Tests never talk to a proxy or the internet (as in Scrapy's own test suite).
for _var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
    os.environ.pop(_var, None)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


@pytest.fixture
def archive(db_path: Path) -> Iterator[Archive]:
    with Archive(db_path) as arch:
        yield arch


@pytest.fixture
def make_article() -> Callable[..., Article]:
    """Build a valid Article; keyword arguments override fields."""
    from crawler.normalize.article import content_hash

    def factory(**overrides: Any) -> Article:
        fields: dict[str, Any] = {
            "url": "https://sokhcn.sonla.gov.vn/tin-tuc/bai-viet-1",
            "canonical_url": "https://sokhcn.sonla.gov.vn/tin-tuc/bai-viet-1",
            "site": "sonla",
            "province": "Sơn La",
            "province_current": "Sơn La",
            "title": "Đồng chí Phó Chủ tịch UBND tỉnh làm việc với Sở Khoa học và Công nghệ",
            "published_at": "2023-06-05T00:00:00+07:00",
            "published_raw": "Ngày 05/6/2023",
            "body_text": "Ngày 05/6/2023, đồng chí Phó Chủ tịch UBND tỉnh đã có buổi làm việc "
                         "với Sở Khoa học và Công nghệ về tình hình triển khai các nhiệm vụ "
                         "khoa học và công nghệ, ứng dụng hoá học và thuỷ lợi trong sản xuất.",
            "fetched_at": "2026-11-22T09:00:00+07:00",
        }
        fields.update(overrides)
        if "content_hash" not in overrides:
            fields["content_hash"] = content_hash(fields)
        return Article(**fields)

    return factory
