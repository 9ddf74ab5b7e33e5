"""Generated documentation stays in step with the data it is generated from."""

import re
from pathlib import Path

from crawler.registry import load_registry, render, spider_docs

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"


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


# -- the site spiders' docstrings (crawler/registry/spider_docs.py) --------------------------

MACHINE_PATH_RE = re.compile(r"/work/|\.\./shared|shared/research|/home/|/tmp/")


def test_every_spider_in_spiders_has_the_four_sections():
    docs = spider_docs.spider_docstrings()
    modules = {p.stem for p in (REPO / "spiders").glob("*.py") if p.stem != "__init__"}
    assert set(docs) == modules and modules
    for name, doc in docs.items():
        sections = spider_docs.docstring_sections(doc)
        assert tuple(sections) == spider_docs.SECTIONS, (
            f"spiders/{name}.py: the docstring needs the sections "
            f"{', '.join(spider_docs.SECTIONS)}, in that order (found {list(sections)})")
        for section, body in sections.items():
            assert body, f"spiders/{name}.py: section {section} is empty"
        assert spider_docs.docstring_summary(doc), f"spiders/{name}.py: no summary line"


def test_spider_evidence_cites_the_registry_never_a_machine_path():
    registered = {s.spider for s in load_registry().values() if s.spider}
    for name, doc in spider_docs.spider_docstrings().items():
        assert not MACHINE_PATH_RE.search(doc), f"spiders/{name}.py cites a machine path"
        evidence = spider_docs.docstring_sections(doc)["Evidence"]
        assert "crawler/registry/sites.toml" in evidence, name
        if name in registered:
            assert f"sites.toml [{name}]" in evidence, (
                f"spiders/{name}.py: Evidence should cite its registry entry [{name}]")


def test_docstring_sections_reads_headings_in_order_and_dedents_their_bodies():
    doc = ("Summary line.\n\nMore intro.\n\nDomain:\n    ``a.gov.vn``\n\nPlatform:\n"
           "    VNPT.\n      still VNPT.\nEvidence:\n    - CONFIRMED: x\nNot a heading:\n"
           "Caveats:   \n    - GUESS: y\n")
    sections = spider_docs.docstring_sections(doc)
    assert sections == {"Domain": "``a.gov.vn``", "Platform": "VNPT.\n  still VNPT.",
                        "Evidence": "- CONFIRMED: x\nNot a heading:", "Caveats": "- GUESS: y"}
    assert spider_docs.docstring_summary(doc) == "Summary line."
    assert spider_docs.docstring_sections("Summary only.") == {}
    # An indented "Domain:" is body text, not a heading.
    assert list(spider_docs.docstring_sections("S.\n\nCaveats:\n    Domain:\n")) == [
        "Caveats"]


def test_the_site_spiders_part_of_the_docs_shows_every_spiders_sections():
    text = (DOCS / "sites.md").read_text(encoding="utf-8")
    part = text[text.index("## Site spiders"):]
    for name in spider_docs.spider_docstrings():
        block = part[part.index(f"### {name} (`spiders/{name}.py`)"):]
        for section in spider_docs.SECTIONS:
            assert f"**{section}.**" in block.split("\n### ", 1)[0], (name, section)
    assert "``" not in part  # reST literals are rendered as Markdown code
