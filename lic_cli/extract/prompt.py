"""Moved to lic_cli/models/extraction.py (the extraction prompt format: extract's model engine and train's extraction type share it); this path stays for imports
that still name it: it is the same module object."""

import sys

from lic_cli.models import extraction as _moved

sys.modules[__name__] = _moved
