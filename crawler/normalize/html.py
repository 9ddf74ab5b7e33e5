"""Moved to ``core.html`` (issue 17); this old path stays importable.

The module object itself is aliased, not copied, so monkeypatching either name patches both.
"""

import sys

import core.html

sys.modules[__name__] = core.html
