"""``crawl``: one machine crawls sites into the archive (``crawl --redis`` hands over to
crawler/cli/distributed.py)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import click

from crawler.cli._common import (
    DEFAULT_DB,
    ChoiceMessages,
    UserError,
    _day,
    _is_loopback,
    _open,
    _scrapy_settings,
    _warc_settings,
    choose_sites,
    main,
    report_runs,
    sync_registry,
)

CRAWL_CHOICE = ChoiceMessages(
    none="no site to crawl: name one or more sites, or pass --all (sites: {sites})",
    no_sites="none yet")


@main.command()
@click.argument("sites", nargs=-1)
@click.option("--all", "all_sites", is_flag=True, help="Crawl every site that has a spider.")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Archive file.")
@click.option("--base-url", help="Crawl a mirror of the (single) site at this URL.")
@click.option("--since", help="Skip articles published before this date.")
@click.option("--full", is_flag=True, help="Walk every listing page, not only new ones.")
@click.option("--max-pages", type=click.IntRange(min=1), help="Listing pages per category.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and the summary.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the runs and their monitor results to this JSON file.")
@click.option("--warc-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where each run's WARC file goes (default: beside the archive, NAME-warc/).")
@click.option("--no-warc", is_flag=True, help="Do not keep raw captures (no reparse later).")
@click.option("--progress/--no-progress", default=None,
              help="Per-site counters on stderr while crawling [default: when stderr is a "
                   "terminal and not --quiet].")
@click.option("--files", "files", is_flag=True,
              help="Also download the articles' attachments (into --files-dir).")
@click.option("--files-dir", type=click.Path(path_type=Path),
              help="Where attachments go (implies --files); default: <archive stem>-files/ "
                   "beside the archive.")
@click.option("--redis", "redis_url", metavar="URL",
              help="Distributed mode: pull the sites' seeded runs from this Redis and push "
                   "items to it for `dost-archive write` (docs/distributed.md).")
@click.option("--max-idle", type=click.FloatRange(min=0), default=60.0, show_default=True,
              metavar="SECONDS", help="With --redis: stop once the queue was empty this long.")
def crawl(sites: tuple[str, ...], all_sites: bool, db: str, base_url: str | None,
          since: str | None, full: bool, max_pages: int | None, quiet: bool,
          report: Path | None, warc_dir: Path | None, no_warc: bool,
          progress: bool | None, files: bool, files_dir: Path | None,
          redis_url: str | None, max_idle: float) -> None:
    """Crawl SITE… (or --all) into the archive and print a per-site summary."""
    run_key = uuid.uuid4().hex
    settings = _scrapy_settings(db, run_key, quiet, loopback=_is_loopback(base_url))
    _warc_settings(settings, warc_dir, no_warc)
    settings.set("PROGRESS", {True: "on", False: "off", None: "off" if quiet else "auto"}
                 [progress], priority="cmdline")
    if files or files_dir:
        _enable_files(settings, db, files_dir)
    choice = choose_sites(sites, all_sites, settings, CRAWL_CHOICE)
    if redis_url:
        from crawler.cli.distributed import crawl_distributed

        crawl_distributed(choice.chosen, all_sites, redis_url, max_idle, quiet, {
            "--base-url": base_url, "--since": since, "--full": full, "--max-pages": max_pages,
            "--report": report,
            "--db": click.get_current_context().get_parameter_source("db")
            != click.core.ParameterSource.DEFAULT}, warc_dir=warc_dir, no_warc=no_warc)
        return
    choice.one_site_for(base_url)
    kwargs = _spider_kwargs(since, full, base_url, max_pages)
    jobs = [choice.job(site, kwargs) for site in choice.chosen]
    runs = _run_crawls(settings, jobs, db, run_key)
    report_runs(runs, choice.chosen, report=report)


def _spider_kwargs(since: str | None, full: bool, base_url: str | None,
                   max_pages: int | None) -> dict[str, Any]:
    """The spider arguments of one crawl, as `scrapy crawl -a` would give them (strings)."""
    kwargs: dict[str, Any] = {"since": _day(since, "--since"), "full": "1" if full else ""}
    if base_url:
        kwargs["base_url"] = base_url
    if max_pages:
        kwargs["max_pages"] = str(max_pages)
    return kwargs


def _enable_files(settings: Any, db: str, files_dir: Path | None) -> None:
    """Turn the attachments pipeline on (plumbing/files.py), with a usable files directory."""
    from crawler.plumbing.files import default_files_dir

    target = (files_dir or default_files_dir(db)).expanduser().resolve()
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"--files-dir: cannot use {target} as a directory ({exc.strerror})"
                        ) from exc
    settings.set("FILES_ENABLED", True, priority="cmdline")
    settings.set("FILES_STORE", str(target), priority="cmdline")


def _run_crawls(settings: Any, jobs: list[tuple[str, dict[str, Any]]], db: str,
                run_key: str) -> list[dict[str, Any]]:
    """Run the spiders in one CrawlerProcess; return their crawl_runs rows.

    The archive's run lock (plumbing/lock.py) is taken before anything touches the archive and
    held to the end: a second crawl of the same archive is refused with exit status 2. Runs
    a killed crawl left 'running' are then marked 'interrupted'.
    """
    from scrapy.crawler import CrawlerProcess

    from crawler.plumbing import lock

    try:
        taken = lock.acquire(db)
    except lock.ArchiveBusy as exc:
        raise UserError(str(exc)) from exc
    except OSError as exc:
        raise UserError(f"cannot lock {lock.lock_path(db)}: {exc.strerror}") from exc
    try:
        with _open(db, create=True) as archive:
            if taken:
                for run in archive.mark_interrupted_runs():
                    click.echo(f"dost-archive: run {run['id']} of {run['site']} (started "
                               f"{run['started_at']}) was interrupted; marked so", err=True)
            sync_registry(archive)
        process = CrawlerProcess(settings)
        for site, kwargs in jobs:
            process.crawl(site, **{k: v for k, v in kwargs.items() if v})
        process.start()
        with _open(db) as archive:
            return archive.runs_of(run_key, order_by="site")
    finally:
        lock.release(db)
