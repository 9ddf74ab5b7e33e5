"""The generic spider: websites of the registry that no site spider covers yet.

Nothing about any site's markup is assumed (so nothing here is CONFIRMED or a GUESS about a
particular site): it works from what every site has — links, feeds, sitemaps, headings and
paragraphs — see crawler/platforms/generic.py and crawler/extract/generic.py. Its test
site is the mirror of seed 002, a DOST page whose site nobody has identified.
"""

from crawler.platforms.generic import GenericSpider


class GenericSiteSpider(GenericSpider):
    name = "generic"
