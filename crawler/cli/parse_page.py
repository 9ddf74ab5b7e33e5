"""``parse``: run one site's article parser on a saved page (fixtures, debugging)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from crawler.cli._common import UserError, main
from crawler.items import Article


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

