"""Raw captures: every response a crawl receives goes into one WARC file per run (warcio).

Why: an archive is trusted when each record can be traced to the bytes the site served, and
a better parser can be run again over those bytes (``dost-archive reparse``) without the site,
which may be gone by then.

- ``WarcRecorder`` (extension) writes a ``request`` and a ``response`` record per response,
  with block and payload digests (warcio computes them). A payload already captured (same
  SHA-1 payload digest, in this run or an earlier one) becomes a ``revisit`` record
  (profile identical-payload-digest) that refers to the first copy, not a second copy.
  Each record is registered in the archive's ``captures`` table (file, record id, offset,
  length, digest, and the crawl context: listing entry, category, callback), after it was
  written and flushed, so the table never points at bytes that are not on disk.
- The file is written as ``<site>-<run id>-<UTC time>.warc.gz.open`` and renamed to
  ``.warc.gz`` when the run closes, the Heritrix convention: a file left ``.open`` belongs to
  a run that was killed; every record the table points at in it is complete.
- ``CaptureLinkMiddleware`` (spider middleware) stamps each ``RawArticle`` with the capture
  of the response it came from; the store pipeline saves that pointer on the article and on
  its revision.

The payload is the body as Scrapy used it: after HTTP decompression. ``Content-Encoding`` and
``Transfer-Encoding`` are therefore dropped from the recorded headers and ``Content-Length``
is set to the stored length, so the record is self-consistent and replayable. Redirect
responses are followed inside Scrapy's downloader and are not recorded; the final response
is, under the URL that was finally fetched.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler import __version__
from crawler.items import RawArticle

logger = logging.getLogger("crawler.warc")  # its pre-move name: log filters match

OPEN_SUFFIX = ".open"
META_KEY = "dost_capture"
# Headers that describe the transfer, not the stored payload (see the module docstring).
_TRANSFER_HEADERS = {b"content-encoding", b"transfer-encoding", b"content-length"}


def warc_dir_for(db: str | os.PathLike[str]) -> Path:
    """Default WARC directory of an archive: ``archive.db`` → ``archive-warc/`` beside it."""
    path = Path(db)
    return path.with_name(f"{path.stem}-warc")


def payload_digest(body: bytes) -> str:
    """The WARC-Payload-Digest warcio writes for ``body`` (base32 SHA-1)."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def _jsonable(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Callback arguments as JSON: dataclasses (listing entries) tagged with their type."""
    out: dict[str, Any] = {}
    for key, value in kwargs.items():
        if is_dataclass(value) and not isinstance(value, type):
            out[key] = {"__type__": type(value).__name__, **asdict(value)}
        elif value is None or isinstance(value, str | int | float | bool):
            out[key] = value
    return out


def _shareable(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The callback arguments ``_jsonable`` would keep, not yet converted (a shallow filter:
    the conversion is the writer's work)."""
    return {k: v for k, v in kwargs.items()
            if v is None or isinstance(v, str | int | float | bool)
            or (is_dataclass(v) and not isinstance(v, type))}


def jsonable_context(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with its context's callback arguments as JSON values (see ``_jsonable``)."""
    context = row.get("context")
    if isinstance(context, dict) and "kwargs" in context:
        row["context"] = {**context, "kwargs": _jsonable(context["kwargs"])}
    return row


def _page_kind(request: Request, spider: Spider) -> str:
    name = getattr(request.callback, "__name__", "") if request.callback else ""
    if "entry" in request.cb_kwargs or name == "parse_article_page":
        return "article"
    if "page" in request.cb_kwargs or "listing" in name:
        return "listing"
    if request.url.endswith("/robots.txt"):
        return "robots"
    if name == "NO_CALLBACK":  # a media download (crawl --files): an attachment
        return "file"
    return name or "other"


def status_and_headers(statusline: str, headers: list[tuple[str, str]], protocol: str = "",
                       is_http_request: bool = False) -> StatusAndHeaders:
    """warcio's head of a record from plain values (what crosses the pipe to the writer)."""
    return StatusAndHeaders(statusline, headers, protocol=protocol,
                            is_http_request=is_http_request)


def response_head(status: int, protocol: str | None, headers: dict[bytes, list[bytes]],
                  length: int) -> tuple[str, list[tuple[str, str]], str]:
    """The recorded HTTP head of a response whose stored body is ``length`` bytes (see the
    module docstring: transfer headers dropped, ``Content-Length`` the stored length), from
    plain values: it is built where the record is written (the archive writer)."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    lines = [(k.decode("latin-1"), v.decode("latin-1"))
             for k, values in headers.items() if k.lower() not in _TRANSFER_HEADERS
             for v in values]
    lines.append(("Content-Length", str(length)))
    return f"{status} {reason}".strip(), lines, (protocol or "HTTP/1.1").upper()


def request_head(method: str, url: str, headers: dict[bytes, list[bytes]],
                 ) -> tuple[str, list[tuple[str, str]], str, bool]:
    """The recorded head of a request, from plain values."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [("Host", parts.netloc)] + [
        (k.decode("latin-1"), v.decode("latin-1")) for k, values in headers.items()
        for v in values]
    return f"{method} {target} HTTP/1.1", lines, "", True


def heads(request: Request, response: Response) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """What ``response_head`` and ``request_head`` need of a response and its request, as
    plain values (Scrapy's header dicts copied as they are stored: key → list of values)."""
    return ((response.status, response.protocol, dict.copy(response.headers)),
            (request.method, request.url, dict.copy(request.headers)))


class WarcFile:
    """One run's WARC file: created at its first record as ``<site>-<tag>-<UTC time>.warc.gz``
    + ``.open``, renamed when closed. It lives where the records are written: in the archive
    writer for a crawl, in the crawler itself for a distributed crawler."""

    def __init__(self, directory: Path, site: str, tag: int | str) -> None:
        self.directory = directory
        self.site = site
        self.tag = f"{tag:06d}" if isinstance(tag, int) else str(tag)
        self.fh: Any = None
        self.writer: WARCWriter | None = None
        self.name = ""
        self.written = 0

    def _open(self) -> WARCWriter:
        if self.writer is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
            self.name = f"{self.site}-{self.tag}-{stamp}.warc.gz"
            self.fh = open(self.directory / (self.name + OPEN_SUFFIX), "ab")  # noqa: SIM115
            self.writer = WARCWriter(self.fh, gzip=True)
            info = self.writer.create_warcinfo_record(self.name, {
                "software": f"dost-archive/{__version__} (Scrapy, warcio)",
                "format": "WARC File Format 1.0",
                "isPartOf": f"dost-archive run {self.tag} of {self.site}",
                "description": "payloads are HTTP bodies after content decoding",
            })
            self.writer.write_record(info)
            self.fh.flush()
        return self.writer

    def close(self) -> None:
        if self.fh is None:
            return
        self.fh.close()
        os.replace(self.directory / (self.name + OPEN_SUFFIX), self.directory / self.name)
        logger.info("WARC: %d responses in %s", self.written, self.directory / self.name)
        self.fh = self.writer = None

    def append(self, body: bytes, http_headers: StatusAndHeaders,
               request_headers: StatusAndHeaders, url: str,
               first: dict[str, Any] | None = None, *, digest: str | None = None,
               ) -> dict[str, Any]:
        """Append a response record (a revisit of ``first``, an earlier capture of the same
        payload, if given) and its request record; where it went. ``digest``: the body's
        payload digest, if the caller has it already. Flushed before it returns: on disk
        (in the OS) before anything points at it."""
        writer = self._open()
        digest = digest or payload_digest(body)
        if first is None:
            record = writer.create_warc_record(url, "response", payload=BytesIO(body),
                                               length=len(body), http_headers=http_headers)
        else:
            record = writer.create_revisit_record(
                url, digest, first["url"], first["captured_at"], http_headers=http_headers,
                warc_headers_dict={"WARC-Refers-To": first["record_id"]})
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        offset = self.fh.tell()
        writer.write_record(record)
        length = self.fh.tell() - offset
        writer.write_record(writer.create_warc_record(
            url, "request", payload=BytesIO(b""), length=0, http_headers=request_headers,
            warc_headers_dict={"WARC-Concurrent-To": record_id}))
        self.fh.flush()
        self.written += 1
        return {"kind": "response" if first is None else "revisit", "warc_file": self.name,
                "record_id": record_id, "offset": offset, "length": length,
                "payload_digest": digest,
                "captured_at": record.rec_headers.get_header("WARC-Date")}


class WarcRecorder:
    """Sends the run's responses to the archive writer, which writes them to the run's WARC
    file and registers them in ``captures`` (crawler/plumbing/writer_ops.py ``capture``)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        configured = crawler.settings.get("WARC_DIR")
        self.directory = Path(configured) if configured else warc_dir_for(
            crawler.settings.get("ARCHIVE_DB"))
        self.closing_queued = False
        crawler.signals.connect(self.response_received, signal=signals.response_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcRecorder:
        if not crawler.settings.getbool("WARC_ENABLED", True):
            raise NotConfigured("WARC_ENABLED is off")
        return cls(crawler)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        """Queue the response's WARC records and ``captures`` row on the archive writer; the
        request carries a ticket the writer resolves to the capture's id for its items. The
        file is closed by the writer too: the run recorder queues that last, then drains."""
        from crawler.plumbing.run import run_context

        ctx = run_context(self.crawler)
        key = (str(self.directory), ctx.site, ctx.run_id)
        if not self.closing_queued:
            ctx.closing.append(("close_warc", key))
            self.closing_queued = True
        ticket = ctx.writer.pending_capture()
        request.meta[META_KEY] = ticket
        row = {"run_id": ctx.run_id, "site": ctx.site,
               **self.capture_row(request, response, spider, jsonable=False)}
        ctx.writer.post("capture", key, ticket, response.body, *heads(request, response), row)

    def capture_row(self, request: Request, response: Response, spider: Spider, *,
                    jsonable: bool = True) -> dict[str, Any]:
        """What the ``captures`` row says of a response besides where it was written.
        ``jsonable=False``: the callback's arguments as they are (the writer makes them JSON,
        ``jsonable_context``), for a row that crosses the pipe, not Redis."""
        origin = getattr(spider, "origin_url", None)
        content_type = response.headers.get(b"Content-Type") or b""
        kwargs = request.cb_kwargs
        return dict(
            page=_page_kind(request, spider), url=response.url,
            origin_url=origin(response.url) if callable(origin) else response.url,
            status=response.status,
            mime=content_type.decode("latin-1").split(";")[0].strip().lower() or None,
            context={"callback": getattr(request.callback, "__name__", None),
                     "kwargs": _jsonable(kwargs) if jsonable else _shareable(kwargs)})


class CaptureLinkMiddleware:
    """Stamps each RawArticle a callback yields with the capture of its response."""

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        capture = response.meta.get(META_KEY)
        for item in result:
            if isinstance(item, RawArticle) and item.capture_id is None:
                item.capture_id = capture
            yield item

    async def process_spider_output_async(self, response: Response,
                                          result: Any) -> Any:
        capture = response.meta.get(META_KEY)
        async for item in result:
            if isinstance(item, RawArticle) and item.capture_id is None:
                item.capture_id = capture
            yield item


# -- reading ------------------------------------------------------------------------------
class CaptureMissing(LookupError):
    """The WARC file or record a capture points at is not there."""


def capture_path(directory: Path, warc_file: str) -> Path:
    """The capture's file: finished (``.warc.gz``) or left open by a killed run."""
    for candidate in (directory / warc_file, directory / (warc_file + OPEN_SUFFIX)):
        if candidate.is_file():
            return candidate
    raise CaptureMissing(f"WARC file {warc_file} is not in {directory}")


def read_capture(directory: Path, capture: dict[str, Any]) -> tuple[StatusAndHeaders, bytes]:
    """HTTP headers and payload of a ``response`` capture, read at its offset."""
    path = capture_path(directory, capture["warc_file"])
    with open(path, "rb") as fh:
        fh.seek(capture["offset"])
        for record in ArchiveIterator(fh):
            if record.rec_headers.get_header("WARC-Record-ID") != capture["record_id"]:
                break
            return record.http_headers, record.content_stream().read()
    raise CaptureMissing(f"record {capture['record_id']} not found at offset "
                         f"{capture['offset']} of {path}")
