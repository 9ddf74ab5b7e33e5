"""The Archive methods the command line asks instead of writing SQL (crawler/cli/)."""

import pytest


def test_runs_of_returns_one_keys_runs_as_stored(archive):
    first = archive.start_run("sonla", run_key="k1")
    archive.start_run("other", run_key="k2")
    second = archive.start_run("angiang", run_key="k1")
    archive.finish_run(first, status="ok", monitors=[{"name": "m", "ok": True}])
    assert [r["site"] for r in archive.runs_of("k1")] == ["angiang", "sonla"]
    assert [r["id"] for r in archive.runs_of("k1", order_by="id")] == [first, second]
    assert archive.runs_of("k1", order_by="id")[0]["monitors"] == '[{"name": "m", "ok": true}]'
    assert archive.runs_of("nope") == []
    with pytest.raises(KeyError):
        archive.runs_of("k1", order_by="site; DROP TABLE crawl_runs")


def test_article_count_counts_every_article(archive, make_article):
    assert archive.article_count() == 0
    archive.upsert_article(make_article())
    archive.upsert_article(make_article(url="https://sokhcn.sonla.gov.vn/tin-tuc/bai-viet-2",
                                        canonical_url="https://sokhcn.sonla.gov.vn/tin-tuc/"
                                                      "bai-viet-2"))
    assert archive.article_count() == 2 == archive.db["articles"].count


def test_has_articles_is_per_site(archive, make_article):
    assert not archive.has_articles("sonla")
    archive.upsert_article(make_article())
    assert archive.has_articles("sonla")
    assert not archive.has_articles("angiang")


def test_latest_articles_are_newest_published_first(archive, make_article):
    base = "https://sokhcn.sonla.gov.vn/tin-tuc/bai-"
    for n, day in enumerate(["2023-06-05", "2024-01-02", "2023-12-31"]):
        archive.upsert_article(make_article(
            url=f"{base}{n}", canonical_url=f"{base}{n}", title=f"Bài {n}",
            published_at=f"{day}T00:00:00+07:00"))
    assert archive.latest_articles("sonla") == [
        ("2024-01-02T00:00:00+07:00", "Bài 1"), ("2023-12-31T00:00:00+07:00", "Bài 2")]
    assert len(archive.latest_articles("sonla", limit=5)) == 3
    assert archive.latest_articles("angiang") == []
