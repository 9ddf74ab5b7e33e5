"""DOST Archive: crawl Vietnam's provincial DOST news sites into one SQLite archive."""

__version__ = "0.1.0"
