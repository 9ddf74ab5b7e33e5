"""Every saved page: the parser's output equals the reviewed expected.json."""

from __future__ import annotations

import json

import pytest

from tests.fixture_tool import fixture_dirs, parse_fixture

PAGES = fixture_dirs()


@pytest.mark.parametrize("folder", PAGES, ids=[f"{p.parent.name}/{p.name}" for p in PAGES])
def test_parser_output_matches_expected(folder):
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    assert parse_fixture(folder) == expected, (
        f"{folder}: parser output changed; if on purpose run "
        f"`python -m tests.fixture_tool regen {folder.parent.name}` and review the diff")
