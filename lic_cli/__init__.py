"""lic: Learning In Conversation. Kept import-light: `lic --help` must not load torch.

The Python API (lic_cli/api.py, docs/python-api.md) is reached lazily from here:

    import lic_cli
    located = lic_cli.locate(lic_cli.route(lic_cli.extract(lic_cli.detect("chat.jsonl"))))
    lic_cli.apply(located)

`detect`, `extract`, `locate` and `train` are also the stage packages' names: those
packages are callable (calling one runs the API function of the same name), so
`lic_cli.detect(records)` and `from lic_cli import detect; detect.run(...)` both work.
"""

from __future__ import annotations

import sys
import types

__version__ = "0.1.0"

API = ("read", "load_project", "detect", "extract", "route", "locate", "apply", "train", "pipeline")
_CALLABLE_PACKAGES = ("detect", "extract", "locate", "train")


class _StagePackage(types.ModuleType):
    """A stage package that is also its API call."""

    def __call__(self, *args, **kwargs):
        from lic_cli import api

        return getattr(api, self.__name__.rpartition(".")[2])(*args, **kwargs)


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value) -> None:
        # The import system binds each imported subpackage here: make the stage ones callable.
        if name in _CALLABLE_PACKAGES and type(value) is types.ModuleType:
            value.__class__ = _StagePackage
        super().__setattr__(name, value)


def __getattr__(name: str):
    if name in _CALLABLE_PACKAGES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    if name in API:
        from lic_cli import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *API})


sys.modules[__name__].__class__ = _Package
