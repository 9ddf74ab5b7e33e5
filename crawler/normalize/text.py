"""Re-export shim: text normalisation now lives in one module per concern.

``paragraphs`` (HTML/text → paragraphs), ``boilerplate`` (chrome rules as data), ``bylines``
(authors and sources) and ``body`` (``clean_body``). Old imports keep working from here.
"""

from __future__ import annotations

from crawler.normalize.body import Body, clean_body
from crawler.normalize.boilerplate import extract_view_count
from crawler.normalize.bylines import clean_author, split_byline
from crawler.normalize.paragraphs import clean_inline, html_to_paragraphs, nfc, text_to_paragraphs

__all__ = [
    "Body",
    "clean_author",
    "clean_body",
    "clean_inline",
    "extract_view_count",
    "html_to_paragraphs",
    "nfc",
    "split_byline",
    "text_to_paragraphs",
]
