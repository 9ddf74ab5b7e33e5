"""A local mirror of the seed DOST sites, served over real HTTP on loopback.

Nothing here reaches the internet. Each site is modelled from the facts in the research
notes (URL shapes, markup, date formats, boilerplate) and filled with the seed pages' real
text; the demo and the end-to-end tests crawl it exactly as they would crawl the live site.
"""
