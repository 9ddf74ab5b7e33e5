"""The layers of docs/architecture.md, checked on the source: who may import whom.

storage/ is the bottom layer and the only SQL; core/ is what storage/ and crawler/ share;
crawler/normalize/ is pure text and bytes. Each rule names the third-party packages an area
must not import and the only first-party modules it may. Every ``import`` in a file counts,
at module level or inside a function (a lazy import is still a dependency). A dependency
that cannot go yet is listed in ``EXEMPT`` with its reason; an exemption whose import is gone
fails the test, so the list shrinks as the code does.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The repository's own top-level packages: every other import is stdlib or third-party.
FIRST_PARTY = frozenset(p.parent.name for p in ROOT.glob("*/__init__.py"))
SCRAPY = ("scrapy", "twisted", "scrapy_redis")


@dataclass(frozen=True)
class Rule:
    area: str  # a directory, relative to the repository root
    forbidden: tuple[str, ...]  # modules it must not import (prefixes)
    allowed: tuple[str, ...] | None  # the only first-party modules it may import; None: any
    why: str


RULES = (
    Rule("core", SCRAPY, ("core",),
         "the neutral core depends on nothing of the project: storage and crawler both use it"),
    Rule("storage", SCRAPY, ("core", "storage"),
         "storage is the bottom layer: no crawler, no Scrapy, no CLI"),
    Rule("crawler/normalize", SCRAPY, ("core", "crawler.normalize", "crawler.items"),
         "normalizers are pure functions of text and bytes: no Scrapy, registry or storage"),
    Rule("crawler/registry", SCRAPY, ("core", "crawler.registry"),
         "the registry is data about sites: it needs core's URL rules, nothing of the crawl"),
    Rule("browse", SCRAPY, ("core", "storage", "browse"),
         "the Datasette plugin reads the archive through storage/; it knows nothing of crawls"),
    Rule("crawler/platforms", ("storage", "sqlite3", "sqlite_utils"), None,
         "spiders read nothing from the archive: the run hands it over (archive_opened)"),
    Rule("spiders", ("storage", "sqlite3", "sqlite_utils"), None,
         "spiders read nothing from the archive: the run hands it over (archive_opened)"),
)

#: The Datasette plugin moved from storage/ to browse/; its old storage paths re-export it.
_BROWSE_SHIM = "old import path of the Datasette plugin, now in browse/: a re-export shim"

#: (file, imported module) → why it is allowed for now. Remove an entry with its import.
EXEMPT: dict[tuple[str, str], str] = {
    **{("storage/datasette_plugin.py", f"browse.{m}"): _BROWSE_SHIM
       for m in ("charts", "hits", "pages", "plugin", "table_search")},
    ("storage/datasette_hits.py", "browse.hits"): _BROWSE_SHIM,
    ("crawler/normalize/article.py", "crawler.articles"):
        "lazy old-path alias of build_article (which reads the registry); importing the "
        "module does not import it",
    ("crawler/normalize/encoding.py", "crawler.plumbing.decoding"):
        "lazy old-path alias of decode_truly (Scrapy); importing the module does not import it",
}


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _package_of(rel: str) -> list[str]:
    """The package a file belongs to (its directory), for relative imports."""
    return list(Path(rel).parent.parts)


def imported_modules(source: str, rel: str) -> set[str]:
    """Every module ``source`` (the file ``rel``) imports; ``from a import b`` counts as
    ``a.b`` when that is a first-party module, else as ``a``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source, rel)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package_of(rel)
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                found.add(sub if _is_module(sub) else module)
    return found


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def violations(rule: Rule, rel: str, source: str) -> set[str]:
    """The imports of ``rel`` that ``rule`` does not allow."""
    def allowed(module: str) -> bool:
        if _within(module, rule.forbidden):
            return False
        if rule.allowed is None or module.split(".")[0] not in FIRST_PARTY:
            return True
        return _within(module, rule.allowed)

    return {m for m in imported_modules(source, rel) if not allowed(m)}


def all_violations() -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for rule in RULES:
        for path in sorted((ROOT / rule.area).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            for module in violations(rule, rel, path.read_text(encoding="utf-8")):
                found[(rel, module)] = rule.why
    return found


def test_layers_hold() -> None:
    broken = {k: why for k, why in all_violations().items() if k not in EXEMPT}
    assert not broken, "forbidden imports:\n" + "\n".join(
        f"  {rel} imports {module}: {why}" for (rel, module), why in sorted(broken.items()))


def test_no_stale_exemption() -> None:
    stale = set(EXEMPT) - set(all_violations())
    assert not stale, "exemptions whose import is gone (remove them from EXEMPT):\n" + "\n".join(
        f"  {rel} → {module}" for rel, module in sorted(stale))


@pytest.mark.parametrize(("rel", "source", "expected"), [
    ("storage/x.py", "from crawler.items import Article\n", {"crawler.items"}),
    ("storage/x.py", "def f():\n    import scrapy.http\n", {"scrapy.http"}),
    ("storage/x.py", "from crawler import registry\n", {"crawler.registry"}),
    ("storage/x.py", "from core.article import Article\nimport sqlite3\n", set()),
    ("crawler/normalize/x.py", "from crawler.registry import load_registry\n",
     {"crawler.registry"}),
    ("crawler/normalize/x.py", "from storage import Archive\n", {"storage"}),
    ("crawler/normalize/x.py", "from twisted.internet import reactor\n", {"twisted.internet"}),
    ("crawler/normalize/x.py", "from . import dates\nfrom .html import sanitize_html\n", set()),
    ("crawler/normalize/x.py", "from .. import registry\n", {"crawler.registry"}),
    ("core/x.py", "import crawler.normalize.fold\n", {"crawler.normalize.fold"}),
    ("core/x.py", "from core import fold\nimport datasketch\n", set()),
    ("crawler/platforms/x.py", "def f():\n    from storage import Archive\n", {"storage"}),
    ("crawler/platforms/x.py", "from crawler.registry import load_registry\n", set()),
    ("spiders/x.py", "import sqlite3\n", {"sqlite3"}),
])
def test_checker_catches_forbidden_imports(rel: str, source: str, expected: set[str]) -> None:
    """The check itself: a forbidden import, however written, is found; allowed ones are not."""
    rule = next(r for r in RULES if rel.startswith(r.area + "/"))
    assert violations(rule, rel, source) == expected
