"""The scheduling recipes are runnable: the systemd units, the crontab line and every
``dost-archive`` command in docs/scheduling.md are checked against the real command line.

Commands are parsed with click's ``make_context`` on the real ``crawler.cli.main``: an option
the CLI does not accept, a missing value or a bad choice fails here, so neither the unit
files nor the docs can drift from the code.
"""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from crawler.cli import main

REPO = Path(__file__).resolve().parents[1]
UNITS = REPO / "deploy" / "systemd"
SERVICE = UNITS / "dost-archive-crawl.service"
TIMER = UNITS / "dost-archive-crawl.timer"
DOC = REPO / "docs" / "scheduling.md"
OPERATORS = {"&&", "||", ";", "|", "&", ">", ">>", "<", ">&", "<&", "(", ")"}


def read_unit(path: Path) -> configparser.ConfigParser:
    """A unit file as INI (keys case-sensitive, no interpolation: systemd has neither)."""
    parser = configparser.ConfigParser(interpolation=None, strict=True,
                                       comment_prefixes=("#", ";"), empty_lines_in_values=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


def cli_context(argv: list[str]) -> click.Context:
    """Parse ``dost-archive ARGV…`` like the console script would; raise on any misuse."""
    assert argv, "empty dost-archive command"
    command = main.get_command(click.Context(main), argv[0])
    assert command is not None, f"dost-archive has no subcommand {argv[0]!r}"
    return command.make_context(argv[0], list(argv[1:]))


def simple_commands(line: str) -> list[list[str]]:
    """The simple commands of a shell line, redirections and operators removed."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    tokens = list(lexer)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in {">", ">>", "<", ">&", "<&"}:
            if commands[-1] and commands[-1][-1].isdigit():  # the 2 of 2>&1
                commands[-1].pop()
            i += 2  # the operator and its target
            continue
        if token in OPERATORS:
            commands.append([])
        else:
            commands[-1].append(token)
        i += 1
    return [c for c in commands if c]


def dost_archive_args(command: list[str]) -> list[str] | None:
    """The arguments after ``dost-archive`` when ``command`` runs it (through sudo or not)."""
    words = list(command)
    if words and words[0] == "sudo":
        words.pop(0)
        while words and words[0].startswith("-"):
            option = words.pop(0)
            if option in {"-u", "-g"} and words:
                words.pop(0)
    while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
        words.pop(0)  # VAR=value before the command
    if words and Path(words[0]).name == "dost-archive":
        return words[1:]
    return None


def doc_blocks(language: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


# -- systemd ---------------------------------------------------------------------------------
def test_service_unit_is_a_hardened_oneshot_running_a_real_crawl():
    unit = read_unit(SERVICE)
    service = unit["Service"]
    assert service["Type"] == "oneshot"
    assert service["WorkingDirectory"].startswith("/")
    assert service["WorkingDirectory"] == "/var/lib/" + service["StateDirectory"]
    assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"
    assert int(service["Nice"]) > 0 and service["IOSchedulingClass"] in {"best-effort", "idle"}
    assert unit["Unit"]["After"] == "network-online.target"

    argv = shlex.split(service["ExecStart"])
    assert argv[0].startswith("/") and argv[0].endswith("/.venv/bin/dost-archive")
    ctx = cli_context(argv[1:])
    assert ctx.command.name == "crawl"
    params = ctx.params
    assert params["all_sites"] and not params["sites"] and params["quiet"]
    assert params["report"] is not None and params["base_url"] is None
    # The archive and the report live in the state directory, the only writable place
    # under ProtectSystem=strict.
    state = Path(service["WorkingDirectory"])
    assert Path(params["db"]).parent == state and params["report"].parent == state


def test_timer_unit_runs_the_service_daily_and_catches_up():
    unit = read_unit(TIMER)
    timer = unit["Timer"]
    assert timer["Persistent"] == "true"
    assert timer["RandomizedDelaySec"] and timer["OnCalendar"]
    assert timer["Unit"] == SERVICE.name
    assert unit["Install"]["WantedBy"] == "timers.target"


def test_systemd_analyze_verify_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (the INI checks above still ran)")
    # verify also checks that ExecStart's program exists: point it at this venv's script.
    script = Path(sys.executable).with_name("dost-archive")
    if not script.exists():
        pytest.skip(f"{script} is missing: install the project (pip install -e .)")
    exec_start = shlex.split(read_unit(SERVICE)["Service"]["ExecStart"])[0]
    (tmp_path / SERVICE.name).write_text(
        SERVICE.read_text(encoding="utf-8").replace(exec_start, str(script)), encoding="utf-8")
    shutil.copy(TIMER, tmp_path / TIMER.name)
    result = subprocess.run([analyze, "verify", TIMER.name, SERVICE.name], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    # verify exits 0 on unknown keys or bad values too, and only warns: any word about our
    # units is a failure.
    complaints = [line for line in (result.stdout + result.stderr).splitlines()
                  if "dost-archive-crawl" in line]
    assert result.returncode == 0 and not complaints, result.stdout + result.stderr


# -- the docs --------------------------------------------------------------------------------
CRON_FIELDS = [("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12),
               ("day of week", 0, 7)]


def check_cron_field(field: str, name: str, low: int, high: int) -> None:
    for part in field.split(","):
        base, _, step = part.partition("/")
        assert not step or (step.isdigit() and int(step) > 0), f"{name}: bad step in {field!r}"
        if base == "*":
            continue
        bounds = base.split("-")
        assert len(bounds) in (1, 2) and all(b.isdigit() for b in bounds), \
            f"{name}: {field!r} is not a number, range or *"
        values = [int(b) for b in bounds]
        assert all(low <= v <= high for v in values) and values == sorted(values), \
            f"{name}: {field!r} outside {low}-{high}"


def crontab_jobs() -> list[tuple[list[str], str]]:
    blocks = doc_blocks("crontab")
    assert blocks, "docs/scheduling.md has no ```crontab block"
    jobs = []
    for block in blocks:
        for line in block.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if re.fullmatch(r"[A-Z_]+=\S+", line):  # MAILTO=…, PATH=…
                continue
            fields = line.split(None, 5)
            assert len(fields) == 6, f"not a crontab entry: {line!r}"
            jobs.append((fields[:5], fields[5]))
    return jobs


def test_the_documented_crontab_line_is_valid_and_runs_a_real_crawl(tmp_path):
    jobs = crontab_jobs()
    assert len(jobs) == 1
    schedule, command = jobs[0]
    for field, (name, low, high) in zip(schedule, CRON_FIELDS, strict=True):
        check_cron_field(field, name, low, high)
    # cron turns an unescaped % into a newline.
    assert "%" not in command.replace("\\%", "")
    syntax = subprocess.run(["sh", "-n", "-c", command], capture_output=True, text=True,
                            timeout=30)
    assert syntax.returncode == 0, syntax.stderr
    # Its output goes to a log file, and something is printed only when the crawl failed.
    assert re.search(r">> *\S+\.log 2>&1 *\|\|", command), command

    runs = [args for c in simple_commands(command)
            if (args := dost_archive_args(c)) is not None]
    assert len(runs) == 1, command
    ctx = cli_context(runs[0])
    assert ctx.command.name == "crawl"
    assert ctx.params["all_sites"] and ctx.params["quiet"] and ctx.params["report"] is not None
    assert Path(ctx.params["db"]).is_absolute()  # cron's working directory is $HOME
    # Crontab and systemd unit crawl the same archive and write the same report.
    unit_ctx = cli_context(shlex.split(read_unit(SERVICE)["Service"]["ExecStart"])[1:])
    assert (ctx.params["db"], ctx.params["report"]) == (unit_ctx.params["db"],
                                                        unit_ctx.params["report"])


def test_every_dost_archive_command_in_the_docs_is_accepted_by_the_cli():
    seen = []
    for block in doc_blocks("bash"):
        for line in block.splitlines():
            for command in simple_commands(line):
                args = dost_archive_args(command)
                if args is not None:
                    seen.append(cli_context(args).command.name)
    assert {"crawl", "stats"} <= set(seen), seen


def test_the_documented_exit_statuses_are_those_of_the_cli():
    text = DOC.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| ([0-2]) \| ([^|]+) \|", text, flags=re.MULTILINE))
    assert set(rows) == {"0", "1", "2"}
    assert "monitor" in rows["1"] and "site failed" in rows["1"]
    assert "bad input" in rows["2"]
    # The CLI's own contract says the same.
    from crawler.cli import UserError

    assert UserError.exit_code == 2


def test_the_helpers_find_what_they_should():
    assert simple_commands("cd /x && A=1 /v/bin/dost-archive crawl --all >> l.log 2>&1 || "
                           "echo \"failed $?\"") == [
        ["cd", "/x"], ["A=1", "/v/bin/dost-archive", "crawl", "--all"], ["echo", "failed $?"]]
    assert dost_archive_args(["cd", "/opt/dost-archive"]) is None
    assert dost_archive_args(["sudo", "-u", "dost-archive", "/o/.venv/bin/dost-archive",
                              "stats"]) == ["stats"]
    with pytest.raises(click.NoSuchOption):
        cli_context(["crawl", "--all", "--no-such-option"])
    with pytest.raises(click.BadParameter):
        cli_context(["crawl", "--all", "--max-pages", "0"])
