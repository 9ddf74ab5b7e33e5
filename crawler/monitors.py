"""Monitors: after each run, per site, the checks that tell an operator something is wrong.

- ``zero_articles``: the run archived nothing *and* its listings showed nothing already
  archived, while the site has articles from earlier runs (a layout change or an empty site
  answers like that; an unchanged incremental run does not: it sees known articles).
- ``coverage/<field>``: share of the articles written this run (new or updated) that have
  the field; defaults title 100 %, published_at 95 %, body_text 100 %.
- ``stale``: no new article for more than ``stale_days`` (default 60) days.
- ``error_ratio``: errors per response above ``max_error_ratio`` (default 10 %).

Thresholds are overridable per site with a ``monitor_thresholds`` dict on the spider (e.g.
a frozen legacy site sets ``stale_days: 0`` to switch the staleness check off).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

DEFAULTS: dict[str, float] = {
    "title": 1.0,
    "published_at": 0.95,
    "body_text": 1.0,
    "stale_days": 60,
    "max_error_ratio": 0.10,
}
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


def evaluate(*, counts: dict[str, int], known_skipped: int, coverage: dict[str, Any],
             archived_before: int, last_new_at: str | None, now: datetime,
             overrides: dict[str, float] | None = None) -> list[MonitorResult]:
    """The monitor results of one site's run; ``coverage`` = {"n": …, field: count …}."""
    limits = {**DEFAULTS, **(overrides or {})}
    out: list[MonitorResult] = []
    written = counts.get("new", 0) + counts.get("updated", 0)
    seen = written + counts.get("unchanged", 0) + known_skipped
    out.append(MonitorResult(
        "zero_articles", not (seen == 0 and archived_before > 0), float(seen), None,
        "no article at all (neither new nor known) although the site has "
        f"{archived_before} archived" if seen == 0 and archived_before else
        f"{seen} articles seen"))
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
    pages = counts.get("pages", 0)
    ratio = counts.get("errors", 0) / pages if pages else (1.0 if counts.get("errors") else 0.0)
    out.append(MonitorResult(
        "error_ratio", ratio <= limits["max_error_ratio"], round(ratio, 4),
        limits["max_error_ratio"], f"{counts.get('errors', 0)} errors in {pages} responses"))
    return out
