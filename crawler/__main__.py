"""``python -m crawler`` is ``dost-archive``."""

from crawler.cli import main

main(prog_name="dost-archive")
