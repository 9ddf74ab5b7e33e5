"""The generic extractor tells article pages from listing pages on every saved page."""

import pytest

from crawler.extract.generic import analyse
from tests.fixture_tool import fixture_dirs, load_page

PAGES = [p for p in fixture_dirs() if (p / "page.html").exists()]


@pytest.mark.parametrize("folder", PAGES, ids=[f"{p.parent.name}/{p.name}" for p in PAGES])
def test_article_and_listing_pages_are_told_apart(folder):
    meta, body = load_page(folder)
    if meta.get("method", "GET") != "GET":
        pytest.skip("AJAX fragments are not pages")
    page = analyse(body.decode("utf-8"), meta["url"])
    assert page.is_article == (meta["kind"] == "article"), meta["url"]
