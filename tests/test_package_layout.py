"""The packages issue 17 split or moved keep their promises: distributed mode (and Redis)
stays out of single-machine runs, the Datasette plugin stays out of the storage layer, and
the old import paths still name every public name of the new modules."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from crawler._moved import MOVED

REPO = Path(__file__).resolve().parents[1]
ROLES = ("common", "queue", "seeding", "worker", "writer")
#: The old homes of the plugin: thin re-exports of browse/, nothing else.
STORAGE_SHIMS = {"datasette_plugin.py", "datasette_hits.py"}


def imported_modules(path: Path) -> set[str]:
    """The modules a file imports (absolute names), at any depth of its code."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def fresh_python(code: str) -> str:
    """What ``code`` prints in a new interpreter (nothing imported yet) at the repository."""
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, check=True).stdout


def test_a_single_machine_process_imports_neither_distributed_mode_nor_the_browser():
    code = ("import sys, crawler.cli, crawler.run, crawler.settings, spiders, storage\n"
            "print(sorted(m for m in ('redis', 'scrapy_redis', 'crawler.distributed', "
            "'browse', 'datasette') if m in sys.modules))")
    out = fresh_python(code)
    assert out.strip() == "[]"


@pytest.mark.parametrize("role", ROLES)
def test_crawler_distributed_names_every_public_name_of_its_roles(role: str):
    package = importlib.import_module("crawler.distributed")
    module = importlib.import_module(f"crawler.distributed.{role}")
    public = {name for name, value in vars(module).items()
              if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__}
    assert public <= set(package.__all__), sorted(public - set(package.__all__))
    for name in public:
        assert getattr(package, name) is getattr(module, name)


def test_only_the_shims_in_storage_import_the_browser():
    for path in sorted((REPO / "storage").glob("*.py")):
        browse = {m for m in imported_modules(path) if m.split(".")[0] == "browse"}
        if path.name in STORAGE_SHIMS:
            assert browse, f"{path.name} is a shim of browse/"
        else:
            assert not browse, f"storage/{path.name} imports {sorted(browse)}: UI above storage"


def test_the_storage_shims_are_only_re_exports():
    for name in sorted(STORAGE_SHIMS):
        tree = ast.parse((REPO / "storage" / name).read_text(encoding="utf-8"))
        kinds = {type(node).__name__ for node in tree.body}
        assert kinds <= {"Expr", "ImportFrom", "Assign"}, (name, kinds)


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_path_is_the_moved_module_itself(old):
    """crawler.run and the rest are the very modules of their new homes (patching either name
    patches both), answered by crawler/_moved.py: no shim file is left at the old path, and
    the module keeps its own name and spec."""
    module = importlib.import_module(old)
    assert module is importlib.import_module(MOVED[old])
    assert module.__name__ == module.__spec__.name == MOVED[old]
    assert not REPO.joinpath(*old.split(".")).with_suffix(".py").exists()


def test_old_paths_answer_in_a_fresh_process_and_from_imports():
    code = ("from crawler import run, pipelines\nfrom crawler.dedup import near\n"
            "import crawler.normalize.fold as fold\n"
            "print(run.__name__, pipelines.__name__, near.__name__, fold.__name__)")
    out = fresh_python(code)
    assert out.split() == ["crawler.plumbing.run", "crawler.plumbing.pipelines", "core.near",
                           "core.fold"]


def test_every_component_the_settings_name_is_found_in_the_plumbing():
    from scrapy.utils.misc import load_object

    from crawler import settings

    components = {**settings.DOWNLOADER_MIDDLEWARES, **settings.ITEM_PIPELINES,
                  **settings.EXTENSIONS, **settings.SPIDER_MIDDLEWARES}
    ours = [path for path, order in components.items()
            if path.startswith("crawler.") and order is not None]
    assert ours
    for path in ours:
        assert load_object(path).__module__.startswith("crawler.plumbing."), path
