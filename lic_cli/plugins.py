"""Plugins through Python entry points: extract engines, chat backends, train types and
dataset formats.

A package adds one by declaring an entry point in its own metadata, e.g. in pyproject.toml:

    [project.entry-points."lic.extract_engines"]
    regex = "my_pkg.engines:make_regex_engine"

    [project.entry-points."lic.dataset_formats"]
    yaml = "my_pkg.formats:YAML_FORMAT"

and `pip install`-ing it; lic's own code is not touched. lic's built-ins are declared the
same way in its pyproject.toml (BUILTIN below mirrors them, so a source checkout that was
never pip-installed still finds them; tests/test_plugins.py checks the two agree).

What each group's object is:
- lic.extract_engines: a factory `(project=None, **options) -> Engine` (extract.engine.Engine);
  options are llm, endpoint, api_key, timeout, batch_size.
- lic.chat_backends: a factory `(spec, *, project, max_new_tokens, server_model) -> backend`
  for `lic chat --model NAME:ARG` (chat/backend.py's interface: name, generate()).
- lic.train_types: a Trainer (train/trainers.py): `params(task)` and `train(...)`.
- lic.dataset_formats: a DatasetFormat (store/formats), or a list of them.

Nothing is looked up at import: the first `get`/`names` of a group reads the metadata
(~10-60 ms), so `lic --help` stays as fast as before.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import Any

from lic_cli.errors import InputError

DIST = "lic-cli"

GROUPS = {
    "extract-engine": "lic.extract_engines",
    "chat-backend": "lic.chat_backends",
    "train-type": "lic.train_types",
    "dataset-format": "lic.dataset_formats",
}

# The built-ins, exactly as pyproject.toml declares them (in this order).
BUILTIN: dict[str, dict[str, str]] = {
    "extract-engine": {
        "auto": "lic_cli.extract:auto_engine",
        "rules": "lic_cli.extract:rules_engine",
        "learned": "lic_cli.extract:learned_engine",
        "generative": "lic_cli.extract:generative_engine",
        "model": "lic_cli.extract:model_engine",
        "llm": "lic_cli.extract:llm_engine",
    },
    "chat-backend": {
        "local": "lic_cli.chat.start:local_backend",
        "endpoint": "lic_cli.chat.start:endpoint_backend",
    },
    "train-type": {
        "classification": "lic_cli.train.trainers:CLASSIFICATION",
        "token-classification": "lic_cli.train.trainers:TOKEN_CLASSIFICATION",
        "causal-lm": "lic_cli.train.trainers:CAUSAL_LM",
        "extraction": "lic_cli.train.trainers:EXTRACTION",
        "retrieval": "lic_cli.train.trainers:RETRIEVAL",
    },
    "dataset-format": {
        "jsonl": "lic_cli.store.formats.jsonl:FORMATS",
        "csv": "lic_cli.store.formats.csvfile:FORMATS",
        "parquet": "lic_cli.store.formats.parquet:FORMATS",
        "hf": "lic_cli.store.formats.hfdisk:FORMATS",
    },
}


@dataclass(frozen=True)
class Plugin:
    kind: str  # a key of GROUPS
    name: str
    value: str  # "module:attribute"
    dist: str  # the distribution that declares it

    @property
    def builtin(self) -> bool:
        return self.dist == DIST

    def load(self) -> Any:
        return _load(self.value, self.kind, self.name)


def _group(kind: str) -> str:
    try:
        return GROUPS[kind]
    except KeyError:
        raise InputError(f"unknown plugin kind '{kind}' (known: {', '.join(GROUPS)})") from None


@functools.cache
def plugins(kind: str) -> tuple[Plugin, ...]:
    """The built-ins first (in BUILTIN order), then every installed entry point of the
    group that is not lic's own (a third-party name equal to a built-in replaces it)."""
    group = _group(kind)
    found: dict[str, Plugin] = {n: Plugin(kind, n, v, DIST) for n, v in BUILTIN[kind].items()}
    from importlib.metadata import entry_points

    for ep in entry_points(group=group):
        dist = getattr(getattr(ep, "dist", None), "name", None) or "?"
        if dist.replace("_", "-").lower() == DIST:
            continue  # lic's own: BUILTIN says the same (tests/test_plugins.py)
        found[ep.name] = Plugin(kind, ep.name, ep.value, dist)
    return tuple(found.values())


def names(kind: str) -> list[str]:
    return [p.name for p in plugins(kind)]


def find(kind: str, name: str) -> Plugin:
    for p in plugins(kind):
        if p.name == name:
            return p
    raise InputError(f"unknown {kind.replace('-', ' ')} '{name}' (installed: {', '.join(names(kind))})",
                     field=kind.split("-")[-1])


def get(kind: str, name: str) -> Any:
    """The loaded object of plugin `name` of `kind` (an error naming the installed ones if none)."""
    return find(kind, name).load()


def load_all(kind: str) -> list[Any]:
    return [p.load() for p in plugins(kind)]


@functools.cache
def _load(value: str, kind: str, name: str) -> Any:
    module, _, attr = value.partition(":")
    try:
        obj: Any = importlib.import_module(module.strip())
        for part in filter(None, attr.strip().split(".")):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise InputError(f"{kind} plugin '{name}' ({value}) cannot be loaded: {exc}") from None
    return obj


def installed() -> list[dict[str, Any]]:
    """Every plugin of every kind, as records for `lic plugins`."""
    return [{"kind": p.kind, "name": p.name, "value": p.value, "dist": p.dist, "builtin": p.builtin}
            for kind in GROUPS for p in plugins(kind)]


def clear_cache() -> None:
    """Forget what was looked up (after installing a plugin into a running process: tests)."""
    plugins.cache_clear()
    _load.cache_clear()
