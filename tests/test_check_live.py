"""check-live against the mirror (ok), a redesigned mirror, a closed port and a moved site."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from crawler.cli import main
from crawler.mirror.sites import models
from tests.mirror_process import mirror_process

SITES = sorted(set(models()) - {"generic"})
pytestmark = pytest.mark.slow


def check(*args: str):
    result = CliRunner().invoke(main, ["check-live", *args, "--json"], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def test_every_mirrored_site_checks_ok():
    with mirror_process(*SITES) as urls:
        for site in SITES:
            code, [report] = check(site, "--base-url", urls[site])
            assert code == 0, report
            assert report["ok"] and report["status"] == 200 and report["items"] >= 5
            assert report["article_url"].startswith("http")
            assert "title" not in report["missing"] and "body_text" not in report["missing"]
            # Read with the spider's own guesses: nothing for the user to correct.
            assert report["listing_variant"] == report["preferred"]["listing"], report
            assert report["article_variant"] == report["preferred"]["detail"], report
            assert report["alarms"] == [] and report["fallback_links"] == 0


def test_a_redesigned_site_is_reported_as_layout_changed():
    with mirror_process("quangninh", "sonla", redesign=True) as urls:
        for site in ("quangninh", "sonla"):
            code, [report] = check(site, "--base-url", urls[site])
            assert code == 1
            assert report["reachable"] and report["layout_changed"] and report["items"] == 0
            # The same message as a crawl's alarm: the URL, every variant tried, the fallback.
            assert report["fallback_links"] >= 5 and report["listing_variant"] is None
            [alarm, *_] = report["alarms"]
            assert alarm.startswith(f"no listing variant matched on {report['url']}: tried ")
            assert ", ".join(report["listing_tried"]) in alarm
            assert f"generic fallback found {report['fallback_links']} links" in alarm
            # The article behind the first fallback link, read by the generic extractor.
            assert report["article_variant"] == "generic" and report["article_url"]


def test_a_site_on_another_known_variant_checks_ok_and_says_which():
    with mirror_process("sonla", variants=("UIListNews_Default", "Article-Detail-default")
                        ) as urls:
        code, [report] = check("sonla", "--base-url", urls["sonla"])
        plain = CliRunner().invoke(main, ["check-live", "sonla", "--base-url", urls["sonla"]],
                                   catch_exceptions=False)
    assert code == 0 and report["ok"], report
    assert report["listing_variant"] == "UIListNews_Default"
    assert report["listing_tried"] == ["UIArticleInMenu_Default", "UIListNews_Default"]
    assert report["article_variant"] == "Article-Detail-default"
    assert report["preferred"] == {"listing": "UIArticleInMenu_Default",
                                   "detail": "ArticleDetailControl"}
    # The table output tells the user what to write into the spider.
    assert plain.exit_code == 0
    assert "set listing_variant = 'UIListNews_Default' in its spider" in plain.stderr
    assert "set detail_variant = 'Article-Detail-default' in its spider" in plain.stderr


def test_generic_website_checks_ok_through_the_generic_path():
    with mirror_process("generic") as urls:
        code, [report] = check("haiduong", "--base-url", urls["generic"])
    assert code == 0, report
    assert report["ok"] and report["article_url"].startswith("https://haiduongdost.gov.vn/")


def test_a_closed_port_is_unreachable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, [report] = check("phutho", "--base-url", f"http://127.0.0.1:{port}", "--timeout", "5")
    assert code == 1 and not report["reachable"] and "cannot connect" in report["error"]


def test_a_redirect_to_another_domain_is_reported_as_moved():
    class Moved(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/new":  # the site's new home: a page on another host name
                body = "<html><body><p>Trang mới</p></body></html>".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
            else:
                body = b""
                self.send_response(301)
                self.send_header("Location", f"http://localhost:{self.server.server_port}/new")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Moved)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        code, [report] = check("vinhphuc", "--base-url",
                               f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
    assert code == 1 and report["moved_to"].startswith("http://localhost:")


def test_unknown_site_is_a_usage_error():
    result = CliRunner().invoke(main, ["check-live", "nowhere"])
    assert result.exit_code == 2 and "nowhere" in result.output


def test_the_registry_patch_says_what_was_confirmed_or_refuted_and_pastes_back(tmp_path):
    import tomllib
    from importlib.resources import files

    from crawler.registry import load_registry

    with mirror_process("sonla") as ok, mirror_process("quangninh", redesign=True) as redone:
        patches = {}
        for site, url in (("sonla", ok["sonla"]), ("quangninh", redone["quangninh"])):
            out = tmp_path / f"{site}.toml"
            result = CliRunner().invoke(main, ["check-live", site, "--base-url", url,
                                               "--registry-patch", str(out)])
            assert f"written to {out}" in result.stderr
            patches[site] = tomllib.loads(out.read_text(encoding="utf-8"))["site"][0]
    sonla, quangninh = patches["sonla"], patches["quangninh"]
    assert sonla["status"] == "live"
    assert sonla["evidence"]["domains"].startswith("CONFIRMED: check-live ")
    assert "listing read by variant UIArticleInMenu_Default" in sonla["evidence"]["platform"]
    assert quangninh["evidence"]["platform"].startswith("REFUTED: check-live ")
    assert "tried news-item, ListNews-table" in quangninh["evidence"]["platform"]
    assert quangninh["status"] == load_registry()["quangninh"].status  # not settled
    # Pasted over the sites' own tables, the registry still loads, with the new facts.
    text = (files("crawler.registry") / "sites.toml").read_text(encoding="utf-8")
    tables = text.split("\n[[site]]\n")
    for slug in patches:
        from crawler.scaffold import toml_string

        index = next(i for i, t in enumerate(tables) if f"slug = {toml_string(slug)}" in t)
        block = (tmp_path / f"{slug}.toml").read_text(encoding="utf-8").split("[[site]]\n", 1)[1]
        tables[index] = block.strip() + "\n"
    patched = tmp_path / "sites.toml"
    patched.write_text("\n[[site]]\n".join(tables), encoding="utf-8")
    registry = load_registry(patched)
    assert registry["sonla"].status == "live" and registry["sonla"].domains == \
        load_registry()["sonla"].domains
