"""Near-duplicate detection: syndication clusters (see crawler/dedup/near.py)."""
