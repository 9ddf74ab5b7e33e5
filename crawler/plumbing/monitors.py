"""Monitors: after each run, per site, the checks that tell an operator something is wrong.

- ``zero_articles``: the run archived nothing *and* its listings showed nothing already
  archived (a layout change or an empty site answers like that; an unchanged incremental
  run does not: it sees known articles). On a first crawl too: a site that yields nothing
  the first time is as suspect as one that stops yielding.
- ``fallback_share``: more than ``max_fallback_share`` (default 20 %) of the articles the run
  read came through the fallback (no known variant of the site's CMS matched).
- ``alarm/<kind>``: what the spider itself reported (crawler/platforms/base.py ``Alarm``): a
  category whose first listing page no known variant could read, an article page no
  variant found a title and a body on, a listing that could not page.

The checks in ``DEGRADING`` make the run ``degraded`` rather than ``ok`` or ``errors``: the
site answered, but the archive got less of it than it should.
- ``coverage/<field>``: share of the articles written this run (new or updated) that have
  the field; defaults title 100 %, published_at 95 %, body_text 100 %.
- ``stale``: no new article for more than ``stale_days`` (default 60) days.
- ``error_ratio``: errors per response above ``max_error_ratio`` (default 10 %).

Thresholds are overridable per site with a ``monitor_thresholds`` dict on the spider (e.g.
a frozen legacy site sets ``stale_days: 0`` to switch the staleness check off).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

DEFAULTS: dict[str, float] = {
    "title": 1.0,
    "published_at": 0.95,
    "body_text": 1.0,
    "stale_days": 60,
    "max_error_ratio": 0.10,
    "max_fallback_share": 0.20,
}
#: Monitors whose failure makes a run ``degraded`` (names, or prefixes ending in "/").
DEGRADING = ("zero_articles", "fallback_share", "alarm/")
#: Alarms listed one by one up to this many per kind; past it, one summary line.
ALARMS_LISTED = 5
COVERAGE_FIELDS = ("title", "published_at", "body_text")


@dataclass(frozen=True)
class MonitorResult:
    name: str
    ok: bool
    value: float | None
    threshold: float | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def degrading(result: MonitorResult) -> bool:
    """Whether a failed monitor makes the run ``degraded``."""
    return not result.ok and any(result.name == d or (d.endswith("/") and
                                                      result.name.startswith(d))
                                 for d in DEGRADING)


def alarm_results(alarms: Iterable[Any]) -> list[MonitorResult]:
    """One failed ``alarm/<kind>`` result per alarm, the first ``ALARMS_LISTED`` of each
    kind; the rest of a kind in one more line with their count."""
    by_kind: dict[str, list[Any]] = {}
    for alarm in alarms:
        by_kind.setdefault(alarm.kind, []).append(alarm)
    out = []
    for kind, found in by_kind.items():
        out += [MonitorResult(f"alarm/{kind}", False, None, None, a.message)
                for a in found[:ALARMS_LISTED]]
        if len(found) > ALARMS_LISTED:
            out.append(MonitorResult(f"alarm/{kind}", False, float(len(found)), None,
                                     f"and {len(found) - ALARMS_LISTED} more pages like "
                                     f"these (the crawl log names each)"))
    return out


def evaluate(*, counts: dict[str, int], known_skipped: int, coverage: dict[str, Any],
             archived_before: int, last_new_at: str | None, now: datetime,
             overrides: dict[str, float] | None = None,
             alarms: Iterable[Any] = ()) -> list[MonitorResult]:
    """The monitor results of one site's run; ``coverage`` = {"n": …, field: count …,
    "fallback": articles read through the fallback}; ``alarms``: the spider's."""
    limits = {**DEFAULTS, **(overrides or {})}
    out: list[MonitorResult] = []
    written = counts.get("new", 0) + counts.get("updated", 0)
    seen = written + counts.get("unchanged", 0) + known_skipped
    if seen:
        message = f"{seen} articles seen"
    elif archived_before:
        message = ("no article at all (neither new nor known) although the site has "
                   f"{archived_before} archived")
    else:
        message = "no article at all on the first crawl of the site"
    out.append(MonitorResult("zero_articles", seen > 0, float(seen), None, message))
    n = coverage.get("n", 0)
    for field in COVERAGE_FIELDS:
        if not n:
            continue
        share = coverage.get(field, 0) / n
        out.append(MonitorResult(
            f"coverage/{field}", share >= limits[field], round(share, 4), limits[field],
            f"{field} on {coverage.get(field, 0)} of {n} articles written"))
    if limits["stale_days"] and last_new_at:
        days = (now - datetime.fromisoformat(last_new_at)).total_seconds() / 86400
        out.append(MonitorResult(
            "stale", days <= limits["stale_days"], round(days, 1), limits["stale_days"],
            f"last new article {days:.0f} days ago"))
    if n and coverage.get("fallback"):
        share = coverage["fallback"] / n
        out.append(MonitorResult(
            "fallback_share", share <= limits["max_fallback_share"], round(share, 4),
            limits["max_fallback_share"],
            f"{coverage['fallback']} of {n} articles written came through the fallback (no "
            "known variant of the site's CMS matched; flagged listing_fallback or "
            "detail_fallback)"))
    out += alarm_results(alarms)
    pages = counts.get("pages", 0)
    ratio = counts.get("errors", 0) / pages if pages else (1.0 if counts.get("errors") else 0.0)
    out.append(MonitorResult(
        "error_ratio", ratio <= limits["max_error_ratio"], round(ratio, 4),
        limits["max_error_ratio"], f"{counts.get('errors', 0)} errors in {pages} responses"))
    return out
