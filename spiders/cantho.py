"""Sở Khoa học và Công nghệ thành phố Cần Thơ: sokhcn.cantho.gov.vn.

Domain:
    ``sokhcn.cantho.gov.vn``. The city absorbed neighbouring provinces on 1/7/2025 (sites.md
    §1.3 lists the merger wave; Cần Thơ's part in it is BACKGROUND): the host is unchanged as
    far as is known.

Platform:
    A custom ASP.NET WebForms + Telerik portal (one ``default.aspx`` page, ``pid``/``nid``/
    ``cid``/``p`` query keys) whose source is public (registry platform ``cantho_aspnet``);
    read through the selector base ``SelectorSpider`` (crawler/platforms/selectors.py).

Evidence:
    Registry: crawler/registry/sites.toml [cantho]. Research: sites.md §1.3, §2.9 and §4.

    - The site's source code is public (manyud351/SoKHCN, ASP.NET WebForms + Telerik):
      CONFIRMED as source; that the live site runs it: REPORTED (§2.9). The meta description
      reads "Sở Khoa học và Công nghệ thành phố Cần Thơ" (CONFIRMED as source, §2.9); pages
      declare UTF-8 (CONFIRMED as source, §4).
    - REPORTED (§2.9, public code): the article URL ``/default.aspx?nid=17522&pid=57``.
      ``pid=57`` is the detail page in every news link of the source (CONFIRMED as source);
      both keys stay in the canonical URL.
    - CONFIRMED as source (``SiteEntities/Pages/chi-tiet.ascx``, §2.9): the detail markup
      ``div.snew`` / ``div.date-title`` / ``div.snew-title`` / ``div.font-pluss`` /
      ``div.snew-head`` / ``div.snew-content`` / source line / "File đính kèm" links; the
      date format ``dd/MM/yyyy HH:mm`` (its code-behind).
    - CONFIRMED as source (``chuyen-muc-s1.ascx``), not seen live: the listing markup (lead
      items, "TIN TIẾP THEO" with ``div.date-created``) and the ``p`` paging parameter.

Caveats:
    - GUESS: the two category pages' ``pid``/``cid`` numbers and names, the pager HTML, the
      key order in generated URLs, and what editors put in the ``Source`` field. Paging is
      modelled as plain ``p=N`` GET links, as the source builds them, not as Telerik
      postbacks.
"""

from crawler.platforms.cantho import PortalPageSpider


class CanthoSpider(PortalPageSpider):
    name = "cantho"
    site_url = "https://sokhcn.cantho.gov.vn"
    categories = {
        "/default.aspx?cid=2&pid=60": "Tin hoạt động",  # GUESS: ids and name
        "/default.aspx?cid=3&pid=61": "Tin khoa học và công nghệ",  # GUESS: ids and name
    }
