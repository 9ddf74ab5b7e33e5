"""Scrapy responses decoded by their bytes: the Scrapy side of crawler/normalize/encoding.py.

normalize/encoding.py decides, from bytes and header values, what a page really is
(``unreadable``, ``redecode_as``); this applies the decision to a ``Response``, so the
normalizers stay free of Scrapy (tests/test_layers.py).
"""

from __future__ import annotations

from scrapy.http import Response, TextResponse

from crawler.normalize.encoding import redecode_as, unreadable


def decode_truly(response: Response) -> Response:
    """``response`` decoded by its bytes: a text response whose declarations lie gets its
    true encoding; a "text" response that is ``unreadable`` (a binary file, pathological
    markup) becomes a plain ``Response``, which no parser reads."""
    if not isinstance(response, TextResponse):
        return response
    if unreadable(response.body):
        return Response(response.url, status=response.status, headers=response.headers,
                        body=response.body, flags=response.flags, request=response.request,
                        certificate=response.certificate, ip_address=response.ip_address,
                        protocol=response.protocol)
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    encoding = redecode_as(response.body, content_type, response.encoding)
    return response if encoding is None else response.replace(encoding=encoding)
