"""The structured docstrings of the site spiders, read and rendered for docs/sites.md.

Every module of ``spiders/`` opens with a docstring in one form, so that a reader (and
``tests/test_docs.py``) finds the same four things in the same place for every site::

    One-line summary: the department and its host.

    Domain:
        The host, its aliases and scheme, and what the 2025 merger did to it.

    Platform:
        The CMS family and the platform base the spider subclasses.

    Evidence:
        Registry: crawler/registry/sites.toml [slug]. Research: sites.md §2.1, §3.2 …

        - CONFIRMED / REPORTED facts, each with the section that says so.

    Caveats:
        - GUESS facts and unknowns: what a live check has still to settle.

A heading is the section name and a colon alone on an unindented line; its body is the
indented text up to the next heading. The files are read with ``ast``, never imported, so
rendering the docs needs neither Scrapy nor a loadable spider.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import textwrap
from pathlib import Path

#: The sections of a spider docstring, in the order they must appear.
SECTIONS = ("Domain", "Platform", "Evidence", "Caveats")

_HEADING_RE = re.compile(rf"^({'|'.join(SECTIONS)}):[ \t]*$")


def spiders_dir() -> Path:
    """The ``spiders`` package of this checkout (or of the installed distribution), found
    without importing it: the registry depends on no spider."""
    spec = importlib.util.find_spec("spiders")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("no spiders package on the path")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def module_docstring(source: str) -> str:
    """The module's docstring, else that of its first class that has one ("" if none)."""
    tree = ast.parse(source)
    doc = ast.get_docstring(tree)
    if doc:
        return doc
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and (doc := ast.get_docstring(node)):
            return doc
    return ""


def spider_docstrings(folder: Path | None = None) -> dict[str, str]:
    """Docstring of every spider module in ``folder`` (default: ``spiders/``), by module
    name, sorted; ``__init__`` and private modules are not spiders."""
    folder = folder or spiders_dir()
    return {path.stem: module_docstring(path.read_text(encoding="utf-8"))
            for path in sorted(folder.glob("*.py")) if not path.stem.startswith("_")}


def docstring_summary(text: str) -> str:
    """The docstring's first paragraph, on one line."""
    return " ".join(text.strip().split("\n\n", 1)[0].split())


def docstring_sections(text: str) -> dict[str, str]:
    """The sections of a spider docstring, by heading in the order they appear, each body
    dedented; text before the first heading (the summary) is not a section."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        match = _HEADING_RE.match(line)
        if match:
            current = sections.setdefault(match[1], [])
        elif current is not None:
            current.append(line)
    return {name: textwrap.dedent("\n".join(body)).strip() for name, body in sections.items()}


def _markdown_text(text: str) -> str:
    """reST literals as Markdown code; ``<`` outside code escaped (GitHub hides ``<id>``)."""
    parts = re.split(r"(``.+?``)", text, flags=re.DOTALL)
    return "".join(f"`{p[2:-2]}`" if p.startswith("``") and p.endswith("``") and len(p) > 4
                   else p.replace("<", "&lt;") for p in parts)


def markdown(folder: Path | None = None) -> list[str]:
    """The "Site spiders" part of docs/sites.md: every spider's summary and four sections."""
    docs = spider_docstrings(folder)
    lines = [
        "## Site spiders",
        "",
        f"{len(docs)} spiders in `spiders/`, each as its module docstring describes it "
        "(Domain, Platform, Evidence, Caveats; tags CONFIRMED / REPORTED / GUESS as in the "
        "research notes).",
        "",
    ]
    for name, doc in docs.items():
        lines += [f"### {name} (`spiders/{name}.py`)", "",
                  _markdown_text(docstring_summary(doc)), ""]
        for section, body in docstring_sections(doc).items():
            lines += [f"**{section}.**", "", _markdown_text(body), ""]
    return lines
