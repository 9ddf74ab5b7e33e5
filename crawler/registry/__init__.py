"""The site registry: which DOST sites exist, where they live, and what became of them.

Loaded from ``sites.toml`` (data, not code) so that adding or correcting a site is a data
change that reviewers can read.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from crawler.normalize.urls import canonical_url

REGISTRY_FILE = Path(__file__).with_name("sites.toml")
STATUSES = frozenset({"live", "moved", "retired", "unknown"})


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
def load_registry(path: Path = REGISTRY_FILE) -> dict[str, Site]:
    """Parse and check the registry; a bad entry is an error, never a silent skip."""
    with open(path, "rb") as fh:
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
