"""``dost-archive new-site`` (crawler/scaffold.py), always run in a temporary checkout.

Each test copies the registry files and an empty ``spiders/`` + ``tests/`` layout into
``tmp_path`` and scaffolds there; a module-wide guard checks that the real checkout is left
exactly as it was.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler import scaffold
from crawler.platforms.base import ArchiveSpider
from crawler.registry import load_dosts, load_registry, spider_docs
from crawler.scaffold import (
    EVIDENCE,
    ScaffoldError,
    add_site_to_dost,
    append_site,
    discover_platforms,
    new_site,
    new_site_command,
    plan_new_site,
    platform_name,
    resolve_platform,
    set_site_spider,
    toml_string,
    write_plan,
)

REPO = Path(__file__).resolve().parents[1]
REGISTRY = REPO / "crawler" / "registry"
PLATFORMS, _BROKEN = discover_platforms()


# Every slug these tests scaffold (the take-over tests use registered slugs, which are not
# written to the real checkout either, but other people may add spiders for them meanwhile).
TEST_SLUGS = ("newsite", "ahost", "probe", "vnpt", "ruffcheck_with_a_rather_long_slug_name",
              "pending", "cmdsite", "planned", "broken", "halfway", "leftover", "taken",
              "someslug", "okslug", "othername", "grouped", "raced")


def _real_state() -> dict[str, object]:
    """What a scaffold test writing into the real checkout would change. Limited to the test
    slugs: other people add spiders and registry entries to the checkout while tests run."""
    registry = "".join(p.read_text(encoding="utf-8") for p in REGISTRY.glob("*.toml"))
    return {slug: ((REPO / "spiders" / f"{slug}.py").exists(),
                   (REPO / "tests" / "spiders" / f"test_{slug}.py").exists(),
                   (REPO / "tests" / "fixtures" / slug).exists(),
                   f'"{slug}"' in registry)
            for slug in TEST_SLUGS}


@pytest.fixture(scope="module", autouse=True)
def real_checkout_is_untouched():
    before = _real_state()
    yield
    load_registry.cache_clear()
    load_dosts.cache_clear()
    assert _real_state() == before, "a scaffold test wrote into the real checkout"


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A minimal checkout: the registry files and an empty spiders/ + tests/ layout."""
    root = tmp_path / "repo"
    (root / "crawler" / "registry").mkdir(parents=True)
    for name in ("sites.toml", "dosts.toml"):
        shutil.copyfile(REGISTRY / name, root / "crawler" / "registry" / name)
    for folder in ("spiders", "tests", "tests/spiders", "tests/fixtures"):
        (root / folder).mkdir(exist_ok=True)
    for init in ("spiders", "tests", "tests/spiders"):
        (root / init / "__init__.py").write_text("", encoding="utf-8")
    free_dost(root)  # a department without a website, before any test snapshots the copy
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def sites_of(root: Path) -> dict:
    load_registry.cache_clear()
    try:
        return load_registry(root / "crawler" / "registry" / "sites.toml")
    finally:
        load_registry.cache_clear()


def dosts_of(root: Path) -> dict:
    load_registry.cache_clear()
    load_dosts.cache_clear()
    registry = root / "crawler" / "registry"
    try:
        return load_dosts(registry / "dosts.toml", registry / "sites.toml")
    finally:
        load_registry.cache_clear()
        load_dosts.cache_clear()


def free_dost(root: Path) -> str:
    """A post-2025 department of the copied registry that lists no website: one with none,
    or else (every current department has one since issue 14) the first, its list emptied
    in the copy, as a department the registry knows no website of would be."""
    departments = [d for d in dosts_of(root).values() if d.era == "post2025"]
    for d in departments:
        if not d.sites:
            return d.slug
    slug = departments[0].slug
    path = root / "crawler" / "registry" / "dosts.toml"
    text = path.read_text(encoding="utf-8")
    block = re.compile(rf'(\[\[dost\]\]\nslug = "{re.escape(slug)}"\n(?:(?!\[\[dost).*\n)*?)'
                       r"sites = \[[^\]]*\]")
    text, n = block.subn(r"\1sites = []", text, count=1)
    assert n == 1, f"no sites line for {slug} in {path}"
    path.write_text(text, encoding="utf-8")
    assert not dosts_of(root)[slug].sites
    return slug


def import_spider(path: Path) -> type:
    """The spider class of a generated module, imported under a unique module name."""
    spec = importlib.util.spec_from_file_location(f"scaffolded_{uuid.uuid4().hex}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # so the class can find its module, as on a real import
    spec.loader.exec_module(module)
    classes = [v for v in vars(module).values()
               if isinstance(v, type) and issubclass(v, ArchiveSpider)
               and v.__module__ == module.__name__]
    assert len(classes) == 1, classes
    return classes[0]


def invoke(*args: str):
    return CliRunner().invoke(new_site_command, list(args))


# -- platforms -----------------------------------------------------------------------------

def test_platform_bases_are_discovered_in_crawler_platforms():
    assert {"vnpt", "sharepoint_list", "sharepoint_trang", "nid_slug",
            "numeric_path"} <= set(PLATFORMS)
    for name, p in PLATFORMS.items():
        assert issubclass(p.cls, ArchiveSpider) and p.cls is not ArchiveSpider
        assert p.cls.__module__ == f"crawler.platforms.{p.module}"
        assert not p.cls.__dict__.get("name"), f"{name}: a runnable spider is not a base"
    assert PLATFORMS["vnpt"].class_name == "VnptSpider"
    assert PLATFORMS["nid_slug"].module == "phutho"
    for module in ("liferay", "nukeviet", "mediacdn"):
        if (REPO / "crawler" / "platforms" / f"{module}.py").exists() and module not in _BROKEN:
            assert module in PLATFORMS, f"crawler/platforms/{module}.py: base not found"


@pytest.mark.parametrize(("module", "cls_name", "attrs", "expected"), [
    ("vnpt", "VnptSpider", {}, "vnpt"),
    ("sharepoint", "SharePointListSpider", {}, "sharepoint_list"),
    ("sharepoint", "SharePointTrangSpider", {}, "sharepoint_trang"),
    ("phutho", "NidSlugSpider", {}, "nid_slug"),
    ("sonla_legacy", "NumericPathSpider", {}, "numeric_path"),
    ("nukeviet", "NukeVietSpider", {}, "nukeviet"),
    ("mediacdn", "MediacdnSpider", {}, "mediacdn"),
    ("liferay", "LiferaySpider", {}, "liferay"),
    ("hochiminh", "HoChiMinhSpider", {}, "hochiminh"),
    ("cantho", "AspNetPortalSpider", {}, "asp_net_portal"),
    ("cantho", "PortalSpider", {"platform": "cantho_aspnet"}, "cantho_aspnet"),
])
def test_platform_names_follow_the_class_and_its_module(module, cls_name, attrs, expected):
    cls = type(cls_name, (ArchiveSpider,), {"__module__": f"crawler.platforms.{module}",
                                            **attrs})
    assert platform_name(cls) == expected


def test_a_platform_is_found_by_short_name_class_name_or_one_base_module():
    assert resolve_platform("vnpt", PLATFORMS) is PLATFORMS["vnpt"]
    assert resolve_platform("VnptSpider", PLATFORMS) is PLATFORMS["vnpt"]
    assert resolve_platform("phutho", PLATFORMS) is PLATFORMS["nid_slug"]
    assert resolve_platform("sonla_legacy", PLATFORMS) is PLATFORMS["numeric_path"]
    assert resolve_platform("wordpress", PLATFORMS) is None


# -- a new website -------------------------------------------------------------------------

def test_new_site_writes_spider_test_fixture_readme_and_registry_entry(checkout):
    dost = free_dost(checkout)
    department = dosts_of(checkout)[dost]
    sites_before = (checkout / "crawler/registry/sites.toml").read_bytes()
    dosts_before = (checkout / "crawler/registry/dosts.toml").read_bytes()

    result = new_site("newsite", "vnpt", "SoKHCN.Example.gov.vn", dost=dost, root=checkout)

    spider = checkout / "spiders" / "newsite.py"
    test = checkout / "tests" / "spiders" / "test_newsite.py"
    readme = checkout / "tests" / "fixtures" / "newsite" / "README.md"
    assert result.created == [spider, test, readme]
    assert set(result.edited) == {checkout / "crawler/registry/sites.toml",
                                  checkout / "crawler/registry/dosts.toml"}
    source = spider.read_text(encoding="utf-8")
    assert 'name = "newsite"' in source
    assert 'site_url = "https://sokhcn.example.gov.vn"' in source
    assert "from crawler.platforms.vnpt import VnptSpider" in source
    assert "categories = {" in source and "PLACEHOLDER" in source
    assert "`dost-archive check-live newsite`" in source
    assert source.count(": GUESS") >= 4 and "CONFIRMED: nothing yet" in source
    assert department.name in source
    # The fixture folder holds instructions, never an invented page.
    assert sorted(p.name for p in readme.parent.iterdir()) == ["README.md"]
    text = readme.read_text(encoding="utf-8")
    for needed in ("page.html", "meta.json", "fetched_at", "kind",
                   "python -m tests.fixture_tool regen newsite", "expected.json",
                   "https://sokhcn.example.gov.vn/"):
        assert needed in text, needed

    # sites.toml: the old text is a byte-for-byte prefix; the entry is all GUESS.
    sites_after = (checkout / "crawler/registry/sites.toml").read_bytes()
    assert sites_after.startswith(sites_before) and len(sites_after) > len(sites_before)
    site = sites_of(checkout)["newsite"]
    assert (site.name, site.province, site.province_current) == (
        department.name, department.province, department.province_current)
    assert site.domains == ("sokhcn.example.gov.vn",)
    assert (site.scheme, site.platform, site.status, site.spider) == (
        "https", "vnpt", "unknown", "newsite")
    assert site.evidence and set(site.evidence.values()) == {EVIDENCE}

    # dosts.toml: one line changed, the department lists the website.
    old_lines = dosts_before.decode().splitlines()
    new_lines = (checkout / "crawler/registry/dosts.toml").read_text(encoding="utf-8"
                                                                     ).splitlines()
    changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]
    assert changed == [("sites = []", 'sites = ["newsite"]')]
    assert dosts_of(checkout)[dost].sites == ("newsite",)
    report = result.report()
    assert "spiders/newsite.py" in report and "check-live newsite" in report
    assert "dost-archive sites --markdown > docs/sites.md" in report


def test_without_dost_the_department_file_is_not_touched(checkout):
    dosts_before = (checkout / "crawler/registry/dosts.toml").read_bytes()
    result = new_site("ahost", "sharepoint_trang", "ahost.gov.vn",
                      name='Sở "KH&CN" \\ thử', province="Hà Nội", root=checkout)
    assert (checkout / "crawler/registry/dosts.toml").read_bytes() == dosts_before
    assert result.edited == [checkout / "crawler/registry/sites.toml"]
    site = sites_of(checkout)["ahost"]
    assert site.name == 'Sở "KH&CN" \\ thử'
    assert site.province == site.province_current == "Hà Nội"
    cls = import_spider(checkout / "spiders" / "ahost.py")
    assert cls.__doc__ and 'Sở "KH&CN"' in sys.modules[cls.__module__].__doc__


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_the_spider_module_imports_and_subclasses_the_chosen_base(checkout, platform):
    new_site("probe", platform, "probe.example.gov.vn", name="Probe", province="Sơn La",
             root=checkout)
    cls = import_spider(checkout / "spiders" / "probe.py")
    assert cls.__bases__ == (PLATFORMS[platform].cls,)
    assert cls.__name__ == "ProbeSpider"
    assert cls.name == "probe" and cls.site_url == "https://probe.example.gov.vn"
    assert cls.categories
    doc = (cls.__doc__ or "") + (sys.modules[cls.__module__].__doc__ or "")
    assert "CONFIRMED" in doc and "GUESS" in doc  # what tests/spiders/test_meta.py asks
    spider = cls()
    assert spider.name == "probe"


def test_the_spider_docstring_has_the_four_sections_every_spider_has(checkout):
    new_site("okslug", "liferay", "okslug.example.gov.vn", name="Ok", province="Sơn La",
             dost=free_dost(checkout), root=checkout)
    doc = spider_docs.spider_docstrings(checkout / "spiders")["okslug"]
    sections = spider_docs.docstring_sections(doc)
    assert tuple(sections) == spider_docs.SECTIONS and all(sections.values())
    assert "sites.toml [okslug]" in sections["Evidence"]
    assert "CONFIRMED: nothing yet" in sections["Evidence"]
    assert "``liferay``" in sections["Platform"] and "GUESS" in sections["Caveats"]
    assert spider_docs.docstring_summary(doc) == "Ok: okslug.example.gov.vn."


def test_a_slug_named_like_its_base_class_imports_the_base_under_another_name(checkout):
    new_site("vnpt", "vnpt", "vnpt-demo.example.vn", name="X", province="Sơn La",
             root=checkout)
    source = (checkout / "spiders" / "vnpt.py").read_text(encoding="utf-8")
    assert "import VnptSpider as VnptSpiderBase" in source
    assert import_spider(checkout / "spiders" / "vnpt.py").__bases__ == (
        PLATFORMS["vnpt"].cls,)


def test_generated_python_is_ruff_clean(checkout):
    pytest.importorskip("ruff")
    new_site("ruffcheck_with_a_rather_long_slug_name", "sharepoint_list",
             "sokhcn.some-long-province-name.gov.vn",
             name="Sở Khoa học và Công nghệ thành phố Hồ Chí Minh (cổng thông tin điện tử cũ)",
             province="TP. Hồ Chí Minh", province_current="TP. Hồ Chí Minh",
             dost=free_dost(checkout), root=checkout)
    files = [checkout / "spiders" / "ruffcheck_with_a_rather_long_slug_name.py",
             checkout / "tests" / "spiders" / "test_ruffcheck_with_a_rather_long_slug_name.py"]
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--config",
                           str(REPO / "pyproject.toml"), *map(str, files)],
                          capture_output=True, text=True, cwd=checkout)
    assert done.returncode == 0, done.stdout + done.stderr


def _run_generated_test(root: Path, slug: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         f"tests/spiders/test_{slug}.py"],
        capture_output=True, text=True, cwd=root, env=env, timeout=120)


def _save_fake_page(folder: Path, kind: str) -> None:
    folder.mkdir(parents=True)
    (folder / "page.html").write_text("<html></html>", encoding="utf-8")
    (folder / "meta.json").write_text(json.dumps({
        "url": "https://x.example.gov.vn/", "fetched_at": "2026-11-22T09:00:00+07:00",
        "site": "pending", "kind": kind}), encoding="utf-8")
    (folder / "expected.json").write_text("{}", encoding="utf-8")


def test_the_generated_test_fails_until_real_pages_and_assertions_exist(checkout):
    new_site("pending", "nid_slug", "pending.example.gov.vn", name="P", province="Phú Thọ",
             root=checkout)
    done = _run_generated_test(checkout, "pending")
    assert done.returncode != 0, done.stdout
    out = done.stdout + done.stderr
    assert "2 failed" in out
    assert "no real pages yet" in out
    assert "it needs at least 1 listing and 2 articles" in out
    assert "python -m tests.fixture_tool regen pending" in out
    assert "placeholder written by `dost-archive new-site`" in out

    # With saved pages (simulated here, in the temporary copy only) the fixture check
    # passes and only the placeholder, which a person must replace, still fails.
    fixtures = checkout / "tests" / "fixtures" / "pending"
    _save_fake_page(fixtures / "listing_p1", "listing")
    _save_fake_page(fixtures / "article_1", "article")
    _save_fake_page(fixtures / "article_2", "article")
    done = _run_generated_test(checkout, "pending")
    out = done.stdout + done.stderr
    assert done.returncode != 0 and "1 failed, 1 passed" in out, out
    assert "no real pages yet" not in out


def test_the_command_prints_what_it_wrote_and_the_next_steps(checkout):
    result = invoke("cmdsite", "--platform", "sharepoint_list", "--domain",
                    "cmdsite.example.gov.vn", "--name", "Cmd", "--province", "Sơn La",
                    "--province-current", "Sơn La", "--root", str(checkout))
    assert result.exit_code == 0, result.output
    for line in ("spiders/cmdsite.py", "tests/spiders/test_cmdsite.py",
                 "tests/fixtures/cmdsite/README.md", "crawler/registry/sites.toml",
                 "tests.fixture_tool regen cmdsite", "dost-archive check-live cmdsite",
                 "mirror model", "dost-archive sites --markdown > docs/sites.md"):
        assert line in result.stdout, line
    assert (checkout / "spiders" / "cmdsite.py").exists()
    assert sites_of(checkout)["cmdsite"].platform == "sharepoint_list"


def test_the_command_works_registered_in_a_group_as_the_cli_does(checkout):
    import click

    group = click.Group("dost-archive")
    group.add_command(new_site_command)  # what crawler/cli.py does with its `main` group
    runner = CliRunner()
    ok = runner.invoke(group, ["new-site", "grouped", "--platform", "vnpt", "--domain",
                               "grouped.gov.vn", "--name", "G", "--province", "Sơn La",
                               "--root", str(checkout)])
    assert ok.exit_code == 0, ok.output
    assert "spiders/grouped.py" in ok.stdout
    bad = runner.invoke(group, ["new-site", "Grouped", "--platform", "vnpt", "--domain",
                                "x.gov.vn", "--root", str(checkout)])
    assert bad.exit_code == 2 and bad.stderr.startswith("dost-archive: slug 'Grouped'")
    usage = runner.invoke(group, ["new-site", "x", "--root", str(checkout)])
    assert usage.exit_code == 2 and "--platform" in usage.stderr  # click's own usage error
    assert "SLUG" in runner.invoke(group, ["new-site", "--help"]).stdout


def test_a_registered_website_without_a_spider_is_taken_over(checkout):
    sites = sites_of(checkout)
    site = next((s for s in sites.values() if not s.spider), None)
    if site is None:
        pytest.skip("every registered website has a spider")
    before = (checkout / "crawler/registry/sites.toml").read_text(encoding="utf-8")
    result = invoke(site.slug, "--platform", "vnpt", "--domain", site.domains[-1],
                    "--root", str(checkout))
    assert result.exit_code == 0, result.output
    assert f"took over website '{site.slug}'" in result.stdout
    after = (checkout / "crawler/registry/sites.toml").read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True)
               if a != b]
    assert changed == [('spider = ""', f'spider = "{site.slug}"')]
    now = sites_of(checkout)[site.slug]
    assert now.spider == site.slug
    assert (now.name, now.domains, now.platform, now.evidence) == (
        site.name, site.domains, site.platform, site.evidence)
    cls = import_spider(checkout / "spiders" / f"{site.slug}.py")
    assert cls.site_url == f"{site.scheme}://{site.domains[-1]}"


# -- bad input: exit status 2, one line, nothing written -------------------------------------

BAD_INPUTS = {
    "uppercase slug": (["Bad", "--platform", "vnpt", "--domain", "a.gov.vn", "--name", "N",
                        "--province", "P"], "slug 'Bad'"),
    "dash in slug": (["bad-slug", "--platform", "vnpt", "--domain", "a.gov.vn", "--name", "N",
                      "--province", "P"], "slug 'bad-slug'"),
    "digit first": (["1site", "--platform", "vnpt", "--domain", "a.gov.vn", "--name", "N",
                     "--province", "P"], "slug '1site'"),
    "reserved slug": (["generic", "--platform", "vnpt", "--domain", "a.gov.vn", "--name", "N",
                       "--province", "P"], "reserved"),
    "unknown platform": (["okslug", "--platform", "wordpress", "--domain", "a.gov.vn",
                          "--name", "N", "--province", "P"], "--platform 'wordpress'"),
    "url for domain": (["okslug", "--platform", "vnpt", "--domain", "https://a.gov.vn/",
                        "--name", "N", "--province", "P"], "host name only"),
    "no dot": (["okslug", "--platform", "vnpt", "--domain", "localhost", "--name", "N",
                "--province", "P"], "not a host name"),
    "space in domain": (["okslug", "--platform", "vnpt", "--domain", "a b.gov.vn", "--name",
                         "N", "--province", "P"], "not a host name"),
    "ip address": (["okslug", "--platform", "vnpt", "--domain", "10.0.0.1", "--name", "N",
                    "--province", "P"], "not a host name"),
    "unknown dost": (["okslug", "--platform", "vnpt", "--domain", "a.gov.vn", "--dost",
                      "atlantis"], "--dost 'atlantis'"),
    "no name, no dost": (["okslug", "--platform", "vnpt", "--domain", "a.gov.vn",
                          "--province", "P"], "--name is required"),
    "no province, no dost": (["okslug", "--platform", "vnpt", "--domain", "a.gov.vn",
                              "--name", "N"], "--province is required"),
}


@pytest.mark.parametrize("args,message", list(BAD_INPUTS.values()), ids=list(BAD_INPUTS))
def test_bad_input_exits_2_with_one_line_and_writes_nothing(checkout, args, message):
    before = snapshot(checkout)
    result = invoke(*args, "--root", str(checkout))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("dost-archive: ") and result.stderr.count("\n") == 1
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert snapshot(checkout) == before


def _registered_with_spider(root: Path) -> tuple[str, str]:
    site = next((s for s in sites_of(root).values() if s.spider), None)
    if site is None:
        pytest.skip("no registered website has a spider")
    return site.slug, site.domains[0]


def test_an_existing_spider_module_is_refused(checkout):
    (checkout / "spiders" / "taken.py").write_text(
        'class X:\n    name = "someslug"\n', encoding="utf-8")
    before = snapshot(checkout)
    for slug in ("taken", "someslug"):
        result = invoke(slug, "--platform", "vnpt", "--domain", "new.gov.vn", "--name", "N",
                        "--province", "P", "--root", str(checkout))
        assert result.exit_code == 2, result.output
        assert "already exists (spiders/taken.py)" in result.stderr
    assert snapshot(checkout) == before


def test_a_website_that_has_a_spider_and_a_taken_domain_are_refused(checkout):
    slug, domain = _registered_with_spider(checkout)
    before = snapshot(checkout)
    result = invoke(slug, "--platform", "vnpt", "--domain", domain, "--root", str(checkout))
    assert result.exit_code == 2 and "already" in result.stderr, result.output
    result = invoke("othername", "--platform", "vnpt", "--domain", domain, "--name", "N",
                    "--province", "P", "--root", str(checkout))
    assert result.exit_code == 2, result.output
    assert f"belongs to website '{slug}'" in result.stderr
    assert snapshot(checkout) == before


def test_taking_over_needs_one_of_the_websites_domains(checkout):
    site = next((s for s in sites_of(checkout).values() if not s.spider), None)
    if site is None:
        pytest.skip("every registered website has a spider")
    before = snapshot(checkout)
    result = invoke(site.slug, "--platform", "vnpt", "--domain", "elsewhere.gov.vn",
                    "--root", str(checkout))
    assert result.exit_code == 2 and "--domain must be one of them" in result.stderr
    result = invoke(site.slug, "--platform", "vnpt", "--domain", site.domains[0],
                    "--name", site.name + " (khác)", "--root", str(checkout))
    assert result.exit_code == 2 and "--name" in result.stderr
    assert snapshot(checkout) == before


def test_existing_test_module_or_fixture_folder_is_never_overwritten(checkout):
    (checkout / "tests" / "fixtures" / "leftover").mkdir()
    before = snapshot(checkout)
    with pytest.raises(ScaffoldError, match="tests/fixtures/leftover already exists"):
        new_site("leftover", "vnpt", "leftover.gov.vn", name="N", province="P", root=checkout)
    assert snapshot(checkout) == before


def test_planning_writes_nothing(checkout):
    before = snapshot(checkout)
    plan = plan_new_site("planned", "vnpt", "planned.gov.vn", name="N", province="P",
                         dost=free_dost(checkout), root=checkout)
    assert set(plan.new_files) == {checkout / "spiders/planned.py",
                                   checkout / "tests/spiders/test_planned.py",
                                   checkout / "tests/fixtures/planned/README.md"}
    assert len(plan.edits) == 2
    assert snapshot(checkout) == before


# -- failures while writing: every file is put back ------------------------------------------

def test_a_registry_that_does_not_load_after_writing_is_restored(checkout):
    before = snapshot(checkout)
    plan = plan_new_site("broken", "vnpt", "broken.gov.vn", name="N", province="P",
                         dost=free_dost(checkout), root=checkout)
    plan.edits[plan.sites_file] += '\n[[site]]\nslug = "broken"\nname = "dup"\n'
    with pytest.raises(ScaffoldError, match="registry did not load") as info:
        write_plan(plan)
    assert info.value.exit_code == 2
    assert snapshot(checkout) == before
    assert not (checkout / "tests" / "fixtures" / "broken").exists()


def test_a_failing_write_undoes_the_files_already_written(checkout, monkeypatch):
    before = snapshot(checkout)
    plan = plan_new_site("halfway", "vnpt", "halfway.gov.vn", name="N", province="P",
                         dost=free_dost(checkout), root=checkout)
    real_write_bytes = Path.write_bytes

    def failing(self: Path, data: bytes) -> int:
        if self.name == "dosts.toml" and data != before["crawler/registry/dosts.toml"]:
            raise OSError("disk full")
        return real_write_bytes(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing)
    with pytest.raises(ScaffoldError, match=r"disk full.*every change was undone"):
        write_plan(plan)
    monkeypatch.undo()
    assert snapshot(checkout) == before


def test_a_registry_edited_by_someone_else_meanwhile_is_not_overwritten(checkout):
    plan = plan_new_site("raced", "vnpt", "raced.gov.vn", name="N", province="P",
                         root=checkout)
    with open(plan.sites_file, "a", encoding="utf-8") as fh:
        fh.write("# someone else's edit\n")
    before = snapshot(checkout)
    with pytest.raises(ScaffoldError, match=r"sites\.toml changed while new-site ran"):
        write_plan(plan)
    assert snapshot(checkout) == before


# -- the text edits ------------------------------------------------------------------------

def test_append_keeps_the_text_as_a_prefix_even_without_a_final_newline():
    entry = '[[site]]\nslug = "x"\n'
    assert append_site('a = 1\n', entry) == 'a = 1\n\n[[site]]\nslug = "x"\n'
    assert append_site('a = 1', entry) == 'a = 1\n\n[[site]]\nslug = "x"\n'
    assert append_site('a = 1\r\n', entry) == 'a = 1\r\n\r\n[[site]]\r\nslug = "x"\r\n'


DOSTS = """# departments
[[dost]]
slug = "one"
sites = []  # none yet
status = "live"

[[dost]]
slug = "two"
sites = [
  "a",
  "b",
]
status = "live"

[[dost]]
slug = "three"
status = "live"

# trailing comment
"""


def test_adding_a_website_to_a_department_edits_only_its_sites_line():
    one = add_site_to_dost(DOSTS, "one", "new")
    assert one == DOSTS.replace("sites = []  # none yet", 'sites = ["new"]  # none yet')
    two = tomllib.loads(add_site_to_dost(DOSTS, "two", "new"))
    assert two["dost"][1]["sites"] == ["a", "b", "new"]
    three = add_site_to_dost(DOSTS, "three", "new")
    assert three == DOSTS.replace('slug = "three"\nstatus = "live"\n',
                                  'slug = "three"\nstatus = "live"\nsites = ["new"]\n')
    assert tomllib.loads(three)["dost"][2]["sites"] == ["new"]
    assert add_site_to_dost(one, "one", "new") == one
    with pytest.raises(ScaffoldError, match="four"):
        add_site_to_dost(DOSTS, "four", "new")


def test_setting_a_websites_spider_edits_one_line():
    text = '[[site]]\nslug = "a"\nspider = ""\n\n[[site]]\nslug = "b"\nspider = ""\n'
    assert set_site_spider(text, "b") == text[:-len('spider = ""\n')] + 'spider = "b"\n'
    no_line = '[[site]]\nslug = "a"\ndomains = ["a.vn"]\n\n# next\n[[site]]\nslug = "b"\n'
    assert tomllib.loads(set_site_spider(no_line, "a"))["site"][0]["spider"] == "a"
    assert set_site_spider(no_line, "a").startswith(
        '[[site]]\nslug = "a"\ndomains = ["a.vn"]\nspider = "a"\n\n# next\n')


@pytest.mark.parametrize("value", ['plain', 'with "quotes"', "back\\slash", "tab\tand\x7f",
                                   "Sở Khoa học và Công nghệ"])
def test_toml_strings_round_trip(value):
    assert tomllib.loads(f"v = {toml_string(value)}")["v"] == value


def test_default_target_is_this_checkout():
    assert scaffold.REPO_ROOT == REPO
    assert (scaffold.TEMPLATES / "spider.py.tmpl").is_file()
