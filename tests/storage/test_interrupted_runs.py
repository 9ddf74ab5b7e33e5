"""Runs a dead crawl left 'running', and which archived articles a completed run vouches for."""

from __future__ import annotations

from storage import Archive

SITE = "sonla"


def url(n: int) -> str:
    return f"https://sokhcn.sonla.gov.vn/tin-tuc/bai-{n}"


def store(archive: Archive, make_article, run_id: int | None, *numbers: int) -> None:
    for n in numbers:
        archive.upsert_article(make_article(url=url(n), canonical_url=url(n), title=f"Bài {n}",
                                            body_text=f"Nội dung bài {n}."), run_id=run_id)


def run(archive: Archive, make_article, *numbers: int, status: str | None = "ok",
        reason: str = "finished", **args) -> int:
    """A run that stored articles ``numbers``; ``status=None``: killed (left 'running')."""
    run_id = archive.start_run(SITE, args={"since": None, "full": False, "max_pages": None,
                                           **args})
    store(archive, make_article, run_id, *numbers)
    if status is not None:
        archive.finish_run(run_id, status=status, finish_reason=reason)
    return run_id


def test_a_completed_run_vouches_for_what_it_and_earlier_runs_stored(archive, make_article):
    run(archive, make_article, 1, 2)
    assert archive.vouched_articles(SITE) == {url(1), url(2)}
    run(archive, make_article, 3, status=None)  # killed after storing article 3
    assert archive.vouched_articles(SITE) == {url(1), url(2)}
    assert set(archive.known_articles(SITE)) == {url(1), url(2), url(3)}
    # The next completed run paged past article 3, so it vouches for it too.
    run(archive, make_article, 4)
    assert archive.vouched_articles(SITE) == {url(n) for n in (1, 2, 3, 4)}


def test_failed_errored_and_capped_runs_vouch_for_nothing(archive, make_article):
    assert archive.vouched_articles(SITE) == set()
    run(archive, make_article, 1, status=None)  # the first-ever run, killed
    run(archive, make_article, 2, status="failed", reason="shutdown")  # Ctrl-C
    run(archive, make_article, 3, status="errors")  # a listing page may have failed
    run(archive, make_article, 4, max_pages=2)
    run(archive, make_article, 5, since="2024-01-01")
    run(archive, make_article, 6, days=["2025-06-16"])
    assert archive.vouched_articles(SITE) == set()
    run(archive, make_article, full=True)  # a --full run walks everything: it vouches
    assert archive.vouched_articles(SITE) == {url(n) for n in range(1, 7)}
    # Other sites' runs vouch for nothing here; articles stored outside runs count as vouched.
    store(archive, make_article, None, 7)
    assert url(7) in archive.vouched_articles(SITE)
    assert archive.vouched_articles("caobang") == set()


def test_runs_left_running_are_marked_interrupted_with_what_they_stored(archive,
                                                                       make_article):
    done = run(archive, make_article, 1)
    killed = run(archive, make_article, 2, 3, status=None)
    archive.record_rejection(site=SITE, url=url(9), reason="no title", run_id=killed)
    started = archive.db["crawl_runs"].get(killed)["started_at"]

    closed = archive.mark_interrupted_runs()

    assert [(c["id"], c["site"], c["started_at"]) for c in closed] == [(killed, SITE, started)]
    row = archive.db["crawl_runs"].get(killed)
    assert (row["status"], row["new"], row["updated"], row["rejected"]) == (
        "interrupted", 2, 0, 1)
    # finished_at is the run's last trace (its last write), never before its start.
    assert row["finished_at"] >= started and "found by the next crawl" in row["message"]
    assert archive.db["crawl_runs"].get(done)["status"] == "ok"
    assert archive.mark_interrupted_runs() == []  # nothing left running
    stats = {r["site"]: r for r in archive.stats()}[SITE]
    assert stats["problem_runs"] == 1 and stats["last_run_status"] == "interrupted"
