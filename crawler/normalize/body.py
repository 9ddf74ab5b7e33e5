"""An article body cleaned of page chrome, with its byline and view count lifted out."""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.normalize.boilerplate import (
    _VIEW_PREFIX_RE,
    _bare,
    _dup_key,
    _is_boilerplate,
    _is_tail_marker,
    _is_title_line,
    _parse_int,
    _split_glued,
)
from crawler.normalize.bylines import split_byline
from crawler.normalize.paragraphs import clean_inline

__all__ = ["Body", "clean_body"]


@dataclass
class Body:
    """A cleaned article body plus the metadata lifted out of it."""

    text: str
    paragraphs: list[str]
    author: str | None
    source: str | None
    view_count: int | None
    removed: list[str] = field(default_factory=list)


def clean_body(paragraphs: list[str], *, title: str | None = None,
               cleaned: bool = False) -> Body:
    """Strip page chrome from article paragraphs and lift out byline and view count.

    Order matters: cut the tail first (so sidebar lists never reach the byline check), drop
    whole-line boilerplate and duplicate captions, drop a leading title line, and only then
    look for the byline at the very end. ``cleaned``: the paragraphs are non-empty
    ``clean_inline`` output already (``html_to_paragraphs`` gives that), so the per-line
    cleaning, which would return them unchanged, is skipped (a fifth of this function's time).
    """
    removed: list[str] = []
    kept: list[str] = []
    view_count: int | None = None

    lines = list(paragraphs) if cleaned else [c for p in paragraphs if (c := clean_inline(p))]
    for idx, line in enumerate(lines):
        pieces = _split_glued(line)
        cut = False
        for pos, raw in enumerate(pieces):
            piece = raw
            bare = _bare(piece)
            vm = _VIEW_PREFIX_RE.match(bare)
            if vm:
                if view_count is None:
                    view_count = _parse_int(vm.group(1))
                removed.append(bare[: vm.end()])
                piece = bare[vm.end() :].strip()
                if not piece:
                    continue
            if _is_tail_marker(piece):
                has_content = any(not (title and _is_title_line(k, title)) for k in kept)
                if has_content:
                    removed.append(piece)
                    removed.extend(pieces[pos + 1 :])
                    cut = True
                    break
                # A marker before any content belongs to a header widget: drop only it.
                removed.append(piece)
                continue
            if _is_boilerplate(piece):
                removed.append(piece)
                continue
            if kept and _dup_key(kept[-1]) == _dup_key(piece):
                # Alt text rendered next to the identical caption: keep the fuller one.
                if len(piece) > len(kept[-1]):
                    removed.append(kept[-1])
                    kept[-1] = piece
                else:
                    removed.append(piece)
                continue
            kept.append(piece)
        if cut:
            removed.extend(lines[idx + 1 :])
            break

    if title and kept and _is_title_line(kept[0], title):
        removed.append(kept.pop(0))

    rest, author, source = split_byline(kept)
    return Body(
        text="\n\n".join(rest),
        paragraphs=rest,
        author=author,
        source=source,
        view_count=view_count,
        removed=removed,
    )
