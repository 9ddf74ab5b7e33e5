"""The generic spider and extractor: seed 002 (site unidentified) and a mirror crawl."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.parsing import parse_saved_page
from storage import Archive
from tests.fixture_tool import FIXTURES, load_page
from tests.mirror_process import mirror_process

REPO = Path(__file__).resolve().parents[2]
SEED002 = FIXTURES / "generic" / "article_seed002"
BOILERPLATE = ("Tin khác", "Thống kê truy cập", "Đang online", "Chia sẻ", "Bài viết mới",
               "date 2020-01", "Trang chủ", "Bản quyền")


def test_seed_002_comes_out_right_through_the_generic_path():
    meta, body = load_page(SEED002)
    a = parse_saved_page("generic", body, meta["url"], fetched_at=meta["fetched_at"])
    assert a.extractor == "generic"
    assert a.title == "Nâng cao hiệu quả hoạt động lĩnh vực khoa học và công nghệ"
    # "date 2020-01" beside the title gives the year, "Chiều 15-1," the day: flagged.
    assert a.published_at == "2020-01-15T00:00:00+07:00" and a.published_raw == "Chiều 15-1"
    assert "date_from_text" in a.flags
    assert a.author == "Trần Hằng"
    assert a.body_text.startswith("Chiều 15-1, Sở Khoa học và Công nghệ (KH&CN) tổ chức")
    assert a.body_text.endswith("thực hiện nhiệm vụ năm 2019.")
    for chrome in BOILERPLATE:
        assert chrome not in a.body_text, chrome
    assert a.images and a.images[0]["caption"] == "Toàn cảnh hội nghị"


def test_a_lead_date_without_a_month_stamp_is_not_taken():
    html = ("<html><body><h1>Hội nghị tổng kết</h1><div class='c'>"
            + "<p>Chiều 15-1, Sở tổ chức hội nghị tổng kết công tác năm với nhiều nội dung.</p>"
            * 8 + "</div></body></html>").encode()
    a = parse_saved_page("generic", html, "https://khcn.example.gov.vn/a-1.html")
    assert a.published_at is None and a.published_raw is None and "no_date" in a.flags


def test_the_header_today_date_is_not_the_publish_date():
    meta, body = load_page(FIXTURES / "generic" / "sonla_seed003")
    a = parse_saved_page("generic", body, meta["url"], fetched_at=meta["fetched_at"])
    assert a.published_at == "2023-06-06T08:15:00+07:00"  # not "Thứ Hai, 24/11/2025"


def _crawl(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=300)


@pytest.mark.slow
def test_generic_crawl_of_an_unknown_site_finds_every_article_and_no_listing(tmp_path):
    db = tmp_path / "g.db"
    with mirror_process("generic") as urls:
        args = ["-m", "scrapy", "crawl", "generic", "-a",
                "start_url=https://sokhcn.unidentified.example/", "-a",
                f"base_url={urls['generic']}", "-s", f"ARCHIVE_DB={db}", "-s",
                "LOG_LEVEL=WARNING", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0"]
        first = _crawl(*args)
        second = _crawl(*args)
    assert first.returncode == 0 and second.returncode == 0, first.stderr[-3000:]
    with Archive(db) as archive:
        rows = list(archive.iter_articles())
        runs = list(archive.db["crawl_runs"].rows_where(order_by="id"))
    assert len(rows) == 28  # every article; no home, category, pager or static page
    assert all("/tin-tuc/" in r["url"] and r["url"].endswith(".html") for r in rows)
    assert all(r["published_at"] and r["extractor"] == "generic" for r in rows)
    assert all("date_from_text" in r["flags"] for r in rows)
    assert (runs[1]["new"], runs[1]["updated"]) == (0, 0)
    assert runs[1]["pages"] < runs[0]["pages"] / 2  # known articles are not fetched again


@pytest.mark.slow
def test_crawl_of_a_registry_website_without_spider_uses_the_generic_spider(tmp_path):
    db = tmp_path / "h.db"
    with mirror_process("generic") as urls:
        result = _crawl("-m", "crawler", "crawl", "haiduong", "--db", str(db), "--base-url",
                        urls["generic"], "-q")
    assert result.returncode == 0, result.stderr[-3000:]
    with Archive(db) as archive:
        rows = list(archive.iter_articles())
        run = next(iter(archive.db["crawl_runs"].rows))
    assert run["site"] == "haiduong" and len(rows) == 28
    assert {r["site"] for r in rows} == {"haiduong"}
    assert {(r["province"], r["province_current"]) for r in rows} == {("Hải Dương", "Hải Phòng")}
    assert all(r["canonical_url"].startswith("https://haiduongdost.gov.vn/") for r in rows)
    assert json.loads(run["args"])["base_url"] == urls["generic"]
