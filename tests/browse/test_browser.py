"""The archive as a person browses it: `dost-archive serve` in headless Chromium.

The archive is the demo's (12 mirrored sites) plus a hostile article written straight into
the database and two made-up days of crawl history. Each page is loaded in a fresh Chromium;
its DOM after load is checked and a screenshot is saved in artifacts/browser/.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import lxml.html
import pytest

from core.fold import fold
from storage.search import prepare_query
from tests.browse.chromium import requires_chromium, visit
from tests.browse.conftest import ARTIFACTS, Served
from tests.browse.hostile import (
    HOSTILE_HTML,
    LEGIT_TEXT,
    dangerous_markup,
    traces_of_execution,
)

pytestmark = [requires_chromium, pytest.mark.slow]


def _sql(db: Path, query: str, params: Any = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def _count_heading(doc: Any) -> tuple[int, str]:
    """The "N rows where …" heading of a Datasette table page."""
    for h3 in doc.iter("h3"):
        text = " ".join(h3.text_content().split())
        m = re.match(r"^([\d,]+) rows? (.*)$", text)
        if m:
            return int(m.group(1).replace(",", "")), m.group(2)
    raise AssertionError("no row count on the page")


def _facet(doc: Any, column: str) -> dict[str, int]:
    """Value → count of one facet box on a table page."""
    boxes = doc.xpath(f'//div[contains(@class, "facet-info")][@data-column="{column}"]')
    assert boxes, f"facet {column} not shown"
    counts = {}
    for li in boxes[0].iter("li"):
        text = " ".join(li.text_content().replace("·", " ").replace("✖", " ").split())
        m = re.match(r"^(.*) ([\d,]+)$", text)
        if m:
            counts[m.group(1)] = int(m.group(2).replace(",", ""))
    return counts


def test_home_page_offers_search_plots_and_stored_queries(served_archive: Served):
    page = visit(served_archive.base + "/", ARTIFACTS / "home.png")
    doc = lxml.html.document_fromstring(page.dom)
    assert doc.findtext(".//h1") == "DOST Archive"
    form = doc.xpath('//div[@class="dost-start"]//form')[0]
    assert form.get("action") == "/archive/articles" and form.get("method") == "get"
    assert form.xpath('.//input[@type="search"]/@name') == ["_search"]
    links = {a.text_content().strip(): a.get("href") for a in doc.iter("a")}
    assert links["plots"] == "/plots"
    assert links["Articles per province per month"] == "/archive/articles_per_province_month"
    for title in ("Latest articles of each site", "Syndicated clusters", "Articles with flags",
                  "Crawl runs with problems"):
        assert title in links
    assert "Sở Khoa học và Công nghệ" in doc.text_content()


def test_search_typed_without_accents_finds_accented_articles(served_archive: Served):
    db = served_archive.db
    expected = _sql(db, "SELECT count(*) FROM articles WHERE id IN (SELECT rowid FROM "
                        "articles_folded_fts WHERE articles_folded_fts MATCH ?)",
                    [prepare_query("dong chi", folded=True)])[0][0]
    accented = _sql(db, "SELECT count(*) FROM articles WHERE title LIKE '%Đồng chí%' "
                        "OR body_text LIKE '%Đồng chí%' OR body_text LIKE '%đồng chí%'")[0][0]
    assert expected >= accented > 0

    # What the home page's search form sends when "dong chi" is typed into it.
    page = visit(served_archive.base + "/archive/articles?" + urlencode({"_search": "dong chi"}),
                 ARTIFACTS / "search.png")
    doc = lxml.html.document_fromstring(page.dom)
    count, description = _count_heading(doc)
    assert count == expected, description
    assert 'search matches "dong chi"' in description
    assert doc.xpath('//input[@id="_search"]/@value') == ["dong chi"]
    # Found without typing the accents: the rows shown carry "đồng", "Đồng", "chí", "chỉ"…
    shown = set(re.findall(r"\w+", doc.xpath('//table[@class="rows-and-columns"]')[0]
                           .text_content()))
    assert {w for w in shown if fold(w) == "dong"} - {"dong", "Dong"}
    assert {w for w in shown if fold(w) == "chi"} - {"chi", "Chi"}
    # Each title opens the safe article page.
    assert doc.xpath('//td[contains(@class,"col-title")]/a/@href')[0].startswith("/article/")

    # Typed with accents (and another case), the same articles.
    again = visit(served_archive.base + "/archive/articles?"
                  + urlencode({"_search": "Đồng CHÍ"}))
    doc2 = lxml.html.document_fromstring(again.dom)
    assert _count_heading(doc2)[0] == expected
    assert doc2.xpath('//input[@id="_search"]/@value') == ["Đồng CHÍ"]


def test_facet_filters_and_counts(served_archive: Served):
    db = served_archive.db
    province = "Phú Thọ"
    expected = _sql(db, "SELECT count(*) FROM articles WHERE province_current = ?",
                    [province])[0][0]
    by_site = dict(_sql(db, "SELECT site, count(*) FROM articles WHERE province_current = ? "
                            "GROUP BY site", [province]))
    assert expected > 0 and len(by_site) == 2  # Vĩnh Phúc merged into Phú Thọ

    whole = lxml.html.document_fromstring(visit(served_archive.base + "/archive/articles").dom)
    assert _facet(whole, "province_current")[province] == expected
    for column in ("site", "province", "category", "published_year", "flags"):
        assert _facet(whole, column)

    page = visit(served_archive.base + "/archive/articles?"
                 + urlencode({"province_current": province}), ARTIFACTS / "facet.png")
    doc = lxml.html.document_fromstring(page.dom)
    count, description = _count_heading(doc)
    assert count == expected and f'province_current = "{province}"' in description
    assert _facet(doc, "site") == by_site


def test_hostile_article_runs_nothing(served_archive: Served, tmp_path: Path):
    # Control: the same payloads in a plain page do run in this browser, so "nothing ran"
    # below means something.
    raw = tmp_path / "hostile.html"
    raw.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>raw</title>"
                   f"</head><body>{HOSTILE_HTML}</body></html>", encoding="utf-8")
    control = visit(raw.as_uri())
    assert traces_of_execution(control.dom), "the payloads should run in an unprotected page"

    page = visit(f"{served_archive.base}/article/{served_archive.hostile_id}",
                 ARTIFACTS / "article.png")
    doc = lxml.html.document_fromstring(page.dom)
    assert traces_of_execution(page.dom) == []
    assert dangerous_markup(page.dom, container_xpath='//article[@class="article-body"]') == []
    for script in doc.iter("script"):  # only Datasette's own script is on the page
        assert "OWN" not in (script.text or "") and not script.get("src")
    title = doc.findtext(".//title")
    assert title.startswith("Bài viết độc hại <script>")  # the tag shown as text, not run
    body = doc.xpath('//article[@class="article-body"]')[0].text_content()
    assert LEGIT_TEXT in body and "thủy lợi" in body
    text = " ".join(doc.text_content().split())
    assert "Archived capture no capture yet" in text
    assert "Revisions 1 version" in text and "short_body" in text
    links = doc.xpath("//a/@href")
    assert "https://sokhcn.sonla.gov.vn/van-ban/ke-hoach.pdf" in links  # safe links stay
    assert "https://sokhcn.sonla.gov.vn/tin-tuc/bai-doc-hai" in links


def test_crawled_article_page(served_archive: Served):
    db = served_archive.db
    article_id, title, body, attachments, cluster = _sql(
        db, "SELECT id, title, body_text, attachments, cluster_id FROM articles "
            "WHERE attachments != '[]' AND images != '[]' "
            "ORDER BY cluster_id IS NULL, id LIMIT 1")[0]
    page = visit(f"{served_archive.base}/article/{article_id}", ARTIFACTS / "article-crawled.png")
    doc = lxml.html.document_fromstring(page.dom)
    assert doc.findtext(".//h1") == title
    shown = " ".join(doc.xpath('//article[@class="article-body"]')[0].text_content().split())
    assert " ".join(body.split())[:80] in shown
    links = doc.xpath("//a/@href")
    assert all(a["url"] in links for a in json.loads(attachments))
    if cluster is not None:
        members = _sql(db, "SELECT id FROM articles WHERE cluster_id = ? AND id != ?",
                       [cluster, article_id])
        assert all(f"/article/{m}" in links for (m,) in members)
    assert traces_of_execution(page.dom) == []


def test_plots_show_the_archive(served_archive: Served):
    db = served_archive.db
    page = visit(served_archive.base + "/plots", ARTIFACTS / "plots.png")
    doc = lxml.html.document_fromstring(page.dom)
    heatmap, per_day, per_run = doc.xpath('//svg[@class="plot"]')

    dated = _sql(db, "SELECT count(*) FROM articles WHERE published_at IS NOT NULL")[0][0]
    provinces = _sql(db, "SELECT count(DISTINCT coalesce(province, '')) FROM articles "
                         "WHERE published_at IS NOT NULL")[0][0]
    cells = heatmap.xpath('.//rect[@class="cell"]')
    assert sum(int(c.get("data-count")) for c in cells) == dated == int(heatmap.get("data-total"))
    assert len({c.get("data-row") for c in cells}) == provinces
    assert any(c.get("data-row") == "Phú Thọ" for c in cells)

    runs = dict(_sql(db, "SELECT status, count(*) FROM crawl_runs GROUP BY status"))
    bars = per_day.xpath('.//rect[@class="bar"]')
    shown: dict[str, int] = {}
    for bar in bars:
        shown[bar.get("data-status")] = shown.get(bar.get("data-status"), 0) + int(
            bar.get("data-count"))
    assert shown == runs and {"ok", "errors", "failed"} <= set(shown)
    assert int(per_day.get("data-days")) == 3

    problems = _sql(db, "SELECT count(*) FROM (SELECT * FROM crawl_runs ORDER BY started_at "
                        "DESC, id DESC LIMIT 60) WHERE status != 'ok' OR errors > 0")[0][0]
    assert len(per_run.xpath('.//path[@class="problem"]')) == problems > 0
    new = _sql(db, "SELECT sum(new) FROM (SELECT * FROM crawl_runs ORDER BY started_at DESC, "
                   "id DESC LIMIT 60)")[0][0]
    assert int(per_run.get("data-total")) == new > 0
