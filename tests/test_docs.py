"""Generated documentation stays in step with the data it is generated from."""

from pathlib import Path

from crawler.registry import render

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_docs_sites_md_is_not_stale():
    current = (DOCS / "sites.md").read_text(encoding="utf-8")
    assert current == render.markdown(), (
        "docs/sites.md is stale: run `dost-archive sites --markdown > docs/sites.md`")


def test_every_department_and_website_appears_in_the_docs():
    text = (DOCS / "sites.md").read_text(encoding="utf-8")
    for row in render.dost_rows():
        assert f"| {row['slug']} |" in text
        for domain in row["domains"]:
            assert domain in text
