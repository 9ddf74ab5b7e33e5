"""RawArticle → Article with the site's registry entry: the crawler side of normalizing.

crawler/normalize/article.py turns raw fields into an Article given the site's entry; this
looks the entry up, so normalize/ never imports the registry (tests/test_layers.py).
"""

from __future__ import annotations

from core.article import Article
from crawler.items import RawArticle
from crawler.normalize.article import normalize_article
from crawler.registry import load_registry


def build_article(raw: RawArticle) -> Article:
    """Normalize ``raw`` with its site's registry entry (none for an unregistered site: the
    article is kept and flagged ``no_province``)."""
    return normalize_article(raw, load_registry().get(raw.site))
