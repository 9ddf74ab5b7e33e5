"""Small, separately tested normalizers: text, dates, HTML, encodings, articles.

Pure functions of text and bytes: no Scrapy, registry or storage (tests/test_layers.py). URLs
and search folding moved to core/ (``core.urls``, ``core.fold``); their old paths still import
(crawler/_moved.py answers them).
"""
