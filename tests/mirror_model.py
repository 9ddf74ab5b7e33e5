"""Answer a spider's requests from a mirror model in process (no server, no reactor)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import scrapy
from scrapy.http import HtmlResponse, TextResponse

from crawler.mirror.sites.base import MirrorRequest


def serve(model: Any, request: scrapy.Request, status: int = 200) -> TextResponse:
    """The mirror model's answer to ``request`` (method, path, query, body and headers, as
    the mirror server would pass them) as the response Scrapy would hand the spider;
    fails unless the model answers with ``status``."""
    parts = urlsplit(request.url)
    headers = {k.decode().lower(): v[0].decode() for k, v in request.headers.items()}
    reply = model.respond(MirrorRequest(request.method, unquote(parts.path) or "/",
                                        parse_qs(parts.query), request.body, headers))
    assert reply.status == status, (request.url, reply.status, reply.data[:300])
    cls = HtmlResponse if "html" in reply.content_type else TextResponse
    return cls(url=request.url, body=reply.data, headers={"Content-Type": reply.content_type},
               request=request, encoding="utf-8")
