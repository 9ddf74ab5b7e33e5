"""The registry: every DOST, its 2025 lineage, and the websites it publishes on.

Two data files (not code), so that adding or correcting an entry is a data change reviewers
can read:

- ``sites.toml``: websites, keyed by slug (= the spider's name when a spider covers it):
  domains (primary first, then aliases), canonical scheme, platform, status. Canonical URLs
  and the province of every article come from here.
- ``dosts.toml``: the 63 departments of the provinces before 1 July 2025 and the 34 after,
  with province before and after, successor / predecessors, and their websites.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from core.urls import canonical_url

# Read as package resources, not paths beside __file__: a Scrapyd egg is a zip file.
REGISTRY_FILE: Traversable = files(__name__) / "sites.toml"
DOSTS_FILE: Traversable = files(__name__) / "dosts.toml"
STATUSES = frozenset({"live", "moved", "retired", "unknown"})
ERAS = {"pre2025": 63, "post2025": 34}


@dataclass(frozen=True)
class Site:
    slug: str
    name: str
    province: str
    province_current: str
    domains: tuple[str, ...]
    scheme: str = "https"
    platform: str = "unknown"
    status: str = "unknown"
    spider: str = ""
    evidence: dict[str, str] = field(default_factory=dict)

    @property
    def primary_domain(self) -> str:
        return self.domains[0]

    @property
    def aliases(self) -> dict[str, str]:
        """Every known host of the site → its primary host."""
        return {d: self.primary_domain for d in self.domains}

    def canonical_url(self, url: str) -> str:
        return canonical_url(url, aliases=self.aliases, scheme=self.scheme)

    def as_row(self) -> dict:
        row = asdict(self)
        row["domains"] = list(self.domains)
        return row


class RegistryError(ValueError):
    """The registry file is malformed; the message names the entry and the field."""


@lru_cache(maxsize=4)
def load_registry(path: Traversable = REGISTRY_FILE) -> dict[str, Site]:
    """Parse and check the registry; a bad entry is an error, never a silent skip."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    sites: dict[str, Site] = {}
    hosts: dict[str, str] = {}
    for i, entry in enumerate(data.get("site", [])):
        where = f"{path.name}: site #{i + 1} ({entry.get('slug', '?')})"
        try:
            site = Site(**{**entry, "domains": tuple(entry["domains"])})
        except (TypeError, KeyError) as exc:
            raise RegistryError(f"{where}: {exc}") from exc
        if site.slug in sites:
            raise RegistryError(f"{where}: duplicate slug")
        if site.status not in STATUSES:
            raise RegistryError(f"{where}: status {site.status!r} not in {sorted(STATUSES)}")
        if not site.domains:
            raise RegistryError(f"{where}: no domains")
        for host in site.domains:
            if host in hosts:
                raise RegistryError(f"{where}: domain {host} already belongs to {hosts[host]}")
            hosts[host] = site.slug
        sites[site.slug] = site
    return sites


def site_for_host(host: str) -> Site | None:
    """The registered site that owns ``host`` (any of its domains), if any."""
    host = host.lower()
    for site in load_registry().values():
        if host in site.domains:
            return site
    return None


@dataclass(frozen=True)
class Dost:
    """One department: of a province before 1 July 2025 (``pre2025``) or after (``post2025``)."""

    slug: str
    name: str
    era: str
    province: str
    province_current: str
    sites: tuple[str, ...] = ()
    status: str = "unknown"
    successor: str = ""
    predecessors: tuple[str, ...] = ()
    evidence: dict[str, str] = field(default_factory=dict)

    def as_row(self) -> dict:
        row = asdict(self)
        row["sites"] = list(self.sites)
        row["predecessors"] = list(self.predecessors)
        return row


@lru_cache(maxsize=4)
def load_dosts(path: Traversable = DOSTS_FILE,
               sites_path: Traversable = REGISTRY_FILE) -> dict[str, Dost]:
    """Parse and cross-check the departments: counts per era, lineage both ways, websites."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    sites = load_registry(sites_path)
    dosts: dict[str, Dost] = {}
    for i, entry in enumerate(data.get("dost", [])):
        where = f"{path.name}: dost #{i + 1} ({entry.get('slug', '?')})"
        try:
            dost = Dost(**{**entry, "sites": tuple(entry.get("sites", ())),
                           "predecessors": tuple(entry.get("predecessors", ()))})
        except TypeError as exc:
            raise RegistryError(f"{where}: {exc}") from exc
        if dost.slug in dosts:
            raise RegistryError(f"{where}: duplicate slug")
        if dost.era not in ERAS:
            raise RegistryError(f"{where}: era {dost.era!r} not in {sorted(ERAS)}")
        if dost.status not in STATUSES:
            raise RegistryError(f"{where}: status {dost.status!r} not in {sorted(STATUSES)}")
        unknown = [s for s in dost.sites if s not in sites]
        if unknown:
            raise RegistryError(f"{where}: sites {unknown} are not in {sites_path.name}")
        dosts[dost.slug] = dost
    for era, count in ERAS.items():
        found = sum(1 for d in dosts.values() if d.era == era)
        if found != count:
            raise RegistryError(f"{path.name}: {found} {era} departments, expected {count}")
    for d in dosts.values():
        if d.era == "pre2025":
            successor = dosts.get(d.successor)
            if successor is None or d.slug not in successor.predecessors:
                raise RegistryError(f"{path.name}: {d.slug}: successor {d.successor!r} does "
                                    "not list it among its predecessors")
            if successor.province != d.province_current:
                raise RegistryError(f"{path.name}: {d.slug}: province_current "
                                    f"{d.province_current!r} is not its successor's province")
        else:
            for p in d.predecessors:
                if p not in dosts or dosts[p].successor != d.slug:
                    raise RegistryError(f"{path.name}: {d.slug}: predecessor {p!r} does not "
                                        "name it as successor")
    return dosts


def dosts_of_site(site: str) -> list[Dost]:
    """The departments that publish on website ``site``."""
    return [d for d in load_dosts().values() if site in d.sites]
