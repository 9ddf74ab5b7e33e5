"""Rewriting the archive in place: ``recluster`` and ``reparse`` (both under the run lock)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from crawler.cli._common import DEFAULT_DB, UserError, _open, _writer_lock, main


@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True)
def recluster(db: str) -> None:
    """Rebuild syndication clusters (after an upgrade, or a change of the threshold)."""
    _open(db).close()  # a clear message for a missing archive, before creating a lock file
    with _writer_lock(db), _open(db) as archive:
        total = archive.article_count()
        step = max(1, total // 20)

        def progress(done: int, of: int) -> None:
            if done % step == 0 or done == of:
                click.echo(f"  {done}/{of} articles", err=True)

        clusters = archive.recluster(progress=progress)
    click.echo(f"{clusters} syndication clusters over {total} articles")


@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True)
@click.option("--site", help="Only this site's articles.")
@click.option("--warc-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where the WARC files are (default: beside the archive, NAME-warc/).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def reparse(db: str, site: str | None, warc_dir: Path | None, as_json: bool) -> None:
    """Re-extract archived articles from their stored captures (no network); a changed
    result becomes a new revision."""
    from dataclasses import asdict

    from crawler.reparse import reparse as run_reparse

    with _open(db) as archive:  # a clear message for a missing or unusable archive
        if site and not archive.has_articles(site):
            raise UserError(f"no articles of site {site!r} in {db}")
    tty = sys.stderr.isatty()

    def progress(done: int, of: int) -> None:
        if tty and (done == of or done % 50 == 0):
            click.echo(f"\rreparse: {done}/{of}", err=True, nl=done == of)

    with _writer_lock(db):
        summary = run_reparse(db, site=site, warc_dir=warc_dir, progress=progress)
    if as_json:
        click.echo(json.dumps(asdict(summary), ensure_ascii=False, indent=2))
    else:
        click.echo(f"reparsed {summary.articles} articles: {summary.changed} changed "
                   f"(new revisions), {summary.unchanged} unchanged, {summary.no_capture} "
                   f"without a capture, {summary.failed} failed")
        for url in summary.changed_urls[:20]:
            click.echo(f"  changed: {url}")
    for problem in summary.problems:
        click.echo(f"dost-archive: reparse: {problem}", err=True)
    if summary.failed:
        sys.exit(1)
