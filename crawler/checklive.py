"""``dost-archive check-live``: does each site still look the way its spider expects?

Everything about a site's markup was modelled from research notes and guesses, so a user with
internet runs this to find out which guesses were wrong. Per site it fetches the first listing
page and one article from it, read exactly as a crawl reads them (the site's preferred markup
variant, then the platform's other known variants, then the generic fallback), and reports:
reachable or not (and the HTTP status), a TLS problem, a redirect to another domain (the site
moved), how many article links the listing yielded and with which variant (or how many the
fallback found), which variant read the article, which fields it lacked, and whether the
layout changed (no known variant matched, or an article without title or text), with the
same alarm messages a crawl would log. A site read by another variant than its spider's
guess is ok but says so (``listing_variant`` / ``article_variant`` differ from the preferred
ones): a fact to paste into the spider. A failing site makes the command exit non-zero, so
it can run from cron or CI.
"""

from __future__ import annotations

import ssl
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from scrapy.http import HtmlResponse, Request

from crawler.articles import build_article
from crawler.normalize.dates import VN_TZ
from crawler.platforms.base import ArchiveSpider, ListingEntry

FIELDS_CHECKED = ("title", "published_at", "body_text", "author")
GENERIC_CANDIDATES = 6


@dataclass
class SiteCheck:
    site: str
    url: str = ""
    reachable: bool = False
    status: int | None = None
    tls_problem: str | None = None
    moved_to: str | None = None
    items: int = 0
    #: The variant that read the listing / the article, the spider's own guesses, every
    #: listing variant tried, and the links the fallback found when none matched.
    listing_variant: str | None = None
    article_variant: str | None = None
    preferred: dict[str, str | None] = field(default_factory=dict)
    listing_tried: list[str] = field(default_factory=list)
    fallback_links: int = 0
    article_url: str | None = None
    missing: list[str] = field(default_factory=list)
    layout_changed: bool = False
    #: What a crawl would have raised as alarms (crawler/platforms/base.py).
    alarms: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return (self.reachable and not self.tls_problem and not self.moved_to
                and not self.layout_changed and not self.error)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def _client(spider: ArchiveSpider, timeout: float, user_agent: str) -> httpx.Client:
    verify: ssl.SSLContext | bool = True
    if spider.legacy_tls:
        ctx = ssl.create_default_context()
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers("DEFAULT@SECLEVEL=1")
        verify = ctx
    return httpx.Client(timeout=timeout, follow_redirects=True, verify=verify,
                        headers={"User-Agent": user_agent})


def _response(url: str, reply: httpx.Response) -> HtmlResponse:
    return HtmlResponse(url=str(reply.url), body=reply.content, request=Request(url),
                        headers={"Content-Type": reply.headers.get("content-type", "")})


def _first_listing(spider: ArchiveSpider) -> tuple[str, str] | None:
    for path, category in spider.categories.items():
        return spider.listing_url(path, 1), category
    return None


def check_site(spider: ArchiveSpider, *, timeout: float = 30.0,
               user_agent: str = "DOSTArchiveBot check-live") -> SiteCheck:
    """Fetch one listing page and one article of ``spider``'s site and judge them."""
    generic = spider.name == "generic"
    listing = (spider.site_url + "/", "") if generic else _first_listing(spider)
    result = SiteCheck(site=spider.site)
    if listing is None:
        result.error = "the spider has no listing page to check"
        return result
    site_url, category = listing
    result.url = site_url
    if hasattr(spider, "preferred_variant"):
        result.preferred = {kind: getattr(spider.preferred_variant(kind), "name", None)
                            for kind in ("listing", "detail")}
    spider.alarms = []
    with _client(spider, timeout, user_agent) as client:
        page = _fetch_listing(client, spider, site_url, result)
        if page is None:
            return result
        entries = _entries(spider, page, result)
        if not entries:
            result.layout_changed = True
            result.alarms = [a.message for a in spider.alarms]
            return result
        _check_articles(client, spider, page, entries, category, result)
    return result


def _own_hosts(spider: ArchiveSpider) -> set[str]:
    """The hosts that are the site itself: a listing answered from any other moved."""
    own_hosts = {h.lower() for h in (spider.site_info.domains if spider.site_info else ())}
    own_hosts |= {urlsplit(spider.site_url).hostname or "", urlsplit(spider.base_url or "").hostname
                  or ""}
    return own_hosts


def _fetch_listing(client: httpx.Client, spider: ArchiveSpider, site_url: str,
                   result: SiteCheck) -> HtmlResponse | None:
    """The listing page, with reachability, status and a move noted on ``result``; None
    (and the problem on ``result``) when there is no page to read."""
    own_hosts = _own_hosts(spider)
    try:
        reply = client.get(spider.fetch_url(site_url))
    except httpx.ConnectError as exc:
        if isinstance(exc.__context__, ssl.SSLError) or "SSL" in str(exc):
            result.tls_problem = str(exc)
        else:
            result.error = f"cannot connect: {exc}"
        return None
    except httpx.HTTPError as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        return None
    result.reachable, result.status = True, reply.status_code
    final_host = (reply.url.host or "").lower()
    if final_host not in own_hosts:
        result.moved_to = str(reply.url)
    if reply.status_code >= 400:
        result.error = f"listing answered HTTP {reply.status_code}"
        return None
    return _response(spider.fetch_url(site_url), reply)


def _check_articles(client: httpx.Client, spider: ArchiveSpider, page: HtmlResponse,
                    entries: list[ListingEntry], category: str, result: SiteCheck) -> None:
    """Read the first listed article (the first article among a few candidates for the
    generic spider and the fallback, whose links may not be articles) into ``result``."""
    generic = spider.name == "generic"
    for entry in entries[:GENERIC_CANDIDATES if generic or result.fallback_links else 1]:
        article_url = spider.site_link(page, entry.url)
        try:
            art_reply = client.get(spider.fetch_url(article_url))
        except httpx.HTTPError as exc:
            result.error = f"article: {type(exc).__name__}: {exc}"
            return
        art_page = _response(spider.fetch_url(article_url), art_reply)
        raw = _article(spider, art_page, entry, category)
        if raw is None:
            continue
        _judge_article(result, spider, raw, article_url)
        return
    result.layout_changed = True  # generic: none of the candidates was an article
    result.error = "no article page found among the listing's links"


def _judge_article(result: SiteCheck, spider: ArchiveSpider, raw: Any,
                   article_url: str) -> None:
    """What the article read says: its variant, the fields it lacks, a layout change."""
    result.article_url = article_url
    result.article_variant = raw.variant
    article = build_article(raw)
    result.missing = [f for f in FIELDS_CHECKED if not getattr(article, f)]
    result.layout_changed = (result.layout_changed or "title" in result.missing
                             or "body_text" in result.missing
                             or raw.extractor == "generic-fallback")
    result.alarms = [a.message for a in spider.alarms]


def _entries(spider: ArchiveSpider, page: HtmlResponse, result: SiteCheck
             ) -> list[ListingEntry]:
    if spider.name != "generic":
        found = spider.read_listing(page)
        result.listing_tried = list(found.tried)
        if found.fallback:
            spider.listing_fell_back(page, found, next(iter(spider.categories)), 1)
            result.fallback_links = len(found.entries)
            result.layout_changed = True
        else:
            result.items = len(found.entries)
            result.listing_variant = getattr(found.variant, "name", None)
        return found.entries
    from crawler.extract.generic import analyse

    links = analyse(page.text, spider.origin_url(page.url)).links
    own = [h for h in dict.fromkeys(links) if spider.follow(page, h, 0) is not None]
    # Article links tend to be the long ones with an id; try those first.
    own.sort(key=lambda h: (not any(c.isdigit() for c in h), -len(h)))
    result.items = len(own)
    return [ListingEntry(url=h) for h in own]


def _article(spider: ArchiveSpider, page: HtmlResponse, entry: ListingEntry,
             category: str) -> Any:
    fetched = datetime.now(VN_TZ).isoformat(timespec="seconds")
    if spider.name == "generic":
        from crawler.extract.generic import analyse

        found = analyse(page.text, spider.origin_url(page.url), site=spider.site,
                        fetched_at=fetched)
        return found.raw if found.is_article else None
    raw = spider.parse_article_page(page, entry, category)
    if raw is not None:
        raw.fetched_at = fetched
    return raw


# -- the registry patch (check-live --registry-patch) ---------------------------------------
def registry_facts(check: SiteCheck, day: str) -> tuple[str | None, dict[str, str]]:
    """What one check settles about a site's registry entry: its new ``status`` (None: the
    check says nothing about it) and the evidence lines it earns, each tagged CONFIRMED or
    REFUTED with the day and what was seen, in the registry's own words."""
    seen = f"check-live {day}"
    if check.moved_to:
        return "moved", {"status": f"CONFIRMED: {seen}, {check.url} redirects to "
                                   f"{check.moved_to}"}
    if check.tls_problem:
        return None, {"domains": f"CONFIRMED: {seen}, the host answers but its TLS fails "
                                 f"({check.tls_problem[:80]})"}
    if not check.reachable:
        return None, {"domains": f"REFUTED? {seen}: cannot connect ({(check.error or '')[:80]});"
                                 " check again before retiring the site"}
    if check.error:
        return None, {"domains": f"CONFIRMED: {seen}, the host answers; {check.error[:80]}"}
    facts = {"domains": f"CONFIRMED: {seen}, {check.url} answered HTTP {check.status}"}
    if check.listing_variant:
        facts["platform"] = (f"CONFIRMED: {seen}, listing read by variant "
                             f"{check.listing_variant}, article by {check.article_variant}")
    elif check.layout_changed:
        facts["platform"] = (f"REFUTED: {seen}, no known variant reads {check.url} (tried "
                             f"{', '.join(check.listing_tried) or 'the generic spider'}; "
                             f"the fallback found {check.fallback_links} links)")
    return ("live" if check.ok and check.article_url else None), facts


def registry_patch(checks: list[SiteCheck], day: str) -> str:
    """The checked sites' ``[[site]]`` tables as they should read after the check, to paste
    over their tables in crawler/registry/sites.toml: every other field as the registry has
    it, ``status`` and the evidence the check settled updated (earlier evidence kept for
    the facts it did not touch)."""
    from crawler.registry import load_registry
    from crawler.scaffold import toml_string

    registry = load_registry()
    blocks = [f"# check-live {day}: paste each table over the site's table in "
              "crawler/registry/sites.toml"]
    for check in checks:
        site = registry.get(check.site)
        if site is None:
            continue
        status, facts = registry_facts(check, day)
        evidence = {**site.evidence, **facts}
        blocks.append("\n".join([
            "[[site]]",
            f"slug = {toml_string(site.slug)}",
            f"name = {toml_string(site.name)}",
            f"province = {toml_string(site.province)}",
            f"province_current = {toml_string(site.province_current)}",
            "domains = [" + ", ".join(toml_string(d) for d in site.domains) + "]",
            f"scheme = {toml_string(site.scheme)}",
            f"platform = {toml_string(site.platform)}",
            f"status = {toml_string(status or site.status)}",
            f"spider = {toml_string(site.spider)}",
            "evidence = { " + ", ".join(f"{k} = {toml_string(v)}" for k, v in evidence.items())
            + " }",
        ]))
    return "\n\n".join(blocks) + "\n"
