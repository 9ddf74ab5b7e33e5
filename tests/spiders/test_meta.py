"""One site = spider module + fixture folder + test module (+ registry entry + mirror)."""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

import pytest
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from crawler.mirror.sites import models
from crawler.registry import load_registry
from tests.fixture_tool import FIXTURES

os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
SPIDERS = sorted(SpiderLoader.from_settings(get_project_settings()).list())
TESTS = Path(__file__).parent
GENERIC = "generic"


def test_there_are_spiders():
    assert SPIDERS, "no spider found in spiders/"


@pytest.mark.parametrize("name", SPIDERS)
def test_spider_has_fixtures_test_module_registry_entry_and_mirror(name):
    folder = FIXTURES / name
    assert folder.is_dir(), f"spider {name} has no fixture folder {folder}"
    kinds = [json.loads((p / "meta.json").read_text())["kind"]
             for p in folder.iterdir() if (p / "meta.json").exists()]
    assert kinds.count("article") >= 2, f"{name}: needs at least two article fixtures"
    if name != GENERIC:  # the generic spider discovers links; it has no listing parser
        assert kinds.count("listing") >= 1, f"{name}: needs at least one listing fixture"
    for page in folder.iterdir():
        if page.is_dir():
            assert (page / "expected.json").exists(), f"{page} has no expected.json"
    module = TESTS / f"test_{name}.py"
    assert module.exists(), f"spider {name} has no {module}"
    if name != GENERIC:  # the generic spider reads registry websites that have no spider
        site = load_registry().get(name)
        assert site is not None and site.spider == name, f"registry has no entry for {name}"
    assert name in models(), f"spider {name} has no mirror model in crawler/mirror/sites/"


@pytest.mark.parametrize("name", SPIDERS)
def test_spider_docstring_says_what_is_confirmed_and_what_is_guessed(name):
    cls = SpiderLoader.from_settings(get_project_settings()).load(name)
    doc = (cls.__doc__ or "") + (importlib.import_module(cls.__module__).__doc__ or "")
    assert "CONFIRMED" in doc and "GUESS" in doc, f"{name}: docstring must tag its facts"
