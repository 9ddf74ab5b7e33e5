"""The charts of ``/plots``, drawn as inline SVG on the server (no script, no CDN)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from core.fold import fold

WIDTH = 1200
STATUS_COLORS = {"ok": "#2f9e44", "degraded": "#fab005", "errors": "#f08c00",
                 "failed": "#e03131", "interrupted": "#c2255c", "running": "#868e96"}
OTHER_COLOR = "#7048e8"
FONT = 'font-family="Helvetica Neue, Helvetica, DejaVu Sans, sans-serif"'


def _ticks(top: float, count: int = 5) -> list[int]:
    """Round tick values from 0 to at least ``top`` (1, 2 or 5 × 10^k apart)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(int(step), 1)
    return list(range(0, math.ceil(top / step) * step + 1, step))


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _days(first: str, last: str) -> list[str]:
    from datetime import date, timedelta

    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def _blue(t: float) -> str:
    """A colour from light to dark blue for 0 < t <= 1."""
    light, dark = (208, 228, 245), (8, 48, 107)
    r, g, b = (round(a + (z - a) * t) for a, z in zip(light, dark, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def _svg(width: float, height: float, label: str, body: Iterable[str], **data: Any) -> Markup:
    attrs = "".join(f' data-{k.replace("_", "-")}="{escape(v)}"' for k, v in data.items())
    return Markup(
        f'<svg class="plot" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="100%" '
        f'style="max-width:{width:.0f}px" aria-label="{escape(label)}"{attrs} {FONT}>'
        f"<title>{escape(label)}</title>" + "".join(body) + "</svg>")


def _empty(label: str, message: str) -> Markup:
    return _svg(WIDTH, 60, label, [
        f'<text x="10" y="35" font-size="16" fill="#555">{escape(message)}</text>'], total=0)


def month_heatmap_svg(rows: Sequence[Mapping[str, Any]], *, row_key: str = "province",
                      month_key: str = "month", value_key: str = "articles",
                      label: str = "Articles per month, by province") -> Markup:
    """A heat map: one row per province, one column per month (gaps kept), total at right."""
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        month = str(r[month_key] or "")[:7]
        if not re.match(r"^\d{4}-\d{2}$", month):
            continue
        key = (str(r[row_key] or "(no province)"), month)
        counts[key] = counts.get(key, 0) + int(r[value_key] or 0)
    if not counts:
        return _empty(label, "No dated articles yet.")
    months = _months(min(m for _, m in counts), max(m for _, m in counts))
    totals: dict[str, int] = {}
    for (name, _), n in counts.items():
        totals[name] = totals.get(name, 0) + n
    names = sorted(totals, key=lambda n: (n.startswith("("), fold(n)))
    top = max(counts.values())
    left, right, head, cell_h = 190, 70, 34, 24
    cell_w = max(3.0, min(32.0, (WIDTH - left - right) / len(months)))
    plot_w = cell_w * len(months)
    width = left + plot_w + right
    height = head + cell_h * len(names) + 64
    out = []
    for i, month in enumerate(months):  # year labels and year boundaries
        if month.endswith("-01") or i == 0:
            x = left + i * cell_w
            out.append(f'<line x1="{x:.1f}" y1="{head - 14}" x2="{x:.1f}" '
                       f'y2="{head + cell_h * len(names)}" stroke="#adb5bd" stroke-width="1"/>')
            # The first, partial year is labelled only if its label fits before the next.
            room = (13 - int(month[5:7])) * cell_w
            if month.endswith("-01") or room >= 46 or i + 12 >= len(months):
                out.append(f'<text x="{x + 3:.1f}" y="{head - 4}" font-size="13" '
                           f'fill="#333">{month[:4]}</text>')
    for j, name in enumerate(names):
        y = head + j * cell_h
        out.append(f'<text x="{left - 8}" y="{y + cell_h * 0.68:.1f}" font-size="14" '
                   f'text-anchor="end" fill="#222">{escape(name)}</text>')
        for i, month in enumerate(months):
            n = counts.get((name, month), 0)
            fill = _blue(math.sqrt(n / top)) if n else "#f1f3f5"
            out.append(
                f'<rect class="cell" x="{left + i * cell_w:.2f}" y="{y + 1}" '
                f'width="{max(cell_w - 1, 1):.2f}" height="{cell_h - 2}" fill="{fill}" '
                f'data-row="{escape(name)}" data-month="{month}" data-count="{n}">'
                f"<title>{escape(name)} · {month}: {n} article{'s' if n != 1 else ''}</title>"
                "</rect>")
        out.append(f'<text x="{left + plot_w + 8:.1f}" y="{y + cell_h * 0.68:.1f}" '
                   f'font-size="13" fill="#333" class="total">{totals[name]}</text>')
    out.append(f'<text x="{left + plot_w + 8:.1f}" y="{head - 4}" font-size="12" '
               'fill="#666">total</text>')
    legend_y = head + cell_h * len(names) + 22
    out.append(f'<text x="{left}" y="{legend_y + 13}" font-size="13" fill="#333">'
               'articles in a month:</text>')
    steps = sorted({1, max(1, round(top / 4)), max(1, round(top / 2)), top})
    for k, n in enumerate(steps):
        x = left + 150 + k * 70
        out.append(f'<rect x="{x}" y="{legend_y}" width="18" height="18" '
                   f'fill="{_blue(math.sqrt(n / top))}"/>')
        out.append(f'<text x="{x + 24}" y="{legend_y + 14}" font-size="13" '
                   f'fill="#333">{n}</text>')
    x = left + 150 + len(steps) * 70
    out.append(f'<rect x="{x}" y="{legend_y}" width="18" height="18" fill="#f1f3f5" '
               'stroke="#dee2e6"/>')
    out.append(f'<text x="{x + 24}" y="{legend_y + 14}" font-size="13" fill="#333">none</text>')
    return _svg(width, height, label, out, total=sum(counts.values()), rows=len(names),
                months=len(months))


def _y_axis(out: list[str], left: float, top: float, plot_w: float, plot_h: float,
            ticks: list[int], title: str) -> None:
    for t in ticks:
        y = top + plot_h - plot_h * t / ticks[-1]
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}" '
                   f'stroke="{"#868e96" if t == 0 else "#e9ecef"}" stroke-width="1"/>')
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" font-size="13" text-anchor="end" '
                   f'fill="#333">{t}</text>')
    out.append(f'<text x="{left - 48}" y="{top + plot_h / 2:.1f}" font-size="13" fill="#333" '
               f'text-anchor="middle" transform="rotate(-90 {left - 48} '
               f'{top + plot_h / 2:.1f})">{escape(title)}</text>')


def _legend(out: list[str], x: float, y: float, items: Sequence[tuple[str, str]],
            marks: Sequence[tuple[str, str]] = ()) -> None:
    """Colour swatches, then triangle marks, left to right from (x, y)."""
    for label, color in items:
        out.append(f'<rect x="{x:.1f}" y="{y - 12}" width="14" height="14" fill="{color}"/>')
        out.append(f'<text x="{x + 20:.1f}" y="{y}" font-size="13" fill="#333">'
                   f"{escape(label)}</text>")
        x += 34 + 8 * len(label)
    for label, color in marks:
        out.append(f'<path d="M{x:.1f} {y + 1} l7 -13 l7 13 z" fill="{color}"/>')
        out.append(f'<text x="{x + 20:.1f}" y="{y}" font-size="13" fill="#333">'
                   f"{escape(label)}</text>")
        x += 34 + 8 * len(label)


def runs_per_day_svg(rows: Sequence[Mapping[str, Any]], *,
                     label: str = "Crawl runs per day, by status") -> Markup:
    """Stacked bars: crawl runs (one per site per crawl) each day, coloured by status."""
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        day = str(r["day"] or "")
        if re.match(r"^\d{4}-\d{2}-\d{2}$", day):
            key = (day, str(r["status"]))
            counts[key] = counts.get(key, 0) + int(r["runs"] or 0)
    if not counts:
        return _empty(label, "No crawl runs yet.")
    days = _days(min(d for d, _ in counts), max(d for d, _ in counts))
    statuses = [s for s in STATUS_COLORS if any(k[1] == s for k in counts)]
    statuses += sorted({s for _, s in counts} - set(statuses))
    per_day = {d: sum(n for (day, _), n in counts.items() if day == d) for d in days}
    ticks = _ticks(max(per_day.values()))
    left, top, plot_h, bottom = 70, 36, 200, 40
    plot_w = WIDTH - left - 20
    slot = plot_w / len(days)
    bar = min(48.0, slot * 0.8)
    out: list[str] = []
    _y_axis(out, left, top, plot_w, plot_h, ticks, "runs")
    every = max(1, math.ceil(len(days) / 16))
    for i, day in enumerate(days):
        x = left + i * slot + (slot - bar) / 2
        y = top + plot_h
        for status in statuses:
            n = counts.get((day, status), 0)
            if not n:
                continue
            h = plot_h * n / ticks[-1]
            y -= h
            color = STATUS_COLORS.get(status, OTHER_COLOR)
            out.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                       f'height="{h:.1f}" fill="{color}" data-day="{day}" '
                       f'data-status="{escape(status)}" data-count="{n}">'
                       f"<title>{day}: {n} {escape(status)} run{'s' if n != 1 else ''}"
                       "</title></rect>")
        if i % every == 0 or i == len(days) - 1:
            text = day if i == 0 or day[5:] == "01-01" else day[5:]
            out.append(f'<text x="{left + (i + 0.5) * slot:.1f}" y="{top + plot_h + 20}" '
                       f'font-size="13" text-anchor="middle" fill="#333">{text}</text>')
    _legend(out, left, 20, [(s, STATUS_COLORS.get(s, OTHER_COLOR)) for s in statuses])
    return _svg(WIDTH, top + plot_h + bottom, label, out,
                total=sum(counts.values()), days=len(days))


def run_bars_svg(rows: Sequence[Mapping[str, Any]], *,
                 label: str = "New and updated articles per crawl run") -> Markup:
    """One bar per run (oldest left): new articles, updated ones stacked on top.

    Runs that did not end ok or had errors get a red mark under their bar.
    """
    runs = [dict(r) for r in rows]
    if not runs:
        return _empty(label, "No crawl runs yet.")
    ticks = _ticks(max(int(r["new"] or 0) + int(r["updated"] or 0) for r in runs) or 1)
    left, top, plot_h, bottom = 70, 58, 200, 120
    plot_w = WIDTH - left - 20
    slot = plot_w / len(runs)
    bar = min(48.0, slot * 0.75)
    out: list[str] = []
    _y_axis(out, left, top, plot_w, plot_h, ticks, "articles")
    for i, run in enumerate(runs):
        x = left + i * slot + (slot - bar) / 2
        y = top + plot_h
        new, updated = int(run["new"] or 0), int(run["updated"] or 0)
        started = str(run["started_at"] or "")
        title = (f"run {run['id']} · {run['site']} · {started[:16].replace('T', ' ')} UTC · "
                 f"{run['status']}: {new} new, {updated} updated, {run['errors'] or 0} errors")
        for n, color, kind in ((new, "#1c7ed6", "new"), (updated, "#74c0fc", "updated")):
            if not n:
                continue
            h = plot_h * n / ticks[-1]
            y -= h
            out.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                       f'height="{h:.1f}" fill="{color}" data-run="{run["id"]}" '
                       f'data-kind="{kind}" data-count="{n}"><title>{escape(title)}</title>'
                       "</rect>")
        cx = left + (i + 0.5) * slot
        if run["status"] != "ok" or (run["errors"] or 0) > 0:
            out.append(f'<path class="problem" d="M{cx - 6:.1f} {top + plot_h + 15} '
                       f'l6 -11 l6 11 z" fill="#e03131"><title>{escape(title)}</title></path>')
        if started[:10] != str(runs[i - 1]["started_at"] or "")[:10] or i == 0:
            out.append(f'<line x1="{left + i * slot:.1f}" y1="{top - 18}" '
                       f'x2="{left + i * slot:.1f}" y2="{top + plot_h + 4}" stroke="#adb5bd" '
                       f'stroke-dasharray="3 3"/><text x="{left + i * slot + 4:.1f}" '
                       f'y="{top - 6}" font-size="12" fill="#555">{escape(started[:10])}</text>')
        site = str(run["site"])
        site = site if len(site) <= 16 else site[:15] + "…"
        out.append(f'<text x="{cx + 4:.1f}" y="{top + plot_h + 24}" font-size="12" fill="#333" '
                   f'text-anchor="end" transform="rotate(-50 {cx + 4:.1f} {top + plot_h + 24})">'
                   f"{escape(site)}</text>")
    _legend(out, left, 20, [("new", "#1c7ed6"), ("updated", "#74c0fc")],
            [("run not ok or with errors", "#e03131")])
    return _svg(WIDTH, top + plot_h + bottom, label, out, runs=len(runs),
                total=sum(int(r["new"] or 0) for r in runs))
