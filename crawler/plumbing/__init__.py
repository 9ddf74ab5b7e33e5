"""The Scrapy plumbing: what carries a crawl from a spider's items to the archive.

``run`` (one run of one site: the archive connection, its ``crawl_runs`` row, the hand-over
of known articles to the spider), ``pipelines`` (normalize → validate → deduplicate → store)
and the ``writer`` thread they feed, ``warc`` (raw captures), ``files`` (attachments),
``middlewares`` and ``robots`` (the downloader side), ``decoding`` (the true charset of a
response), ``monitors`` (checks after each run), ``progress`` (the terminal counters) and
``lock`` (one crawl per archive). The Scrapy settings module stays ``crawler.settings``, where
Scrapy projects keep it and where scrapy.cfg and the Scrapyd egg name it.

The old paths (``crawler.run``, ``crawler.pipelines``, …) are aliases of these modules
(crawler/_moved.py).
"""
