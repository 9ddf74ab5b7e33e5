"""Monitor rules on their own."""

from datetime import UTC, datetime

from crawler.monitors import evaluate

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
    assert failed(counts={"pages": 2}, archived_before=0) == []  # a first run of a new site


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
