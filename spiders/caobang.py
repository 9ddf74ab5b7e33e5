"""Sở Khoa học và Công nghệ tỉnh Cao Bằng: khcncaobang.gov.vn (NukeViet, plain http).

Domain:
    ``khcncaobang.gov.vn`` over ``http`` (CONFIRMED; the registry keys canonical URLs under
    http, ``www.khcncaobang.gov.vn`` an alias). Cao Bằng is unchanged by the 2025 merger
    (sites.md §1.3, BACKGROUND).

Platform:
    NukeViet, the news module: ``NukeVietSpider`` (crawler/platforms/nukeviet.py).

Evidence:
    Registry: crawler/registry/sites.toml [caobang]. Research: sites.md §1.3 and the Cao
    Bằng paragraph at the end of §3.

    - CONFIRMED: the URL ``/index.php?language=vi&nv=news&op=savefile/Khoa-hoc-cong-nghe/
      So-Khoa-hoc-va-Cong-nghe-tinh-Cao-Bang-Tong-ket-cong-tac-nam-2020-va-trien-khai-nhiem-vu-
      cong-tac-nam-2021-3313``, i.e. NukeViet's news module with ``op=<Category>/<Alias>-<id>``
      (the ``savefile/`` prefix is the "save this article" action of that article); the
      category alias ``Khoa-hoc-cong-nghe``; the article's text begins "Chiều ngày
      15/01/2021, Sở Khoa học và Công nghệ tỉnh Cao Bằng đã tổ chức Hội nghị tổng kết…": a
      dated event in the body, which is not the publish date.

Caveats:
    - GUESS (NukeViet 4 default theme): ``h1.title``, ``span.h-date`` ("Thứ sáu - 15/01/2021
      16:20"), ``div.hometext``, ``div#news-bodyhtml``, ``div.news_column`` listing items,
      "Tác giả:" / "Nguồn tin:" lines; the listing pages ``op=<Category>`` and
      ``op=<Category>/page-N``; RSS at ``op=rss`` (not used: the listings are complete).
    - GUESS: the second category ``Tin-hoat-dong``; the header clock (``span#digclock``,
      today's date and time), which is never read.
"""

from __future__ import annotations

from crawler.platforms.nukeviet import NukeVietSpider


class CaobangSpider(NukeVietSpider):
    name = "caobang"
    site_url = "http://khcncaobang.gov.vn"
    categories = {
        "/index.php?language=vi&nv=news&op=Khoa-hoc-cong-nghe": "Khoa học công nghệ",  # CONFIRMED
        "/index.php?language=vi&nv=news&op=Tin-hoat-dong": "Tin hoạt động",  # GUESS
    }
