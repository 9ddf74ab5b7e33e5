"""The generic spider: websites of the registry that no site spider covers yet.

Domain:
    Any website of the registry whose ``spider`` is ``""``; nothing about any site's markup
    is assumed.

Platform:
    None in particular: ``GenericSpider`` (crawler/platforms/generic.py) with the generic
    extractor (crawler/extract/generic.py), which work from what every site has — links,
    feeds, sitemaps, headings and paragraphs.

Evidence:
    Registry: crawler/registry/sites.toml, every [[site]] without a spider. Its test site is
    the mirror of seed 002, a DOST page whose site nobody has identified.

Caveats:
    Nothing here is CONFIRMED or a GUESS about a particular site: the registry entry of each
    website carries its own evidence.
"""

from crawler.platforms.generic import GenericSpider


class GenericSiteSpider(GenericSpider):
    name = "generic"
