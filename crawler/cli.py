"""``dost-archive``: the command line of the archive (contract in DESIGN.md).

Exit status: 0 success; 1 a crawl ran but some site failed; 2 bad input (unknown site, bad
date, unrunnable search query, missing archive) — always with a one-line message, never a
traceback.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shlex
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import click

from crawler import __version__
from crawler.items import Article
from crawler.normalize.dates import parse_date
from crawler.registry import RegistryError, load_registry
from storage import Archive, ArchiveError, QueryError

DEFAULT_DB = "archive.db"
METADATA_FILE = Path(__file__).resolve().parent.parent / "storage" / "metadata.yml"


class UserError(click.ClickException):
    """Bad input: one line on stderr, exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"dost-archive: {self.format_message()}", err=True)


def _day(value: str | None, option: str) -> str | None:
    """A --from/--to/--since value as YYYY-MM-DD; accepts ISO or day-first (05/06/2023)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    parsed = parse_date(value)
    if parsed.value is None:
        raise UserError(f"{option}: cannot read {value!r} as a date (use YYYY-MM-DD)")
    return parsed.value.date().isoformat()


def _open(db: str, *, create: bool = False) -> Archive:
    try:
        return Archive(db, create=create)
    except ArchiveError as exc:
        raise UserError(str(exc)) from exc


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    widths = {c: max([len(c)] + [len(str(r.get(c) if r.get(c) is not None else ""))
                                 for r in rows]) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns),
             "  ".join("-" * widths[c] for c in columns)]
    for r in rows:
        lines.append("  ".join(
            str(r.get(c) if r.get(c) is not None else "").ljust(widths[c]) for c in columns))
    return "\n".join(lines)


class WholeHelpGroup(click.Group):
    """A group whose command list shows each command's first sentence whole, wrapped, not
    cut to the space left on one line ("Full-text search; accent-, đ- and...")."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=300)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=WholeHelpGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dost-archive")
def main() -> None:
    """Archive the news of Vietnam's provincial Departments of Science and Technology."""


# -- crawl -------------------------------------------------------------------------------
LOOPBACK_HOSTS = ("127.", "localhost", "::1", "[::1]")


def _is_loopback(url: str | None) -> bool:
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "") if url else ""
    return bool(host) and host.startswith(LOOPBACK_HOSTS)


def _scrapy_settings(db: str, run_key: str, quiet: bool, *, loopback: bool = False) -> Any:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("ARCHIVE_DB", db, priority="cmdline")
    settings.set("DOST_RUN_KEY", run_key, priority="cmdline")
    if quiet:
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    if loopback:
        # A mirror on this machine: politeness delays protect nobody, they only slow tests.
        settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 8, priority="cmdline")
    return settings


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
    if warc_dir:
        settings.set("WARC_DIR", str(warc_dir), priority="cmdline")
    if no_warc:
        settings.set("WARC_ENABLED", False, priority="cmdline")
    settings.set("PROGRESS", {True: "on", False: "off", None: "off" if quiet else "auto"}
                 [progress], priority="cmdline")
    if files or files_dir:
        _enable_files(settings, db, files_dir)
    from scrapy.spiderloader import SpiderLoader

    spiders = set(SpiderLoader.from_settings(settings).list()) - {"generic"}
    # Websites of the registry without a spider of their own are read by the generic spider.
    generic = {slug for slug, site in load_registry().items() if not site.spider}
    available = sorted(spiders | generic)
    if all_sites and sites:
        raise UserError("give site names or --all, not both")
    chosen = available if all_sites else list(dict.fromkeys(sites))
    if not chosen:
        raise UserError("no site to crawl: name one or more sites, or pass --all "
                        f"(sites: {', '.join(available) or 'none yet'})")
    unknown = [s for s in chosen if s not in available]
    if unknown:
        raise UserError(f"no spider or registry website for {', '.join(unknown)}; "
                        f"sites: {', '.join(available)}")
    if redis_url:
        _crawl_distributed(chosen, all_sites, redis_url, max_idle, quiet, {
            "--base-url": base_url, "--since": since, "--full": full, "--max-pages": max_pages,
            "--report": report,
            "--db": click.get_current_context().get_parameter_source("db")
            != click.core.ParameterSource.DEFAULT}, warc_dir=warc_dir, no_warc=no_warc)
        return
    if base_url and len(chosen) != 1:
        raise UserError("--base-url points one site at a mirror: name exactly one site")
    kwargs: dict[str, Any] = {"since": _day(since, "--since"), "full": "1" if full else ""}
    if base_url:
        kwargs["base_url"] = base_url
    if max_pages:
        kwargs["max_pages"] = str(max_pages)
    jobs = [(site, kwargs) if site in spiders else ("generic", {**kwargs, "site": site})
            for site in chosen]
    runs = _run_crawls(settings, jobs, db, run_key)
    _print_runs(runs)
    if report:
        report.write_text(json.dumps(
            [{**r, "monitors": json.loads(r["monitors"] or "[]")} for r in runs],
            ensure_ascii=False, indent=2), encoding="utf-8")
    _exit_on_problems(runs, chosen)


def _enable_files(settings: Any, db: str, files_dir: Path | None) -> None:
    """Turn the attachments pipeline on (crawler/files.py), with a usable files directory."""
    from crawler.files import default_files_dir

    target = (files_dir or default_files_dir(db)).expanduser().resolve()
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"--files-dir: cannot use {target} as a directory ({exc.strerror})"
                        ) from exc
    settings.set("FILES_ENABLED", True, priority="cmdline")
    settings.set("FILES_STORE", str(target), priority="cmdline")


@contextlib.contextmanager
def _writer_lock(db: str) -> Iterator[None]:
    """Hold the archive's run lock around a command that rewrites articles (reparse,
    recluster), so it never interleaves with a crawl; busy → one line, exit status 2."""
    from crawler import lock

    try:
        with lock.archive_lock(db):
            yield
    except lock.ArchiveBusy as exc:
        raise UserError(str(exc)) from exc


def _run_crawls(settings: Any, jobs: list[tuple[str, dict[str, Any]]], db: str,
                run_key: str) -> list[dict[str, Any]]:
    """Run the spiders in one CrawlerProcess; return their crawl_runs rows.

    The archive's run lock (crawler/lock.py) is taken before anything touches the archive and
    held to the end: a second crawl of the same archive is refused with exit status 2. Runs
    a killed crawl left 'running' are then marked 'interrupted'.
    """
    from scrapy.crawler import CrawlerProcess

    from crawler import lock
    from crawler.registry import load_dosts

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
            archive.sync_sites(s.as_row() for s in load_registry().values())
            archive.sync_dosts(d.as_row() for d in load_dosts().values())
        process = CrawlerProcess(settings)
        for site, kwargs in jobs:
            process.crawl(site, **{k: v for k, v in kwargs.items() if v})
        process.start()
        with _open(db) as archive:
            return list(archive.db["crawl_runs"].rows_where("run_key = ?", [run_key],
                                                            order_by="site"))
    finally:
        lock.release(db)


def _exit_on_problems(runs: list[dict[str, Any]], sites: list[str]) -> None:
    """One line per alert and one naming the sites whose run is not ``ok`` (degraded,
    errors, failed or missing); exit status 1 if there is any."""
    alerts = [(r["site"], m) for r in runs for m in json.loads(r["monitors"] or "[]")
              if not m["ok"]]
    for site, m in alerts:
        click.echo(f"dost-archive: alert {m['name']} for {site}: {m['message']}", err=True)
    status = {r["site"]: r["status"] for r in runs}  # the last run of each site
    not_ok = [f"{s} ({status.get(s, 'no run')})" for s in sites if status.get(s) != "ok"]
    if not_ok:
        click.echo(f"dost-archive: sites not ok: {', '.join(not_ok)}", err=True)
    if not_ok or alerts:
        sys.exit(1)


def _print_runs(runs: list[dict[str, Any]]) -> None:
    click.echo(_table(runs, ["site", "status", "pages", "items", "new", "updated",
                             "unchanged", "duplicates", "rejected", "gone", "errors",
                             "alerts"]))


# -- distributed mode: seed, crawl --redis, write (docs/distributed.md) -------------------
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


def _site_jobs(sites: tuple[str, ...], all_sites: bool, settings: Any) -> tuple[list[str],
                                                                                set[str]]:
    """The sites named (or all), checked, and the names of the site spiders."""
    from scrapy.spiderloader import SpiderLoader

    spiders = set(SpiderLoader.from_settings(settings).list()) - {"generic"}
    generic = {slug for slug, site in load_registry().items() if not site.spider}
    available = sorted(spiders | generic)
    if all_sites and sites:
        raise UserError("give site names or --all, not both")
    chosen = available if all_sites else list(dict.fromkeys(sites))
    if not chosen:
        raise UserError(f"name one or more sites, or pass --all (sites: {', '.join(available)})")
    unknown = [s for s in chosen if s not in available]
    if unknown:
        raise UserError(f"no spider or registry website for {', '.join(unknown)}; "
                        f"sites: {', '.join(available)}")
    return chosen, spiders


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
    from scrapy.spiderloader import SpiderLoader

    from crawler.platforms.base import title_key

    settings = _scrapy_settings(db, "seed", quiet=True)
    chosen, spiders = _site_jobs(sites, all_sites, settings)
    if base_url and len(chosen) != 1:
        raise UserError("--base-url points one site at a mirror: name exactly one site")
    kwargs: dict[str, Any] = {"since": _day(since, "--since"), "full": "1" if full else "",
                              "base_url": base_url, "max_pages": max_pages}
    dist = _distributed()
    server = _redis(dist, redis_url)
    incremental = not full and Path(db).exists()
    if not full and not incremental:
        click.echo(f"dost-archive: no archive at {db}: every listed article will be fetched",
                   err=True)
    loader = SpiderLoader.from_settings(settings)
    refused = []
    archive = _open(db) if incremental else None
    try:
        for site in chosen:
            name, args = (site, kwargs) if site in spiders else ("generic",
                                                                 {**kwargs, "site": site})
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
    finally:
        if archive is not None:
            archive.close()
    if refused:
        raise UserError("; ".join(refused))


def _crawl_distributed(chosen: list[str], all_sites: bool, redis_url: str, max_idle: float,
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
    server = _redis(dist, redis_url)
    runs = dist.load_runs(server)
    seeded = [runs[s] for s in chosen if s in runs and runs[s].state == "seeded"]
    if not seeded:
        raise UserError(f"no seeded run in Redis at {dist.redact(redis_url)} for "
                        f"{'any site' if all_sites else ', '.join(chosen)}: run "
                        "`dost-archive seed --redis URL SITE…` first")
    if not all_sites and len(seeded) < len(chosen):
        skipped = sorted(set(chosen) - {r.site for r in seeded})
        click.echo(f"dost-archive: not seeded, skipped: {', '.join(skipped)}", err=True)
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import SETTINGS_PRIORITIES
    from scrapy.spiderloader import SpiderLoader

    settings = _scrapy_settings(DEFAULT_DB, "worker", quiet)
    if warc_dir:
        settings.set("WARC_DIR", str(warc_dir), priority="cmdline")
    if no_warc:
        settings.set("WARC_ENABLED", False, priority="cmdline")
    mirror = _scrapy_settings(DEFAULT_DB, "worker", quiet, loopback=True)
    # What crawl changes for a mirror on loopback, for the runs seeded with one.
    cmdline = SETTINGS_PRIORITIES["cmdline"]
    loopback = {k: mirror[k] for k in mirror if mirror.getpriority(k) == cmdline
                and settings.getpriority(k) != cmdline}
    loader = SpiderLoader.from_settings(settings)

    def tweak(run: Any) -> Any:
        def configure(crawler_settings: Any) -> None:
            if _is_loopback(run.kwargs.get("base_url")):
                crawler_settings.update(loopback, priority=dist.CRAWLER_PRIORITY)
            dist.worker_settings(crawler_settings, redis_url, run, max_idle)
        return configure

    def spider_class(run: Any) -> Any:
        try:
            return loader.load(run.spider)
        except KeyError as exc:
            raise UserError(f"{run.site}: the run needs spider {run.spider!r}, which this "
                            "installation does not have (another version?)") from exc

    jobs = [(spider_class(run), run, tweak(run)) for run in seeded]
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

    from crawler.registry import load_dosts

    dist = _distributed()
    server = _redis(dist, redis_url)
    # The writer is the archive's one writer: it holds the run lock, like a crawl.
    with _writer_lock(db):
        with _open(db, create=True) as archive:
            archive.sync_sites(s.as_row() for s in load_registry().values())
            archive.sync_dosts(d.as_row() for d in load_dosts().values())
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
            runs = [r for key in keys for r in archive.db["crawl_runs"].rows_where(
                "run_key = ?", [key], order_by="id")]
    if not runs:
        click.echo(f"nothing written: no seeded run in Redis at {dist.redact(redis_url)}",
                   err=True)
        return
    _print_runs(sorted(runs, key=lambda r: (r["site"], r["id"])))
    _exit_on_problems(runs, sorted({r["site"] for r in runs}))


# -- check-live --------------------------------------------------------------------------
@main.command("check-live")
@click.argument("sites", nargs=-1)
@click.option("--all", "all_sites", is_flag=True, help="Every site with a spider or website.")
@click.option("--base-url", help="Check a mirror of the (single) site at this URL instead.")
@click.option("--timeout", default=30.0, show_default=True, help="Seconds per request.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--registry-patch", "patch", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the checked sites' registry tables, with the status and "
                   "evidence the check settled, to this file (to paste into sites.toml).")
def check_live(sites: tuple[str, ...], all_sites: bool, base_url: str | None, timeout: float,
               as_json: bool, patch: Path | None) -> None:
    """Fetch each site's listing and one article; report what no longer matches."""
    from scrapy.spiderloader import SpiderLoader

    from crawler.checklive import check_site

    settings = _scrapy_settings(DEFAULT_DB, "check-live", quiet=True)
    loader = SpiderLoader.from_settings(settings)
    spiders = set(loader.list()) - {"generic"}
    generic = {slug for slug, site in load_registry().items() if not site.spider}
    available = sorted(spiders | generic)
    chosen = available if all_sites else list(dict.fromkeys(sites))
    if not chosen or (all_sites and sites):
        raise UserError("name one or more sites, or pass --all "
                        f"(sites: {', '.join(available)})")
    unknown = [s for s in chosen if s not in available]
    if unknown:
        raise UserError(f"no spider or registry website for {', '.join(unknown)}")
    if base_url and len(chosen) != 1:
        raise UserError("--base-url points one site at a mirror: name exactly one site")
    results = []
    for name in chosen:
        cls = loader.load(name if name in spiders else "generic")
        spider = cls(base_url=base_url) if name in spiders else cls(site=name, base_url=base_url)
        result = check_site(spider, timeout=timeout, user_agent=settings.get("USER_AGENT"))
        results.append(result)
        if not as_json:
            click.echo(f"checked {name}: {'ok' if result.ok else 'FAILED'}", err=True)
    if patch is not None:
        from crawler.checklive import registry_patch

        patch.write_text(registry_patch(results, date.today().isoformat()), encoding="utf-8")
        click.echo(f"check-live: registry tables of {len(results)} sites written to {patch}",
                   err=True)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        for r in results:
            for message in r.alarms:
                click.echo(f"check-live: {r.site}: {message}", err=True)
            for kind, used in (("listing", r.listing_variant), ("detail", r.article_variant)):
                if used and r.preferred.get(kind) and used != r.preferred[kind]:
                    click.echo(f"check-live: {r.site}: {kind} pages match variant {used}, not "
                               f"the spider's {r.preferred[kind]}: set "
                               f"{kind}_variant = {used!r} in its spider", err=True)
        rows = [{**r.as_dict(), "ok": "ok" if r.ok else "FAILED",
                 "missing": ", ".join(r.missing), "tls_problem": "yes" if r.tls_problem else "",
                 "layout_changed": "yes" if r.layout_changed else "",
                 "problem": r.error or r.tls_problem or (f"moved to {r.moved_to}"
                                                         if r.moved_to else "")}
                for r in results]
        click.echo(_table(rows, ["site", "ok", "status", "tls_problem", "items",
                                 "listing_variant", "article_variant", "missing",
                                 "layout_changed", "problem"]))
    if not all(r.ok for r in results):
        sys.exit(1)


# -- demo --------------------------------------------------------------------------------
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
        import shutil

        from crawler.warc import warc_dir_for

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
            latest = archive.db.execute(
                "SELECT published_at, title FROM articles WHERE site = ? "
                "ORDER BY published_at DESC LIMIT 2", [site]).fetchall()
            for published, title in latest:
                click.echo(f"  [{site}] {(published or 'no date')[:10]}  {title}")
        total = archive.db["articles"].count
    from crawler.warc import warc_dir_for

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


# -- parse -------------------------------------------------------------------------------
@main.command()
@click.argument("site")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", help="The URL the page was fetched from [default: the url of a "
                              "meta.json beside the page, as fixtures have].")
@click.option("--fetched-at", help="When the page was fetched (ISO 8601); default now.")
def parse(site: str, file: Path, url: str | None, fetched_at: str | None) -> None:
    """Run SITE's article parser (or `generic`) on a saved page; print the article as JSON.

    Exit status 1, with a warning, when SITE's parser did not read the page with any of its
    markup variants (the fields then come from the generic extractor, as in a crawl) or
    nothing found a title and a body: a page of another site, or markup nobody knows."""
    from crawler.parsing import ParseError, parse_saved_page

    if url is None:
        meta = file.with_name("meta.json")
        try:
            url = json.loads(meta.read_text(encoding="utf-8"))["url"] if meta.exists() else None
        except (ValueError, KeyError, TypeError) as exc:
            raise UserError(f"{meta}: no url in it ({exc}); pass --url") from exc
        if not url:
            raise UserError(f"the URL of {file} is needed: pass --url URL (or put a "
                            "meta.json with a \"url\" beside the page)")
    try:
        article: Article = parse_saved_page(site, file.read_bytes(), url, fetched_at=fetched_at)
    except ParseError as exc:
        raise UserError(str(exc)) from exc
    click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))
    if {"no_title", "no_body"} <= set(article.flags):
        click.echo(f"dost-archive: no title and no body found in {file}: is it an article "
                   f"page{f' of {site}' if site != 'generic' else ''}?", err=True)
        sys.exit(1)
    if article.extractor == "generic-fallback":
        click.echo(f"dost-archive: {site}'s parser found no title and no body in {file} with "
                   f"any of its markup variants; the fields above are the generic extractor's "
                   f"(flag detail_fallback): is it a page of {site}?", err=True)
        sys.exit(1)


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


@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True)
def recluster(db: str) -> None:
    """Rebuild syndication clusters (after an upgrade, or a change of the threshold)."""
    _open(db).close()  # a clear message for a missing archive, before creating a lock file
    with _writer_lock(db), _open(db) as archive:
        total = archive.db["articles"].count
        step = max(1, total // 20)

        def progress(done: int, of: int) -> None:
            if done % step == 0 or done == of:
                click.echo(f"  {done}/{of} articles", err=True)

        clusters = archive.recluster(progress=progress)
    click.echo(f"{clusters} syndication clusters over {total} articles")


# -- serve -------------------------------------------------------------------------------
def metadata_for(db: str) -> dict[str, Any]:
    """The project's Datasette metadata, keyed by the database name Datasette will use.

    Datasette names a database after its file stem, so an archive called ``2025.db`` must
    get the ``archive`` section of ``metadata.yml`` under ``2025``.
    """
    import yaml

    metadata = yaml.safe_load(METADATA_FILE.read_text(encoding="utf-8"))
    metadata["databases"] = {Path(db).stem: metadata["databases"]["archive"]}
    return metadata


def make_datasette(db: str) -> Any:
    """Datasette on ``db`` as ``serve`` runs it: the project's metadata, templates and plugin
    (folded search, /article/{id}, /plots: storage/datasette_plugin.py). Tests use it too."""
    from datasette.app import Datasette

    from storage import datasette_plugin

    datasette_plugin.register()
    return Datasette([db], metadata=metadata_for(db),
                     template_dir=str(datasette_plugin.TEMPLATES),
                     settings={"default_page_size": 50, "truncate_cells_html": 240,
                               "facet_size": 15, "suggest_facets": False})


@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
def serve(db: str, host: str, port: int) -> None:
    """Browse the archive with Datasette (facets, full-text search, plots, article pages)."""
    _open(db).close()  # migrate first; Datasette then opens it read-mostly
    import uvicorn

    ds = make_datasette(db)
    click.echo(f"Serving {db} at http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    uvicorn.run(ds.app(), host=host, port=port, log_level="info", lifespan="on", workers=1)


# -- reparse -----------------------------------------------------------------------------
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

    _open(db).close()  # a clear message for a missing or unusable archive
    if site:
        with _open(db) as archive:
            if not archive.db.execute("SELECT 1 FROM articles WHERE site = ? LIMIT 1",
                                      [site]).fetchone():
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


def _register_commands() -> None:
    """Commands that live in their own modules."""
    from crawler.scaffold import new_site_command

    main.add_command(new_site_command)


_register_commands()

if __name__ == "__main__":
    main()
