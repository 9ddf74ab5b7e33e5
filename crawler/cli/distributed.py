"""Distributed mode's commands (docs/distributed.md): ``seed`` opens runs in Redis,
``crawl --redis`` workers crawl them, ``write`` archives what they push. The machinery is
crawler.distributed, imported only when asked for: single-machine mode needs no Redis."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from crawler.cli._common import (
    DEFAULT_DB,
    SiteChoice,
    UserError,
    _day,
    _is_loopback,
    _open,
    _scrapy_settings,
    _table,
    _warc_settings,
    _writer_lock,
    choose_sites,
    main,
    report_runs,
    sync_registry,
)


def _distributed() -> Any:
    """crawler.distributed, imported only when asked for: single-machine mode needs no Redis."""
    try:
        from crawler import distributed
    except ImportError as exc:
        raise UserError(f"distributed mode needs scrapy-redis and redis ({exc}); "
                        "install requirements.txt") from exc
    return distributed


def _redis(dist: Any, url: str) -> Any:
    try:
        return dist.connect(url)
    except dist.DistributedError as exc:
        raise UserError(str(exc)) from exc


# -- seed ---------------------------------------------------------------------------------
@main.command()
@click.argument("sites", nargs=-1)
@click.option("--all", "all_sites", is_flag=True, help="Every site with a spider or website.")
@click.option("--redis", "redis_url", required=True, metavar="URL",
              help="The shared Redis, e.g. redis://10.0.0.5:6379/0.")
@click.option("--base-url", help="Crawl a mirror of the (single) site at this URL.")
@click.option("--since", help="Skip articles published before this date.")
@click.option("--full", is_flag=True, help="Walk every listing page, not only new ones.")
@click.option("--max-pages", type=click.IntRange(min=1), help="Listing pages per category.")
@click.option("--db", default=DEFAULT_DB, show_default=True,
              help="The archive whose articles count as known (incremental runs).")
@click.option("--restart", is_flag=True, help="Drop an unfinished run of the site first.")
def seed(sites: tuple[str, ...], all_sites: bool, redis_url: str, base_url: str | None,
         since: str | None, full: bool, max_pages: int | None, db: str,
         restart: bool) -> None:
    """Open a distributed run of SITE… (or --all) in Redis: arguments, known articles and
    start requests, for `crawl --redis` processes to crawl and `write` to archive."""
    settings = _scrapy_settings(db, "seed", quiet=True)
    choice = choose_sites(sites, all_sites, settings)
    choice.one_site_for(base_url)
    kwargs: dict[str, Any] = {"since": _day(since, "--since"), "full": "1" if full else "",
                              "base_url": base_url, "max_pages": max_pages}
    dist = _distributed()
    server = _redis(dist, redis_url)
    incremental = not full and Path(db).exists()
    if not full and not incremental:
        click.echo(f"dost-archive: no archive at {db}: every listed article will be fetched",
                   err=True)
    archive = _open(db) if incremental else None
    try:
        refused = _seed_sites(dist, server, settings, choice, kwargs, archive, restart)
    finally:
        if archive is not None:
            archive.close()
    if refused:
        raise UserError("; ".join(refused))


def _seed_sites(dist: Any, server: Any, settings: Any, choice: SiteChoice,
                kwargs: dict[str, Any], archive: Any, restart: bool) -> list[str]:
    """Seed each chosen site, with the archive's known articles (incremental runs); the
    refusals (a run already open) are returned, to be told together at the end."""
    from scrapy.spiderloader import SpiderLoader

    from crawler.platforms.base import title_key

    loader = SpiderLoader.from_settings(settings)
    refused = []
    for site in choice.chosen:
        name, args = choice.job(site, kwargs)
        known = ({url: title_key(title) for url, title in
                  archive.known_articles(site).items()} if archive else None)
        try:
            run, queued = dist.seed(server, loader.load(name),
                                    {k: v for k, v in args.items() if v}, site=site,
                                    known=known, restart=restart)
        except dist.DistributedError as exc:
            refused.append(str(exc))
            continue
        except ValueError as exc:  # a spider argument it cannot use (e.g. --base-url)
            raise UserError(f"{site}: {exc}") from exc
        click.echo(f"seeded {site}: {queued} start requests, {len(known or {})} known "
                   f"articles (run {run.run_key})")
    return refused


# -- crawl --redis ------------------------------------------------------------------------
def crawl_distributed(chosen: list[str], all_sites: bool, redis_url: str, max_idle: float,
                      quiet: bool, single_only: dict[str, Any], *, warc_dir: Path | None,
                      no_warc: bool) -> None:
    """`crawl --redis`: one worker per seeded site, pulling from the shared queue. Each
    writes its WARC captures to ``--warc-dir`` (default: beside ./archive.db), where
    `dost-archive write` must find them."""
    given = [option for option, value in single_only.items() if value]
    if given:
        raise UserError(f"{', '.join(given)}: not for `crawl --redis` (a run's arguments are "
                        "given to `dost-archive seed`; only `dost-archive write` opens the "
                        "archive)")
    dist = _distributed()
    seeded = _seeded_runs(dist, _redis(dist, redis_url), redis_url, chosen, all_sites)
    from scrapy.crawler import CrawlerProcess
    from scrapy.spiderloader import SpiderLoader

    settings = _scrapy_settings(DEFAULT_DB, "worker", quiet)
    _warc_settings(settings, warc_dir, no_warc)
    loopback = _loopback_overrides(settings, quiet)
    loader = SpiderLoader.from_settings(settings)
    jobs = [(_run_spider(loader, run), run,
             _worker_configure(dist, run, redis_url, max_idle, loopback)) for run in seeded]
    process = CrawlerProcess(settings)
    crawlers = dist.run_workers(process, jobs)
    process.start()
    rows = [{"site": run.site, "finish": c.stats.get_value("finish_reason"),
             "pages": c.stats.get_value("downloader/response_count", 0),
             "items": c.stats.get_value("item_scraped_count", 0),
             "errors": c.stats.get_value("log_count/ERROR", 0)}
            for run, c in zip(seeded, crawlers, strict=True)]
    click.echo(_table(rows, ["site", "finish", "pages", "items", "errors"]))
    if any(r["finish"] != "finished" for r in rows):
        sys.exit(1)


_crawl_distributed = crawl_distributed  # its name while it lived in crawler/cli.py


def _seeded_runs(dist: Any, server: Any, redis_url: str, chosen: list[str],
                 all_sites: bool) -> list[Any]:
    """The chosen sites' runs waiting in Redis; none → exit status 2, some → a warning."""
    runs = dist.load_runs(server)
    seeded = [runs[s] for s in chosen if s in runs and runs[s].state == "seeded"]
    if not seeded:
        raise UserError(f"no seeded run in Redis at {dist.redact(redis_url)} for "
                        f"{'any site' if all_sites else ', '.join(chosen)}: run "
                        "`dost-archive seed --redis URL SITE…` first")
    if not all_sites and len(seeded) < len(chosen):
        skipped = sorted(set(chosen) - {r.site for r in seeded})
        click.echo(f"dost-archive: not seeded, skipped: {', '.join(skipped)}", err=True)
    return seeded


def _loopback_overrides(settings: Any, quiet: bool) -> dict[str, Any]:
    """What crawl changes for a mirror on loopback, for the runs seeded with one."""
    from scrapy.settings import SETTINGS_PRIORITIES

    mirror = _scrapy_settings(DEFAULT_DB, "worker", quiet, loopback=True)
    cmdline = SETTINGS_PRIORITIES["cmdline"]
    return {k: mirror[k] for k in mirror if mirror.getpriority(k) == cmdline
            and settings.getpriority(k) != cmdline}


def _worker_configure(dist: Any, run: Any, redis_url: str, max_idle: float,
                      loopback: dict[str, Any]) -> Any:
    """The per-crawler settings of one run's worker."""
    def configure(crawler_settings: Any) -> None:
        if _is_loopback(run.kwargs.get("base_url")):
            crawler_settings.update(loopback, priority=dist.CRAWLER_PRIORITY)
        dist.worker_settings(crawler_settings, redis_url, run, max_idle)
    return configure


def _run_spider(loader: Any, run: Any) -> Any:
    """The spider class a seeded run names; a missing one is another version's run."""
    try:
        return loader.load(run.spider)
    except KeyError as exc:
        raise UserError(f"{run.site}: the run needs spider {run.spider!r}, which this "
                        "installation does not have (another version?)") from exc


# -- write --------------------------------------------------------------------------------
@main.command()
@click.option("--from-redis", "redis_url", required=True, metavar="URL",
              help="The Redis the crawlers push to.")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Archive file.")
@click.option("--until-idle", type=click.FloatRange(min=0), metavar="SECONDS",
              help="Exit once no run is left to write and none came for SECONDS; a run "
                   "without progress for SECONDS is closed as failed (default: run until "
                   "stopped).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and the summary.")
def write(redis_url: str, db: str, until_idle: float | None, quiet: bool) -> None:
    """The archive writer of distributed mode: store the items crawlers push to Redis through
    the normalize/validate/dedup/store pipelines, one crawl_runs row per site run."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.spiderloader import SpiderLoader

    dist = _distributed()
    server = _redis(dist, redis_url)
    # The writer is the archive's one writer: it holds the run lock, like a crawl.
    with _writer_lock(db):
        with _open(db, create=True) as archive:
            sync_registry(archive)
        settings = _scrapy_settings(db, "writer", quiet)
        settings.set("WARC_ENABLED", False, priority="cmdline")
        loader = SpiderLoader.from_settings(settings)

        def configure(crawler_settings: Any, run: Any) -> None:
            crawler_settings.set("DOST_RUN_KEY", run.run_key, priority=dist.CRAWLER_PRIORITY)
            crawler_settings.set("REDIS_URL", redis_url, priority=dist.CRAWLER_PRIORITY)

        def thresholds(run: Any) -> Any:
            try:
                return getattr(loader.load(run.spider), "monitor_thresholds", None)
            except KeyError:
                return None

        keys = dist.run_writer(CrawlerProcess(settings), server, until_idle, configure, thresholds)
        with _open(db) as archive:
            runs = [r for key in keys for r in archive.runs_of(key, order_by="id")]
    if not runs:
        click.echo(f"nothing written: no seeded run in Redis at {dist.redact(redis_url)}",
                   err=True)
        return
    report_runs(runs, sorted({r["site"] for r in runs}),
                shown=sorted(runs, key=lambda r: (r["site"], r["id"])))
