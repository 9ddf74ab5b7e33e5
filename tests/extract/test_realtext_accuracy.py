"""Accuracy floors on the sets whose truth was written by reading real pages, not by our
parsers: tests/fixtures/realtext (real DOST and provincial pages' stored text in their
platform's markup) and tests/fixtures/realsaved (pages others saved in public
repositories). Floors are what the generic extractor reaches now: a regression fails."""

from __future__ import annotations

import pytest

from crawler.extract.scoring import REALTEXT_FIELDS, score_realtext
from crawler.parsing import parse_saved_page
from tests.fixture_tool import realtext_pages

FLOORS = {
    "realtext": {"title": 1.0, "date": 1.0, "author": 0.96, "source": 1.0, "body": 1.0,
                 "furniture": 1.0},
    "realsaved": {"title": 1.0, "date": 1.0, "author": 0.66, "source": 0.83, "body": 1.0,
                  "furniture": 1.0},
}


def ours(meta, body):
    a = parse_saved_page("generic", body, meta["url"], fetched_at=meta["fetched_at"])
    return {"title": a.title, "date": (a.published_at or "")[:10] or None, "author": a.author,
            "source": a.source, "body": a.body_text}


@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_generic_extractor_holds_its_floor_on_real_pages(kind):
    pages = realtext_pages(kind)
    assert len(pages) >= {"realtext": 40, "realsaved": 10}[kind]
    score = score_realtext(ours, pages)
    for field in REALTEXT_FIELDS:
        assert score.accuracy(field) >= FLOORS[kind][field], (
            field, score.accuracy(field), [m for m in score.misses if m[1] == field])


def test_the_real_text_set_spans_enough_sites_and_its_truth_is_in_its_pages():
    pages = realtext_pages()
    assert len({meta["site"] for _n, meta, _b, _t in pages}) >= 12
    for name, meta, _body, truth in pages:
        assert meta["kind"] == "realtext" and meta["url"].startswith("http"), name
        assert meta.get("truth_written_before_extraction") is True, name
        assert len(truth["sentences"]) >= 2 and len(truth["furniture"]) == 4, name
