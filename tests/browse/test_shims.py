"""The plugin's old home in the storage layer still answers (issue 17 moved it to browse/):
``crawler/cli.py`` and older code import ``storage.datasette_plugin`` and
``storage.datasette_hits``."""

from __future__ import annotations

from browse import charts, hits, pages, plugin, table_search
from storage import datasette_hits, datasette_plugin


def test_the_old_plugin_path_gives_the_same_objects():
    for name in datasette_plugin.__all__:
        new = next(getattr(m, name) for m in (plugin, table_search, pages, charts, hits)
                   if hasattr(m, name))
        assert getattr(datasette_plugin, name) is new, name
    assert datasette_plugin.TEMPLATES == plugin.TEMPLATES
    assert (plugin.TEMPLATES / "pages" / "plots.html").is_file()


def test_the_old_hit_store_path_gives_the_same_objects():
    assert datasette_hits.HITS is hits.HITS
    assert datasette_hits.HitStore is hits.HitStore


def test_register_registers_the_hooks_module():
    from datasette.plugins import pm

    datasette_plugin.register()
    assert pm.is_registered(plugin)
    assert pm.get_plugin(plugin.PLUGIN_NAME) is plugin
