"""Full-text query preparation and snippets for the two FTS5 indexes.

Users type FTS5 syntax (phrases, OR/NOT, NEAR, prefix*), Vietnamese words with or without
accents, and things like ``KH&CN`` or ``most.gov.vn`` that FTS5 cannot take bare. The query
is folded term by term (operators untouched), joined-word tokens are quoted as phrases, and
anything FTS5 still rejects becomes a ``QueryError`` with a one-line message.
"""

from __future__ import annotations

import re
import unicodedata

from core.fold import fold

OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})
# A query splits into phrases, parentheses, and bare tokens.
_TOKEN = re.compile(r'"[^"]*"|"[^"]*$|[()]|[^\s"()]+')
# Words joined by & . / - + (KH&CN, most.gov.vn, COVID-19, 05/6/2023): FTS5 needs them quoted.
_JOINED = re.compile(r"^\w+(?:[&./\-+']\w+)+$")
_WORD = re.compile(r"\w+")


class QueryError(ValueError):
    """A search query the archive cannot run; the message is one line for the user."""


def prepare_query(query: str, *, folded: bool) -> str:
    """Turn a user's query into an FTS5 MATCH expression for the exact or folded index."""
    query = unicodedata.normalize("NFC", query or "").strip()
    if not query:
        raise QueryError("empty search query")
    if query.count('"') % 2:
        raise QueryError(f"unclosed quote in query: {query}")
    out: list[str] = []
    for tok in _TOKEN.findall(query):
        if tok.startswith('"'):
            out.append(fold(tok) if folded else tok)
        elif tok in OPERATORS or tok in ("(", ")"):
            out.append(tok)
        elif _JOINED.match(tok.rstrip("*")):
            body = fold(tok.rstrip("*")) if folded else tok.rstrip("*")
            out.append(f'"{body}"' + ("*" if tok.endswith("*") else ""))
        else:
            # Column filters (title:) and NEAR groups pass through; FTS5 judges the rest.
            out.append(fold(tok) if folded else tok)
    return " ".join(out)


def phrase_query(query: str, *, folded: bool) -> str | None:
    """The typed words as one phrase (``"dong chi"``) for ranking whole-phrase matches
    first; None for a single word or a query with FTS5 syntax (quotes, operators,
    parentheses, prefixes, column filters), which already says what it wants."""
    query = unicodedata.normalize("NFC", query or "").strip()
    tokens = _TOKEN.findall(query)
    if len(tokens) < 2 or any(t.startswith('"') or t in OPERATORS or t in ("(", ")")
                              or t.endswith("*") or ":" in t for t in tokens):
        return None
    words = _WORD.findall(fold(query) if folded else query)
    return '"' + " ".join(words) + '"' if len(words) >= 2 else None


def query_terms(query: str) -> list[tuple[str, bool]]:
    """Folded search terms of ``query`` for highlighting: (term, is_prefix) pairs."""
    terms: list[tuple[str, bool]] = []
    query = re.sub(r"\b(?:title|summary|body_text)\s*:", " ", query or "")
    for tok in _TOKEN.findall(query):
        if tok in OPERATORS or tok in ("(", ")"):
            continue
        is_prefix = tok.endswith("*")
        words = _WORD.findall(fold(tok))
        for i, w in enumerate(words):
            if w.isdigit() and tok.upper().startswith("NEAR"):
                continue
            terms.append((w, is_prefix and i == len(words) - 1))
    return [t for t in terms if t[0] not in ("near",)]


def make_snippet(
    text: str, terms: list[tuple[str, bool]], *, width: int = 200,
    mark: tuple[str, str] = ("**", "**"),
) -> str:
    """A window of ``text`` around the first match, with every matched term marked.

    Matching runs on the folded text; folding keeps offsets, so marks land on the original
    (accented) words.
    """
    if not text:
        return ""
    folded = fold(text)
    spans: list[tuple[int, int]] = []
    for term, is_prefix in terms:
        pattern = r"(?<!\w)" + re.escape(term) + (r"\w*" if is_prefix else r"(?!\w)")
        spans.extend(m.span() for m in re.finditer(pattern, folded))
    spans.sort()
    if not spans:
        cut = text[:width]
        return cut + ("…" if len(text) > width else "")
    first = spans[0][0]
    start = max(0, first - width // 3)
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 30 else start
    end = min(len(text), start + width)
    pieces: list[str] = ["…" if start else ""]
    pos = start
    for s, e in spans:
        if s < pos or e > end:
            continue
        pieces.append(text[pos:s])
        pieces.append(mark[0] + text[s:e] + mark[1])
        pos = e
    pieces.append(text[pos:end])
    pieces.append("…" if end < len(text) else "")
    return "".join(pieces).replace("\n", " ")
