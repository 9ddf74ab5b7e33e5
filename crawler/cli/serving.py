"""``serve``: browse the archive with Datasette; ``make_datasette`` builds the same app for
tests and benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from crawler.cli._common import DEFAULT_DB, _open, main

METADATA_FILE = Path(__file__).resolve().parents[2] / "storage" / "metadata.yml"


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
    (folded search, /article/{id}, /plots: browse/plugin.py). Tests use it too."""
    from datasette.app import Datasette

    from browse import plugin as datasette_plugin

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
