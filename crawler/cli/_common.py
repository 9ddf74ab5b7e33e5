"""What every command group shares: the ``main`` group, input errors, the archive opener,
the Scrapy settings, one site choice (``choose_sites``) and one run report (``report_runs``).

Exit status: 0 success; 1 a crawl ran but some site failed; 2 bad input (unknown site, bad
date, unrunnable search query, missing archive) — always with a one-line message, never a
traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import click

from crawler import __version__
from crawler.normalize.dates import parse_date
from crawler.registry import load_registry
from storage import Archive, ArchiveError

DEFAULT_DB = "archive.db"


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


# -- Scrapy settings ----------------------------------------------------------------------
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


def _warc_settings(settings: Any, warc_dir: Path | None, no_warc: bool) -> None:
    """--warc-dir / --no-warc, the same for `crawl` and `crawl --redis`."""
    if warc_dir:
        settings.set("WARC_DIR", str(warc_dir), priority="cmdline")
    if no_warc:
        settings.set("WARC_ENABLED", False, priority="cmdline")


@contextlib.contextmanager
def _writer_lock(db: str) -> Iterator[None]:
    """Hold the archive's run lock around a command that rewrites articles (reparse,
    recluster), so it never interleaves with a crawl; busy → one line, exit status 2."""
    from crawler.plumbing import lock

    try:
        with lock.archive_lock(db):
            yield
    except lock.ArchiveBusy as exc:
        raise UserError(str(exc)) from exc


def sync_registry(archive: Archive) -> None:
    """The registry's sites and departments into the archive, before a run writes to it
    (crawl and the distributed writer)."""
    from crawler.registry import load_dosts

    archive.sync_sites(s.as_row() for s in load_registry().values())
    archive.sync_dosts(d.as_row() for d in load_dosts().values())


# -- site choice: crawl, seed and check-live ----------------------------------------------
@dataclass(frozen=True)
class ChoiceMessages:
    """What a command says about a bad site choice (``{sites}``: the available ones,
    ``{unknown}``: the names without a spider or website)."""

    both: str = "give site names or --all, not both"
    none: str = "name one or more sites, or pass --all (sites: {sites})"
    unknown: str = "no spider or registry website for {unknown}; sites: {sites}"
    no_sites: str = ""  # what {sites} reads when there is no site at all


SEED_CHOICE = ChoiceMessages()

@dataclass(frozen=True)
class SiteChoice:
    """The sites a command was asked for, in order, and how each is crawled: by its own
    spider, or (a registry website without one) by the generic spider."""

    chosen: list[str]
    spiders: frozenset[str]  # the site spiders ("generic" excluded)
    available: list[str]

    def job(self, site: str, kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The spider that reads ``site`` and its arguments."""
        if site in self.spiders:
            return site, kwargs
        return "generic", {**kwargs, "site": site}

    def one_site_for(self, base_url: str | None) -> None:
        """A mirror (--base-url) stands for one site only."""
        if base_url and len(self.chosen) != 1:
            raise UserError("--base-url points one site at a mirror: name exactly one site")


def choose_sites(sites: Sequence[str], all_sites: bool, settings: Any,
                 messages: ChoiceMessages = SEED_CHOICE, *, loader: Any = None) -> SiteChoice:
    """The sites named (or all), checked against the spiders (of ``loader``, default a
    SpiderLoader of ``settings``) and the registry."""
    if loader is None:
        from scrapy.spiderloader import SpiderLoader

        loader = SpiderLoader.from_settings(settings)
    spiders = frozenset(loader.list()) - {"generic"}
    # Websites of the registry without a spider of their own are read by the generic spider.
    generic = {slug for slug, site in load_registry().items() if not site.spider}
    available = sorted(spiders | generic)
    listed = ", ".join(available) or messages.no_sites
    if all_sites and sites:
        raise UserError(messages.both.format(sites=listed))
    chosen = available if all_sites else list(dict.fromkeys(sites))
    if not chosen:
        raise UserError(messages.none.format(sites=listed))
    unknown = [s for s in chosen if s not in available]
    if unknown:
        raise UserError(messages.unknown.format(unknown=", ".join(unknown), sites=listed))
    return SiteChoice(chosen=chosen, spiders=spiders, available=available)


# -- the run report: crawl and write ------------------------------------------------------
RUN_COLUMNS = ["site", "status", "pages", "items", "new", "updated", "unchanged",
               "duplicates", "rejected", "gone", "errors", "alerts"]


def _print_runs(runs: list[dict[str, Any]]) -> None:
    click.echo(_table(runs, RUN_COLUMNS))


def _write_report(runs: list[dict[str, Any]], report: Path) -> None:
    """--report: the runs with their monitor results decoded, as JSON."""
    report.write_text(json.dumps(
        [{**r, "monitors": json.loads(r["monitors"] or "[]")} for r in runs],
        ensure_ascii=False, indent=2), encoding="utf-8")


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


def report_runs(runs: list[dict[str, Any]], sites: list[str], *,
                shown: list[dict[str, Any]] | None = None, report: Path | None = None) -> None:
    """The end of a crawl or a write: the runs' table (``shown``, default ``runs``), the
    --report file, then the alerts and the sites not ok (exit status 1 if any), judged on
    ``runs`` in their order (the last run of a site is its status)."""
    _print_runs(runs if shown is None else shown)
    if report:
        _write_report(runs, report)
    _exit_on_problems(runs, sites)
