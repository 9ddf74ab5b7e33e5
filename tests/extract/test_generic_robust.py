"""The generic extractor never raises, whatever lxml yields: comments, processing
instructions, CDATA and entities inserted at random (seeded) places of every saved page."""

from __future__ import annotations

import random

import pytest
from click.testing import CliRunner

from crawler.cli import main
from crawler.extract.generic import analyse
from tests.fixture_tool import fixture_dirs, load_page

INSERTS = ("<!-- c -->", "<!---->", "<!-- <p>bình luận</p> -->", "<?xml version='1.0'?>",
           "<?php echo 1; ?>", "<![CDATA[ x ]]>", "&nbsp;", "&#x0;", "&amp;", "<!DOCTYPE x>")
PAGES = [f for f in fixture_dirs() if load_page(f)[0]["kind"] == "article"]
TRIALS = 12


def scrambled(html: str, rng: random.Random) -> str:
    for _ in range(25):
        i = rng.randrange(len(html) + 1)
        j = html.find(">", i)
        pos = j + 1 if j >= 0 and rng.random() < 0.7 else i  # mostly between tags
        html = html[:pos] + rng.choice(INSERTS) + html[pos:]
    return html


@pytest.mark.parametrize("folder", PAGES, ids=[f"{p.parent.name}/{p.name}" for p in PAGES])
def test_inserted_comments_and_instructions_never_make_it_raise(folder):
    meta, body = load_page(folder)
    html = body.decode("utf-8", "replace")
    rng = random.Random(folder.name)
    for _ in range(TRIALS):
        page = analyse(scrambled(html, rng), meta["url"])
        assert page.raw.url == meta["url"]


def test_a_comment_beside_the_title_keeps_title_and_date():
    html = ("<html><body><div><!-- tiêu đề --><h1>Hội nghị tổng kết công tác khoa học và "
            "công nghệ năm 2025</h1><!-- ngày --><p class='date'>20/11/2025</p>"
            + "".join(f"<p>Đoạn {i}, Sở Khoa học và Công nghệ tổ chức hội nghị, tổng kết "
                      f"công tác năm và triển khai nhiệm vụ năm tới.</p><!-- p{i} -->"
                      for i in range(5)) + "</div></body></html>")
    page = analyse(html, "https://skhcn.example.gov.vn/tin/hoi-nghi-1")
    assert page.raw.title.startswith("Hội nghị tổng kết") and page.raw.published_raw == \
        "20/11/2025"


def test_parse_of_an_unreadable_page_is_one_line_and_exit_2(tmp_path):
    page = tmp_path / "p.html"
    page.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    result = CliRunner().invoke(main, ["parse", "generic", str(page), "--url",
                                       "https://skhcn.example.gov.vn/a"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
