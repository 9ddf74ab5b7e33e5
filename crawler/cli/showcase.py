"""``demo``: the offline showcase — mirror the seed sites on loopback, crawl them, show the
archive and the next commands to try."""

from __future__ import annotations

import shlex
import shutil
import sys
import uuid
from pathlib import Path

import click

from crawler.cli._common import UserError, _open, _print_runs, _scrapy_settings, main
from crawler.cli.crawling import _run_crawls

DEMO_DB = "demo-archive.db"


@main.command()
@click.option("--db", default=DEMO_DB, show_default=True, help="Archive to create.")
@click.option("--force", is_flag=True, help="Replace --db if it already exists.")
def demo(db: str, force: bool) -> None:
    """Offline showcase: mirror the seed sites on loopback, crawl them, show the archive."""
    from scrapy.spiderloader import SpiderLoader

    from crawler.mirror.server import Mirror
    from crawler.mirror.sites import models

    path = Path(db)
    if path.exists():
        if db != DEMO_DB and not force:
            raise UserError(f"{db} already exists; pass --force to replace it")
        for leftover in (path, Path(f"{db}-wal"), Path(f"{db}-shm")):
            leftover.unlink(missing_ok=True)
        from crawler.plumbing.warc import warc_dir_for

        shutil.rmtree(warc_dir_for(db), ignore_errors=True)  # its captures went with it
    run_key = uuid.uuid4().hex
    settings = _scrapy_settings(db, run_key, quiet=True, loopback=True)
    spiders = set(SpiderLoader.from_settings(settings).list())
    sites = sorted(spiders & set(models()))
    if not sites:
        raise UserError("no mirrored site has a spider")
    with Mirror(sites) as mirror:
        click.echo(f"Mirror of {len(sites)} sites on 127.0.0.1; crawling them into {db} …",
                   err=True)
        jobs = [(s, {"base_url": mirror.urls[s]}) for s in sites if s != "generic"]
        if "generic" in sites:  # the unidentified seed-002 site, read by the generic spider
            jobs.append(("generic", {"base_url": mirror.urls["generic"],
                                     "start_url": models()["generic"].site_url + "/"}))
        runs = _run_crawls(settings, jobs, db, run_key)
    _print_runs(runs)
    with _open(db) as archive:
        click.echo("")
        for site in [r["site"] for r in runs]:
            for published, title in archive.latest_articles(site, limit=2):
                click.echo(f"  [{site}] {(published or 'no date')[:10]}  {title}")
        total = archive.article_count()
    from crawler.plumbing.warc import warc_dir_for

    cli, name = _cli_command(), shlex.quote(db)
    click.echo(f"\n{total} articles archived in {db}; raw captures (WARC) in "
               f"{warc_dir_for(db)}/. Next (from this folder):")
    click.echo(f"  {cli} search \"dong chi\" --db {name}   # accents optional")
    click.echo(f"  {cli} stats --db {name}")
    click.echo(f"  {cli} serve --db {name}   # then open "
               f"http://127.0.0.1:8001/{Path(db).stem}/articles?_search=dong+chi")
    click.echo(f"  {cli} reparse --db {name}   # re-extract from the captures, offline")
    if any(r["status"] != "ok" for r in runs) or len(runs) != len(jobs):
        sys.exit(1)


def _cli_command() -> str:
    """How to run this command again from the current folder, as a user would type it:
    ``dost-archive`` when that name on PATH is this installation, else the path of the
    console script beside this Python (``.venv/bin/dost-archive`` after the Quick start,
    whose venv is not activated), else ``python -m crawler``."""
    script = Path(sys.executable).with_name("dost-archive")
    found = shutil.which("dost-archive")
    if found and script.exists() and Path(found).resolve() == script.resolve():
        return "dost-archive"
    if script.exists():
        try:
            return shlex.quote(str(script.relative_to(Path.cwd())))
        except ValueError:
            return shlex.quote(str(script))
    return f"{shlex.quote(sys.executable)} -m crawler"
