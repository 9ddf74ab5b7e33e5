"""``dost-archive new-site``: start a site spider the way city-scrapers' ``genspider`` does.

One site is a spider module, a fixture folder and a test module, made together (DESIGN.md),
plus its registry entry. This module writes all of them from ``crawler/scaffold_templates/``:

- ``spiders/<slug>.py``: a thin spider on a platform base of ``crawler/platforms/``, its
  docstring in the four sections every spider's has (Domain, Platform, Evidence, Caveats)
  and every fact in it a GUESS until ``dost-archive check-live <slug>`` and saved pages
  settle it;
- ``tests/fixtures/<slug>/README.md``: how to save real pages there (no page is invented);
- ``tests/spiders/test_<slug>.py``: tests that fail until real pages are saved and their
  expected output is reviewed (city-scrapers' deliberately failing ``test_tests``);
- an entry appended to ``crawler/registry/sites.toml`` (the rest of the file is kept byte for
  byte) or, for a registered website without a spider yet, its ``spider = ""`` line set; and
  with ``--dost``, the slug added to that department's ``sites`` line in ``dosts.toml``.

Everything is checked before anything is written (the edited registry files are loaded from
a scratch copy first); if a write fails, or the written registry does not load, every file is
put back as it was. Bad input is a one-line error with exit status 2.

Platforms are found, not listed: every ``ArchiveSpider`` subclass defined in a module of
``crawler.platforms`` that sets no spider ``name`` of its own is one, named by its class
(``VnptSpider`` → ``vnpt``, ``SharePointListSpider`` → ``sharepoint_list``,
``NidSlugSpider`` → ``nid_slug``) unless it sets a ``platform`` string. Its class name and,
when the module holds only that base, the module name (``phutho`` → ``NidSlugSpider``) are
accepted too.
"""

from __future__ import annotations

import importlib
import inspect
import keyword
import pkgutil
import re
import shutil
import tempfile
import textwrap
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

import click

from crawler.registry import Dost, RegistryError, Site, load_dosts, load_registry

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).with_name("scaffold_templates")
SLUG_RE = re.compile(r"^[a-z][a-z0-9_]*$")
SLUG_MAX = 40
RESERVED_SLUGS = frozenset({"generic", "base", "test", "tests", "spiders", "crawler"})
HOST_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
EVIDENCE = "GUESS: added by new-site, unverified"
PLACEHOLDER_LISTING = "/tin-tuc-su-kien"
#: Indents of a generated docstring's section bodies: paragraphs, bullets, bullet lines after
#: the first.
INDENT, BULLET, HANG = " " * 4, " " * 4 + "- ", " " * 6


class ScaffoldError(click.ClickException):
    """Bad input for new-site: one line on stderr, exit status 2, nothing written."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"dost-archive: {self.format_message()}", err=True)


# -- platforms -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Platform:
    """A platform base spider found in ``crawler/platforms``."""

    name: str
    cls: type
    module: str  # last part of the module name, e.g. "vnpt"

    @property
    def class_name(self) -> str:
        return self.cls.__name__

    @property
    def summary(self) -> str:
        doc = inspect.getdoc(self.cls) or ""
        return doc.split("\n\n")[0].replace("\n", " ")


def _snake(camel: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", camel).lower()


def platform_name(cls: type) -> str:
    """Short name of a platform base: its own ``platform`` attribute, else from its class
    name, keeping the module's spelling of a leading word (``SharePointList`` in
    sharepoint.py → ``sharepoint_list``, ``NukeViet`` in nukeviet.py → ``nukeviet``)."""
    own = cls.__dict__.get("platform")
    if isinstance(own, str) and own:
        return own
    stem = cls.__name__.removesuffix("Spider") or cls.__name__
    module = cls.__module__.rsplit(".", 1)[-1]
    joined = module.replace("_", "")
    if joined and stem.lower().startswith(joined):
        rest = stem[len(joined):]
        return module + (f"_{_snake(rest)}" if rest else "")
    return _snake(stem)


def discover_platforms() -> tuple[dict[str, Platform], dict[str, str]]:
    """Platform bases by short name, and the modules that could not be imported (name →
    error): a platform module someone is still writing must not break this command."""
    # Imported here, not at the top: the CLI imports this module, and Scrapy is slow to load.
    import crawler.platforms
    from crawler.platforms.base import ArchiveSpider

    found: dict[str, Platform] = {}
    broken: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(crawler.platforms.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name == "base":
            continue
        qualified = f"{crawler.platforms.__name__}.{info.name}"
        try:
            module = importlib.import_module(qualified)
        except Exception as exc:  # any import failure: skip it, and say so
            broken[info.name] = f"{type(exc).__name__}: {exc}"
            continue
        for _, cls in sorted(vars(module).items()):
            if (inspect.isclass(cls) and issubclass(cls, ArchiveSpider)
                    and cls is not ArchiveSpider and cls.__module__ == qualified
                    and not cls.__name__.startswith("_")
                    and not cls.__dict__.get("name")):  # a runnable spider, not a base
                name = platform_name(cls)
                if name not in found:
                    found[name] = Platform(name, cls, info.name)
    return found, broken


def resolve_platform(value: str, platforms: dict[str, Platform]) -> Platform | None:
    """``value`` as a short name, a class name, or the name of a one-base module."""
    if value in platforms:
        return platforms[value]
    for p in platforms.values():
        if value in (p.class_name, p.class_name.lower()):
            return p
    by_module = [p for p in platforms.values() if p.module == value]
    return by_module[0] if len(by_module) == 1 else None


# -- validation ----------------------------------------------------------------------------

def check_slug(slug: str) -> None:
    if not SLUG_RE.match(slug):
        raise ScaffoldError(f"slug {slug!r}: use ASCII lowercase letters, digits and "
                            "underscores, starting with a letter (e.g. sonla_legacy)")
    if len(slug) > SLUG_MAX:
        raise ScaffoldError(f"slug {slug!r}: longer than {SLUG_MAX} characters")
    if keyword.iskeyword(slug) or slug in RESERVED_SLUGS:
        raise ScaffoldError(f"slug {slug!r} is reserved; choose another")


def check_domain(domain: str) -> str:
    """``domain`` as a lowercase host name, or an error that says what is wrong."""
    host = domain.strip().lower().rstrip(".")
    if "://" in host or "/" in host or ":" in host:
        raise ScaffoldError(f"--domain {domain!r}: give the host name only, "
                            "e.g. sokhcn.sonla.gov.vn (no scheme, port or path)")
    if not host.isascii():
        raise ScaffoldError(f"--domain {domain!r}: not ASCII; give the punycode form (xn--…)")
    labels = host.split(".")
    if (len(host) > 253 or len(labels) < 2 or not all(HOST_LABEL_RE.match(x) for x in labels)
            or labels[-1].isdigit()):
        raise ScaffoldError(f"--domain {domain!r} is not a host name "
                            "(e.g. sokhcn.sonla.gov.vn)")
    return host


def _existing_spider_module(root: Path, slug: str) -> Path | None:
    """A module of ``spiders/`` whose spider is already called ``slug``."""
    pattern = re.compile(rf"^\s+name\s*=\s*[\"']{re.escape(slug)}[\"']", re.MULTILINE)
    for path in sorted((root / "spiders").glob("*.py")):
        if path.stem == slug or pattern.search(path.read_text(encoding="utf-8",
                                                              errors="replace")):
            return path
    return None


# -- text edits of the registry files --------------------------------------------------------

_HEADER_RE = re.compile(r"^\s*\[")
_KEY_RE = re.compile(r"^\s*[A-Za-z_][\w-]*\s*=")


def _blocks(lines: list[str], header: str) -> list[tuple[int, int]]:
    """(start, end) line ranges of the ``[[header]]`` tables of a TOML file."""
    starts = [i for i, line in enumerate(lines) if line.strip() == f"[[{header}]]"]
    ranges = []
    for s in starts:
        e = next((j for j in range(s + 1, len(lines)) if _HEADER_RE.match(lines[j])),
                 len(lines))
        ranges.append((s, e))
    return ranges


def _find_block(lines: list[str], header: str, slug: str) -> tuple[int, int] | None:
    slug_re = re.compile(rf'^\s*slug\s*=\s*"{re.escape(slug)}"\s*(#.*)?$')
    for s, e in _blocks(lines, header):
        if any(slug_re.match(lines[i].rstrip("\r\n")) for i in range(s, e)):
            return s, e
    return None


def _last_key_line(lines: list[str], start: int, end: int) -> int:
    return max(i for i in range(start, end) if i == start or _KEY_RE.match(lines[i]))


def _newline(lines: list[str]) -> str:
    return "\r\n" if lines and lines[0].endswith("\r\n") else "\n"


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string."""
    out = []
    for ch in value:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def site_entry(slug: str, name: str, province: str, province_current: str, domain: str,
               platform: str) -> str:
    """The ``[[site]]`` table new-site appends to sites.toml."""
    evidence = ", ".join(f"{k} = {toml_string(EVIDENCE)}"
                         for k in ("name", "province", "domains", "platform", "status"))
    return "\n".join([
        "[[site]]",
        f"slug = {toml_string(slug)}",
        f"name = {toml_string(name)}",
        f"province = {toml_string(province)}",
        f"province_current = {toml_string(province_current)}",
        f"domains = [{toml_string(domain)}]",
        'scheme = "https"',
        f"platform = {toml_string(platform)}",
        'status = "unknown"',
        f"spider = {toml_string(slug)}",
        f"evidence = {{ {evidence} }}",
        "",
    ])


def append_site(text: str, entry: str) -> str:
    """sites.toml with ``entry`` appended: the existing text stays a byte-for-byte prefix."""
    if not text:
        return entry
    nl = "\r\n" if "\r\n" in text else "\n"
    sep = "" if text.endswith("\n") else nl
    return text + sep + nl + entry.replace("\n", nl)


def set_site_spider(text: str, slug: str) -> str:
    """sites.toml with the ``spider`` of website ``slug`` set to ``slug`` (one line)."""
    lines = text.splitlines(keepends=True)
    block = _find_block(lines, "site", slug)
    if block is None:
        raise ScaffoldError(f"sites.toml: cannot find the [[site]] table of {slug!r}")
    start, end = block
    spider_re = re.compile(r'^(\s*spider\s*=\s*)(""|\'\')(.*)$', re.DOTALL)
    for i in range(start, end):
        match = spider_re.match(lines[i])
        if match:
            lines[i] = f"{match[1]}{toml_string(slug)}{match[3]}"
            return "".join(lines)
    if any(re.match(r"^\s*spider\s*=", lines[i]) for i in range(start, end)):
        raise ScaffoldError(f"sites.toml: website {slug!r} already names a spider")
    at = _last_key_line(lines, start, end)
    nl = _newline(lines)
    if not lines[at].endswith("\n"):
        lines[at] += nl
    lines.insert(at + 1, f"spider = {toml_string(slug)}{nl}")
    return "".join(lines)


def add_site_to_dost(text: str, dost: str, slug: str) -> str:
    """dosts.toml with ``slug`` added to department ``dost``'s ``sites`` list: that one line
    is rewritten (a list spread over several lines becomes one line); nothing else moves."""
    lines = text.splitlines(keepends=True)
    block = _find_block(lines, "dost", dost)
    if block is None:
        raise ScaffoldError(f"dosts.toml: cannot find the [[dost]] table of {dost!r}")
    start, end = block
    nl = _newline(lines)
    first = next((i for i in range(start, end) if re.match(r"^\s*sites\s*=", lines[i])), None)
    if first is None:
        at = _last_key_line(lines, start, end)
        if not lines[at].endswith("\n"):
            lines[at] += nl
        lines.insert(at + 1, f"sites = [{toml_string(slug)}]{nl}")
        return "".join(lines)
    last = first
    while True:
        try:
            current = tomllib.loads("".join(lines[first:last + 1]))["sites"]
            break
        except tomllib.TOMLDecodeError:
            last += 1
            if last >= end:
                raise ScaffoldError(f"dosts.toml: cannot read the sites line of {dost!r}"
                                    ) from None
    if slug in current:
        return text
    indent = re.match(r"^\s*", lines[first])[0]
    comment = re.search(r"\]\s*(#.*)$", lines[last].rstrip("\r\n"))
    items = ", ".join(toml_string(s) for s in [*current, slug])
    tail = f"  {comment[1]}" if comment else ""
    ending = nl if lines[last].endswith("\n") else ""
    lines[first:last + 1] = [f"{indent}sites = [{items}]{tail}{ending}"]
    return "".join(lines)


# -- the plan ------------------------------------------------------------------------------

@dataclass
class Plan:
    """Everything new-site will write, rendered and checked, nothing written yet."""

    root: Path
    slug: str
    platform: Platform
    domain: str
    site_url: str
    takeover: bool
    dost: str | None
    new_files: dict[Path, str] = field(default_factory=dict)
    edits: dict[Path, str] = field(default_factory=dict)
    #: the bytes each edited file had when the plan was made
    read: dict[Path, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def sites_file(self) -> Path:
        return self.root / "crawler" / "registry" / "sites.toml"

    @property
    def dosts_file(self) -> Path:
        return self.root / "crawler" / "registry" / "dosts.toml"


def class_name_for(slug: str) -> str:
    return "".join(part.capitalize() for part in slug.split("_") if part) + "Spider"


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    return textwrap.wrap(text, width=96, initial_indent=first, subsequent_indent=rest,
                         break_on_hyphens=False, break_long_words=False)


def spider_docstring(slug: str, name: str, site: Site | None, domain: str, site_url: str,
                     platform: Platform, province: str, province_current: str,
                     dost: str | None) -> str:
    """The module docstring, in the four sections every spider's has (Domain, Platform,
    Evidence, Caveats: crawler/registry/spider_docs.py): every fact GUESS, none CONFIRMED."""
    title = f"{name}: {domain}." if name else f"{domain}."
    scheme = site_url.split("://")[0]
    intro = ("Scaffolded by `dost-archive new-site`; nothing below has been seen on the live "
             f"site yet, so every fact is a GUESS, to be confirmed with `dost-archive "
             f"check-live {slug}` and by the real pages saved in tests/fixtures/{slug}/. "
             "Move a fact to CONFIRMED (or REPORTED) with its evidence once it is settled, "
             "as the other modules of spiders/ do.")
    registry = ("registered before this spider existed; see its evidence in "
                "crawler/registry/sites.toml" if site else "added to the registry by new-site")
    domain_facts = [f"Host ``{domain}``, canonical scheme ``{scheme}`` ({registry}): GUESS."]
    if province or province_current:
        domain_facts.append(f"Province {province or '?'} before 1 July 2025, "
                            f"{province_current or '?'} after: GUESS.")
    if dost:
        domain_facts.append(f"Published by department ``{dost}`` "
                            "(crawler/registry/dosts.toml): GUESS.")
    platform_fact = (f"``{platform.name}``: the site runs the CMS that "
                     f"``{platform.class_name}`` (crawler/platforms/{platform.module}.py) "
                     "reads, so the base's URL shapes, listing and article selectors and date "
                     "handling apply unchanged: GUESS.")
    evidence = (f"Registry: crawler/registry/sites.toml [{slug}]"
                + ("." if site else f", every evidence value ``{EVIDENCE}``."))
    caveat = (f"Listing path ``{PLACEHOLDER_LISTING}`` (\"Tin tức - Sự kiện\"): GUESS, a "
              "placeholder written by new-site, not seen on the site.")
    lines = [*_wrap(title), "", *_wrap(intro), ""]
    lines += _section("Domain", _wrap(" ".join(domain_facts), INDENT, INDENT))
    lines += _section("Platform", _wrap(platform_fact, INDENT, INDENT))
    lines += _section("Evidence", [*_wrap(evidence, INDENT, INDENT), "",
                                   *_wrap("CONFIRMED: nothing yet.", BULLET, HANG)])
    lines += _section("Caveats", _wrap(caveat, BULLET, HANG))
    body = "\n".join(lines[:-1]).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return f'"""{body}\n"""'


def _section(heading: str, body: list[str]) -> list[str]:
    """One section of a spider docstring: its heading line, its indented body, a blank."""
    return [f"{heading}:", *body, ""]


def _render(name: str, **values: str) -> str:
    return Template((TEMPLATES / name).read_text(encoding="utf-8")).substitute(values)


def _try_load(sites: Path, dosts: Path) -> tuple[dict[str, Site], dict[str, Any]]:
    load_registry.cache_clear()
    load_dosts.cache_clear()
    try:
        return load_registry(sites), load_dosts(dosts, sites)
    finally:
        load_registry.cache_clear()
        load_dosts.cache_clear()


def plan_new_site(slug: str, platform: str, domain: str, *, name: str | None = None,
                  province: str | None = None, province_current: str | None = None,
                  dost: str | None = None, root: Path | str = REPO_ROOT) -> Plan:
    """Check the input against the checkout at ``root`` and render every file; write nothing.

    Raises ScaffoldError (exit status 2) naming the first problem found. The steps run in
    this order, each its own function, so which problem is "first" is fixed.
    """
    root = Path(root)
    check_slug(slug)
    _check_checkout(root, slug)
    base = _choose_platform(platform)
    host = check_domain(domain)
    plan = Plan(root=root, slug=slug, platform=base, domain=host, site_url="",
                takeover=False, dost=dost)
    sites, dosts = _load_before(plan)
    department = _department(dosts, dost)
    existing = sites.get(slug)
    given = _Identity(name, province, province_current, "https")
    if existing is not None:
        identity = _take_over(plan, existing, given)
    else:
        identity = _new_website(sites, host, department, given)
    identity.check_one_line()
    plan.site_url = f"{identity.scheme}://{host}"
    _render_files(plan, existing, identity)
    _plan_registry_edits(plan, identity)
    return plan


@dataclass
class _Identity:
    """The website's name, provinces and canonical scheme, as given or as registered."""

    name: str | None
    province: str | None
    province_current: str | None
    scheme: str

    def check_one_line(self) -> None:
        for option, value in (("--name", self.name), ("--province", self.province),
                              ("--province-current", self.province_current)):
            if "\n" in value or "\r" in value:
                raise ScaffoldError(f"{option}: one line only")


def _check_checkout(root: Path, slug: str) -> None:
    """``root`` is a checkout, and no spider, test module or fixture folder has ``slug``."""
    for part in ("spiders", "tests/spiders", "tests/fixtures", "crawler/registry"):
        if not (root / part).is_dir():
            raise ScaffoldError(f"{root} is not a DOST Archive checkout (no {part}/)")
    taken = _existing_spider_module(root, slug)
    if taken is not None:
        raise ScaffoldError(f"spider {slug!r} already exists ({taken.relative_to(root)})")
    for path in (_test_file(root, slug), _fixture_dir(root, slug)):
        if path.exists():
            raise ScaffoldError(f"{path.relative_to(root)} already exists; remove it or "
                                "choose another slug")


def _spider_file(root: Path, slug: str) -> Path:
    return root / "spiders" / f"{slug}.py"


def _test_file(root: Path, slug: str) -> Path:
    return root / "tests" / "spiders" / f"test_{slug}.py"


def _fixture_dir(root: Path, slug: str) -> Path:
    return root / "tests" / "fixtures" / slug


def _choose_platform(value: str) -> Platform:
    """The platform base ``value`` names, or an error listing the bases there are."""
    platforms, broken = discover_platforms()
    base = resolve_platform(value, platforms)
    if base is None:
        known = ", ".join(sorted(platforms)) or "none"
        unreadable = f" (could not import: {', '.join(sorted(broken))})" if broken else ""
        raise ScaffoldError(f"--platform {value!r} is not a platform base in "
                            f"crawler/platforms; one of: {known}{unreadable}")
    return base


def _load_before(plan: Plan) -> tuple[dict[str, Site], dict[str, Any]]:
    """The registry as it is, before any change (it must load)."""
    try:
        return _try_load(plan.sites_file, plan.dosts_file)
    except (OSError, tomllib.TOMLDecodeError, RegistryError) as exc:
        raise ScaffoldError(f"the registry does not load before any change: {exc}") from exc


def _department(dosts: dict[str, Dost], dost: str | None) -> Dost | None:
    """The department ``--dost`` names (None without ``--dost``)."""
    if dost is None:
        return None
    department = dosts.get(dost)
    if department is None:
        raise ScaffoldError(f"--dost {dost!r}: no such department in dosts.toml "
                            "(`dost-archive sites` lists them)")
    return department


def _take_over(plan: Plan, existing: Site, given: _Identity) -> _Identity:
    """A registered website without a spider: the options must agree with its entry,
    whose name, provinces and scheme the spider then uses."""
    slug, host, base = plan.slug, plan.domain, plan.platform
    if existing.spider:
        raise ScaffoldError(f"website {slug!r} is registered with spider "
                            f"{existing.spider!r} already")
    if host not in existing.domains:
        raise ScaffoldError(f"website {slug!r} is registered with domains "
                            f"{list(existing.domains)}; --domain must be one of them")
    for option, value, registered in (("--name", given.name, existing.name),
                                      ("--province", given.province, existing.province),
                                      ("--province-current", given.province_current,
                                       existing.province_current)):
        if value is not None and value != registered:
            raise ScaffoldError(f"{option} {value!r} differs from the registry's "
                                f"{registered!r} for {slug!r}; edit sites.toml instead")
    plan.takeover = True
    if existing.platform not in (base.name, "unknown"):
        plan.notes.append(f"the registry says platform {existing.platform!r} for {slug}; "
                          f"the spider uses {base.name} ({base.class_name}); settle "
                          "which is right with check-live")
    return _Identity(existing.name, existing.province, existing.province_current,
                     existing.scheme)


def _new_website(sites: dict[str, Site], host: str, department: Dost | None,
                 given: _Identity) -> _Identity:
    """A website the registry does not know: its host must be free, and what is not given
    comes from the department."""
    owner = next((s.slug for s in sites.values() if host in s.domains), None)
    if owner is not None:
        raise ScaffoldError(f"--domain {host} belongs to website {owner!r}; to give it a "
                            f"spider run new-site with slug {owner!r}")
    name, province, province_current = given.name, given.province, given.province_current
    if name is None:
        if department is None:
            raise ScaffoldError("--name is required unless --dost names the department "
                                "(whose name is then used)")
        name = department.name
    if province is None:
        if department is None:
            raise ScaffoldError("--province is required unless --dost names the "
                                "department (whose province is then used)")
        province = department.province
    if province_current is None:
        province_current = (department.province_current if department is not None
                            and province == department.province else province)
    return _Identity(name, province, province_current, "https")


def _render_files(plan: Plan, existing: Site | None, identity: _Identity) -> None:
    """The spider, its test and the fixture README, rendered; the Python must compile."""
    root, slug, base, host = plan.root, plan.slug, plan.platform, plan.domain
    cls_name = class_name_for(slug)
    base_ref = base.class_name if base.class_name != cls_name else f"{base.class_name}Base"
    import_clause = (base.class_name if base_ref == base.class_name
                     else f"{base.class_name} as {base_ref}")
    docstring = spider_docstring(slug, identity.name, existing, host, plan.site_url, base,
                                 identity.province, identity.province_current, plan.dost)
    spider_src = _render("spider.py.tmpl", docstring=docstring, module=base.module,
                         import_clause=import_clause, class_name=cls_name, base_ref=base_ref,
                         platform=base.name, slug=slug, site_url=plan.site_url)
    test_src = _render("test_spider.py.tmpl", slug=slug)
    readme = _render("fixture_README.md.tmpl", slug=slug, domain=host)
    spider_file, test_file = _spider_file(root, slug), _test_file(root, slug)
    for path, src in ((spider_file, spider_src), (test_file, test_src)):
        try:
            compile(src, str(path), "exec")
        except SyntaxError as exc:  # a template bug, not the user's: still refuse to write
            raise ScaffoldError(f"rendered {path.name} does not compile: {exc}") from exc
    plan.new_files = {spider_file: spider_src, test_file: test_src,
                      _fixture_dir(root, slug) / "README.md": readme}


def _plan_registry_edits(plan: Plan, identity: _Identity) -> None:
    """The edited sites.toml (and dosts.toml), loaded from a scratch copy before the real
    files are touched."""
    plan.read = {path: path.read_bytes() for path in (plan.sites_file, plan.dosts_file)}
    sites_text = plan.read[plan.sites_file].decode("utf-8")
    if plan.takeover:
        new_sites = set_site_spider(sites_text, plan.slug)
    else:
        new_sites = append_site(sites_text, site_entry(
            plan.slug, identity.name, identity.province, identity.province_current,
            plan.domain, plan.platform.name))
    plan.edits[plan.sites_file] = new_sites
    if plan.dost is not None:
        dosts_text = plan.read[plan.dosts_file].decode("utf-8")
        new_dosts = add_site_to_dost(dosts_text, plan.dost, plan.slug)
        if new_dosts != dosts_text:
            plan.edits[plan.dosts_file] = new_dosts
    _check_in_scratch(plan, new_sites)


def _check_in_scratch(plan: Plan, new_sites: str) -> None:
    with tempfile.TemporaryDirectory(prefix="new-site-") as scratch:
        s_path, d_path = Path(scratch) / "sites.toml", Path(scratch) / "dosts.toml"
        s_path.write_bytes(new_sites.encode("utf-8"))
        d_path.write_bytes(plan.edits[plan.dosts_file].encode("utf-8")
                           if plan.dosts_file in plan.edits else plan.read[plan.dosts_file])
        try:
            _check_result(plan, *_try_load(s_path, d_path))
        except (tomllib.TOMLDecodeError, RegistryError) as exc:
            raise ScaffoldError(f"the registry would not load after the change: {exc}"
                                ) from exc


def _check_result(plan: Plan, sites: dict[str, Site], dosts: dict[str, Any]) -> None:
    site = sites.get(plan.slug)
    if site is None or site.spider != plan.slug:
        raise RegistryError(f"sites.toml: {plan.slug!r} is not registered with its spider")
    if plan.dost is not None and plan.slug not in dosts[plan.dost].sites:
        raise RegistryError(f"dosts.toml: {plan.dost!r} does not list {plan.slug!r}")


# -- writing -------------------------------------------------------------------------------

@dataclass
class Result:
    plan: Plan
    created: list[Path]
    edited: list[Path]

    def report(self) -> str:
        """What was written and what to do next (printed by the command)."""
        p = self.plan

        def rel(path: Path) -> str:
            return path.relative_to(p.root).as_posix()

        how = "took over" if p.takeover else "added"
        lines = [f"new-site {p.slug}: {p.platform.class_name} ({p.platform.name}) "
                 f"at {p.site_url}", "wrote:"]
        lines += [f"  {rel(path)}" for path in self.created]
        lines += [f"  {rel(path)}  ({how} website {p.slug!r}"
                  + (")" if path == p.sites_file else f", department {p.dost!r})")
                  for path in self.edited]
        lines += [f"note: {n}" for n in p.notes]
        lines += [
            "next steps (docs/adding-a-site.md):",
            f"  1. find the site's news listing(s) and set `categories` in spiders/{p.slug}.py",
            f"  2. save a listing page and two article pages in tests/fixtures/{p.slug}/ "
            "(page.html + meta.json; see its README.md)",
            f"  3. .venv/bin/python -m tests.fixture_tool regen {p.slug}   and review every "
            "expected.json",
            f"  4. replace the failing placeholder test in tests/spiders/test_{p.slug}.py with "
            "the site's own assertions",
            f"  5. optional: a mirror model crawler/mirror/sites/{p.slug}.py to put the site "
            "in the demo and end-to-end crawls (tests/spiders/test_meta.py checks for one)",
            f"  6. dost-archive check-live {p.slug}   (with internet) and move confirmed facts "
            "from GUESS to CONFIRMED in the spider's docstring",
            "  7. dost-archive sites --markdown > docs/sites.md",
        ]
        return "\n".join(lines)


def write_plan(plan: Plan) -> Result:
    """Write a checked plan; on any failure put every file back as it was and raise."""
    for path in plan.edits:
        if path.read_bytes() != plan.read[path]:
            raise ScaffoldError(f"{path.name} changed while new-site ran; run it again")
    created: list[Path] = []
    made_dirs: list[Path] = []
    originals: dict[Path, bytes] = {}
    try:
        for path, text in plan.new_files.items():
            if not path.parent.exists():
                path.parent.mkdir(parents=True)
                made_dirs.append(path.parent)
            with open(path, "x", encoding="utf-8", newline="\n") as fh:
                created.append(path)
                fh.write(text)
        for path, text in plan.edits.items():
            originals[path] = path.read_bytes()
            path.write_bytes(text.encode("utf-8"))
        try:
            _check_result(plan, *_try_load(plan.sites_file, plan.dosts_file))
        except (tomllib.TOMLDecodeError, RegistryError) as exc:
            raise ScaffoldError(f"the registry did not load after the change, so nothing "
                                f"was kept: {exc}") from exc
    except BaseException as exc:
        problems = _rollback(created, made_dirs, originals)
        if not isinstance(exc, Exception) or (isinstance(exc, ScaffoldError)
                                              and not problems):
            raise
        detail = f"; could not undo: {'; '.join(problems)}" if problems else ""
        raise ScaffoldError(f"writing failed ({type(exc).__name__}: {exc}), every change "
                            f"was undone{detail}") from exc
    finally:
        load_registry.cache_clear()
        load_dosts.cache_clear()
    return Result(plan, created, list(plan.edits))


def _rollback(created: list[Path], made_dirs: list[Path],
              originals: dict[Path, bytes]) -> list[str]:
    problems = []
    for path, data in originals.items():
        try:
            path.write_bytes(data)
        except OSError as exc:
            problems.append(f"{path}: {exc}")
    for path in reversed(created):
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            problems.append(f"{path}: {exc}")
    for folder in reversed(made_dirs):
        shutil.rmtree(folder, ignore_errors=True)
    return problems


def new_site(slug: str, platform: str, domain: str, *, name: str | None = None,
             province: str | None = None, province_current: str | None = None,
             dost: str | None = None, root: Path | str = REPO_ROOT) -> Result:
    """Check everything, then write the spider, test, fixture folder and registry entry."""
    return write_plan(plan_new_site(slug, platform, domain, name=name, province=province,
                                    province_current=province_current, dost=dost, root=root))


# -- the command ---------------------------------------------------------------------------

@click.command("new-site")
@click.argument("slug")
@click.option("--platform", "platform", required=True, metavar="P",
              help="Platform base in crawler/platforms (vnpt, sharepoint_list, liferay, …).")
@click.option("--domain", required=True, metavar="D",
              help="The site's host name, e.g. sokhcn.sonla.gov.vn.")
@click.option("--name", default=None, help="The site's name (default: the department's).")
@click.option("--province", default=None,
              help="Province at publication, pre-2025 name (default: the department's).")
@click.option("--province-current", default=None,
              help="Province after 1 July 2025 (default: the department's, else --province).")
@click.option("--dost", default=None, metavar="DOST_SLUG",
              help="Department (dosts.toml) whose `sites` list gets this website.")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=REPO_ROOT,
              show_default="this checkout", help="Checkout to write into.")
def new_site_command(slug: str, platform: str, domain: str, name: str | None,
                     province: str | None, province_current: str | None, dost: str | None,
                     root: Path) -> None:
    """Start a site spider: spider module, fixture folder, failing placeholder test, and
    registry entry, from templates (like city-scrapers' genspider).

    Every fact the new spider states is a GUESS until real pages are saved and
    `dost-archive check-live SLUG` confirms it. Nothing is written if any input is wrong.
    """
    result = new_site(slug, platform, domain, name=name, province=province,
                      province_current=province_current, dost=dost, root=root)
    click.echo(result.report())

