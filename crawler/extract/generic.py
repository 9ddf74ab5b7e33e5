"""Site-independent extraction for pages no site spider knows yet.

Heuristics, in order of trust: metadata (og:title, article:published_time), the page's
main heading, the first date string *after* that heading (a header "today" date sits before
it), and the block whose paragraphs hold the most text with the fewest links. Items are
marked ``extractor = "generic"`` so an archivist can tell them from site-parsed ones.

When no full date is printed, two weaker signs are combined, and the article is flagged
``date_from_text``: a month stamp beside the title ("date 2020-01", seed 002) gives the
year, and the lead's opening "Chiều 15-1," gives the day and month. Without a stamp that
agrees, the lead's date (an event date) is not taken: the article is flagged ``no_date``.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from core.fold import fold
from crawler.items import RawArticle
from crawler.normalize.boilerplate import extract_view_count
from crawler.normalize.bylines import split_byline, strip_author_label
from crawler.normalize.dates import find_date

_DROP = ("script", "style", "noscript", "template", "iframe", "form", "nav", "header",
         "footer", "aside", "select", "button")
_BLOCK_CANDIDATES = ("div", "article", "section", "td", "main")
_NOISE_CLASS = re.compile(
    r"comment|sidebar|menu|footer|header|breadcrumb|share|social|related|other|tinkhac|"
    r"pager|pagination|banner|advert|widget|login|counter|thongke", re.IGNORECASE)
_TITLE_SUFFIX = re.compile(r"\s+[-|–—]\s+[^-|–—]{3,80}$")
_MONTH_STAMP = re.compile(r"(?<![\d/-])(?P<y>(?:19|20)\d\d)[-/.](?P<m>0?[1-9]|1[0-2])(?![\d/-])"
                          r"|(?<![\d/-])(?P<m2>0?[1-9]|1[0-2])[-/.](?P<y2>(?:19|20)\d\d)(?![\d/-])")
_LEAD_DATE = re.compile(
    r"^\s*(?P<raw>(?:(?:sáng|chiều|trưa|tối|đêm)(?:\s+nay)?\s+)?(?:ngày\s+)?"
    r"(?P<d>\d{1,2})[-/](?P<m>\d{1,2})(?:[-/](?P<y>\d{2,4}))?)\s*,", re.IGNORECASE)
_DOCUMENT = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|zip|rar)(\?|$)", re.IGNORECASE)
MIN_ARTICLE_CHARS = 300
MAX_LINK_DENSITY = 0.35
# A listing shows several links as long as titles; an article body rarely has more than two.
MAX_TITLE_LINKS = 2
TITLE_LINK_CHARS = 25


def _parser() -> lxml.html.HTMLParser:
    """huge_tree, as Scrapy's selectors have it: without it libxml2 drops everything nested
    deeper than 256 levels, and an attribute of 10 MB (an inline base64 image) sends its
    error recovery into minutes of work."""
    return lxml.html.HTMLParser(huge_tree=True)


def _text(el: HtmlElement) -> str:
    """Visible text of an element; none for a comment or processing instruction, which lxml
    yields among siblings and descendants wherever a page has them (and whose text_content
    raises)."""
    if not isinstance(el.tag, str):
        return ""
    return " ".join(el.text_content().split())


def _meta(doc: HtmlElement, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            found = doc.xpath(f'//meta[@{attr}="{name}"]/@content')
            if found and found[0].strip():
                return found[0].strip()
    return None


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


_SHARE = re.compile(r"facebook|zalo|twitter|chia sẻ|in bài|gửi email|bản in", re.IGNORECASE)
_CHROME = re.compile(r"(?:^|[\s_-])(?:header|banner|logo|brand|top-?bar|site-?(?:name|title))",
                     re.IGNORECASE)


def _in_chrome(el: HtmlElement) -> bool:
    """Inside the page header, banner or logo (where the site's own name is printed) — not
    an article's own header (``<article><header class="entry-header"><h1>``: a header inside
    the article or the main content is the article's)."""
    chrome = False
    for anc in el.iterancestors():
        if anc.tag in ("article", "main") or anc.get("role") == "main":
            return False
        if anc.tag in ("header", "nav") or _CHROME.search(
                f"{anc.get('class', '')} {anc.get('id', '')}"):
            chrome = True
    return chrome


def _title_candidates(doc: HtmlElement) -> list[HtmlElement]:
    return [el for el in doc.xpath(
        '//h1 | //h2 | //h3 | //h4 | //*[contains(@class,"title") or contains(@class,"Title") '
        'or contains(@class,"tieude") or contains(@class,"TieuDe") or contains(@class,"Header") '
        'or contains(@class,"heading")][not(descendant::a)]')
        if 10 <= len(_text(el)) <= 300 and not _in_chrome(el) and not _date_only(_text(el))]


def _date_only(text: str) -> bool:
    """A line that is a date and little else ("[13/08/2023 15:11]", "Ngày đăng: 05-05-2021")."""
    found = find_date(text)
    return bool(found.raw) and len(text.replace(found.raw, " ").split()) <= 3 \
        and len(re.findall(r"[^\W\d_]", text.replace(found.raw, ""))) < 12


#: Blocks whose headings are page furniture, not the article's title.
_FURNITURE_CLASS = re.compile(
    r"sidebar|menu|footer|banner|widget|related|tinkhac|tin-khac|other|counter|thongke|"
    r"marquee|ticker|most|block-title|box-title|cate|breadcrumb|duongdan|portlet-title",
    re.IGNORECASE)


def _slug_words(url: str) -> set[str]:
    """Folded words of the URL's path and query (a slug names the article, when there is
    one: ``/tin-tuc/hop-hoi-dong-tu-van-…-tinh-kon-tum.html``)."""
    parts = urlsplit(url)
    text = unquote(f"{parts.path} {parts.query}").replace("+", " ")
    return {w for w in re.split(r"[\W_]+", fold(text).lower()) if len(w) > 1 and not w.isdigit()}


def _block_heading(text: str) -> bool:
    """A block heading by its shape: capitals and short ("TIN TRONG TỈNH", "SỐ LƯỢT TRUY
    CẬP"), or a label ending with a colon."""
    letters = [c for c in text if c.isalpha()]
    caps = bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.9
    return (caps and len(text.split()) <= 10) or text.rstrip().endswith(":")


def _title_score(el: HtmlElement, hints: list[set[str]], slug: set[str],
                 near_body: HtmlElement | None) -> float:
    """How much a heading looks like this article's title: it matches the <title> /
    og:title and the URL slug, it stands right before the text, it is not shaped like a
    block heading nor inside a sidebar or menu, and it is long enough to say something."""
    text = _text(el)
    words = _words(text)
    score = 0.0
    for hint in hints:
        common = len(words & hint)
        if common:
            precision, recall = common / len(words), common / len(hint)
            score = max(score, 3 * 2 * precision * recall / (precision + recall))
    folded = {w for w in re.split(r"[\W_]+", fold(text).lower()) if len(w) > 1}
    if len(slug) >= 3 and folded:
        score += 3 * len(folded & slug) / len(folded)
    if el is near_body:
        score += 1.5
    if _block_heading(text):
        score -= 2
    n = len(text.split())
    if n < 4:
        score -= 1
    elif n >= 6:
        score += 0.5
    if el.tag == "h1":
        score += 0.5
    if any(_FURNITURE_CLASS.search(f"{a.get('class', '')} {a.get('id', '')}")
           for a in (el, *el.iterancestors())):
        score -= 2
    return score


def _nearest_before(candidates: list[HtmlElement], block: HtmlElement | None
                    ) -> HtmlElement | None:
    """The last candidate before the text block starts (or the first inside it)."""
    if block is None:
        return None
    order = {el: i for i, el in enumerate(block.getroottree().iter())}
    start = order.get(block, 0)
    inside = [c for c in candidates if c in order and order[c] > start
              and block in c.iterancestors()]
    before = [c for c in candidates if c in order and order[c] < start]
    if inside:
        return inside[0]
    return before[-1] if before else None


def _title(doc: HtmlElement, url: str = "") -> tuple[str | None, HtmlElement | None]:
    """The article's heading: of the page's headings and title-classed elements outside the
    header, the one that scores best (``_title_score``: <title>, og:title, URL slug, place
    before the text, shape). None when none scores above zero: ``_title_before`` then looks
    for the heading just above the body."""
    hints = [_words(h) for h in (_meta(doc, "og:title"),
                                 " ".join((doc.findtext(".//title") or "").split())) if h]
    candidates = _title_candidates(doc)
    if not candidates:
        return None, None
    near = _nearest_before(candidates, _body(doc))
    slug = _slug_words(url)
    scored = [(_title_score(el, hints, slug, near), -i, el) for i, el in enumerate(candidates)]
    score, _, best = max(scored, key=lambda t: (t[0], t[1]))
    if score <= 0.5:
        return None, None
    return _text(best), best


_TRAILING_DATE = re.compile(r"\s*[(\[]\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}[^)\]]{0,20}[)\]]\s*$")


def _title_date(anchor: HtmlElement) -> tuple[str, str | None]:
    """The title without a date printed inside the title element ("<h3><span>Tọa đàm …</span>
    <span class="time-post">(18/05/2020, 20:21)</span></h3>", "Hoạt động … 18-5 (11/04/2014)"),
    and that date, the article's own."""
    text = _text(anchor)
    for child in anchor.iterdescendants():
        own = _text(child)
        if own and own != text and _date_only(own):
            return " ".join(text.replace(own, " ").split()), own
    found = _TRAILING_DATE.search(text)
    if found and find_date(found.group()).value is not None:
        return text[:found.start()].strip(), found.group().strip()
    return text, None


def _title_before(doc: HtmlElement, body: HtmlElement | None) -> HtmlElement | None:
    """The last heading-like element before the body's text (the <title> was no help)."""
    if body is None:
        return None
    before = [el for el in _title_candidates(doc)
              if el not in body.iterdescendants() and el is not body
              and body in el.xpath("following::*")]
    inside = [el for el in _title_candidates(doc) if el in body.iterdescendants()]
    return before[-1] if before else (inside[0] if inside else None)


def _date_between(doc: HtmlElement, anchor: HtmlElement | None,
                  body: HtmlElement | None, in_title: str | None = None) -> str | None:
    """A full (or impossible) date from metadata, else the first one printed after the
    title and before the body's text. A header "today" date sits before the title; the dates
    of "other news" lists sit after the body; neither is this article's."""
    meta = _meta(doc, "article:published_time", "datePublished", "pubdate", "date")
    if meta:
        return meta
    for t in doc.xpath("//time[@datetime]"):
        return t.get("datetime")
    if in_title:
        return in_title
    if anchor is None:
        return None
    # Some CMSs print the date just above the title (Cần Thơ: div.date-title), or above the
    # block that holds it (most.gov.vn's pnNguontin; a breadcrumb ending "(16-01-2023)").
    level: HtmlElement | None = anchor
    for _ in range(3):
        if level is None or level.tag in ("body", "html"):
            break
        for el in list(level.itersiblings(preceding=True))[:2]:
            own = _text(el)
            if own and len(own) < 120 and not _in_chrome(el):
                found = find_date(own)
                if found.value is not None:
                    return found.raw
        level = level.getparent()
    stop = next((p for p in body.iter("p") if len(_text(p)) > 40), None) \
        if body is not None else None
    seen = 0
    for el in anchor.itersiblings() if stop is None else _following(anchor):
        if el is stop or seen > 60:
            break
        seen += 1
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        own = (el.text or "").strip() + " " + (el.tail or "").strip()
        if own.strip() and len(own) < 160:
            found = find_date(own)
            if found.value is not None or found.flag == "date_impossible":
                return found.raw
    return None


def _following(el: HtmlElement):  # type: ignore[no-untyped-def]
    """Elements after ``el`` in document order (not its descendants)."""
    return el.xpath("following::*")


def _month_stamp(anchor: HtmlElement | None) -> tuple[int, int] | None:
    """(year, month) printed beside the title: in its block or the block around that."""
    if anchor is None:
        return None
    block = anchor.getparent()
    for el in (block, block.getparent() if block is not None else None):
        if el is None:
            continue
        found = _MONTH_STAMP.search(_text(el)[:300])
        if found:
            year, month = found["y"] or found["y2"], found["m"] or found["m2"]
            return int(year), int(month)
    return None


LEAD_MIN_CHARS = 60
_EMBEDDED_BOX = re.compile(r"related|relate|lienquan|lien-quan|tinkhac|tin-khac|other|"
                           r"RelatedNewsBox|box-news|share|social", re.IGNORECASE)


def _with_rest(body: HtmlElement) -> HtmlElement:
    """The body and the text that continues it in the next cells or blocks: old table
    layouts put the lead in one row and the text in another (``td.tomtat`` / ``td.noidung``),
    and the block with the most text may be the lead. What follows the body at its own level,
    its row's or its table's, joins it while it is real text; a news ticker of one link is
    passed over; a block heading, a noise block or a list of links ends it."""
    rest: list[HtmlElement] = []
    level: HtmlElement | None = body
    for _ in range(3):
        if level is None or level.getparent() is None or level.tag in ("body", "html"):
            break
        for el in level.itersiblings():
            if not isinstance(el.tag, str):
                continue
            text = _text(el)
            if not text:
                continue
            links = _link_chars(el)
            if _noise(el) or (_block_heading(text[:80]) and len(text) < 120):
                return _joined([body, *rest]) if rest else body
            if links >= 0.5 * len(text):
                if len(text) < 200:
                    continue  # a ticker, a print link
                return _joined([body, *rest]) if rest else body
            if len(text) >= 2 * LEAD_MIN_CHARS and links < 0.2 * len(text):
                rest.append(el)
        if rest:
            break
        level = level.getparent()
    return _joined([body, *rest]) if rest else body


def _joined(parts: list[HtmlElement]) -> HtmlElement:
    """A detached block holding copies of ``parts`` in order."""
    whole = lxml.html.Element("div")
    for el in parts:
        part = deepcopy(el)
        part.tail = None
        whole.append(part)
    return whole


def _drop_embedded_boxes(body: HtmlElement) -> None:
    """Out of the body: boxes embedded in it that are links to other articles ("Tin liên
    quan" inside the text, mediacdn's ``type="RelatedNewsBox"``): classed so, mostly links."""
    for el in list(body.iterdescendants()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        marks = f"{el.get('class', '')} {el.get('id', '')} {el.get('type', '')}"
        text = _text(el)
        if _EMBEDDED_BOX.search(marks) and text and _link_chars(el) >= 0.4 * len(text):
            el.drop_tree()


def _with_lead(anchor: HtmlElement | None, body: HtmlElement) -> HtmlElement:
    """The body with the lead (sapo) that many CMSs print in a block of its own between the
    title and the body (``div.detail-sapo``, NukeViet's ``#hometext``, a bold first
    paragraph): that is the article's first text, and without it the body starts in the
    middle. Blocks of real text only (a date line, a toolbar or share links are not)."""
    if anchor is None or anchor in body.iterdescendants():
        return body
    leads: list[HtmlElement] = []
    holders = set(body.iterancestors())
    for el in anchor.xpath("following::*"):
        if el is body or el in holders or not isinstance(el.tag, str):
            break
        if any(el in lead.iterdescendants() for lead in leads):
            continue
        text = _text(el)
        if (len(text) >= LEAD_MIN_CHARS and el.tag in ("div", "p", "h2", "h3", "strong", "b",
                                                       "em", "span", "td", "section")
                and _link_chars(el) < 0.2 * len(text) and not _noise(el)
                and not _date_only(text)):
            leads.append(el)
        if len(leads) >= 2:
            break
    return _joined([*leads, body]) if leads else body


def _link_chars(el: HtmlElement) -> int:
    return sum(len(_text(a)) for a in el.xpath(".//a"))


def _noise(el: HtmlElement) -> bool:
    return bool(_NOISE_CLASS.search(f"{el.get('class', '')} {el.get('id', '')}"))


def _body(doc: HtmlElement) -> HtmlElement | None:
    """The article's text block, readability-style: every paragraph of real text scores for
    its parent (fully) and grandparent (half), so the block that directly holds the
    paragraphs wins over the page section that also holds "other news" lists; scores are
    scaled by the share of text that is not link text."""
    scores: dict[HtmlElement, float] = {}
    for p in doc.iter("p", "pre", "blockquote", "li", "td"):
        text = _text(p)
        if len(text) < 25 or p.getparent() is None:
            continue
        if p.tag == "td" and next(p.iterdescendants("p", "table"),
                                  None) is not None:
            continue  # a layout cell holding paragraphs (old table layouts): they score
        points = 1 + text.count(",") + min(len(text) // 100, 3)
        parent = p.getparent()
        scores[parent] = scores.get(parent, 0.0) + points
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + points / 2
    if not scores:  # text in bare divs: the block with the most unlinked text
        scores = {el: float(len(_text(el))) for el in doc.iter(*_BLOCK_CANDIDATES)}
    best, best_score = None, 0.0
    for el, score in scores.items():
        total = len(_text(el)) or 1
        score *= (1 - _link_chars(el) / total) * (0.2 if _noise(el) else 1.0)
        if score > best_score:
            best, best_score = el, score
    return best


def _looks_like_article(body: HtmlElement | None, body_text: str) -> bool:
    """An article page: enough text in its block, few links in it, and not a list. A
    listing gives itself away by a block made of title links (a "related news" box inside
    an article body holds a few, at a small share of the text), or by a "largest block"
    that is one of several alike siblings (one teaser item among others)."""
    if body is None or len(body_text) < MIN_ARTICLE_CHARS:
        return False
    if _link_chars(body) / len(body_text) > MAX_LINK_DENSITY:
        return False
    title_links = [a for a in body.iter("a") if len(_text(a)) >= TITLE_LINK_CHARS]
    share = sum(len(_text(a)) for a in title_links) / len(body_text)
    if len(title_links) > MAX_TITLE_LINKS and share > 0.15:
        return False
    for el in (body, body.getparent()):
        parent = el.getparent() if el is not None else None
        if parent is not None and sum(1 for sib in parent if sib.tag == el.tag
                                      and sib.get("class") == el.get("class")) >= 3:
            return False
    return True


def _author(doc: HtmlElement, body: HtmlElement | None) -> str | None:
    """An author printed in its own element ("detail-author", "tac-gia", "byline"), or a
    byline line standing right after the body block (bylines inside it are the
    normalizer's)."""
    if body is not None:
        for el in list(body.itersiblings())[:2]:
            line = _text(el)
            if 2 <= len(line) <= 80 and not _noise(el) and not _SHARE.search(line):
                _rest, author, _source = split_byline(["(body)", line])
                if author:
                    return author
    for el in doc.xpath('//*[contains(@class,"author") or contains(@class,"tac-gia") or '
                        'contains(@class,"tacgia") or contains(@class,"byline") or '
                        'contains(@class,"tac_gia")]'):
        text = strip_author_label(_text(el))
        if 2 <= len(text) <= 60 and not _in_chrome(el):
            return text
    return None


@dataclass
class GenericPage:
    """What the generic extractor makes of a page: the article fields, whether the page
    looks like an article at all, and the links on it (for discovery)."""

    raw: RawArticle
    is_article: bool
    links: list[str] = field(default_factory=list)


def analyse(html: str, url: str, *, site: str = "generic",
            fetched_at: str | None = None) -> GenericPage:
    """Extract ``html`` (served at ``url``) and judge whether it is an article page."""
    try:
        # NUL bytes out, as parsel does for the site spiders (lxml makes them U+FFFD).
        doc = lxml.html.document_fromstring((html or "").replace("\x00", ""), parser=_parser())
    except (lxml.etree.ParserError, ValueError):  # nothing but whitespace or comments
        doc = lxml.html.document_fromstring("<html><body></body></html>")
    # Code is never text: a script inside a heading must not become the title.
    lxml.etree.strip_elements(doc, "script", "style", "template", with_tail=False)
    links = [h for h in doc.xpath("//a/@href | //link[@rel='alternate']/@href") if h.strip()]
    title, anchor = _title(doc, url)
    stamp = _month_stamp(anchor)
    counter = doc.xpath('//*[contains(text(), "Lượt xem") or contains(text(), "Đã xem")]')
    view_count = extract_view_count(_text(counter[0])) if counter else None
    attachments = [
        {"url": a.get("href"), "name": _text(a) or None}
        for a in doc.xpath("//a[@href]") if _DOCUMENT.search(a.get("href", ""))
    ]
    for bad in doc.xpath("|".join(f"//{t}" for t in _DROP)):
        if bad.tag == "form" and len(_text(bad)) > 300:
            continue  # ASP.NET WebForms wrap the whole page in one <form>
        if anchor is None or (bad is not anchor and anchor not in bad.iterdescendants()):
            bad.drop_tree()
    body = _body(doc)
    if anchor is None:
        anchor = _title_before(doc, body)
        title = _text(anchor) if anchor is not None else _meta(doc, "og:title")
        stamp = _month_stamp(anchor)
    author = _author(doc, body)
    title_date = None
    if anchor is not None:
        title, title_date = _title_date(anchor)
    published = _date_between(doc, anchor, body, title_date)
    if body is not None and anchor is not None and anchor in body.iterdescendants():
        # The title and, with it, a meta line that only held it (date stamp, labels).
        holder = anchor.getparent()
        anchor.drop_tree()
        if holder is not None and holder is not body and len(_text(holder)) < 80:
            holder.drop_tree()
    flags: list[str] = []
    year_hint = None
    body_text = _text(body) if body is not None else ""
    if published is None and body is not None and stamp is not None:
        # Only with a month stamp to confirm it: the lead's date is the event's, and an
        # event may precede publication; the stamp says the article is of that month.
        lead = next((_text(p) for p in body.iter("p", "div") if len(_text(p)) > 40), "")
        found = _LEAD_DATE.match(lead)
        year = int(found["y"]) if found and found["y"] and len(found["y"]) == 4 else None
        if found and int(found["m"]) == stamp[1] and year in (None, stamp[0]):
            published = found["raw"]
            flags.append("date_from_text")
            year_hint = stamp[0]
    is_article = bool(title) and _looks_like_article(body, body_text)
    if body is not None:
        body = _with_lead(anchor, _with_rest(body))
        _drop_embedded_boxes(body)
    images: list[dict[str, Any]] = []
    if body is not None:
        images = [{"url": img.get("src"), "caption": img.get("alt") or img.get("title")}
                  for img in body.iter("img") if img.get("src")]
    raw = RawArticle(
        url=url, site=site, title=title, author=author,
        summary=_meta(doc, "og:description", "description"),
        published_raw=published,
        body_html=lxml.html.tostring(body, encoding="unicode") if body is not None else None,
        images=images, attachments=attachments,
        tags=[t.strip() for t in (_meta(doc, "keywords") or "").split(",") if t.strip()],
        view_count=str(view_count) if view_count is not None else None,
        fetched_at=fetched_at, extractor="generic", year_hint=year_hint, flags=flags,
    )
    return GenericPage(raw=raw, is_article=is_article, links=links)


def extract(html: str, url: str, *, site: str = "generic",
            fetched_at: str | None = None) -> RawArticle:
    """Raw article fields of ``html`` (served at ``url``) by generic heuristics."""
    return analyse(html, url, site=site, fetched_at=fetched_at).raw
