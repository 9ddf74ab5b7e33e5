"""Attachment downloads (crawler/plumbing/files.py): safe paths, media types, kept records, and the
pipeline against a loopback server that misbehaves in every way an attachment link can.

The pipeline runs in real Scrapy (``scrapy crawl`` of the probe spider below, in a
subprocess) against a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import threading
import zipfile
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import scrapy

from crawler.items import Article
from crawler.normalize.article import content_hash
from crawler.platforms.base import ArchiveSpider
from crawler.plumbing.files import (
    STORED_PATH_RE,
    attachment_path,
    default_files_dir,
    detect_mime,
    safe_ext,
    safe_site,
)
from storage import Archive

REPO = Path(__file__).resolve().parents[1]
SHA = hashlib.sha256(b"x").hexdigest()
PDF = b"%PDF-1.4\n%probe\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

HOSTILE_NAMES = [
    "../../etc/passwd", "..%2F..%2Fx.pdf", "/abs/path.pdf", "C:\\evil.doc", "a\x00b.pdf",
    "x" * 5000 + ".pdf", "Kế hoạch 2024.pdf", "evil.pdf/../../../x", "..", ".", "",
    "x.p$f", "x.verylongext", "..\\..\\windows\\system.ini", "x.PDF\n", "%00.pdf",
    "ﬁle.ＰＤＦ", "x.tar.gz", "/", "~/.ssh/id_rsa",
]
HOSTILE_URLS = [
    "https://h.gov.vn/../../etc/passwd", "https://h.gov.vn/..%2F..%2Fx.pdf",
    "https://h.gov.vn/abs/path.pdf", "https://h.gov.vn/C:%5Cevil.doc",
    "https://h.gov.vn/a%00b.pdf", "https://h.gov.vn/" + "y" * 5000 + ".pdf",
    "https://h.gov.vn/K%E1%BA%BF%20ho%E1%BA%A1ch%202024.pdf", "https://h.gov.vn/dir/",
    "https://h.gov.vn/", "https://h.gov.vn", "https://h.gov.vn/x.pdf?name=../../y.exe",
    "https://h.gov.vn/%2e%2e/%2e%2e/x", "https://h.gov.vn/x.pdf%2F..%2F..%2Fz",
]
HOSTILE_SITES = ["quangninh", "../x", "", "a/b", "..", ".", "Quảng Ninh", "x" * 200,
                 "www.example.gov.vn", "C:\\", "a\x00b", "/etc"]


# -- paths ----------------------------------------------------------------------------------
@pytest.mark.parametrize("site", HOSTILE_SITES)
def test_no_site_url_or_name_leads_outside_the_files_dir(site, tmp_path):
    root = tmp_path.resolve()
    for url in HOSTILE_URLS:
        for name in [*HOSTILE_NAMES, None]:
            path = attachment_path(site, SHA, url, name)
            assert STORED_PATH_RE.fullmatch(path), (site, url, name, path)
            resolved = (root / path).resolve()
            assert resolved.is_relative_to(root) and resolved.parent.parent == root, path
            assert resolved.name.startswith(SHA)


@pytest.mark.parametrize(("url", "name", "ext"), [
    ("https://h.gov.vn/K%E1%BA%BF%20ho%E1%BA%A1ch%202024.pdf", None, "pdf"),
    ("https://h.gov.vn/dl?id=7", "Kế hoạch 2024.pdf", "pdf"),
    ("https://h.gov.vn/..%2F..%2Fx.pdf", None, "pdf"),
    ("https://h.gov.vn/dir/", "C:\\evil.doc", "doc"),
    ("https://h.gov.vn/dir/", "a\x00b.PDF", "pdf"),
    ("https://h.gov.vn/dir/", "../../etc/passwd", None),
    ("https://h.gov.vn/dir/", None, None),
    ("https://h.gov.vn/x.verylongext", "x.p$f", None),
    ("https://h.gov.vn/a.tar.gz", None, "gz"),
    ("https://h.gov.vn/x", "ﬁle.ＰＤＦ", None),  # only ASCII letters and digits
])
def test_extension_comes_from_url_or_name_only_when_plain(url, name, ext):
    assert safe_ext(url, name) == ext
    path = attachment_path("quangninh", SHA, url, name)
    assert path == f"quangninh/{SHA}" + (f".{ext}" if ext else "")


def test_site_directory_is_the_slug_or_a_hash_of_it():
    assert safe_site("quangninh") == "quangninh"
    assert safe_site("www.example.gov.vn") == "www.example.gov.vn"
    for hostile in ("../x", "..", ".", "", "a/b", "Quảng Ninh", "x" * 200, "a..b"):
        name = safe_site(hostile)
        assert name.startswith("site-") and len(name) == 21, hostile
    assert safe_site("../x") != safe_site("a/b")


def test_only_digests_name_files():
    with pytest.raises(ValueError):
        attachment_path("quangninh", "../../etc/passwd", "https://h.gov.vn/x.pdf")


def test_default_files_dir_sits_beside_the_archive(tmp_path):
    assert default_files_dir(tmp_path / "archive.db") == tmp_path / "archive-files"
    assert default_files_dir("runs/demo.sqlite") == Path("runs/demo-files")


def test_a_files_dir_that_cannot_be_a_directory_is_a_one_line_error(tmp_path):
    from click.testing import CliRunner

    from crawler.cli import main

    taken = tmp_path / "taken"
    taken.write_text("a file, not a directory")
    result = CliRunner().invoke(main, ["crawl", "quangninh", "--db", str(tmp_path / "a.db"),
                                       "--files-dir", str(taken)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"dost-archive: --files-dir: cannot use {taken} as a directory (File exists)"]
    assert not (tmp_path / "a.db").exists()


# -- media types ----------------------------------------------------------------------------
def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.mark.parametrize(("declared", "head", "name", "url", "mime"), [
    ("Application/PDF; charset=binary", b"", None, "https://h/x", "application/pdf"),
    (b"application/pdf", b"", None, "https://h/x", "application/pdf"),
    ("application/octet-stream", PDF, None, "https://h/dl?id=1", "application/pdf"),
    ("application/force-download", _docx(), "x.bin", "https://h/x", DOCX_MIME),
    (None, b"\x00\x01", "Phụ lục kèm theo.DOCX", "https://h/dl?id=2", DOCX_MIME),
    (None, b"\x00\x01", None, "https://h/bang.xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("", b"\x00\x01", "Phụ lục", "https://h/dl", "application/octet-stream"),
    ("<script>alert(1)</script>", PDF, None, "https://h/x", "application/pdf"),
    # What the server says wins: a login page served for a .pdf link shows up as such.
    ("text/html; charset=utf-8", b"<html>", "x.pdf", "https://h/x.pdf", "text/html"),
])
def test_mime_from_content_type_then_bytes_then_name(declared, head, name, url, mime):
    assert detect_mime(declared, head, name, url) == mime


# -- records kept by the archive --------------------------------------------------------------
URL = "https://sokhcn.sonla.gov.vn/upload/ke-hoach.pdf"
RECORD = {"sha256": SHA, "mime": "application/pdf", "size": 1,
          "path": f"sonla/{SHA}.pdf", "downloaded_at": "2026-11-22T09:00:00+07:00"}


def _stored(archive: Archive, article: Article) -> dict[str, Any]:
    row = archive.get_article(article.canonical_url)
    assert row is not None
    return row


def test_download_records_are_not_content_and_survive_crawls_without_files(
        archive, make_article):
    plain = make_article(attachments=[{"url": URL, "name": "Kế hoạch"}])
    assert archive.upsert_article(plain).status == "new"
    # Downloaded later (unchanged article): the record is written, no revision made.
    downloaded = make_article(attachments=[{"url": URL, "name": "Kế hoạch", **RECORD}])
    assert downloaded.content_hash == plain.content_hash
    assert archive.upsert_article(downloaded).status == "unchanged"
    row = _stored(archive, plain)
    assert row["attachments"] == [{"url": URL, "name": "Kế hoạch", **RECORD}]
    assert row["revision_count"] == 1 and archive.db["revisions"].count == 1
    # A crawl without --files sees the plain entry again: the record stays.
    assert archive.upsert_article(plain).status == "unchanged"
    assert _stored(archive, plain)["attachments"] == [{"url": URL, "name": "Kế hoạch", **RECORD}]
    # The file is gone from the site now: the file already held is kept, the error noted.
    failed = make_article(attachments=[{"url": URL, "name": "Kế hoạch", "error": "HTTP 404"}])
    archive.upsert_article(failed)
    kept = _stored(archive, plain)["attachments"][0]
    assert kept["sha256"] == SHA and kept["path"] == RECORD["path"]
    assert kept["error"] == "HTTP 404"
    # The text changes (a revision) in a crawl without --files: the new version keeps it.
    edited = make_article(body_text=plain.body_text + " Đã sửa.",
                          attachments=[{"url": URL, "name": "Kế hoạch"}])
    assert archive.upsert_article(edited).status == "updated"
    latest = archive.revisions(_stored(archive, plain)["id"])[-1]
    assert latest["attachments"][0]["sha256"] == SHA
    assert _stored(archive, plain)["attachments"][0]["sha256"] == SHA


def test_a_new_download_replaces_the_record_and_an_unchanged_article_keeps_its_list(
        archive, make_article):
    first = make_article(attachments=[{"url": URL, "name": "a", **RECORD}])
    archive.upsert_article(first)
    newer = {**RECORD, "sha256": "f" * 64, "path": f"sonla/{'f' * 64}.pdf", "size": 2}
    other = "https://sokhcn.sonla.gov.vn/upload/phu-luc.docx"
    archive.upsert_article(make_article(attachments=[{"url": URL, "name": "a", **newer},
                                                     {"url": other, "name": "b"}]))
    row = _stored(archive, first)
    # Same text: only download records move; the list is a revision's business.
    assert row["attachments"] == [{"url": URL, "name": "a", **newer}]
    assert row["revision_count"] == 1


# -- the pipeline in a real crawl ------------------------------------------------------------
class ProbeSpider(ArchiveSpider):
    """Yields two articles whose attachments cover every case (``scrapy crawl`` runs it).

    ``-a live=URL``: the site is the server itself (a live crawl, allowed_domains = its
    host). ``-a base_url=URL``: the site is probe.example.gov.vn, mirrored at the server.
    """

    name = "attachment_probe"
    site = "probe"
    site_url = "https://probe.example.gov.vn"

    def __init__(self, *args: Any, live: str | None = None, other: str = "",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if live:
            self.site_url = live
            self.allowed_domains = ["127.0.0.1"]
        self.other = other

    async def start(self) -> Any:
        site = self.site_url
        # Pages robots.txt forbids, requested together before its rules are known
        # (crawler/plumbing/robots.py: Scrapy 2.19 let all but the first of them through).
        for n in range(3):
            yield scrapy.Request(self.fetch_url(f"{site}/private/page-{n}"),
                                 callback=self.parse_nothing)
        # The articles come from a page's callback: the engine closes as soon as it is idle.
        yield scrapy.Request(self.fetch_url(f"{site}/"), callback=self.articles)

    def articles(self, response: Any) -> Any:
        site = self.site_url
        files = [
            (f"{site}/files/plan.pdf", "Kế hoạch số 1.pdf"),
            (f"{site}/files/blob", "Phụ lục.docx"),
            (f"{site}/files/old.doc", "Công văn"),
            (f"{site}/files/missing.pdf", "Đã xoá"),
            (f"{site}/files/empty.pdf", "Rỗng"),
            (f"{site}/private/secret.pdf", "Mật"),
            (f"{site}/files/..%2F..%2Fescape.pdf", "../../escape.pdf"),
            (f"{self.other}/files/plan.pdf", "Trên máy khác"),
            (f"{self.other}/private/secret.pdf", "Mật, trên máy khác"),
            ("http://127.0.0.1:1/refused.pdf", "Không kết nối được"),
            ("mailto:vanthu@probe.example.gov.vn", "Thư"),
        ]
        for slug, attachments in (("a1", files), ("a2", files[:1])):
            fields: dict[str, Any] = {
                "url": f"{site}/{slug}", "canonical_url": f"{site}/{slug}", "site": self.site,
                "title": f"Bài {slug}", "body_text": "Nội dung bài viết. " * 20,
                "published_at": "2025-11-20T08:00:00+07:00",
                "fetched_at": "2025-11-22T09:00:00+07:00",
                "attachments": [{"url": u, "name": n} for u, n in attachments],
            }
            yield Article(**fields, content_hash=content_hash(fields))

    def parse_nothing(self, response: Any) -> None:
        raise AssertionError(f"robots.txt forbids {response.url}")


class Server:
    """A loopback HTTP server with fixed routes that counts the requests for each path."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {
            "/robots.txt": (200, {"Content-Type": "text/plain"},
                            b"User-agent: *\nDisallow: /private/\n"),
            "/": (200, {"Content-Type": "text/html"}, b"<html><body>probe</body></html>"),
            "/files/plan.pdf": (200, {"Content-Type": "Application/PDF; charset=binary"}, PDF),
            "/files/blob": (200, {"Content-Type": "application/octet-stream",
                                  "Content-Disposition": "attachment"}, _docx()),
            "/files/old.doc": (301, {"Location": "/files/new.doc"}, b""),
            "/files/new.doc": (200, {}, b"\xd0\xcf\x11\xe0 an old Word file"),
            "/files/empty.pdf": (200, {"Content-Type": "application/pdf"}, b""),
            "/private/secret.pdf": (200, {"Content-Type": "application/pdf"}, PDF),
            "/files/..%2F..%2Fescape.pdf": (200, {"Content-Type": "application/pdf"},
                                            PDF + b"%escape\n"),
        }
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits[self.path] += 1
                status, headers, body = server.routes.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def file_hits(self) -> Counter[str]:
        return Counter({p: n for p, n in self.hits.items() if p not in ("/robots.txt", "/")})


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = Server()
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()


def run_probe(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "tests.e2e.settings",
           "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", ProbeSpider.name, "-s",
         f"SPIDER_MODULES={__name__}", "-s", f"ARCHIVE_DB={db}", "-s", "RETRY_TIMES=0",
         "-s", "LOG_LEVEL=" + os.environ.get("PROBE_LOG", "INFO"), *args],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return result


def entries(db: Path, slug: str, site: str) -> dict[str, dict[str, Any]]:
    """The stored attachment entries of article ``slug``, by URL relative to ``site``."""
    with Archive(db) as archive:
        row = archive.get_article(f"{site}/{slug}")
    assert row is not None
    return {e["url"].removeprefix(site): e for e in row["attachments"]}


@pytest.mark.slow
def test_pipeline_records_every_kind_of_attachment_and_downloads_once(server, tmp_path):
    live = f"http://127.0.0.1:{server.port}"
    other = f"http://localhost:{server.port}"
    db = tmp_path / "probe.db"
    files = tmp_path / "probe-files"
    before = server.file_hits()
    run_probe(db, "-a", f"live={live}", "-a", f"other={other}", "-s", "FILES_ENABLED=1")
    got = entries(db, "a1", live)
    downloaded = ("/files/plan.pdf", "/files/blob", "/files/old.doc",
                  "/files/..%2F..%2Fescape.pdf", f"{other}/files/plan.pdf")
    for key in downloaded:
        entry = got[key]
        data = (files / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), key
        assert entry["size"] == len(data) and "error" not in entry
        assert entry["path"].startswith(f"probe/{entry['sha256']}")
        assert (files / entry["path"]).resolve().is_relative_to(files.resolve())
        assert entry["downloaded_at"].endswith("+07:00")
    assert got["/files/plan.pdf"]["mime"] == "application/pdf"  # lowercased, no parameters
    assert got["/files/plan.pdf"]["path"].endswith(".pdf")
    assert got["/files/blob"]["mime"] == DOCX_MIME  # sniffed: the server said octet-stream
    assert got["/files/blob"]["path"].endswith(".docx")  # from the link text
    # Through the redirect; no Content-Type sent, the bytes say nothing: the name decides.
    assert got["/files/old.doc"]["mime"] == "application/msword"
    assert (files / got["/files/old.doc"]["path"]).read_bytes() == \
        server.routes["/files/new.doc"][2]
    assert got["/files/missing.pdf"]["error"] == "HTTP 404"
    assert "sha256" not in got["/files/missing.pdf"]
    assert got["/files/empty.pdf"]["error"] == "empty file"
    # robots.txt is obeyed, on the site's host and on the other one.
    for secret in ("/private/secret.pdf", f"{other}/private/secret.pdf"):
        assert got[secret]["error"] == "not fetched: Forbidden by robots.txt", secret
    assert got["http://127.0.0.1:1/refused.pdf"]["error"].startswith(
        "DownloadConnectionRefusedError: ")
    assert got["mailto:vanthu@probe.example.gov.vn"] == {
        "url": "mailto:vanthu@probe.example.gov.vn", "name": "Thư"}
    # Another host (offsite for the spider) is fetched on a live crawl; the same bytes at
    # two URLs are one file.
    here, there = got["/files/plan.pdf"], got[f"{other}/files/plan.pdf"]
    assert (there["sha256"], there["path"]) == (here["sha256"], here["path"])
    assert sorted(p.name for p in (files / "probe").iterdir()) == sorted(
        {Path(got[k]["path"]).name for k in downloaded})
    # The same URL in a second article is downloaded once in a run.
    assert entries(db, "a2", live)["/files/plan.pdf"]["sha256"] == here["sha256"]
    hits = server.file_hits() - before
    assert hits["/files/plan.pdf"] == 2  # once per host
    assert not [p for p in hits if p.startswith("/private/")], hits
    assert server.hits["/robots.txt"] >= 2  # one per host

    # Again: what is on disk is not fetched again; the failures are tried again.
    before = server.file_hits()
    mtimes = {p: p.stat().st_mtime_ns for p in (files / "probe").iterdir()}
    run_probe(db, "-a", f"live={live}", "-a", f"other={other}", "-s", "FILES_ENABLED=1")
    hits = server.file_hits() - before
    assert set(hits) == {"/files/missing.pdf", "/files/empty.pdf"}, hits
    assert {p: p.stat().st_mtime_ns for p in (files / "probe").iterdir()} == mtimes
    assert entries(db, "a1", live) == got
    with Archive(db) as archive:
        assert archive.db["revisions"].count == 2


@pytest.mark.slow
def test_mirror_crawl_fetches_through_the_mirror_and_leaves_other_hosts_alone(server,
                                                                              tmp_path):
    mirror = f"http://127.0.0.1:{server.port}"
    other = f"http://localhost:{server.port}"
    db = tmp_path / "m.db"
    before = server.file_hits()
    run_probe(db, "-a", f"base_url={mirror}", "-a", f"other={other}", "-s", "FILES_ENABLED=1",
              "-s", f"FILES_STORE={tmp_path / 'elsewhere'}")
    got = entries(db, "a1", ProbeSpider.site_url)
    # Archived under the site's own URL, fetched from the mirror.
    assert got["/files/plan.pdf"]["url"] == "https://probe.example.gov.vn/files/plan.pdf"
    assert (tmp_path / "elsewhere" / got["/files/plan.pdf"]["path"]).read_bytes() == PDF
    assert not (tmp_path / "m-files").exists()
    assert got[f"{other}/files/plan.pdf"] == {"url": f"{other}/files/plan.pdf",
                                              "name": "Trên máy khác"}
    hits = server.file_hits() - before
    assert hits["/files/plan.pdf"] == 1  # the mirror's copy only
    assert not [p for p in hits if p.startswith("/private/")], hits


@pytest.mark.slow
def test_without_files_enabled_the_pipeline_is_not_even_loaded(server, tmp_path):
    live = f"http://127.0.0.1:{server.port}"
    before = server.file_hits()
    result = run_probe(tmp_path / "off.db", "-a", f"live={live}", "-a",
                       f"other=http://localhost:{server.port}")
    assert "crawler.pipelines.StorePipeline" in result.stderr
    assert "AttachmentsPipeline" not in result.stderr
    assert server.file_hits() - before == Counter()
    got = entries(tmp_path / "off.db", "a1", live)
    assert got["/files/plan.pdf"] == {"url": f"{live}/files/plan.pdf",
                                      "name": "Kế hoạch số 1.pdf"}
    assert not (tmp_path / "off-files").exists()
