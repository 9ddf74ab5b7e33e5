"""The SQLite archive. Only this package writes SQL."""

from storage.archive import Archive, ArchiveError, SearchHit, UpsertResult
from storage.search import QueryError

__all__ = ["Archive", "ArchiveError", "QueryError", "SearchHit", "UpsertResult"]
