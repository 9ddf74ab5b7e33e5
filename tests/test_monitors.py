"""Monitor rules on their own."""

from datetime import UTC, datetime

from crawler.plumbing.monitors import evaluate

NOW = datetime(2026, 11, 22, tzinfo=UTC)
FULL = {"n": 10, "title": 10, "published_at": 10, "body_text": 10}


def failed(**kwargs):
    base = dict(counts={"new": 10, "pages": 20, "errors": 0}, known_skipped=0, coverage=FULL,
                archived_before=5, last_new_at="2026-11-21T00:00:00+00:00", now=NOW)
    base.update(kwargs)
    return sorted(r.name for r in evaluate(**base) if not r.ok)


def test_a_healthy_run_passes_every_monitor():
    assert failed() == []


def test_zero_articles_only_when_nothing_known_was_seen_either():
    assert failed(counts={"pages": 2}) == ["zero_articles"]
    assert failed(counts={"pages": 2}, known_skipped=10) == []  # unchanged incremental run
    # A first run of a site that yields nothing is as suspect as a site that stops yielding.
    assert failed(counts={"pages": 2}, archived_before=0) == ["zero_articles"]


def test_coverage_thresholds_and_per_site_overrides():
    twenty = {"n": 20, "title": 20, "published_at": 20, "body_text": 20}
    assert failed(coverage={**twenty, "title": 19}) == ["coverage/title"]  # title needs 100 %
    assert failed(coverage={**twenty, "published_at": 19}) == []  # 95 % is enough
    assert failed(coverage={**twenty, "published_at": 18}) == ["coverage/published_at"]
    assert failed(coverage={**twenty, "published_at": 18}, overrides={"published_at": 0.5}) == []
    assert failed(coverage={"n": 0}) == []  # nothing written this run: nothing to judge


def test_staleness_and_error_ratio():
    assert failed(last_new_at="2026-08-01T00:00:00+00:00") == ["stale"]
    assert failed(last_new_at="2026-08-01T00:00:00+00:00", overrides={"stale_days": 0}) == []
    assert failed(counts={"new": 1, "pages": 10, "errors": 2}) == ["error_ratio"]


def test_more_than_a_fifth_through_the_fallback_degrades_the_run():
    from crawler.plumbing.monitors import degrading

    assert failed(coverage={**FULL, "fallback": 2}) == []  # 20 %: still fine
    assert failed(coverage={**FULL, "fallback": 3}) == ["fallback_share"]
    assert failed(coverage={**FULL, "fallback": 3}, overrides={"max_fallback_share": 0.5}) == []
    [share] = [r for r in evaluate(counts={"new": 10, "pages": 20}, known_skipped=0,
                                   coverage={**FULL, "fallback": 3}, archived_before=5,
                                   last_new_at=None, now=NOW) if not r.ok]
    assert degrading(share) and "3 of 10 articles" in share.message


def test_each_spider_alarm_is_a_degrading_alert_with_its_message():
    from crawler.platforms.base import Alarm
    from crawler.plumbing.monitors import ALARMS_LISTED, degrading

    listing = Alarm("listing_no_variant", "https://x.gov.vn/tin",
                    "no listing variant matched on https://x.gov.vn/tin: tried A, B; "
                    "generic fallback found 12 links")
    details = [Alarm("detail_no_variant", f"https://x.gov.vn/a-{i}", f"page {i}")
               for i in range(ALARMS_LISTED + 3)]
    paging = Alarm("paging_failed", "https://x.gov.vn/p", "LoadArticle refused page 2")
    results = [r for r in evaluate(counts={"new": 10, "pages": 20}, known_skipped=0,
                                   coverage=FULL, archived_before=5, last_new_at=None, now=NOW,
                                   alarms=[listing, *details, paging]) if not r.ok]
    assert all(degrading(r) for r in results)
    by_name: dict[str, list[str]] = {}
    for r in results:
        by_name.setdefault(r.name, []).append(r.message)
    assert by_name["alarm/listing_no_variant"] == [listing.message]
    assert by_name["alarm/paging_failed"] == [paging.message]
    # Many pages of one kind: the first few by name, then one line with the rest's count.
    assert by_name["alarm/detail_no_variant"][:ALARMS_LISTED] == [
        f"page {i}" for i in range(ALARMS_LISTED)]
    assert by_name["alarm/detail_no_variant"][-1].startswith("and 3 more pages")


def test_coverage_and_staleness_alerts_do_not_degrade_a_run():
    from crawler.plumbing.monitors import degrading

    results = evaluate(counts={"new": 10, "pages": 20}, known_skipped=0,
                       coverage={**FULL, "title": 5}, archived_before=5,
                       last_new_at="2026-01-01T00:00:00+00:00", now=NOW)
    assert sorted(r.name for r in results if not r.ok) == ["coverage/title", "stale"]
    assert not any(degrading(r) for r in results)
