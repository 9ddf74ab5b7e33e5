"""Fault injection for the mirror: a site that misbehaves the way small government servers do.

``python -m crawler.mirror --faults SEED`` serves every site through a ``FaultPlan``. Which
URL gets which fault is a pure function of the seed and the request target (path + query,
plus the body of a POST), so a test can compute, from the same plan, which pages a crawler
with N attempts per URL can get intact — and then check that a crawl archived exactly those.

Faults, with the share of URLs they hit (``RATES``):

- ``error`` (10 %): a 500/502/503/504 answer;
- ``stall`` (5 %): the answer comes after ``stall_seconds`` (longer than any sane download
  timeout); the server is threaded, so other requests go on meanwhile;
- ``reset``: the connection is closed with a TCP reset, no response at all;
- ``truncate``: ``Content-Length`` announces the whole body, half of it is sent, the
  connection closes;
- ``charset``: the page is served intact but its ``Content-Type`` says ``iso-8859-1`` while
  the body is UTF-8 (Apache's ``AddDefaultCharset`` mistake) — not a failure: a crawler must
  still read the Vietnamese text right;
- ``redirect_loop``: a 302 to ``LOOP_PATH``, which sends the client back (A → B → A).

Half of the error, stall, reset and truncate faults are transient: only the first request
for the URL fails and every later one is served (a server under load that recovers). The
rest, and every redirect loop, are permanent. ``robots.txt`` is always served cleanly.

Why it lives in the product, not under ``tests/``, though only tests crawl it: the
mirror server (``python -m crawler.mirror --faults SEED``, an option the README documents)
imports it, and ``tests/`` is not an installed package; moved there, the product would
import from its tests.
"""

from __future__ import annotations

import hashlib
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, quote, urlsplit

#: Share of URLs each fault hits (the rest are served normally).
RATES: dict[str, float] = {
    "error": 0.10, "stall": 0.05, "reset": 0.04, "truncate": 0.04, "charset": 0.05,
    "redirect_loop": 0.03,
}
#: Faults that can be transient (first request only); the others hit every request.
MAY_BE_TRANSIENT = frozenset({"error", "stall", "reset", "truncate"})
ERROR_STATUSES = (500, 502, 503, 504)
LOOP_PATH = "/__fault_loop__"
WRONG_CHARSET = "iso-8859-1"


@dataclass(frozen=True)
class Fault:
    kind: str
    #: Only the first request for the URL fails; later ones are served normally.
    transient: bool = False
    status: int = 503

    def hits(self, attempt: int) -> bool:
        """Whether request number ``attempt`` (1-based) for the URL gets this fault."""
        return not self.transient or attempt == 1

    @property
    def breaks(self) -> bool:
        """Whether the fault keeps the client from getting the page (charset does not)."""
        return self.kind != "charset"


def _unit(*parts: str) -> float:
    """A number in [0, 1) that depends only on ``parts``."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def request_target(path: str, query: str = "", body: bytes = b"") -> str:
    """What a fault is keyed on: path and query as requested, and a POST body's digest (AJAX
    listings post every page to one URL)."""
    target = path + (f"?{query}" if query else "")
    if body:
        target += "#" + hashlib.sha256(body).hexdigest()[:16]
    return target


class FaultPlan:
    """Which fault each request target gets, for one seed; counts attempts per target."""

    def __init__(self, seed: int, rates: dict[str, float] | None = None, *,
                 stall_seconds: float = 6.0) -> None:
        self.seed = seed
        self.rates = dict(RATES if rates is None else rates)
        if sum(self.rates.values()) > 1:
            raise ValueError("fault rates add up to more than 1")
        self.stall_seconds = stall_seconds
        self._attempts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def fault_for(self, target: str) -> Fault | None:
        """The fault of ``target``: a pure function of the seed and the target."""
        if urlsplit(target).path in ("/robots.txt", LOOP_PATH):
            return None
        u = _unit(str(self.seed), "kind", target)
        edge = 0.0
        for kind, rate in self.rates.items():
            edge += rate
            if u < edge:
                transient = (kind in MAY_BE_TRANSIENT
                             and _unit(str(self.seed), "transient", target) < 0.5)
                status = ERROR_STATUSES[int(_unit(str(self.seed), "status", target)
                                            * len(ERROR_STATUSES))]
                return Fault(kind, transient=transient, status=status)
        return None

    def servable(self, target: str, attempts: int) -> bool:
        """Whether a client that tries ``target`` up to ``attempts`` times gets it intact."""
        fault = self.fault_for(target)
        return fault is None or not fault.breaks or (fault.transient and attempts > 1)

    def summary(self, targets: Iterable[str]) -> Counter[str]:
        """How many of ``targets`` get each fault ("kind" or "kind/transient")."""
        out: Counter[str] = Counter()
        for target in targets:
            fault = self.fault_for(target)
            if fault is not None:
                out[fault.kind + ("/transient" if fault.transient else "")] += 1
        return out

    def next_attempt(self, target: str) -> int:
        with self._lock:
            self._attempts[target] += 1
            return self._attempts[target]

    # -- serving -----------------------------------------------------------------------
    def serve(self, handler: BaseHTTPRequestHandler, target: str,
              send: Callable[[str | None, bool], None]) -> None:
        """Answer the request ``handler`` holds, with its fault if this attempt gets one.

        ``send(charset, truncate)`` writes the normal reply; ``charset`` replaces the declared
        charset of an HTML reply, ``truncate`` sends half the body and closes.
        """
        path = urlsplit(target).path
        if path == LOOP_PATH:
            back = parse_qs(urlsplit(target).query).get("to", ["/"])[0]
            return _redirect(handler, back)
        fault = self.fault_for(target)
        if fault is None or not fault.hits(self.next_attempt(target)):
            return send(None, False)
        if fault.kind == "error":
            return _error(handler, fault.status)
        if fault.kind == "stall":
            time.sleep(self.stall_seconds)  # the client has given up by now
            return send(None, False)
        if fault.kind == "reset":
            return _reset(handler)
        if fault.kind == "truncate":
            return send(None, True)
        if fault.kind == "charset":
            return send(WRONG_CHARSET, False)
        if fault.kind == "redirect_loop":
            return _redirect(handler, f"{LOOP_PATH}?to={quote(target.split('#')[0], safe='')}")
        raise ValueError(f"unknown fault {fault.kind!r}")


def _error(handler: BaseHTTPRequestHandler, status: int) -> None:
    body = f"<html><body><h1>{status} - Lỗi máy chủ</h1></body></html>".encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _redirect(handler: BaseHTTPRequestHandler, location: str) -> None:
    handler.send_response(302)
    handler.send_header("Location", location)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def _reset(handler: BaseHTTPRequestHandler) -> None:
    """Close the connection with a TCP RST and no response."""
    handler.close_connection = True
    sock: socket.socket = handler.connection  # type: ignore[attr-defined]
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
