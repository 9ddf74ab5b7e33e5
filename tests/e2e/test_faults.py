"""A crawl through the fault mirror (crawler/mirror/faults.py): 5xx, stalls, resets, truncated
bodies, a wrong charset and redirect loops, deterministic per URL.

The clean crawl of the same site gives the link graph (each request's Referer in its WARC);
the fault plan says which URLs a crawler with three attempts gets intact. Together they give
exactly the articles a correct crawler archives; the test checks it archived those, with the
clean crawl's content, and that every URL it could not get is counted in crawl_runs.

Real Scrapy in a subprocess, real HTTP on 127.0.0.1, the mirror in another process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.mirror.faults import LOOP_PATH, RATES, WRONG_CHARSET, FaultPlan, request_target
from crawler.mirror.sites import models
from crawler.plumbing.warc import warc_dir_for
from storage import Archive
from tests.mirror_process import mirror_process

REPO = Path(__file__).resolve().parents[2]
SITE = "quangtri"  # GET listings with a pager, two categories: a link graph worth breaking
RETRY_TIMES = 2
ATTEMPTS = 1 + RETRY_TIMES
SETTINGS = {
    "DOWNLOAD_TIMEOUT": "2",  # the fault mirror stalls 6 s
    "RETRY_TIMES": str(RETRY_TIMES),
    "RETRY_BACKOFF_BASE": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "LOG_LEVEL": "INFO",
}
CONTENT = ("title", "summary", "published_at", "published_raw", "author", "source",
           "body_text", "content_hash", "images", "attachments")
pytestmark = pytest.mark.slow


def scrapy_crawl(base_url: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "tests.e2e.settings",
           "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-m", "scrapy", "crawl", SITE, "-a", f"base_url={base_url}",
            "-s", f"ARCHIVE_DB={db}"]
    for key, value in SETTINGS.items():
        args += ["-s", f"{key}={value}"]
    return subprocess.run(args, capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=240)


def target(url: str) -> str:
    parts = urlsplit(url)
    return request_target(parts.path, parts.query)


def link_graph(db: Path) -> dict[str, str | None]:
    """Mirror URL → the URL of the page that linked it (None for start URLs), read from the
    request records of the run's WARC files with warcio alone."""
    referers: dict[str, str | None] = {}
    for path in warc_dir_for(db).iterdir():
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "request":
                    uri = rec.rec_headers.get_header("WARC-Target-URI")
                    referers[uri] = rec.http_headers.get_header("Referer")
    return referers


class Expectation:
    """What a correct crawler gets from the site under ``plan``, by the clean crawl's graph."""

    def __init__(self, plan: FaultPlan, graph: dict[str, str | None],
                 articles: dict[str, str]) -> None:
        self.plan = plan
        self.graph = graph
        self.articles = articles  # mirror URL → archived (site) URL

    def requested(self, url: str) -> bool:
        """Whether the crawl asks for ``url``: the page that links it was obtained."""
        parent = self.graph.get(url)
        return parent is None or self.obtained(parent)

    def obtained(self, url: str) -> bool:
        return self.requested(url) and self.plan.servable(target(url), ATTEMPTS)

    def archived(self) -> set[str]:
        return {site_url for url, site_url in self.articles.items() if self.obtained(url)}

    def failed(self) -> list[str]:
        return [u for u in self.graph if self.requested(u) and not self.obtained(u)]

    def faults(self, *, articles_only: bool = False) -> dict[str, str]:
        """Requested URL → its fault ("kind" or "kind/transient")."""
        out = {}
        for url in self.graph:
            fault = self.plan.fault_for(target(url))
            if fault and self.requested(url) and (url in self.articles or not articles_only):
                out[url] = fault.kind + ("/transient" if fault.transient else "")
        return out


def choose_seed(graph: dict[str, str | None], articles: dict[str, str]) -> Expectation:
    """The first seed whose faults, on the pages the crawl asks for, include every kind, a
    charset fault and a recovered transient fault on an article, and a lost article: the
    run must show each behaviour, whatever the site's exact URLs."""
    for seed in range(1000):
        expect = Expectation(FaultPlan(seed), graph, articles)
        faults = expect.faults()
        on_articles = set(expect.faults(articles_only=True).values())
        if ({f.split("/")[0] for f in faults.values()} == set(RATES)
                and "charset" in on_articles
                and any(f.endswith("/transient") for f in on_articles)
                and len(expect.archived()) < len(articles)):
            return expect
    raise AssertionError("no seed in 0..999 exercises every fault on this site")


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("clean") / "clean.db"
    with mirror_process(SITE) as urls:
        result = scrapy_crawl(urls[SITE], db)
    assert result.returncode == 0, result.stderr[-3000:]
    return db


@pytest.fixture(scope="module")
def expectation(clean: Path) -> Expectation:
    with Archive(clean) as archive:
        articles = {c["url"]: c["origin_url"] for c in archive.db["captures"].rows_where(
            "page = 'article' AND status = 200")}
        assert len(articles) == archive.db["articles"].count == 28
    return choose_seed(link_graph(clean), articles)


@pytest.fixture(scope="module")
def faulty(expectation: Expectation,
           tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    db = tmp_path_factory.mktemp("faulty") / "faulty.db"
    with mirror_process(SITE, faults=expectation.plan.seed) as urls:
        started = time.monotonic()
        result = scrapy_crawl(urls[SITE], db)
        print(f"faulty crawl: {time.monotonic() - started:.1f} s, seed "
              f"{expectation.plan.seed}, faults {sorted(expectation.faults().values())}")
    assert result.returncode == 0, result.stderr[-3000:]
    return db, result.stderr


def test_fault_plan_is_deterministic_per_url_and_near_its_rates():
    targets = [f"/tin-tuc/{i}.html?page={i % 7}" for i in range(20_000)]
    plan, again, other = FaultPlan(7), FaultPlan(7), FaultPlan(8)
    assert [plan.fault_for(t) for t in targets] == [again.fault_for(t) for t in targets]
    assert [plan.fault_for(t) for t in targets] != [other.fault_for(t) for t in targets]
    counts = plan.summary(targets)
    for kind, rate in RATES.items():
        share = (counts[kind] + counts[f"{kind}/transient"]) / len(targets)
        assert abs(share - rate) < 0.01, (kind, share, rate)
    assert counts["error/transient"] and counts["error"]  # some recover, some never do
    assert plan.fault_for("/robots.txt") is None and plan.fault_for(LOOP_PATH) is None
    for t in targets[:2000]:  # what "servable" means for each kind of fault
        fault = plan.fault_for(t)
        if fault is None or fault.kind == "charset":
            assert plan.servable(t, 1)
        elif fault.transient:
            assert not plan.servable(t, 1) and plan.servable(t, 2), fault
        else:
            assert not plan.servable(t, 100), fault


def test_the_fault_mirror_misbehaves_as_planned():
    """Each fault seen by a plain HTTP client; a stall does not hold up other requests."""
    model = models()[SITE]("base")
    pages = [model.url_of(a) for a in model.articles]
    seed = next(s for s in range(1000) if any(
        (f := FaultPlan(s).fault_for(p)) and f.kind == "charset" for p in pages))
    plan = FaultPlan(seed)
    by_kind: dict[str, str] = {}  # "kind/transient" → a path that gets it
    for path in pages + [f"/no-such-page-{i}" for i in range(2000)]:
        fault = plan.fault_for(path)
        if fault:
            by_kind.setdefault(f"{fault.kind}/{fault.transient}", path)
    with mirror_process(SITE, faults=seed) as urls, httpx.Client(
            base_url=urls[SITE], timeout=10, follow_redirects=False) as client:
        assert client.get("/robots.txt").status_code == 200

        for transient in (True, False):
            path = by_kind[f"error/{transient}"]
            first, second = client.get(path), client.get(path)
            assert first.status_code == plan.fault_for(path).status >= 500
            assert (second.status_code < 500) is transient

        loop = by_kind["redirect_loop/False"]
        there = client.get(loop)
        assert there.status_code == 302 and there.headers["location"].startswith(LOOP_PATH)
        back = client.get(there.headers["location"])
        assert back.status_code == 302 and back.headers["location"] == loop

        page = client.get(by_kind["charset/False"])
        assert page.headers["content-type"].endswith(f"charset={WRONG_CHARSET}")
        assert "Sở Khoa học" in page.content.decode("utf-8")  # the body is UTF-8 all the same

        for kind in ("reset", "truncate"):
            with pytest.raises(httpx.TransportError):
                client.get(by_kind[f"{kind}/False"])

        # A stalled request and a normal one at the same time: the normal one is answered
        # while the stalled one still waits (the server is threaded).
        stalled: list[BaseException] = []

        def wait_for_stall() -> None:
            try:
                httpx.get(urls[SITE] + by_kind["stall/False"], timeout=3)
            except httpx.TimeoutException as exc:
                stalled.append(exc)

        waiter = threading.Thread(target=wait_for_stall)
        started = time.monotonic()
        waiter.start()
        assert client.get("/robots.txt").status_code == 200
        assert time.monotonic() - started < 2.5 and waiter.is_alive()
        waiter.join()
        assert stalled, "the stalled request was answered before its timeout"


def test_crawl_through_faults_archives_what_can_be_served_and_records_the_rest(
        clean, expectation, faulty):
    db, log = faulty
    expected = expectation.archived()
    with Archive(clean) as archive:
        reference = {a["url"]: a for a in archive.iter_articles()}
    with Archive(db) as archive:
        got = {a["url"]: a for a in archive.iter_articles()}
        run = next(iter(archive.db["crawl_runs"].rows))

    # Exactly the articles the mirror could serve in three attempts, nothing else.
    assert set(got) == expected, (sorted(set(got) - expected), sorted(expected - set(got)))
    assert 0 < len(expected) < len(reference)
    for url, article in got.items():  # with the content of a clean crawl
        assert {k: article[k] for k in CONTENT} == {k: reference[url][k] for k in CONTENT}, url

    # The wrong charset header lost nothing: Vietnamese text, NFC, no mojibake.
    charset = [expectation.articles[u] for u, f in expectation.faults(articles_only=True).items()
               if f == "charset"]
    assert charset and set(charset) <= set(got)
    for url in charset:
        for field in ("title", "body_text"):
            text = got[url][field]
            assert text == unicodedata.normalize("NFC", text)
            assert "á»" not in text and "Ã" not in text and "\ufffd" not in text
        assert any(ch in got[url]["body_text"] for ch in "ơưđ")

    # Every URL it could not get is an error of the run; the run itself finished.
    failed = expectation.failed()
    assert failed
    assert (run["status"], run["finish_reason"]) == ("errors", "finished")
    assert run["errors"] >= len(failed), (run["errors"], failed)
    assert run["new"] == len(expected)
    for url in failed:
        assert urlsplit(url).path in log or target(url) in log, f"{url} failed silently"
    for crash in ("Spider error processing", "Error processing {", "Unhandled error"):
        assert crash not in log, log[log.index(crash) - 200:][:3000]
