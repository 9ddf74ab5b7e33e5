"""Old import paths of the modules issue 17 moved, answered by the moved modules themselves.

``import crawler.run`` gives the module object ``crawler.plumbing.run`` (not a copy: patching
either name patches both), so Scrapy component paths in users' settings (``crawler.pipelines.
StorePipeline``), Scrapyd eggs and older code keep working, without a shim file per module
cluttering the tree a newcomer reads. New code imports the new paths.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType

_PLUMBING = ("decoding", "files", "lock", "middlewares", "monitors", "pipelines", "progress",
             "robots", "run", "warc", "writer")

#: old dotted path → where the module lives now
MOVED: dict[str, str] = {
    **{f"crawler.{name}": f"crawler.plumbing.{name}" for name in _PLUMBING},
    "crawler.normalize.fold": "core.fold",
    "crawler.normalize.urls": "core.urls",
    "crawler.normalize.html": "core.html",
    "crawler.dedup.near": "core.near",
}


class MovedFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """A finder/loader that answers an old path with the already-imported new module."""

    def find_spec(self, fullname: str, path: object = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(MOVED[spec.name])
        # The import system stamps the old spec on the module it gets back; keep its own.
        spec.loader_state = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        own = module.__spec__.loader_state if module.__spec__ else None
        if own is not None:
            module.__spec__ = own


def install() -> None:
    """Put the finder first on sys.meta_path (once): it only ever answers the names in MOVED."""
    if not any(isinstance(finder, MovedFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, MovedFinder())
