"""DOST Archive: crawl Vietnam's provincial DOST news sites into one SQLite archive."""

from crawler import _moved

__version__ = "0.1.0"

_moved.install()
