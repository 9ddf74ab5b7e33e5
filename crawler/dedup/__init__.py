"""Near-duplicate detection: syndication clusters. Moved to core/near.py (issue 17); only the
old import path ``crawler.dedup.near`` is left here."""
