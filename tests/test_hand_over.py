"""The run hands a spider what the archive knows of its site (plumbing/run.py ``hand_over``).

Spiders never open the archive themselves (tests/test_layers.py); these check that what they
are handed is what they used to read: known titles, vouched URLs, and the archived articles
a complete ``full`` walk revisits.
"""

from __future__ import annotations

from scrapy.utils.test import get_crawler

from crawler.platforms.base import ArchiveSpider, title_key
from crawler.plumbing.run import hand_over

SITE = "sonla"


class Sonla(ArchiveSpider):
    name = SITE
    site_url = "https://sokhcn.sonla.gov.vn"


def url(n: int) -> str:
    return f"https://sokhcn.sonla.gov.vn/tin-tuc/bai-{n}"


def archived(archive, make_article) -> None:
    """Articles 1 and 2 stored by a completed run, 3 by a killed one."""
    for numbers, finished in (((1, 2), True), ((3,), False)):
        run_id = archive.start_run(SITE, args={"since": None, "full": False, "max_pages": None})
        for n in numbers:
            archive.upsert_article(make_article(url=url(n), canonical_url=url(n),
                                                title=f"Bài {n}", body_text=f"Nội dung {n}."),
                                   run_id=run_id)
        if finished:
            archive.finish_run(run_id, status="ok", finish_reason="finished")


def spider(**kwargs) -> Sonla:
    return Sonla.from_crawler(get_crawler(Sonla), **kwargs)


def test_an_incremental_spider_gets_the_known_and_vouched_articles(archive, db_path,
                                                                   make_article):
    archived(archive, make_article)
    s = spider()
    hand_over(s, str(db_path))
    assert s.load_known() == {url(n): title_key(f"Bài {n}") for n in (1, 2, 3)}
    assert s.vouched == {url(1), url(2)}
    assert s.vouched == archive.vouched_articles(SITE)


def test_a_full_spider_trusts_nothing_known_but_can_revisit(archive, db_path, make_article):
    archived(archive, make_article)
    s = spider(full="1")
    hand_over(s, str(db_path))
    assert s.load_known() == {}
    assert s.vouched == set()
    assert s._revisit_targets is not None
    # Read when asked (the walk done), so it sees what the run stored meanwhile.
    assert {t["canonical_url"] for t in s._revisit_targets()} == {url(n) for n in (1, 2, 3)}


def test_nothing_handed_over_means_nothing_known() -> None:
    """Without a crawl run (seeding, a spider built in a test) a spider knows nothing."""
    s = spider()
    assert s.load_known() == {}
    assert s.vouched == set()
    s.revisit_unlisted()  # no revisit reader: nothing to request, no archive opened
    assert not s.revisited


def test_spiders_without_the_hook_are_left_alone(db_path) -> None:
    class Plain:
        name = SITE

    hand_over(Plain(), str(db_path))  # no archive_opened: nothing read, nothing raised
    assert not db_path.exists()
