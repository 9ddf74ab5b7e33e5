"""dost-archive commands run in-process on a temporary archive."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import main, make_datasette
from crawler.items import Article
from tests.conftest import FIXTURES

SEED_PAGE = FIXTURES / "generic" / "sonla_seed003" / "page.html"
SEED_URL = ("https://sokhoahoc.sonla.gov.vn/1288/30956/65206/561753/tin-tuc-tong-hop/"
            "dong-chi-nguyen-thanh-cong-lam-viec-voi-so-khcn")


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def filled_db(archive, make_article, db_path):
    for i, (title, body, site) in enumerate([
        ("Đồng chí Giám đốc làm việc", "Đồng chí Giám đốc Sở làm việc về hoá học ứng dụng. " * 5,
         "sonla"),
        ("Thủy lợi nội đồng", "Dự án thuỷ lợi ở Phú Thọ được nghiệm thu đúng tiến độ. " * 5,
         "phutho"),
    ]):
        url = f"https://{site}.gov.vn/bai-{i}"
        archive.upsert_article(make_article(url=url, canonical_url=url, site=site, title=title,
                                            body_text=body,
                                            published_at=f"202{i + 1}-05-01T00:00:00+07:00"))
    run_id = archive.start_run("sonla", run_key="k")
    archive.finish_run(run_id, status="ok", finish_reason="finished", new=1, pages=4)
    return str(db_path)


def test_parse_generic_prints_one_article_with_every_contract_field(run):
    result = run("parse", "generic", str(SEED_PAGE), "--url", SEED_URL,
                 "--fetched-at", "2026-11-22T09:00:00+07:00")
    assert result.exit_code == 0, result.output
    article = json.loads(result.output)
    assert list(article) == Article.field_names()
    assert article["title"].startswith("Đồng chí Nguyễn Thành Công - Phó chủ tịch UBND tỉnh")
    # the header's "today" date (24/11/2025) is not the publication date
    assert article["published_at"] == "2023-06-06T08:15:00+07:00"
    assert article["published_raw"] == "06/06/2023 08:15"
    assert article["extractor"] == "generic"
    assert article["author"] == "Ánh Nguyệt - Tú Hảo"
    assert article["body_text"].startswith("Ngày 05/6/2023, đồng chí Nguyễn Thành Công")
    assert article["body_text"].endswith("thương hiệu sản phẩm chủ lực.")
    for boilerplate in ("Tin khác", "Thống kê truy cập", "Đang online", "Lượt xem",
                        "anh tin bai", "1 2 3 4 5", "Trang chủ"):
        assert boilerplate not in article["body_text"]
    assert "onerror" not in article["body_html"] and "<script" not in article["body_html"]
    # the site is recognised from the URL's host through the registry
    assert article["site"] == "sonla_legacy" and article["province"] == "Sơn La"
    assert len(article["content_hash"]) == 64


def test_parse_unknown_site_is_a_clear_error(run):
    result = run("parse", "nowhere", str(SEED_PAGE), "--url", SEED_URL)
    assert result.exit_code == 2
    assert "no parser for site 'nowhere'" in result.output
    assert "Traceback" not in result.output


def test_search_text_and_json(run, filled_db):
    result = run("search", "dong chi", "--db", filled_db)
    assert result.exit_code == 0
    assert "Đồng chí Giám đốc làm việc" in result.output and "**Đồng** **chí**" in result.output
    assert result.output.rstrip().endswith("1 of 1 results")
    found = json.loads(run("search", "thuy loi", "--db", filled_db, "--json").output)
    hits = found["results"]
    assert [h["title"] for h in hits] == ["Thủy lợi nội đồng"]
    assert hits[0]["site"] == "phutho" and "snippet" in hits[0]
    assert (found["total"], found["shown"], found["query"]) == (1, 1, "thuy loi")


def test_search_says_how_many_more_there_are(run, filled_db):
    result = run("search", "dong", "--db", filled_db, "--limit", "1")
    assert result.output.rstrip().endswith("1 of 2 results; --limit 2 shows all")
    assert json.loads(run("search", "dong", "--db", filled_db, "--limit", "1",
                          "--json").output)["total"] == 2


def test_search_of_a_common_word_counts_no_further_than_it_must(run, filled_db,
                                                                monkeypatch):
    import crawler.cli.query
    from storage import Archive

    monkeypatch.setattr(crawler.cli.query, "COUNT_AT_MOST", 1)
    monkeypatch.setattr(Archive, "RANK_AT_MOST", 1)  # "dong" (2 matches) is now broad
    result = run("search", "dong", "--db", filled_db)
    assert result.output.rstrip().endswith(
        "2 of more than 1 results; a common query: newest first, not by relevance")
    found = json.loads(run("search", "dong", "--db", filled_db, "--json").output)
    assert (found["total"], found["total_at_least"], found["shown"]) == (None, 2, 2)
    assert {h["ranked_by"] for h in found["results"]} == {"newest"}


def test_search_filters(run, filled_db):
    def titles(*args):
        out = run("search", "dong", "--db", filled_db, "--json", *args).output
        return [h["title"] for h in json.loads(out)["results"]]

    assert len(titles()) == 2
    assert titles("--site", "phutho") == ["Thủy lợi nội đồng"]
    assert titles("--from", "2022-01-01") == ["Thủy lợi nội đồng"]
    assert titles("--to", "01/05/2021") == ["Đồng chí Giám đốc làm việc"]  # day-first too
    assert len(titles("--limit", "1")) == 1


@pytest.mark.parametrize("query", ['"unclosed', "a OR", "NEAR(", "'; DROP TABLE articles; --"])
def test_search_syntax_errors_exit_2_with_one_line(run, filled_db, query):
    result = run("search", query, "--db", filled_db)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith("dost-archive: ")
    assert "Traceback" not in result.output


def test_search_bad_date_and_missing_archive(run, filled_db, tmp_path):
    assert run("search", "x", "--db", filled_db, "--from", "someday").exit_code == 2
    result = run("search", "x", "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 2 and "no archive" in result.output
    assert not (tmp_path / "none.db").exists()


def test_export_jsonl_and_csv(run, filled_db, tmp_path):
    out = tmp_path / "a.jsonl"
    result = run("export", "--format", "jsonl", "--db", filled_db, "-o", str(out))
    assert result.exit_code == 0 and "exported 2 articles" in result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["site"] for r in rows] == ["sonla", "phutho"]  # oldest first
    assert rows[0]["title"] == "Đồng chí Giám đốc làm việc" and rows[0]["flags"] == []

    result = run("export", "--format", "csv", "--db", filled_db, "--site", "phutho")
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["title"] for r in table] == ["Thủy lợi nội đồng"]
    assert json.loads(table[0]["images"]) == []
    since = run("export", "--db", filled_db, "--since", "2022-01-01").stdout
    assert len(since.splitlines()) == 1
    assert not list(tmp_path.glob("*.part"))


def test_sites_lists_every_department_with_lineage(run):
    result = run("sites")
    assert "vinhphuc_pre2025" in result.output and "Vĩnh Phúc → Phú Thọ" in result.output
    rows = json.loads(run("sites", "--json").output)
    assert len(rows) == 97
    vinhphuc = next(r for r in rows if r["slug"] == "vinhphuc_pre2025")
    assert (vinhphuc["era"], vinhphuc["province_current"]) == ("pre2025", "Phú Thọ")
    assert vinhphuc["domains"] == ["sokhcn.vinhphuc.gov.vn"] and vinhphuc["spiders"] == ["vinhphuc"]
    phutho = next(r for r in rows if r["slug"] == "phutho")
    assert set(phutho["predecessors"]) == {"vinhphuc_pre2025", "hoabinh_pre2025",
                                           "phutho_pre2025"}
    post = json.loads(run("sites", "--json", "--era", "post2025").output)
    assert len(post) == 34 and {r["era"] for r in post} == {"post2025"}


def test_stats(run, filled_db):
    rows = json.loads(run("stats", "--db", filled_db, "--json").output)
    by_site = {r["site"]: r for r in rows}
    assert by_site["sonla"]["articles"] == 1 and by_site["sonla"]["last_run_status"] == "ok"
    assert by_site["phutho"]["articles"] == 1 and by_site["phutho"]["last_run_status"] is None
    text = run("stats", "--db", filled_db).output
    assert "sonla" in text and "2021-05-01" in text


def test_stats_names_problem_runs_and_recluster_runs(run, filled_db, archive):
    run_id = archive.start_run("phutho", run_key="k2")
    archive.finish_run(run_id, status="errors", finish_reason="finished", errors=3)
    result = run("stats", "--db", filled_db)
    assert "sites with problem runs: phutho" in result.output
    rows = {r["site"]: r for r in json.loads(run("stats", "--db", filled_db, "--json").output)}
    assert rows["phutho"]["problem_runs"] == 1 and rows["sonla"]["problem_runs"] == 0
    out = run("recluster", "--db", filled_db)
    assert out.exit_code == 0 and "syndication clusters over 2 articles" in out.output


def test_crawl_input_errors(run, tmp_path):
    db = str(tmp_path / "c.db")
    for args, message in [
        ((), "no site to crawl"),
        (("nowhere",), "no spider or registry website for nowhere"),
    ]:
        result = run("crawl", *args, "--db", db)
        assert result.exit_code == 2 and message in result.output


def test_datasette_serves_the_archive_with_metadata(filled_db):
    ds = make_datasette(filled_db)

    async def fetch():
        listing = await ds.client.get("/archive/articles.json?_shape=array")
        page = await ds.client.get("/archive/articles")
        searched = await ds.client.get("/archive/articles.json?_search=hoá&_shape=array")
        return listing, page, searched

    listing, page, searched = asyncio.run(fetch())
    assert Path(filled_db).stem == "archive"
    assert listing.status_code == 200
    assert next(r["title"] for r in listing.json()) == "Thủy lợi nội đồng"  # newest first
    assert "One row per article" in page.text
    assert [r["title"] for r in searched.json()] == ["Đồng chí Giám đốc làm việc"]


def test_metadata_follows_the_archive_file_name(tmp_path, make_article):
    from storage import Archive

    db = tmp_path / "tinh-2025.db"
    with Archive(db) as archive:
        archive.upsert_article(make_article())
    ds = make_datasette(str(db))
    page = asyncio.run(ds.client.get("/tinh-2025/articles"))
    assert page.status_code == 200 and "One row per article" in page.text


def test_python_dash_m_crawler_is_the_same_cli():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "crawler", "--help"], capture_output=True,
                         text=True, check=True)
    assert "dost-archive" in out.stdout and "search" in out.stdout


def test_export_has_every_documented_column_and_survives_a_closed_pipe(archive, make_article,
                                                                       db_path):
    import os
    import re
    import subprocess
    import sys

    from crawler.cli import EXPORT_COLUMNS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `articles` |"))
    documented = set(re.findall(r"`(\w+)`", row.split("|")[3]))
    assert documented <= set(EXPORT_COLUMNS), documented - set(EXPORT_COLUMNS)
    # Enough rows that the writer is still writing when the reader has gone.
    for i in range(3000):
        url = f"https://sokhcn.sonla.gov.vn/tin-tuc/bai-{i}"
        archive.upsert_article(make_article(url=url, canonical_url=url,
                                            title=f"Bài số {i} về khoa học và công nghệ"))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    for fmt in ("csv", "jsonl"):
        proc = subprocess.run(
            ["bash", "-o", "pipefail", "-c",
             f"{sys.executable} -m crawler export --format {fmt} --db {db_path} | head -3"],
            capture_output=True, text=True, timeout=120, env=env)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert proc.stdout.count("\n") == 3 and "Traceback" not in proc.stderr, proc.stderr
    out = subprocess.run([sys.executable, "-m", "crawler", "export", "--format", "csv",
                          "--db", str(db_path)], capture_output=True, text=True, env=env,
                         timeout=120)
    header = next(csv.reader(io.StringIO(out.stdout)))
    assert header == EXPORT_COLUMNS and out.stdout.count("\n") > 3000


def test_parse_reads_the_url_from_meta_json_and_warns_on_another_sites_page(run, tmp_path):
    import shutil

    page = next(p for p in sorted((FIXTURES / "sonla").iterdir())
                if p.name.startswith("article"))
    copy = tmp_path / "saved"
    shutil.copytree(page, copy)
    result = run("parse", "sonla", str(copy / "page.html"))
    assert result.exit_code == 0, result.output
    url = json.loads((copy / "meta.json").read_text(encoding="utf-8"))["url"]
    assert json.loads(result.stdout)["url"] == url
    # Another site's parser on this page: every field empty, said, exit 1.
    other = run("parse", "caobang", str(copy / "page.html"))
    assert other.exit_code == 1 and "found no title and no body" in other.stderr
    (copy / "meta.json").unlink()
    missing = run("parse", "sonla", str(copy / "page.html"))
    assert missing.exit_code == 2 and "--url" in missing.output
