"""What a page's bytes really are, when its declarations lie.

Scrapy, like a browser, decodes a page by the first of: a byte-order mark, the
``Content-Type`` charset, the ``<meta>`` declaration, a guess (charset-normalizer). Provincial
portals lie in both directions: Apache's ``AddDefaultCharset`` puts ``charset=iso-8859-1`` on
UTF-8 pages (archived as "Sá»Ÿ Khoa há»c" instead of "Sở Khoa học"), and a template's
``<meta charset="utf-8">`` sits on old pages still saved in windows-1258 (archived as "S��").
With no declaration at all, charset-normalizer guesses short Vietnamese windows-1258 pages as
Big5. So the bytes decide, by these rules (``true_encoding``):

1. A byte-order mark is believed.
2. A body that is valid UTF-8 with non-ASCII bytes is UTF-8, whatever was declared:
   Vietnamese in windows-1258 is never valid UTF-8 by accident (its tone marks are separate
   bytes 0xCC/0xEC/0xD2/0xDE/0xF2 that cannot follow a UTF-8 lead byte).
3. A body that is mostly UTF-8 with a few bad bytes is broken UTF-8: it is decoded as UTF-8
   and the bad bytes become U+FFFD (nothing is invented).
4. Otherwise the page is in a legacy single-byte encoding: a declared one is used, unless it
   is UTF-8 (false, see above) or a Western server default (iso-8859-1, windows-1252, ascii:
   Vietnamese cannot be written in them); then windows-1258, the Vietnamese code page.

A payload that starts with a binary file signature (PNG, PDF, ZIP …) is not HTML whatever its
``Content-Type`` says, and markup no parser can read in reasonable time is not an article
(``unreadable``): a spider rejects both, with the reason, instead of extracting words from
compressed bytes or blocking the crawl.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

LEGACY_DEFAULT = "cp1258"
# Servers' default declarations, which Vietnamese cannot be written in (no ơ, ư, đ, ă): on a
# page with non-ASCII bytes they say nothing about them.
WESTERN = frozenset({"iso8859-1", "cp1252", "ascii"})
_HIGH = re.compile(rb"[\x80-\xff]")
MAX_ATTRIBUTES = 10_000
_LONG_TAG = re.compile(rb"<[a-zA-Z][^<>]{65536,}")
# Magic numbers of files that are never HTML (first bytes of the payload).
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"), (b"GIF87a", "GIF image"), (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"), (b"%PDF-", "PDF document"), (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"), (b"\x1f\x8b", "gzip data"), (b"Rar!\x1a\x07", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"), (b"\x7fELF", "ELF executable"),
    (b"MZ", "Windows executable"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office document"),
    (b"RIFF", "RIFF media"), (b"ID3", "MP3 audio"),
)


def _canonical(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _utf8_share(body: bytes) -> float:
    """Share of the non-ASCII characters of ``body`` read as UTF-8 that decoded (the rest
    are replacement characters for bytes that are not UTF-8)."""
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return (non_ascii - bad) / non_ascii if non_ascii else 1.0


def true_encoding(body: bytes, header: str | None = None,
                  declared: str | None = None) -> str | None:
    """The encoding ``body`` is really in, or None where the declarations read it right.

    ``header``: the Content-Type charset; ``declared``: the ``<meta>`` charset.
    """
    if read_bom(body)[0]:
        return None
    said = [e for e in (_canonical(header), _canonical(declared)) if e]
    first = said[0] if said else None  # what Scrapy decodes by
    if b"\x00" not in body[:4096]:  # UTF-16/32 HTML is full of NUL bytes: a false claim
        said = [e for e in said if not e.startswith(("utf-16", "utf-32"))]
    elif first and first.startswith(("utf-16", "utf-32")):
        return None
    if not _HIGH.search(body):
        # ASCII reads the same in any declared encoding but a false UTF-16 one.
        return None if first is None or first in said else "utf-8"
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if _utf8_share(body) >= 0.5:
        return "utf-8"
    legacy = next((e for e in said if e != "utf-8" and e not in WESTERN), LEGACY_DEFAULT)
    return None if legacy == first else legacy


def binary_kind(body: bytes) -> str | None:
    """What ``body`` is if it starts with the signature of a non-HTML file, else None."""
    return next((kind for magic, kind in _SIGNATURES if body.startswith(magic)), None)


def unreadable(body: bytes) -> str | None:
    """Why ``body`` must not be parsed as an article page, or None.

    A binary file; or a start tag with more than ``MAX_ATTRIBUTES`` attributes: libxml2 and
    html5ever check attribute names for duplicates pairwise, so one tag with 100,000 of them
    holds a parser (and the crawl's reactor thread) for a minute per parse. The scan is
    linear: only tags longer than 64 KB are counted.
    """
    kind = binary_kind(body)
    if kind:
        return f"not an HTML page: {kind}"
    for tag in _LONG_TAG.finditer(body):
        attributes = tag.group().count(b"=")
        if attributes > MAX_ATTRIBUTES:
            return f"pathological markup: a tag with {attributes} attributes"
    return None


def redecode_as(body: bytes, content_type: str | None, current: str | None) -> str | None:
    """The encoding to decode ``body`` in instead of ``current`` (what it was decoded by),
    or None when ``current`` reads it right. ``content_type``: the Content-Type header value.

    Pure bytes and header strings, so normalize/ needs no Scrapy; plumbing/decoding.py applies
    it to a Scrapy response (``decode_truly``).
    """
    encoding = true_encoding(body, http_content_type_encoding(content_type or ""),
                             html_body_declared_encoding(body))
    if encoding is None or _canonical(current) == _canonical(encoding):
        return None
    return encoding


def __getattr__(name: str) -> Any:
    """``decode_truly`` (Scrapy responses) moved to plumbing/decoding.py; the old import path
    keeps working, lazily, so importing this module imports no Scrapy."""
    if name == "decode_truly":
        from crawler.plumbing.decoding import decode_truly

        return decode_truly
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
