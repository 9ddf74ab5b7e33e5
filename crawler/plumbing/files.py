"""Attachment downloads (``crawl --files``): the files an article links, kept next to the archive.

``AttachmentsPipeline`` is a Scrapy ``FilesPipeline`` placed between deduplication and the
store. It is off unless ``FILES_ENABLED`` is set (``dost-archive crawl --files``,
``scrapy crawl SITE -s FILES_ENABLED=1``); then it raises ``NotConfigured`` at start-up,
so Scrapy leaves it out of the pipeline and a crawl without ``--files`` pays nothing.

What it does to each stored article's ``attachments`` entries (``{url, name, …}``):

- downloaded: ``sha256`` (hex of the bytes), ``mime``, ``size``, ``path`` (relative to the
  files directory) and ``downloaded_at`` are added;
- not downloadable (HTTP 404, timeout, robots.txt …): ``error`` is added instead. The
  article is stored either way.

Files are content-addressed: ``<site>/<sha256>.<ext>``. Nothing taken from the page names a
file on disk except an extension that is 1-8 ASCII letters or digits, so no crafted URL or
file name can leave the files directory; two URLs serving the same bytes share one file;
and a file that changed on the site is kept beside its older version, which the article's
older revision still points to.

A re-crawl does not download again what the archive already holds: an entry whose stored
record names a file that is still on disk and was fetched less than ``FILES_EXPIRES`` days
ago (Scrapy's setting, 90 by default) keeps that record without a request. None of these
keys is part of ``content_hash`` (``crawler.normalize.article.HASHED_FIELDS``), so
downloading never makes a revision; ``storage.Archive.upsert_article`` keeps the download
records of entries a crawl did not download.

Requests go through the spider's ``fetch_url()``, so a ``--base-url`` crawl fetches the
site's own attachments from the mirror. Attachments on other hosts (a CDN, the ministry's
portal) are fetched too on a live crawl (``allow_offsite``: the article links them, so they
are part of it); a mirror crawl leaves them alone, since they are not on the mirror.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import filetype
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.pipelines.files import FilesPipeline
from scrapy.pipelines.media import FileException

from crawler.items import Article
from crawler.normalize.dates import VN_TZ

logger = logging.getLogger("crawler.files")  # its pre-move name: log filters match

#: Keys the pipeline adds to an attachment entry (``error`` instead of the others on failure).
DOWNLOAD_KEYS = ("sha256", "mime", "size", "path", "downloaded_at", "error")
GENERIC_MIME = "application/octet-stream"
# Content-Types that say nothing about the file: the bytes and the name are asked instead.
_UNINFORMATIVE = {"", GENERIC_MIME, "binary/octet-stream", "application/unknown",
                  "application/download", "application/x-download", "application/force-download",
                  "application/x-msdownload"}
_MIME_RE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
_EXT_RE = re.compile(r"[a-z0-9]{1,8}")
_SITE_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_SHA_RE = re.compile(r"[0-9a-f]{64}")
#: The shape of every path this module writes; a stored path of another shape is not trusted.
STORED_PATH_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}/[0-9a-f]{64}(\.[a-z0-9]{1,8})?")
_SNIFF_BYTES = 8192


# -- names on disk ---------------------------------------------------------------------------
def safe_site(site: str) -> str:
    """The directory of a site's files: its slug when it is a plain slug or host name, else a
    name derived from its hash (never ``..``, a separator or an empty name)."""
    slug = (site or "").strip().lower()
    if _SITE_RE.fullmatch(slug) and ".." not in slug:
        return slug
    return "site-" + hashlib.sha256((site or "").encode("utf-8", "replace")).hexdigest()[:16]


def _suffix(name: str) -> str | None:
    last = re.split(r"[/\\]", name)[-1]
    if "." not in last:
        return None
    ext = last.rsplit(".", 1)[1].strip().lower()
    return ext if _EXT_RE.fullmatch(ext) else None


def safe_ext(url: str, name: str | None = None) -> str | None:
    """The file's extension from its URL path, else from its link text, when it is 1-8 ASCII
    letters or digits (lowercased); else none."""
    return _suffix(unquote(urlsplit(url).path)) or (_suffix(name) if name else None)


def attachment_path(site: str, sha256: str, url: str, name: str | None = None) -> str:
    """Where the bytes with ``sha256`` from ``url`` live, relative to the files directory:
    ``<site>/<sha256>.<ext>``. Only the extension comes from the page, and only if it is
    1-8 ASCII letters or digits."""
    if not _SHA_RE.fullmatch(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    ext = safe_ext(url, name)
    return f"{safe_site(site)}/{sha256}{'.' + ext if ext else ''}"


def default_files_dir(archive_db: str | Path) -> Path:
    """``<archive stem>-files/`` beside the archive (archive.db → archive-files/)."""
    db = Path(archive_db)
    return db.with_name(f"{db.stem}-files")


# -- what a file is ----------------------------------------------------------------------
# Python's own table (not the machine's /etc/mime.types, so every machine guesses alike), plus
# the office and archive formats the portals attach that it lacks.
_MIMETYPES = mimetypes.MimeTypes()
for _type, _ext in (
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
        ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
        ("application/vnd.oasis.opendocument.text", ".odt"),
        ("application/vnd.oasis.opendocument.spreadsheet", ".ods"),
        ("application/vnd.rar", ".rar"),
        ("application/x-7z-compressed", ".7z")):
    _MIMETYPES.add_type(_type, _ext)


def guess_mime_from_name(name: str | None) -> str | None:
    """The media type its extension suggests (``Kế hoạch.PDF`` → application/pdf)."""
    ext = _suffix(name) if name else None
    return _MIMETYPES.guess_type(f"x.{ext}", strict=False)[0] if ext else None


def detect_mime(content_type: str | bytes | None, head: bytes, name: str | None,
                url: str) -> str:
    """The file's media type, lowercase without parameters: the server's Content-Type when it
    says something, else what the bytes are (magic numbers), else a guess from the link
    text or the URL's file name, else ``application/octet-stream``."""
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    declared = (content_type or "").split(";", 1)[0].strip().lower()
    if declared not in _UNINFORMATIVE and _MIME_RE.fullmatch(declared):
        return declared
    found = (filetype.guess_mime(head) if head else None) \
        or guess_mime_from_name(name) or guess_mime_from_name(unquote(urlsplit(url).path))
    return found.lower() if found else GENERIC_MIME


def _now() -> str:
    return datetime.now(VN_TZ).isoformat(timespec="seconds")


def _describe(exc: BaseException) -> str:
    """One line for an attachment's ``error``: "not fetched: Forbidden by robots.txt",
    "TimeoutError: …", or the message of our own FileException ("HTTP 404")."""
    if isinstance(exc.__cause__, IgnoreRequest):  # filtered (robots.txt, offsite) by Scrapy
        return f"not fetched: {exc.__cause__}"[:300]
    if isinstance(exc, IgnoreRequest):
        return f"not fetched: {exc}"[:300]
    text = str(exc).strip()
    if isinstance(exc, FileException) and text:
        return text[:300]
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__


class AttachmentsPipeline(FilesPipeline):
    """Downloads the attachments of each article and records them on its entries."""

    def __init__(self, store_uri: str | Path, *, crawler: Crawler) -> None:
        super().__init__(str(store_uri), crawler=crawler)
        self.files_dir = Path(store_uri)
        # Requests made for each item (by id), so results can be matched to entries.
        self._pending: dict[int, list[tuple[int, Request]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AttachmentsPipeline:
        settings = crawler.settings
        if not settings.getbool("FILES_ENABLED"):
            raise NotConfigured  # no message: a crawl without --files says nothing about it
        store = settings.get("FILES_STORE") or default_files_dir(settings.get("ARCHIVE_DB"))
        if "://" in str(store) and not str(store).startswith("file://"):
            raise NotConfigured(f"FILES_STORE must be a local directory, not {store}")
        store = Path(str(store).removeprefix("file://")).expanduser().resolve()
        return cls(store, crawler=crawler)

    # -- which attachments to fetch ------------------------------------------------------
    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article) or not item.attachments:
            return item
        return await super().process_item(item)

    def _stored_records(self, item: Article) -> dict[str, dict[str, Any]]:
        """URL → the stored download record of the archived version of ``item``."""
        from crawler.plumbing.run import run_context

        stored = run_context(self.crawler).archive.get_article(item.canonical_url)
        return {e["url"]: e for e in (stored or {}).get("attachments") or []
                if isinstance(e, dict) and e.get("url")}

    def _up_to_date(self, record: dict[str, Any] | None) -> bool:
        """Whether a stored record names a file still on disk, fetched within FILES_EXPIRES."""
        if not record or not record.get("sha256") or record.get("error"):
            return False
        path = record.get("path")
        if not isinstance(path, str) or not STORED_PATH_RE.fullmatch(path):
            return False
        if not (self.files_dir / path).is_file():
            return False
        try:
            fetched = datetime.fromisoformat(str(record.get("downloaded_at")))
        except ValueError:
            return False
        if fetched.tzinfo is None:
            fetched = fetched.replace(tzinfo=VN_TZ)
        return datetime.now(VN_TZ) - fetched <= timedelta(days=self.expires)

    def get_media_requests(self, item: Any, info: Any) -> list[Request]:
        spider = info.spider
        base_url = getattr(spider, "base_url", None)
        own_host = getattr(spider, "_own_host", None)
        fetch = getattr(spider, "fetch_url", None) or (lambda u: u)
        stored = self._stored_records(item)
        entries = [dict(e) for e in item.attachments]
        pending: list[tuple[int, Request]] = []
        for index, entry in enumerate(entries):
            url = entry.get("url") or ""
            host = urlsplit(url).hostname or ""
            if urlsplit(url).scheme not in ("http", "https") or not host:
                continue
            record = stored.get(url)
            if self._up_to_date(record):
                entry.update({k: record[k] for k in DOWNLOAD_KEYS if k in record})
                self.inc_stats("uptodate")
                continue
            offsite = own_host is not None and not own_host(host)
            if base_url and offsite:
                # Not on the mirror, and a mirror crawl talks to nothing else.
                self.crawler.stats.inc_value("file_status_count/skipped_mirror_offsite")
                continue
            pending.append((index, Request(
                fetch(url), callback=NO_CALLBACK,
                meta={"dost_url": url, "dost_name": entry.get("name"), "dost_site": item.site,
                      "allow_offsite": True})))
        item.attachments = entries
        self._pending[id(item)] = pending
        return [request for _index, request in pending]

    # -- downloading -------------------------------------------------------------------
    def media_to_download(self, request: Request, info: Any, *, item: Any = None) -> None:
        """Always download what was requested: get_media_requests already left out what the
        archive holds (files are named by their content, unknown before the download)."""
        return None

    def file_path(self, request: Request, response: Response | None = None, info: Any = None,
                  *, item: Any = None) -> str:
        if response is None:
            raise ValueError("attachment paths are named by content: a response is needed")
        return attachment_path(request.meta.get("dost_site") or "", _sha256(response.body),
                               request.meta.get("dost_url") or request.url,
                               request.meta.get("dost_name"))

    async def media_downloaded(self, response: Response, request: Request, info: Any, *,
                               item: Any = None) -> Any:
        url = request.meta.get("dost_url") or request.url
        if response.status != 200 or not response.body:
            error = f"HTTP {response.status}" if response.status != 200 else "empty file"
            logger.warning("attachment %s of %s: %s", url, getattr(item, "url", "?"), error)
            self.inc_stats("error")
            return {"url": request.url, "path": "", "checksum": None, "status": "error",
                    "error": error}
        result = dict(await super().media_downloaded(response, request, info, item=item))
        full = self.files_dir / result["path"]
        result.update(
            mime=detect_mime(response.headers.get("Content-Type"), response.body[:_SNIFF_BYTES],
                             request.meta.get("dost_name"), url),
            size=len(response.body),
            downloaded_at=_now(),
            sha256=result["checksum"],
        )
        logger.debug("attachment %s → %s", url, full)
        return result

    def file_downloaded(self, response: Response, request: Request, info: Any, *,
                        item: Any = None) -> str:
        """Write the bytes under their SHA-256 name (unless that file exists: same name, same
        bytes) and return the SHA-256 as the checksum."""
        path = self.file_path(request, response=response, info=info, item=item)
        full = self.files_dir / path
        if not (full.is_file() and full.stat().st_size == len(response.body)):
            full.parent.mkdir(parents=True, exist_ok=True)
            partial = full.with_name(full.name + ".part")
            partial.write_bytes(response.body)
            partial.replace(full)  # never a half-written file under a content name
        return _sha256(response.body)

    def media_failed(self, failure: Any, request: Request, info: Any) -> Any:
        exc = failure.value
        if isinstance(exc, IgnoreRequest):
            # Scrapy's own handling: a filtered request (robots.txt) is logged at DEBUG, not as
            # an error of the run; item_completed reads the reason from the exception's cause.
            self.inc_stats("filtered")
            return super().media_failed(failure, request, info)
        if isinstance(exc, FileException):
            raise exc
        error = _describe(exc)
        logger.warning("attachment %s: %s", request.meta.get("dost_url") or request.url, error)
        self.inc_stats("error")
        raise FileException(error) from exc

    # -- back onto the item ------------------------------------------------------------
    def item_completed(self, results: list[Any], item: Any, info: Any) -> Any:
        pending = self._pending.pop(id(item), [])
        entries = [dict(e) for e in item.attachments]
        for (index, _request), (ok, value) in zip(pending, results, strict=True):
            entry = {k: v for k, v in entries[index].items() if k not in DOWNLOAD_KEYS}
            if ok and value.get("error"):
                entry["error"] = value["error"]
            elif ok:
                entry.update({k: value[k] for k in DOWNLOAD_KEYS if k in value})
            else:
                entry["error"] = _describe(value.value)
            entries[index] = entry
        item.attachments = entries
        return item


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
