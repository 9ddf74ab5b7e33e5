"""The neutral core: what storage/ and crawler/ both need, depending on neither.

The article model and its flags (``core.article``), the folded search key (``core.fold``),
canonical URLs (``core.urls``), near-duplicate MinHash/LSH (``core.near``) and the one
HTML sanitizer the archive stores and the article page shows (``core.html``). storage/ is the
bottom layer that writes SQL; crawler/ fetches and parses; both import these, and nothing
here imports either of them (tests/test_layers.py).
"""
