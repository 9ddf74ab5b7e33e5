"""One module per mirrored site; each defines ``MODEL``, a ``SiteModel`` subclass."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from crawler.mirror.sites.base import SiteModel


@cache
def models() -> dict[str, type[SiteModel]]:
    """Every site model in this package, keyed by site slug."""
    found: dict[str, type[SiteModel]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        model = getattr(module, "MODEL", None)
        if model is not None:
            found[model.slug] = model
    return found
