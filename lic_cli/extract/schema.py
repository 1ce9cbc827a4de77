"""Moved to lic_cli/knowledge.py (the knowledge item contract, shared by extract, route, locate and train); this path stays for imports
that still name it: it is the same module object."""

import sys

from lic_cli import knowledge as _moved

sys.modules[__name__] = _moved
