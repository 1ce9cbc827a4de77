"""Moved to lic_cli/models/registry.py (the model registry: inference reads it); this path stays for imports
that still name it: it is the same module object."""

import sys

from lic_cli.models import registry as _moved

sys.modules[__name__] = _moved
