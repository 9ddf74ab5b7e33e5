"""``SiteModel``: how one mirrored site answers requests.

A model holds the site's articles (``crawler.mirror.data``) and renders its listing pages,
article pages and any AJAX endpoints with Jinja templates in ``crawler/mirror/templates``.
Subclasses set ``slug``, ``categories``, ``newest`` and implement ``route``.

Markup variants: a model may list in ``variants`` other known layouts of its CMS, each a map
of attribute overrides (values, template names) set on the instance, so a test can serve the
same site's content in another layout: ``SonlaModel(variants=("UIListNews_Default",))``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jinja2
import markupsafe

from crawler.mirror.data import MirrorArticle, build_articles
from crawler.normalize.dates import VN_TZ

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)


@dataclass
class MirrorRequest:
    method: str
    path: str                     # percent-decoded path, e.g. "/noidung/tintuc/Lists/…"
    query: dict[str, list[str]]
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def arg(self, name: str, default: str | None = None) -> str | None:
        """A query parameter, matched case-insensitively (ASP.NET style)."""
        for key, values in self.query.items():
            if key.lower() == name.lower() and values:
                return values[0]
        return default

    def form(self) -> dict[str, Any]:
        """The request body as a dict, whether form-encoded or JSON."""
        ctype = self.headers.get("content-type", "")
        if "json" in ctype:
            return json.loads(self.body or b"{}")
        return {k: v[0] for k, v in
                parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()}


@dataclass
class MirrorReply:
    status: int = 200
    body: bytes | str = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def data(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


def renumber_by_date(articles: list[MirrorArticle], first_id: int) -> list[MirrorArticle]:
    """Ids that grow with the publication date, stable for a given article."""
    order = sorted(articles, key=lambda a: (a.published, a.id))
    new_id = {id(a): first_id + rank for rank, a in enumerate(order, start=1)}
    return [replace(a, id=new_id[id(a)]) for a in articles]


NOT_FOUND = MirrorReply(404, "<html><body><h1>404 - Không tìm thấy trang</h1></body></html>")
GONE = MirrorReply(410, "<html><body><h1>410 - Bài viết đã bị gỡ bỏ</h1></body></html>")
#: Scenario "gone": positions (newest first) of the removed articles; the first answers 404,
#: the second 410.
REMOVED = (3, 4)


class SiteModel:
    slug: str = ""
    site_url: str = ""
    #: listing categories: slug → display name
    categories: dict[str, str] = {}
    newest: datetime = datetime(2025, 11, 20, tzinfo=VN_TZ)
    first_id: int = 1000
    page_size: int = 10
    template_dir: str = ""
    #: Renumber ids so that they grow with the publication date, as real CMS ids do.
    ids_by_date: bool = False
    #: Markup variants: variant name → attribute overrides applied to an instance that is
    #: asked for that variant (see ``__init__``). Without a variant a model renders its own
    #: default markup.
    variants: dict[str, dict[str, Any]] = {}

    def __init__(self, scenario: str = "base", variants: Iterable[str] = ()) -> None:
        """``variants``: names from the class's ``variants``, applied in order (a later one
        overrides what an earlier one set); an unknown name raises ValueError."""
        self.scenario = scenario
        self.chosen_variants: tuple[str, ...] = tuple(variants)
        known = type(self).variants
        for name in self.chosen_variants:
            if name not in known:
                raise ValueError(
                    f"{self.slug or type(self).__name__} has no variant {name!r}; known "
                    f"variants: {', '.join(sorted(known)) or 'none'}")
            for attr, value in known[name].items():
                setattr(self, attr, value)

    @cached_property
    def articles(self) -> list[MirrorArticle]:
        """The site's articles, newest first. In scenario "gone" the REMOVED ones are taken
        out after numbering, so every other article keeps its id and URL."""
        arts = self._all_articles
        if self.scenario == "gone":
            return [a for i, a in enumerate(arts) if i not in REMOVED]
        return arts

    @cached_property
    def _all_articles(self) -> list[MirrorArticle]:
        scenario = "base" if self.scenario == "gone" else self.scenario
        arts = build_articles(self.slug, tuple(self.categories), newest=self.newest,
                              first_id=self.first_id, scenario=scenario)
        return renumber_by_date(arts, self.first_id) if self.ids_by_date else arts

    @cached_property
    def removed(self) -> list[MirrorArticle]:
        """Articles removed in scenario "gone" (none otherwise)."""
        if self.scenario != "gone":
            return []
        return [a for i, a in enumerate(self._all_articles) if i in REMOVED]

    @cached_property
    def by_id(self) -> dict[int, MirrorArticle]:
        return {a.id: a for a in self.articles}

    def in_category(self, category: str) -> list[MirrorArticle]:
        return [a for a in self.articles if a.category == category]

    def page_of(self, items: Sequence[MirrorArticle], page: int) -> list[MirrorArticle]:
        start = (page - 1) * self.page_size
        return list(items[start:start + self.page_size])

    def page_count(self, items: Sequence[MirrorArticle]) -> int:
        return max(1, math.ceil(len(items) / self.page_size))

    def image_path(self, article: MirrorArticle, k: int) -> str:
        """Where the k-th body image of ``article`` lives on the site."""
        raise NotImplementedError

    def is_caption(self, text: str) -> bool:
        """Whether a paragraph of the seed text is an image caption (an image goes there)."""
        return False

    def blocks(self, article: MirrorArticle) -> list[dict[str, Any]]:
        """The body as paragraphs and captioned images, in page order."""
        out: list[dict[str, Any]] = []
        k = 0
        for i, text in enumerate(article.paragraphs):
            if self.is_caption(text):
                k += 1
                out.append({"kind": "img", "src": self.image_path(article, k), "caption": text})
            else:
                out.append({"kind": "p", "text": text})
            if i == 0:
                for path, caption in article.images:
                    out.append({"kind": "img", "src": path, "caption": caption})
        return out

    def render(self, template: str, **context: Any) -> str:
        """Render ``template`` of the site's template directory, or a shared template named
        with its directory ("vnpt/_items.html")."""
        context.setdefault("today", datetime.now(VN_TZ))
        context.setdefault("site", self)
        name = template if "/" in template else f"{self.template_dir or self.slug}/{template}"
        return _ENV.get_template(name).render(**context)

    def respond(self, request: MirrorRequest) -> MirrorReply:
        if request.path == "/robots.txt":
            return MirrorReply(200, "User-agent: *\nAllow: /\n", "text/plain; charset=utf-8")
        reply = self.route(request)
        if reply is None and self.removed:
            # The page of the second removed article answers 410 Gone, the first a plain 404.
            was = type(self)("base", self.chosen_variants).route(request)
            gone = self.removed[1]
            if was is not None and was.status == 200 and str(markupsafe.escape(gone.title)) in (
                    was.data.decode("utf-8", "replace")):
                return GONE
        return reply or NOT_FOUND

    def route(self, request: MirrorRequest) -> MirrorReply | None:
        raise NotImplementedError
