"""Moved to ``browse/`` (issue 17): the Datasette plugin is UI code, not storage. This
shim keeps the old import path working (``crawler/cli.py``'s ``make_datasette`` and older
branches use it); new code imports from ``browse.plugin``, ``browse.table_search``,
``browse.pages`` and ``browse.charts``. ``register()`` registers ``browse.plugin``.

Patching a constant here (``BROAD_AT``, ``SHOWN``) changes nothing: patch it in its home,
``browse.table_search``."""

from browse.charts import (
    FONT,
    OTHER_COLOR,
    STATUS_COLORS,
    WIDTH,
    month_heatmap_svg,
    run_bars_svg,
    runs_per_day_svg,
)
from browse.hits import HITS
from browse.pages import (
    archive_database,
    article_csp,
    load_article,
    paragraphs,
    safe_url,
    sanitize_filter,
)
from browse.plugin import (
    PLUGIN_NAME,
    TEMPLATES,
    asgi_wrapper,
    extra_template_vars,
    prepare_connection,
    prepare_jinja2_environment,
    register,
    render_cell,
)
from browse.table_search import (
    BOUNDED_ARG,
    BROAD_AT,
    FOLDED_FTS,
    SEARCH_NOTICE_KEY,
    SEARCH_SCOPE_KEY,
    SHOWN,
    fold_search_args,
)

__all__ = [
    "BOUNDED_ARG",
    "BROAD_AT",
    "FOLDED_FTS",
    "FONT",
    "HITS",
    "OTHER_COLOR",
    "PLUGIN_NAME",
    "SEARCH_NOTICE_KEY",
    "SEARCH_SCOPE_KEY",
    "SHOWN",
    "STATUS_COLORS",
    "TEMPLATES",
    "WIDTH",
    "archive_database",
    "article_csp",
    "asgi_wrapper",
    "extra_template_vars",
    "fold_search_args",
    "load_article",
    "month_heatmap_svg",
    "paragraphs",
    "prepare_connection",
    "prepare_jinja2_environment",
    "register",
    "render_cell",
    "run_bars_svg",
    "runs_per_day_svg",
    "safe_url",
    "sanitize_filter",
]
