"""The shape of crawler/cli/: one site choice, one run report, no SQL, small functions, and
every name the one-module crawler/cli.py had still importable from crawler.cli."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

import crawler.cli
from crawler.cli import (
    ChoiceMessages,
    UserError,
    _scrapy_settings,
    choose_sites,
    report_runs,
)
from crawler.cli.checklive import CHECK_CHOICE
from crawler.cli.crawling import CRAWL_CHOICE

CLI = Path(crawler.cli.__file__).resolve().parent
REPO = CLI.parents[1]


@pytest.fixture(scope="module")
def settings():
    return _scrapy_settings("archive.db", "test", quiet=True)


def test_the_old_names_are_still_importable_from_crawler_cli():
    for name in ("main", "make_datasette", "metadata_for", "UserError", "EXPORT_COLUMNS",
                 "COUNT_AT_MOST", "DEFAULT_DB", "DEMO_DB", "METADATA_FILE", "_scrapy_settings",
                 "_run_crawls", "_day", "_open", "_table", "_print_runs", "_exit_on_problems",
                 "_writer_lock", "_crawl_distributed", "_is_loopback", "LOOPBACK_HOSTS"):
        assert hasattr(crawler.cli, name), name
    for command in ("crawl", "seed", "write", "check_live", "search", "export", "sites",
                    "stats", "recluster", "serve", "reparse", "demo", "parse"):
        assert isinstance(getattr(crawler.cli, command), click.Command), command
    assert set(crawler.cli.main.commands) >= {"crawl", "seed", "write", "check-live",
                                               "new-site", "demo"}


def test_choose_sites_keeps_order_drops_repeats_and_routes_registry_sites(settings):
    from crawler.registry import load_registry

    website = next(slug for slug, site in load_registry().items() if not site.spider)
    choice = choose_sites([website, "vinhphuc", website], False, settings)
    assert choice.chosen == [website, "vinhphuc"]
    assert "vinhphuc" in choice.spiders and "generic" not in choice.spiders
    assert choice.job("vinhphuc", {"full": "1"}) == ("vinhphuc", {"full": "1"})
    assert choice.job(website, {"full": "1"}) == ("generic", {"full": "1", "site": website})
    assert choose_sites((), True, settings).chosen == choice.available


@pytest.mark.parametrize(("messages", "sites", "all_sites", "said"), [
    (CRAWL_CHOICE, (), False, "no site to crawl: name one or more sites, or pass --all"),
    (CRAWL_CHOICE, ("vinhphuc",), True, "give site names or --all, not both"),
    (ChoiceMessages(), (), False, "name one or more sites, or pass --all (sites: "),
    (CHECK_CHOICE, ("vinhphuc",), True, "name one or more sites, or pass --all (sites: "),
])
def test_each_command_keeps_its_own_words_for_a_bad_choice(settings, messages, sites,
                                                           all_sites, said):
    with pytest.raises(UserError) as raised:
        choose_sites(sites, all_sites, settings, messages)
    assert raised.value.format_message().startswith(said)


def test_unknown_sites_are_named_with_or_without_the_list(settings):
    with pytest.raises(UserError) as raised:
        choose_sites(["nowhere"], False, settings)
    assert raised.value.format_message().startswith("no spider or registry website for "
                                                    "nowhere; sites: ")
    with pytest.raises(UserError) as raised:
        choose_sites(["nowhere"], False, settings, CHECK_CHOICE)
    assert raised.value.format_message() == "no spider or registry website for nowhere"


def test_a_mirror_is_for_one_site(settings):
    choice = choose_sites(["vinhphuc", "vinhphuc"], False, settings)
    choice.one_site_for("http://127.0.0.1:1/")  # one site, named twice
    choice = choose_sites(["vinhphuc", *sorted(choice.spiders - {"vinhphuc"})[:1]], False,
                          settings)
    choice.one_site_for(None)
    with pytest.raises(UserError, match="name exactly one site"):
        choice.one_site_for("http://127.0.0.1:1/")


def _run(site: str, status: str, monitors: list[dict] | None = None, **extra) -> dict:
    return {"site": site, "status": status, "monitors": json.dumps(monitors or []), **extra}


def test_report_runs_prints_writes_the_report_and_exits_on_problems(tmp_path, capsys):
    report = tmp_path / "report.json"
    report_runs([_run("a", "ok")], ["a"], report=report)  # no exit: all ok
    assert "site" in capsys.readouterr().out
    assert json.loads(report.read_text(encoding="utf-8"))[0]["monitors"] == []
    alert = {"name": "few_items", "ok": False, "message": "2 items"}
    with pytest.raises(SystemExit) as stopped:
        report_runs([_run("a", "ok", [alert])], ["a", "b"])
    err = capsys.readouterr().err
    assert stopped.value.code == 1
    assert "dost-archive: alert few_items for a: 2 items" in err
    assert "dost-archive: sites not ok: b (no run)" in err


def test_report_runs_shows_one_order_and_judges_the_runs_in_theirs(capsys):
    runs = [_run("a", "failed", id=2), _run("a", "ok", id=1)]  # the last one counts
    report_runs(runs, ["a"], shown=sorted(runs, key=lambda r: r["id"]))
    table = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in table[2:]] == ["ok", "failed"]


def test_the_cli_speaks_no_sql():
    sql = re.compile(r"\.db\[|\.execute\(|rows_where|\.count\b|\bSELECT\b")
    for module in CLI.glob("*.py"):
        found = [line for line in module.read_text(encoding="utf-8").splitlines()
                 if sql.search(line)]
        assert not found, (module.name, found)


def test_the_cli_functions_stay_small():
    out = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "C901",
         "--config", "lint.mccabe.max-complexity=10", "crawler/cli", "crawler/checklive.py"],
        cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
