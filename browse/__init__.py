"""Browsing the archive in Datasette: the plugin ``dost-archive serve`` loads, its search
rewrite, hit store, page data, charts and templates. UI code, above the storage layer: it
reads the archive through Datasette and ``storage``; nothing in ``storage`` imports it."""
