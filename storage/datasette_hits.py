"""Moved to ``browse/hits.py`` (issue 17); this shim keeps the old import path working.
Patching ``KEEP`` here changes nothing: patch ``browse.hits.KEEP``."""

from browse.hits import ALIAS, HITS, KEEP, HitStore

__all__ = ["ALIAS", "HITS", "KEEP", "HitStore"]
