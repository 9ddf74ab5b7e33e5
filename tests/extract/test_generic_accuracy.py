"""The generic extractor stays at least as accurate as trafilatura on every saved page."""

import json

import pytest

from crawler.extract.scoring import FIELDS, day, score
from crawler.parsing import parse_saved_page
from tests.fixture_tool import fixture_dirs, load_page


def pages():
    out = []
    for folder in fixture_dirs():
        meta, body = load_page(folder)
        if meta["kind"] == "article" and meta["site"] != "generic":
            out.append((meta, body, json.loads((folder / "expected.json").read_text())))
    return out


def ours(meta, body):
    a = parse_saved_page("generic", body, meta["url"], fetched_at=meta["fetched_at"])
    return {"title": a.title, "date": day(a.published_at), "author": a.author,
            "body": a.body_text}


def test_generic_extractor_field_accuracy_on_all_fixture_pages():
    s = score(ours, pages())
    assert s.pages >= 10
    for field in FIELDS:
        assert s.accuracy(field) >= 0.85, (field, s.accuracy(field))


def test_generic_is_not_worse_than_trafilatura_on_any_field():
    trafilatura = pytest.importorskip("trafilatura")

    def theirs(meta, body):
        d = trafilatura.bare_extraction(body.decode(), url=meta["url"],
                                        with_metadata=True).as_dict()
        return {"title": d.get("title"), "date": (d.get("date") or "")[:10] or None,
                "author": d.get("author"), "body": d.get("text")}

    data = pages()
    mine, other = score(ours, data), score(theirs, data)
    for field in FIELDS:
        assert mine.accuracy(field) >= other.accuracy(field), field
