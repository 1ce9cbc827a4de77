"""The import contract: every `lic_cli` import (module-level and inside functions, parsed
with ast) goes down the layers, never up:

    interface   cli, __main__, commands, api, the lic_cli package itself (its lazy API)
    stages      detect, extract, router, locate, chat, train, project, serve, predict
    models / patches
    store
    base        records, knowledge, tasks, errors, jsonl, safeload, plugins, spans, progress, data (packaged files)

Stages may use each other (chat runs detect, extract, route and locate as it learns), with
two exceptions: only `train/` itself and the interface import `lic_cli.train` (inference
lives in `lic_cli/models`), and `train/` imports no other stage. docs/architecture.md states
the same order; test_documented_order_matches checks that it does.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PKG = REPO / "lic_cli"

LAYERS: dict[str, tuple[str, ...]] = {
    "interface": ("cli", "__main__", "commands", "api", ""),
    "stages": ("detect", "extract", "router", "locate", "chat", "train", "project", "serve", "predict"),
    "models/patches": ("models", "patches"),
    "store": ("store",),
    "base": ("records", "knowledge", "tasks", "errors", "jsonl", "safeload", "plugins", "spans", "progress", "data"),
}
ORDER = list(LAYERS)  # highest first
RANK = {top: ORDER.index(layer) for layer, tops in LAYERS.items() for top in tops}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def submodules() -> set[str]:
    return {module_name(p) for p in PKG.rglob("*.py")}


def imports(path: Path, known: set[str]) -> list[tuple[str, int]]:
    """(imported lic_cli module, line) for every import in the file, at any depth."""
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "lic_cli"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join([*base, *([node.module] if node.module else [])])
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "lic_cli":
                continue
            for a in node.names:  # `from lic_cli.x import y`: y may be a module itself
                sub = f"{mod}.{a.name}"
                if mod == "lic_cli" and a.name.startswith("__") and sub not in known:
                    continue  # package metadata (__version__), not the lazy API
                found.append((sub if sub in known else mod, node.lineno))
    return found


def top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def edges() -> list[tuple[str, str, str]]:
    """(importer, imported, 'file:line') for every internal import."""
    known = submodules()
    out = []
    for path in sorted(PKG.rglob("*.py")):
        me = module_name(path)
        for mod, line in imports(path, known):
            out.append((me, mod, f"{path.relative_to(REPO)}:{line}"))
    return out


def test_every_top_level_module_has_a_layer():
    tops = {top(m) for m in submodules()}
    assert tops <= set(RANK), f"give these a layer in tests/test_layers.py: {sorted(tops - set(RANK))}"


def test_imports_only_go_down():
    wrong = [f"{where}: {a} ({ORDER[RANK[top(a)]]}) imports {b} ({ORDER[RANK[top(b)]]})"
             for a, b, where in edges() if top(b) != top(a) and RANK[top(b)] < RANK[top(a)]]
    assert not wrong, "\n".join(wrong)


def test_only_train_and_the_interface_import_train():
    wrong = [f"{where}: {a} imports {b}" for a, b, where in edges()
             if top(b) == "train" and top(a) != "train" and RANK[top(a)] != ORDER.index("interface")]
    assert not wrong, "\n".join(wrong)


def test_train_imports_no_other_stage():
    stages = set(LAYERS["stages"]) - {"train"}
    wrong = [f"{where}: {a} imports {b}" for a, b, where in edges() if top(a) == "train" and top(b) in stages]
    assert not wrong, "\n".join(wrong)


def test_documented_order_matches():
    """docs/architecture.md's layer list names the same layers, in the same order."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("<!-- layers -->")[1]
    stated = [line.split("|")[1].strip() for line in block.strip().splitlines()[2:] if line.startswith("|")]
    assert stated == ORDER
    for layer, tops in LAYERS.items():
        row = next(line for line in block.splitlines() if line.startswith(f"| {layer} |"))
        assert all(f"`{t}`" in row for t in tops if t), (layer, row)
