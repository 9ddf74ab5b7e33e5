"""Near-duplicate detection moved to core/near.py (issue 17). This package stays so that the
old path ``crawler.dedup.near`` still imports (crawler/_moved.py answers it)."""
