"""Only for ``scrapyd-deploy``, which builds its egg with ``setup.py bdist_egg``.

Everything is configured in pyproject.toml (packages, package data, the ``scrapy`` entry point
that tells Scrapyd the settings module); without this file scrapyd-deploy would write a
``setup.py`` of its own into the checkout.
"""

from setuptools import setup

setup()
