"""``dost-archive``: the command line of the archive (contract in DESIGN.md).

One module per command group; this package's ``main`` is the console script
(``dost-archive = crawler.cli:main``) and ``python -m crawler``. Importing the package
registers every command on ``main``; the names the one-module crawler/cli.py had are
re-exported here, so ``from crawler.cli import X`` keeps working.

- _common.py: ``main``, input errors, ``choose_sites``, ``report_runs``, Scrapy settings
- crawling.py: crawl · distributed.py: seed, crawl --redis, write
- query.py: search, export, sites, stats · maintenance.py: recluster, reparse
- serving.py: serve, make_datasette · checklive.py: check-live · parse_page.py: parse
- showcase.py: demo · crawler/scaffold.py: new-site

Exit status: 0 success; 1 a crawl ran but some site failed; 2 bad input (unknown site, bad
date, unrunnable search query, missing archive) — always with a one-line message, never a
traceback.
"""

from __future__ import annotations

from crawler.cli._common import (
    DEFAULT_DB,
    LOOPBACK_HOSTS,
    ChoiceMessages,
    SiteChoice,
    UserError,
    WholeHelpGroup,
    _day,
    _exit_on_problems,
    _is_loopback,
    _open,
    _print_runs,
    _scrapy_settings,
    _table,
    _writer_lock,
    choose_sites,
    main,
    report_runs,
    sync_registry,
)
from crawler.cli.checklive import check_live
from crawler.cli.crawling import _enable_files, _run_crawls, crawl
from crawler.cli.distributed import _crawl_distributed, _distributed, _redis, seed, write
from crawler.cli.maintenance import recluster, reparse
from crawler.cli.parse_page import parse
from crawler.cli.query import (
    COUNT_AT_MOST,
    EXPORT_COLUMNS,
    _write_export,
    export,
    search,
    sites,
    stats,
)
from crawler.cli.serving import METADATA_FILE, make_datasette, metadata_for, serve
from crawler.cli.showcase import DEMO_DB, _cli_command, demo

__all__ = [
    "COUNT_AT_MOST", "DEFAULT_DB", "DEMO_DB", "EXPORT_COLUMNS", "LOOPBACK_HOSTS",
    "METADATA_FILE", "ChoiceMessages", "SiteChoice", "UserError", "WholeHelpGroup",
    "_cli_command", "_crawl_distributed", "_day", "_distributed", "_enable_files",
    "_exit_on_problems", "_is_loopback", "_open", "_print_runs", "_redis", "_run_crawls",
    "_scrapy_settings", "_table", "_write_export", "_writer_lock", "check_live",
    "choose_sites", "crawl", "demo", "export", "main", "make_datasette", "metadata_for",
    "parse", "recluster", "reparse", "report_runs", "search", "seed", "serve", "sites",
    "stats", "sync_registry", "write",
]


def _register_commands() -> None:
    """Commands that live in their own modules outside this package."""
    from crawler.scaffold import new_site_command

    main.add_command(new_site_command)


_register_commands()

if __name__ == "__main__":
    main()
