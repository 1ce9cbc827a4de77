"""Moved to lic_cli/models/judge.py (judging answers by content: chat uses it); this path stays for imports
that still name it: it is the same module object."""

import sys

from lic_cli.models import judge as _moved

sys.modules[__name__] = _moved
