"""Reading the archive: ``search``, ``export``, ``stats``, and ``sites`` (the registry)."""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from crawler.cli._common import DEFAULT_DB, UserError, _day, _open, _table, main
from crawler.items import Article
from crawler.registry import RegistryError
from storage import QueryError

# -- search ------------------------------------------------------------------------------
#: ``search`` counts the matches up to this many, then says "more than": the exact count of
#: a common word costs a pass over every match (a second at a million articles).
COUNT_AT_MOST = 10_000


@main.command()
@click.argument("query")
@click.option("--db", default=DEFAULT_DB, show_default=True)
@click.option("--site", help="Only this site.")
@click.option("--from", "date_from", help="Published on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", help="Published on or before (YYYY-MM-DD).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--exact", is_flag=True, help="Keep accents and tone marks apart.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def search(query: str, db: str, site: str | None, date_from: str | None, date_to: str | None,
           limit: int, exact: bool, as_json: bool) -> None:
    """Full-text search; accent-, đ- and tone-placement-insensitive unless --exact."""
    tty = sys.stdout.isatty() and not as_json
    mark = ("\x1b[1;33m", "\x1b[0m") if tty else ("**", "**")
    filters = {"site": site, "date_from": _day(date_from, "--from"),
               "date_to": _day(date_to, "--to"), "exact": exact}
    with _open(db) as archive:
        try:
            hits = archive.search(query, limit=limit, mark=mark, **filters)
            total = (archive.count_matches(query, at_most=COUNT_AT_MOST, **filters)
                     if hits else 0)
        except QueryError as exc:
            raise UserError(str(exc)) from exc
    capped = total > COUNT_AT_MOST
    if as_json:
        click.echo(json.dumps({"query": query, "total": None if capped else total,
                               "total_at_least": total if capped else None,
                               "shown": len(hits),
                               "results": [h.__dict__ for h in hits]},
                              ensure_ascii=False, indent=2))
        return
    if not hits:
        click.echo("no results", err=True)
        return
    for i, h in enumerate(hits, 1):
        day = (h.published_at or "no date")[:10]
        click.echo(f"{i}. [{h.site}] {day}  {h.title or '(no title)'}")
        click.echo(f"   {h.url}")
        click.echo(f"   {h.snippet}")
    if capped:
        click.echo(f"{len(hits)} of more than {COUNT_AT_MOST:,} results"
                   + ("; a common query: newest first, not by relevance"
                      if any(h.ranked_by == "newest" for h in hits) else ""))
        return
    more = f"; --limit {total} shows all" if total > len(hits) else ""
    newest = ("; newest first (a broad query)"
              if any(h.ranked_by == "newest" for h in hits) else "")
    click.echo(f"{len(hits)} of {total} results{more}{newest}")


# -- export ------------------------------------------------------------------------------
#: Every column of the ``articles`` table the README documents: the contract's fields, then
#: the archive's own (identity, history, duplicates, removal, clusters, provenance).
EXPORT_COLUMNS = [*Article.field_names(), "id", "first_seen_at", "last_seen_at",
                  "last_changed_at", "revision_count", "duplicate_of", "gone_at", "gone_status",
                  "cluster_id", "capture_id"]


def _write_export(rows: Iterable[dict[str, Any]], fmt: str, fh: Any) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(fh, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
        writer.writeheader()
    for row in rows:
        if fmt == "csv":
            writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict)
                             else v for k, v in row.items()})
        else:
            fh.write(json.dumps({k: row.get(k) for k in EXPORT_COLUMNS}, ensure_ascii=False))
            fh.write("\n")
        count += 1
    return count


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True)
@click.option("--db", default=DEFAULT_DB, show_default=True)
@click.option("--site", help="Only this site.")
@click.option("--since", help="Published on or after (YYYY-MM-DD).")
@click.option("--until", help="Published on or before (YYYY-MM-DD).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (default: standard output).")
def export(fmt: str, db: str, site: str | None, since: str | None, until: str | None,
           output: Path | None) -> None:
    """Dump articles as JSON Lines or CSV (oldest first)."""
    with _open(db) as archive:
        rows = archive.iter_articles(site=site, since=_day(since, "--since"),
                                     until=_day(until, "--until"))
        if output is None:
            try:
                count = _write_export(rows, fmt, sys.stdout)
                sys.stdout.flush()
            except BrokenPipeError:
                # The reader stopped (`… | head -3`): that is what it asked for, not an error.
                # Point stdout at /dev/null so the interpreter's final flush cannot fail.
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                return
        else:
            # Written beside the target, then renamed: an interrupted export leaves no
            # half-file that looks complete.
            fd, tmp = tempfile.mkstemp(dir=output.parent or Path("."), suffix=".part")
            try:
                with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                    count = _write_export(rows, fmt, fh)
                os.replace(tmp, output)
            except BaseException:
                os.unlink(tmp)
                raise
    click.echo(f"exported {count} articles" + (f" to {output}" if output else ""), err=True)


# -- sites / stats -----------------------------------------------------------------------
@main.command()
@click.option("--json", "as_json", is_flag=True, help="Departments with all fields, as JSON.")
@click.option("--markdown", is_flag=True, help="The generated docs/sites.md.")
@click.option("--era", type=click.Choice(["pre2025", "post2025"]), help="Only one era.")
def sites(as_json: bool, markdown: bool, era: str | None) -> None:
    """Every provincial DOST before and after 1 July 2025, its lineage and websites."""
    from crawler.registry import load_dosts, render

    try:
        load_dosts()
        rows = [r for r in render.dost_rows() if not era or r["era"] == era]
    except RegistryError as exc:
        raise UserError(str(exc)) from exc
    if markdown:
        click.echo(render.markdown(), nl=False)
        return
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        r["province"] = (f"{r['province']} → {r['province_current']}"
                         if r["province"] != r["province_current"] else r["province"])
        r["domains"] = ", ".join(r["domains"])
        r["spiders"] = ", ".join(r["spiders"])
    click.echo(_table(rows, ["slug", "era", "province", "status", "spiders", "domains"]))


@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def stats(db: str, as_json: bool) -> None:
    """Per-site article counts, date range, flagged articles and the last run."""
    with _open(db) as archive:
        rows = archive.stats()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("the archive is empty", err=True)
        return
    for r in rows:
        r["first_published"] = (r["first_published"] or "")[:10]
        r["last_published"] = (r["last_published"] or "")[:10]
    click.echo(_table(rows, ["site", "articles", "duplicates", "syndicated", "flagged",
                             "gone", "revisions", "first_published", "last_published",
                             "last_run_started", "last_run_status", "last_run_new",
                             "last_run_alerts", "problem_runs", "rejected"]))
    problems = [r["site"] for r in rows if r["problem_runs"] or r["last_run_status"] not in
                (None, "ok")]
    if problems:
        click.echo(f"sites with problem runs: {', '.join(problems)} "
                   "(see the crawl_runs table or `dost-archive serve`)", err=True)
