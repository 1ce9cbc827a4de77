"""Moved to lic_cli/models/scope.py (the scope gate: chat and serve answer through it); this path stays for imports
that still name it: it is the same module object."""

import sys

from lic_cli.models import scope as _moved

sys.modules[__name__] = _moved
