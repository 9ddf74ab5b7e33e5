"""The benchmarks' mirror (``--render-once``): each GET page rendered once, then its bytes."""

from __future__ import annotations

import urllib.request

from crawler.mirror.server import Mirror
from crawler.mirror.sites import models


def test_render_once_renders_each_page_once_and_serves_the_same_bytes(monkeypatch):
    calls: list[str] = []
    cls = models()["sonla"]
    original = cls.respond

    def counting(self, request):
        calls.append(request.path)
        return original(self, request)

    monkeypatch.setattr(cls, "respond", counting)
    for render_once, expected in ((True, 1), (False, 3)):
        calls.clear()
        with Mirror(["sonla"], render_once=render_once) as mirror:
            url = mirror.urls["sonla"] + "/"
            pages = [urllib.request.urlopen(url, timeout=10).read() for _ in range(3)]
        assert len(set(pages)) == 1 and b"<html" in pages[0].lower()
        assert calls == ["/"] * expected, render_once
