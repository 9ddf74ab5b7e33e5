"""The Datasette app of `dost-archive serve`, in process (no browser): search, pages, queries."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import lxml.html
import pytest
from click.testing import CliRunner

from browse.charts import month_heatmap_svg, run_bars_svg, runs_per_day_svg
from browse.pages import safe_url, sanitize_filter
from browse.table_search import fold_search_args
from crawler.cli import main, make_datasette
from storage import Archive
from tests.browse.hostile import dangerous_markup, insert_hostile_article

TEXTS = [
    ("Đồng chí Giám đốc làm việc", "Đồng chí Giám đốc Sở làm việc về ứng dụng hoá học. " * 5,
     "sonla", "Sơn La", "2021-05-01"),
    ("Thủy lợi nội đồng", "Dự án thuỷ lợi ở Phú Thọ được nghiệm thu, hóa học nông nghiệp. " * 5,
     "phutho", "Phú Thọ", "2023-05-01"),
    ("Hội nghị KH&CN", "Sở KH&CN tổ chức hội nghị tổng kết năm về chuyển đổi số. " * 5,
     "vinhphuc", "Vĩnh Phúc", "2025-06-10"),
]


def get(ds: Any, path: str, **params: Any) -> httpx.Response:
    return asyncio.run(ds.client.get(path, params=params or None))


@pytest.fixture
def filled(archive: Archive, make_article, db_path: Path) -> Path:
    for i, (title, body, site, province, day) in enumerate(TEXTS):
        url = f"https://{site}.gov.vn/bai-{i}"
        archive.upsert_article(make_article(
            url=url, canonical_url=url, site=site, title=title, body_text=body,
            province=province, province_current="Phú Thọ" if site == "vinhphuc" else province,
            published_at=f"{day}T08:00:00+07:00"))
    return db_path


def _ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text[:500]
    return sorted(r["id"] for r in response.json())


def _count(page: httpx.Response) -> int:
    assert page.status_code == 200, page.text[:500]
    m = re.search(r"<h3>\s*([\d,]+) rows?", page.text)
    assert m, "no row count"
    return int(m.group(1).replace(",", ""))


# -- search ------------------------------------------------------------------------------
def test_search_ignores_accents_d_and_tone_placement(filled: Path):
    ds = make_datasette(str(filled))
    found = {q: _ids(get(ds, "/archive/articles.json", _search=q, _shape="array"))
             for q in ("dong chi", "Đồng chí", "ĐỒNG CHÍ", "đông chi")}
    assert len(set(map(tuple, found.values()))) == 1 and len(found["dong chi"]) == 1
    # "hoa hoc" finds both tone placements (hoá / hóa), as the CLI does.
    assert len(_ids(get(ds, "/archive/articles.json", _search="hoa hoc", _shape="array"))) == 2
    assert len(_ids(get(ds, "/archive/articles.json", _search="hoá học", _shape="array"))) == 2
    # FTS5 syntax still works: phrases, OR, joined words.
    assert len(_ids(get(ds, "/archive/articles.json", _search='"noi dong"',
                        _shape="array"))) == 1
    assert len(_ids(get(ds, "/archive/articles.json", _search="dong OR hoi",
                        _shape="array"))) == 3
    assert len(_ids(get(ds, "/archive/articles.json", _search="kh&cn", _shape="array"))) == 1


def test_search_page_counts_and_keeps_the_typed_term(filled: Path):
    ds = make_datasette(str(filled))
    page = get(ds, "/archive/articles", _search="Đồng chí")
    assert _count(page) == 1
    assert 'value="Đồng chí"' in page.text  # the box shows what was typed, not the folded form
    assert "search matches &#34;dong chi&#34;" in page.text  # … and says how it searched
    assert _count(get(ds, "/archive/articles", _search="")) == 3  # empty box: everything


@pytest.mark.parametrize("query", ["hoa hoc", "nghi*"])
def test_a_broad_search_shows_a_bounded_newest_set_and_says_so(filled: Path, query: str,
                                                                monkeypatch):
    from browse import table_search

    ds = make_datasette(str(filled))
    every = _ids(get(ds, "/archive/articles.json", _search=query, _shape="array"))
    assert len(every) == 2  # selective: Datasette's own search, unchanged
    monkeypatch.setattr(table_search, "BROAD_AT", 1)  # now 2 matches are "broad"
    monkeypatch.setattr(table_search, "SHOWN", 1)
    shown = _ids(get(ds, "/archive/articles.json", _search=query, _shape="array"))
    assert shown == [max(every)]  # the most recently archived of the matches
    page = get(ds, "/archive/articles", _search=query)
    assert _count(page) == 1 and "More than 1 articles match" in page.text
    assert f'value="{query}"' in page.text  # the box still shows the typed term


@pytest.mark.parametrize("query", ["hoa hoc", "nghi*"])
def test_a_bounded_search_pages_on_and_outlives_its_stored_ids(filled: Path, query: str,
                                                                monkeypatch):
    from browse import table_search
    from browse.hits import HitStore

    ds = make_datasette(str(filled))
    every = _ids(get(ds, "/archive/articles.json", _search=query, _shape="array"))
    monkeypatch.setattr(table_search, "BROAD_AT", 1)
    monkeypatch.setattr(table_search, "SHOWN", 2)  # both matches, one per page
    first = get(ds, "/archive/articles.json", _search=query, _size=1, _shape="objects").json()
    assert first["next_url"], "a bounded search of two rows, one per page, has a next page"
    next_path = first["next_url"].removeprefix("http://localhost")
    second = asyncio.run(ds.client.get(next_path)).json()
    assert sorted(r["id"] for r in first["rows"] + second["rows"]) == every
    # A page whose stored ids are gone (evicted; a restarted server) finds them again from
    # the typed term it carries, instead of showing nothing.
    gone = HitStore.condition("0" * 16)
    assert _ids(get(ds, "/archive/articles.json", _where=gone, _shape="array")) == []
    assert _ids(get(ds, "/archive/articles.json", _where=gone, _bounded=query,
                    _shape="array")) == every


def test_the_hit_store_keeps_the_newest_searches(monkeypatch):
    from browse import hits

    monkeypatch.setattr(hits, "KEEP", 2)
    store = hits.HitStore()
    for key in ("a" * 16, "b" * 16, "c" * 16):
        store.put(key, [1, 2, 3])
    assert [store.has(k * 16) for k in "abc"] == [False, True, True]
    conn = sqlite3.connect(":memory:")
    store.attach(conn)
    assert conn.execute("SELECT id FROM (SELECT 2 AS id UNION SELECT 9) "
                        f"WHERE {store.condition('c' * 16)}").fetchall() == [(2,)]
    assert store.key_of(store.condition("c" * 16)) == "c" * 16
    assert store.key_of("id IN (1, 2)") is None


@pytest.mark.parametrize("query", ["NEAR(dong", '"unclosed', "nosuchcolumn:dong", "(", "*"])
def test_search_that_fts5_rejects_is_no_error_page(filled: Path, query: str):
    ds = make_datasette(str(filled))
    page = get(ds, "/archive/articles", _search=query)
    assert page.status_code == 200 and "<h3>" in page.text
    assert get(ds, "/archive/articles.json", _search=query).status_code == 200


def test_fold_search_args():
    pairs = [("site", "sonla"), ("_search", "Đồng chí"), ("_sort", "id")]
    assert fold_search_args(pairs, raw=True) == (
        [("site", "sonla"), ("_search", "dong chi"), ("_sort", "id")], "Đồng chí")
    assert fold_search_args([("_search", "KH&CN")], raw=True)[0] == [("_search", '"kh&cn"')]
    assert fold_search_args([("_search", "  ")], raw=True) == ([], None)
    assert fold_search_args([("_search", "NEAR(Đồng")], raw=True)[0] == [
        ("_search", "near(dong"), ("_searchmode", "escaped")]
    assert fold_search_args([("_search_title", "Thủy"), ("_searchmode", "escaped")],
                            raw=False)[0] == [("_search_title", "thuy"),
                                              ("_searchmode", "escaped")]


def test_folded_search_follows_the_archive_file_name(tmp_path, make_article):
    db = tmp_path / "tinh-2025.db"
    with Archive(db) as archive:
        archive.upsert_article(make_article())
    ds = make_datasette(str(db))
    assert len(_ids(get(ds, "/tinh-2025/articles.json", _search="dong chi",
                        _shape="array"))) == 1


# -- facets ------------------------------------------------------------------------------
ARTICLE_FACETS = {"site", "province", "province_current", "category", "published_year",
                  "flags"}


def _shown_facets(page: httpx.Response) -> set[str]:
    """The facet boxes an HTML table page shows."""
    assert page.status_code == 200, page.text[:500]
    doc = lxml.html.document_fromstring(page.text)
    return {div.get("data-column") for div in doc.xpath('//div[contains(@class, "facet-info")]')}


def _without_facets(data: dict[str, Any]) -> dict[str, Any]:
    """A table's JSON less what facets (and timing) change, to compare the rest."""
    return {k: v for k, v in data.items() if k not in ("facet_results", "query_ms", "next_url")}


@pytest.mark.parametrize("params", [{}, {"_search": "hoa hoc"}, {"site": "sonla"},
                                    {"_search": "Đồng chí", "_size": 1, "_sort": "id"}])
def test_json_computes_the_default_facets_only_when_asked(filled: Path, params: dict):
    ds = make_datasette(str(filled))
    plain = get(ds, "/archive/articles.json", **params).json()
    assert plain["facet_results"] == {}  # the key stays (0.65's shape), empty
    asked = get(ds, "/archive/articles.json", **params, _extra="facet_results").json()
    assert set(asked["facet_results"]) == ARTICLE_FACETS
    assert _without_facets(plain) == _without_facets(asked) and plain["rows"]
    # The HTML page is unchanged: every default facet is shown.
    assert _shown_facets(get(ds, "/archive/articles", **params)) == ARTICLE_FACETS


@pytest.mark.parametrize("params", [{"_facet": "category"}, {"_facet_array": "flags"},
                                    {"_facet_size": "2"}, {"_extra": "count,facet_results"}])
def test_json_computes_facets_when_a_facet_parameter_is_given(filled: Path, params: dict):
    ds = make_datasette(str(filled))
    data = get(ds, "/archive/articles.json", **params).json()
    assert set(data["facet_results"]) >= ARTICLE_FACETS
    site = {(r["value"], r["count"]) for r in data["facet_results"]["site"]["results"]}
    assert len(site) >= 2 and site <= {("sonla", 1), ("phutho", 1), ("vinhphuc", 1)}


def test_json_facets_on_request_for_every_faceted_table_and_a_bounded_search(
        filled: Path, monkeypatch):
    from browse import table_search

    ds = make_datasette(str(filled))
    runs = get(ds, "/archive/crawl_runs.json").json()
    assert runs["facet_results"] == {}
    asked = get(ds, "/archive/crawl_runs.json", _facet="run_key").json()["facet_results"]
    assert set(asked) == {"run_key", "site", "status"}  # one asked for: the defaults too
    monkeypatch.setattr(table_search, "BROAD_AT", 1)  # "hoa hoc" (2 matches) is now broad
    bounded = get(ds, "/archive/articles.json", _search="hoa hoc").json()
    assert bounded["facet_results"] == {} and len(bounded["rows"]) == 2
    asked = get(ds, "/archive/articles.json", _search="hoa hoc", _facet="site").json()
    assert sum(r["count"] for r in asked["facet_results"]["site"]["results"]) == 2
    assert asked["rows"] == bounded["rows"]


def test_asks_for_facets():
    from browse.json_facets import asks_for_facets

    assert not asks_for_facets([("_search", "facet"), ("_extra", "count"), ("site", "x")])
    assert asks_for_facets([("_facet", "site")])
    assert asks_for_facets([("_facet_date", "published_at")])
    assert asks_for_facets([("_extra", "count, facet_results")])
    assert asks_for_facets([("_extra", "count"), ("_extra", "facet_results")])


# -- configuration -----------------------------------------------------------------------
def test_tables_have_titles_facets_and_newest_first(filled: Path):
    ds = make_datasette(str(filled))
    data = get(ds, "/archive/articles.json", _extra="facet_results").json()
    assert set(data["facet_results"]) == ARTICLE_FACETS
    published = [r["published_at"] for r in get(ds, "/archive/articles.json",
                                                  _shape="array").json()]
    assert published == sorted(published, reverse=True)  # newest first
    years = {r["value"]: r["count"] for r in data["facet_results"]["published_year"]["results"]}
    assert years == {2021: 1, 2023: 1, 2025: 1}
    page = get(ds, "/archive/articles")
    assert "<h1>Articles</h1>" in page.text and "Province after the 1 July 2025 merger" in page.text
    assert 'href="/article/' in page.text  # titles open the article page
    db_page = get(ds, "/archive")
    assert "DOST news archive" in db_page.text and "Crawl runs with problems" in db_page.text


def test_stored_queries(filled: Path, archive: Archive, make_article):
    for i in range(7):  # more than five articles on one site: only the latest five listed
        url = f"https://caobang.gov.vn/tin-{i}"
        archive.upsert_article(make_article(url=url, canonical_url=url, site="caobang",
                                            title=f"Tin số {i}", body_text=f"Nội dung {i}. " * 30,
                                            published_at=f"2024-0{i + 1}-01T00:00:00+07:00",
                                            flags=["date_from_text"] if i == 0 else []))
    ok = archive.start_run("sonla")
    archive.finish_run(ok, status="ok", pages=3)
    bad = archive.start_run("caobang")
    archive.finish_run(bad, status="errors", errors=2)
    failed = archive.start_run("phutho")
    archive.finish_run(failed, status="failed")
    quiet_errors = archive.start_run("vinhphuc")
    archive.finish_run(quiet_errors, status="ok", errors=1)
    archive.db.execute("UPDATE articles SET cluster_id = 9 WHERE site IN ('sonla', 'phutho')")
    archive.db.conn.commit()
    ds = make_datasette(str(filled))

    def rows(name: str) -> list[dict[str, Any]]:
        response = get(ds, f"/archive/{name}.json", _shape="array")
        assert response.status_code == 200, response.text[:500]
        return response.json()

    latest = rows("latest_per_site")
    assert [r["title"] for r in latest if r["site"] == "caobang"] == [
        f"Tin số {i}" for i in (6, 5, 4, 3, 2)]
    assert {r["site"] for r in latest} == {"caobang", "sonla", "phutho", "vinhphuc"}
    assert {r["id"] for r in rows("problem_runs")} == {bad, failed, quiet_errors}
    clusters = rows("syndicated_clusters")
    assert {r["site"] for r in clusters} == {"sonla", "phutho"}
    assert {r["articles_in_cluster"] for r in clusters} == {2}
    assert [(r["flag"], r["site"]) for r in rows("flagged_articles")] == [
        ("date_from_text", "caobang")]
    per_month = rows("articles_per_province_month")
    assert sum(r["articles"] for r in per_month) == 10
    assert {"province": "Vĩnh Phúc", "province_current": "Phú Thọ", "month": "2025-06",
            "articles": 1} in per_month
    page = get(ds, "/archive/latest_per_site")
    assert 'href="/article/' in page.text  # article_id columns link to the article page


def test_home_page_has_the_start_panel(filled: Path):
    page = get(make_datasette(str(filled)), "/")
    assert page.status_code == 200
    doc = lxml.html.document_fromstring(page.text)
    assert doc.xpath('//div[@class="dost-start"]//form/@action') == ["/archive/articles"]
    assert len(doc.xpath('//div[@class="dost-start"]//li/a')) == 5


# -- article page ------------------------------------------------------------------------
def test_hostile_article_page_is_neutralised(filled: Path):
    article_id = insert_hostile_article(filled)
    page = get(make_datasette(str(filled)), f"/article/{article_id}")
    assert page.status_code == 200
    assert dangerous_markup(page.text, container_xpath='//article[@class="article-body"]') == []
    doc = lxml.html.document_fromstring(page.text)
    # The only script is Datasette's own, allowed by hash; the policy forbids any other.
    csp = page.headers["content-security-policy"]
    scripts = [s.text or "" for s in doc.iter("script")]
    assert scripts and all(not s.get("src") for s in doc.iter("script"))
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp and "OWN" not in script
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp
    # Stored text that looks like markup is shown as text.
    assert "&lt;script&gt;" in page.text
    text = " ".join(doc.text_content().split())
    assert "Tài liệu độc hại javascript:" in text and "not a web address; not linked" in text


def test_article_page_shows_provenance_cluster_and_copies(filled: Path, archive: Archive,
                                                          make_article):
    first = archive.db.execute("SELECT id FROM articles WHERE site = 'sonla'").fetchone()[0]
    copy_url = "https://phutho.gov.vn/ban-sao"
    copy = archive.upsert_article(make_article(
        url=copy_url, canonical_url=copy_url, site="phutho", title=TEXTS[0][0],
        body_text=TEXTS[0][1], province="Sơn La", published_at="2021-05-01T08:00:00+07:00",
        images=[{"url": "https://sonla.gov.vn/anh.jpg", "caption": "Quang cảnh hội nghị"}],
        attachments=[{"url": "https://sonla.gov.vn/kh.pdf", "name": "Kế hoạch số 22"}],
        published_raw="Thứ Bảy, 01/05/2021")).article_id
    archive.db.execute("UPDATE articles SET cluster_id = 4 WHERE id IN (?, ?)", [first, copy])
    archive.db.conn.commit()
    ds = make_datasette(str(filled))
    page = get(ds, f"/article/{copy}")
    assert page.status_code == 200
    text = " ".join(lxml.html.document_fromstring(page.text).text_content().split())
    for expected in ("Site phutho", "Province Sơn La", "as printed: Thứ Bảy, 01/05/2021",
                     "Archived capture no capture yet", "Revisions 1 version",
                     "Duplicate of Đồng chí Giám đốc làm việc (sonla)",
                     "Quang cảnh hội nghị", "Kế hoạch số 22",
                     "Cluster 4: 1 other article carries this story", "Flags none"):
        assert expected in text, expected
    assert f'href="/article/{first}"' in page.text
    assert 'href="https://sonla.gov.vn/kh.pdf"' in page.text
    assert "Same text at" in get(ds, f"/article/{first}").text
    # Without HTML the plain text is shown as paragraphs.
    assert "<p>Đồng chí Giám đốc Sở làm việc" in page.text


@pytest.mark.parametrize("path", ["/article/999999", "/article/abc", "/article/1.5"])
def test_unknown_article_is_404(filled: Path, path: str):
    assert get(make_datasette(str(filled)), path).status_code == 404


def test_sanitize_filter_and_safe_url():
    html = sanitize_filter('<p onclick="x()">a<script>b()</script><a href="javascript:c()">l</a>'
                           '<img src="p.png" onerror="d()"></p>', "https://s.gov.vn/tin/1")
    assert ('<p>a<a rel="noopener noreferrer nofollow">l</a>'
            '<img src="https://s.gov.vn/tin/p.png"></p>') in html
    assert sanitize_filter(None) == "" and sanitize_filter("<b>x</b>", "javascript:x") == (
        "<b>x</b>")
    assert safe_url(" https://s.gov.vn/a b") is None  # whitespace inside: not linked
    assert safe_url("https://s.gov.vn/a") == "https://s.gov.vn/a"
    for bad in ("javascript:alert(1)", "JAVASCRIPT:x", "data:text/html,x", "//evil", "/x",
                "java\tscript:x", "\x01javascript:x", None, 5):
        assert safe_url(bad) is None, bad


# -- plots -------------------------------------------------------------------------------
def test_plots_page(filled: Path, archive: Archive):
    run = archive.start_run("sonla")
    archive.finish_run(run, status="failed", errors=1)
    page = get(make_datasette(str(filled)), "/plots")
    assert page.status_code == 200
    doc = lxml.html.document_fromstring(page.text)
    heatmap, per_day, per_run = doc.xpath('//svg[@class="plot"]')
    cells = heatmap.xpath('.//rect[@class="cell"]')
    assert sum(int(c.get("data-count")) for c in cells) == 3
    assert {c.get("data-row") for c in cells} == {"Phú Thọ", "Sơn La", "Vĩnh Phúc"}
    assert int(heatmap.get("data-months")) == 50  # 2021-05 … 2025-06, gaps kept
    assert [b.get("data-status") for b in per_day.xpath('.//rect[@class="bar"]')] == ["failed"]
    assert len(per_run.xpath('.//path[@class="problem"]')) == 1
    assert "<script" not in page.text.split("</footer>")[0]


def test_plots_of_an_empty_archive(tmp_path):
    Archive(tmp_path / "archive.db").close()
    page = get(make_datasette(str(tmp_path / "archive.db")), "/plots")
    assert page.status_code == 200
    assert "No dated articles yet." in page.text and "No crawl runs yet." in page.text


def test_chart_labels_are_escaped():
    svg = str(month_heatmap_svg([{"province": "<script>x</script>", "month": "2024-01",
                                  "articles": 2}]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    bars = str(run_bars_svg([{"id": 1, "site": "<b>s</b>", "started_at": "2024-01-01T00:00:00",
                              "status": "<i>", "new": 1, "updated": 0, "errors": 0}]))
    assert "<b>" not in bars and "<i>" not in bars
    days = str(runs_per_day_svg([{"day": "2024-01-01", "status": "<x>", "runs": 1}]))
    assert "<x>" not in days


# -- serve -------------------------------------------------------------------------------
def test_serve_runs_the_configured_app(filled: Path, monkeypatch):
    import uvicorn

    seen: dict[str, Any] = {}

    def fake_run(app: Any, **kwargs: Any) -> None:
        seen["app"], seen["kwargs"] = app, kwargs

    monkeypatch.setattr(uvicorn, "run", fake_run)
    result = CliRunner().invoke(main, ["serve", "--db", str(filled), "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert seen["kwargs"]["host"] == "127.0.0.1" and seen["kwargs"]["port"] == 8123

    async def fetch() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=seen["app"])
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return [await client.get("/plots"),
                    await client.get("/archive/articles.json?_search=dong+chi&_shape=array")]

    plots, searched = asyncio.run(fetch())
    assert plots.status_code == 200 and "<svg" in plots.text
    assert [r["title"] for r in searched.json()] == ["Đồng chí Giám đốc làm việc"]


def test_hostile_fixture_really_is_in_the_database(filled: Path):
    article_id = insert_hostile_article(filled)
    conn = sqlite3.connect(filled)
    body, images = conn.execute("SELECT body_html, images FROM articles WHERE id = ?",
                                [article_id]).fetchone()
    conn.close()
    assert "<script>" in body and "onerror=" in body and "javascript:" in body
    assert json.loads(images)[0]["url"].startswith("javascript:")
