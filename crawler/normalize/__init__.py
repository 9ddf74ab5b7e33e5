"""Small, separately tested normalizers: text, dates, URLs, search folding, HTML."""
