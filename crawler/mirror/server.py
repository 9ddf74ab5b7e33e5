"""Serve site models over HTTP on 127.0.0.1, one port per site (so root-relative links work).

``python -m crawler.mirror [--site S …] [--scenario update|gone] [--variant NAME …]
[--delay SECONDS] [--faults SEED] [--articles N] [--render-once]`` prints one JSON line
``{"sonla": "http://127.0.0.1:41234", …}`` and serves until interrupted; ``Mirror`` does the
same in-process for the demo. ``--delay`` answers every request that much later, a slow site:
it gives the crash tests time to kill a crawl at a chosen moment. ``--variant`` serves a markup
variant of the sites' CMS (``SiteModel.variants``, e.g. ``UIListNews_Default`` for a VNPT
site, crawler/mirror/sites/_vnpt.py) on every chosen site that knows it.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from crawler.mirror.faults import FaultPlan, request_target
from crawler.mirror.hostile import HostileModel
from crawler.mirror.sites import models
from crawler.mirror.sites.base import MirrorReply, MirrorRequest, SiteModel

MAX_BODY = 1_000_000
#: Served only when named (not a seed site, not in the demo): the hostile pages.
ON_REQUEST: dict[str, type[SiteModel]] = {"hostile": HostileModel}


_CLASS_ATTR = re.compile(r'class="([^"]*)"')


def redesigned(html: bytes) -> bytes:
    """The same page after a "redesign": every CSS class renamed, text and URLs unchanged.
    A spider whose selectors no longer match must be reported by check-live."""
    return _CLASS_ATTR.sub(lambda m: 'class="' + " ".join(f"v2-{c}" for c in m[1].split())
                           + '"', html.decode("utf-8")).encode("utf-8")


def _handler_for(model: SiteModel, redesign: bool = False,
                 delay: float = 0.0,
                 faults: FaultPlan | None = None,
                 render_once: bool = False) -> type[BaseHTTPRequestHandler]:
    rendered: dict[tuple[str, str], MirrorReply] = {}  # render_once: (path, query) → the reply

    def respond(request: MirrorRequest, query: str) -> MirrorReply:
        if not render_once or request.method not in ("GET", "HEAD") or request.body:
            return model.respond(request)
        key = (request.path, query)
        reply = rendered.get(key)
        if reply is None:
            reply = rendered[key] = model.respond(request)
        return reply

    class Handler(BaseHTTPRequestHandler):
        server_version = "DOSTMirror/1.0"
        # HTTP/1.1 with keep-alive, as the real IIS/Apache servers speak. (An HTTP/1.0 reply
        # without "Connection: close" lets Twisted pool a connection the server then closes,
        # and a POST sent on it fails.)
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: with Nagle's algorithm on, a kept-alive
        # connection waits for the client's delayed ACK (~40 ms) between them, every request.
        disable_nagle_algorithm = True

        def _serve(self, method: str) -> None:
            if delay:
                time.sleep(delay)  # a slow server (each request runs in its own thread)
            parts = urlsplit(self.path)
            length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
            request = MirrorRequest(
                method=method, path=unquote(parts.path), query=parse_qs(parts.query),
                body=self.rfile.read(length) if length else b"",
                headers={k.lower(): v for k, v in self.headers.items()},
            )

            def send(charset: str | None = None, truncate: bool = False) -> None:
                self._send(method, request, parts.query, charset, truncate)

            # A client that gave up (a stalled reply, a refused body) is not an error.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                if faults is None:
                    send()
                else:
                    faults.serve(self, request_target(parts.path, parts.query, request.body),
                                 send)

        def _send(self, method: str, request: MirrorRequest, query: str,
                  charset: str | None, truncate: bool) -> None:
            try:
                reply = respond(request, query)
            except Exception as exc:  # a model bug must show up as a 500, not a hang
                self.send_error(500, f"mirror error: {exc!r}")
                return
            data = reply.data
            content_type = reply.content_type
            if redesign and "html" in content_type:
                data = redesigned(data)
            if charset and "html" in content_type:  # a wrong declaration (fault mirror)
                content_type = content_type.split(";")[0] + f"; charset={charset}"
            self.send_response(reply.status)
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            if method == "HEAD":
                return
            if truncate:  # fewer bytes than announced, then the connection closes
                self.close_connection = True
                data = data[:len(data) // 2]
            self.wfile.write(data)

        def handle(self) -> None:
            # A client that hangs up mid-request (a refused body, a timeout) is not an error.
            with contextlib.suppress(ConnectionError):
                super().handle()

        def do_GET(self) -> None:
            self._serve("GET")

        def do_HEAD(self) -> None:
            self._serve("HEAD")

        def do_POST(self) -> None:
            self._serve("POST")

        def log_message(self, format: str, *args: object) -> None:  # quiet by default
            pass

    return Handler


def plan(seed: int | None) -> FaultPlan | None:
    """A fault plan per served site (each counts its own attempts), or None."""
    return None if seed is None else FaultPlan(seed)


class Mirror:
    """Start the mirror of ``sites`` in background threads; ``urls`` maps site → base URL.
    ``faults``: serve them through a ``FaultPlan`` with this seed (crawler/mirror/faults.py).
    ``offsite``: a URL on another server that hostile pages link and redirect to.
    ``variants``: markup variants (``SiteModel.variants``) applied, in order, to every chosen
    site that knows them; a name that no chosen site knows raises ValueError.
    ``render_once``: each GET page is rendered on its first request and its bytes served
    after (the benchmarks: a real site renders its pages on its own machine, not on the
    crawler's; here the rendering would take a share of the crawler's cores).
    """

    def __init__(self, sites: Iterable[str] | None = None, scenario: str = "base",
                 redesign: bool = False, delay: float = 0.0, faults: int | None = None,
                 offsite: str | None = None, variants: Iterable[str] = (),
                 render_once: bool = False) -> None:
        available = {**models(), **ON_REQUEST}
        chosen = list(sites) if sites else sorted(models())
        unknown = [s for s in chosen if s not in available]
        if unknown:
            raise ValueError(f"no mirror for {', '.join(unknown)}; "
                             f"mirrored sites: {', '.join(sorted(available))}")
        wanted = tuple(variants)
        known = {name for slug in chosen for name in available[slug].variants}
        strange = [v for v in wanted if v not in known]
        if strange:
            raise ValueError(f"no variant {', '.join(strange)} for {', '.join(chosen)}; known "
                             f"variants: {', '.join(sorted(known)) or 'none'}")
        self.servers: dict[str, ThreadingHTTPServer] = {}
        for slug in chosen:
            cls = available[slug]
            model = cls(scenario, tuple(v for v in wanted if v in cls.variants))
            if offsite:
                model.offsite_url = offsite  # type: ignore[attr-defined]
            server = ThreadingHTTPServer(("127.0.0.1", 0),
                                         _handler_for(model, redesign, delay,
                                                      plan(faults), render_once))
            server.daemon_threads = True
            self.servers[slug] = server
        # A short poll interval: shutdown() waits for the loop's next poll (0.5 s by default,
        # per server, which made every test that starts a mirror half a second slower).
        self.threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05},
                                         daemon=True)
                        for s in self.servers.values()]
        for t in self.threads:
            t.start()

    @property
    def urls(self) -> dict[str, str]:
        return {slug: f"http://127.0.0.1:{s.server_address[1]}"
                for slug, s in self.servers.items()}

    def close(self) -> None:
        for server in self.servers.values():
            server.shutdown()
            server.server_close()

    def __enter__(self) -> Mirror:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
