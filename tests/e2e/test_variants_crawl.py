"""Every site spider against every markup variant of its platform that the mirror serves,
and against a redesign that no variant knows: never a silent empty crawl.

Real Scrapy in a subprocess (``dost-archive crawl``), real HTTP on 127.0.0.1. What the
mirror holds (titles and publication days of its articles) is the expectation; which way
each page was read (the site's own variant, another one, the fallback) is read from the
crawl's log and the archive's flags, and counted in the test ids and assertions.
"""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler.items import FALLBACK_FLAGS
from crawler.mirror.sites import models
from crawler.parsing import spider_class
from storage import Archive
from tests.mirror_process import mirror_process

REPO = Path(__file__).resolve().parents[2]
SITES = sorted(set(models()) - {"generic"})
pytestmark = pytest.mark.slow


def crawl(site: str, base_url: str, db: Path, *args: str
          ) -> tuple[subprocess.CompletedProcess, dict, list[dict[str, Any]]]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", site, "--db", str(db), "--base-url",
         base_url, "--no-progress", *args],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    with Archive(db) as archive:
        run = next(iter(archive.db["crawl_runs"].rows_where(order_by="id desc", limit=1)))
        return result, run, list(archive.iter_articles())


def expectation(site: str, variants: tuple[str, ...] = ()) -> tuple[Counter, Counter]:
    """Titles and publication days of the mirror's articles (in that markup)."""
    articles = models()[site]("base", variants).articles
    return (Counter(unicodedata.normalize("NFC", a.title) for a in articles),
            Counter(a.published.date().isoformat() for a in articles))


def archived(rows: list[dict[str, Any]]) -> tuple[Counter, Counter]:
    return (Counter(r["title"] for r in rows),
            Counter((r["published_at"] or "")[:10] for r in rows))


def variant_cases() -> list[tuple[str, tuple[str, ...]]]:
    """(site, variants): each variant its mirror model knows on its own, and for models
    with several, all of them at once (a site unlike its spider's guess in every way)."""
    cases = []
    for site in SITES:
        known = tuple(models()[site].variants)
        # (A variant that is the spider's own guess is the plain crawl of test_mirror_crawls.)
        cases += [(site, (name,)) for name in known if not _is_default(site, name)]
        # One non-default variant of each kind (listing, detail, AJAX encoding) at once.
        first: dict[str, str] = {}
        for name in known:
            if not _is_default(site, name):
                first.setdefault(_kind(site, name), name)
        if len(first) > 1:
            cases.append((site, tuple(first.values())))
    return cases


def _kind(site: str, name: str) -> str:
    spider = spider_class(site)
    if name.startswith("ajax-"):
        return "ajax"
    return "listing" if any(v.name == name for v in spider.listing_variants) else "detail"


def _is_default(site: str, name: str) -> bool:
    """Whether variant ``name`` is what the site's spider expects anyway."""
    spider = spider_class(site)
    prefs = {spider.preferred_variant("listing").name, spider.preferred_variant("detail").name}
    encoding = getattr(spider, "pagination_encoding", None)
    return name in prefs or name == f"ajax-{encoding}"


CASES = variant_cases()


@pytest.mark.parametrize(("site", "variants"), CASES,
                         ids=[f"{s}-{'+'.join(v)}" for s, v in CASES])
def test_every_article_is_archived_from_every_known_variant(site, variants, tmp_path):
    with mirror_process(site, variants=variants) as urls:
        result, run, rows = crawl(site, urls[site], tmp_path / "a.db")
    log = result.stderr
    assert result.returncode == 0, log[-4000:]
    assert run["status"] == "ok" and run["alerts"] == 0, run
    assert archived(rows) == expectation(site, variants)
    # Read by a known variant, not by the fallback: site extractor, no fallback flag.
    assert {r["extractor"] for r in rows} == {"site"}
    assert not any(set(FALLBACK_FLAGS) & set(r["flags"]) for r in rows)
    spider = spider_class(site)
    for name in variants:
        if name.startswith("ajax-"):
            assert f"LoadArticle answers {name[5:]}-encoded calls" in log
        elif any(v.name == name for v in spider.listing_variants):
            assert f"read with variant {name} (tried " in log
        else:
            assert f"read with article variant {name} (tried " in log


@pytest.mark.parametrize("site", SITES)
def test_a_redesign_no_variant_knows_is_archived_by_the_fallback_and_alarmed(site, tmp_path):
    with mirror_process(site, redesign=True) as urls:
        result, run, rows = crawl(site, urls[site], tmp_path / "a.db")
    log = result.stderr
    # Never "ok" and exit 0: the run is degraded, every alarm is named, the exit status is 1.
    assert result.returncode == 1
    assert run["status"] == "degraded" and run["alerts"] > 0
    assert f"sites not ok: {site} (degraded)" in log
    assert "no listing variant matched on http" in log and "generic fallback found" in log
    assert "no article variant found a title and a body on http" in log
    # ... and nothing is lost: every article, flagged as the fallback's.
    titles, days = expectation(site)
    assert archived(rows)[0] == titles
    assert run["new"] == sum(titles.values())
    assert {r["extractor"] for r in rows} == {"generic-fallback"}
    assert all("detail_fallback" in r["flags"] for r in rows)
    # Listing pages went through the fallback (AJAX answers are JSON, which a redesign of
    # the HTML leaves alone: their items are still read by a known variant).
    assert sum("listing_fallback" in r["flags"] for r in rows) >= 10
    # The date comes from the page, else from the link's list item.
    assert archived(rows)[1] == days


def test_a_since_crawl_that_finds_only_older_articles_is_no_empty_crawl(tmp_path):
    """The listing showed articles, all older than --since: nothing to archive, rightly."""
    newest = max(a.published for a in models()["sonla"]("base").articles)
    since = (newest.date() + timedelta(days=1)).isoformat()
    with mirror_process("sonla") as urls:
        result, run, rows = crawl("sonla", urls["sonla"], tmp_path / "a.db", "--since", since)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (run["status"], run["new"], run["alerts"], rows) == ("ok", 0, 0, [])
