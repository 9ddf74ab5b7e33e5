"""``check-live``: the command around crawler/checklive.py (fetch each site's listing and
one article; report what no longer matches)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from crawler.cli._common import (
    DEFAULT_DB,
    ChoiceMessages,
    _scrapy_settings,
    _table,
    choose_sites,
    main,
)

CHECK_CHOICE = ChoiceMessages(both="name one or more sites, or pass --all (sites: {sites})",
                              unknown="no spider or registry website for {unknown}")
CHECK_COLUMNS = ["site", "ok", "status", "tls_problem", "items", "listing_variant",
                 "article_variant", "missing", "layout_changed", "problem"]


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
    choice = choose_sites(sites, all_sites, settings, CHECK_CHOICE, loader=loader)
    choice.one_site_for(base_url)
    results = []
    for name in choice.chosen:
        spider_name, kwargs = choice.job(name, {"base_url": base_url})
        spider = loader.load(spider_name)(**kwargs)
        result = check_site(spider, timeout=timeout, user_agent=settings.get("USER_AGENT"))
        results.append(result)
        if not as_json:
            click.echo(f"checked {name}: {'ok' if result.ok else 'FAILED'}", err=True)
    if patch is not None:
        _write_patch(results, patch)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        _print_checks(results)
    if not all(r.ok for r in results):
        sys.exit(1)


def _write_patch(results: list[Any], patch: Path) -> None:
    """--registry-patch: the checked sites' registry tables, as the check settled them."""
    from crawler.checklive import registry_patch

    patch.write_text(registry_patch(results, date.today().isoformat()), encoding="utf-8")
    click.echo(f"check-live: registry tables of {len(results)} sites written to {patch}",
               err=True)


def _print_checks(results: list[Any]) -> None:
    """Each site's alarms and variant advice on stderr, then one table of the checks."""
    for r in results:
        for message in r.alarms:
            click.echo(f"check-live: {r.site}: {message}", err=True)
        _advise_variants(r)
    rows = [{**r.as_dict(), "ok": "ok" if r.ok else "FAILED",
             "missing": ", ".join(r.missing), "tls_problem": "yes" if r.tls_problem else "",
             "layout_changed": "yes" if r.layout_changed else "",
             "problem": r.error or r.tls_problem or (f"moved to {r.moved_to}"
                                                     if r.moved_to else "")}
            for r in results]
    click.echo(_table(rows, CHECK_COLUMNS))


def _advise_variants(r: Any) -> None:
    """A page matched another markup variant than the spider prefers: say which to set."""
    for kind, used in (("listing", r.listing_variant), ("detail", r.article_variant)):
        if used and r.preferred.get(kind) and used != r.preferred[kind]:
            click.echo(f"check-live: {r.site}: {kind} pages match variant {used}, not "
                       f"the spider's {r.preferred[kind]}: set "
                       f"{kind}_variant = {used!r} in its spider", err=True)
