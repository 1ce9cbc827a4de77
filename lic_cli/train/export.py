"""`lic export`: a trained model folder as other tools take it.

Two forms:

- **merged** (default): the weights alone (LoRA already merged at training), config and
  tokenizer, and a README whose first lines give the weights-alone figures: what vLLM,
  llama.cpp or an inference endpoint serving this folder will get. lic's files (the scope
  gate, cached answers) are left out.
- **gated**: the same plus the scope gate and a copy of its fallback model in `fallback/`,
  so the folder is self-contained for `lic serve` / `lic chat --model`, which apply the gate.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from lic_cli.errors import InputError, ModelLoadError
from lic_cli.store.atomic import write_atomic
from lic_cli.train import card, scope

LIC_FILES = ("lic_answers.json", scope.SCOPE_FILE, card.CARD_FILE, card.INFO_FILE)
FALLBACK_DIR = "fallback"


def _copy_weights(src: Path, dest: Path) -> None:
    for item in sorted(src.iterdir()):
        if item.name in LIC_FILES or item.name.startswith("."):
            continue
        target = dest / item.name
        if item.is_dir():
            shutil.copytree(item, target, symlinks=False)
        else:
            shutil.copy2(item, target)


def export(src: Path, dest: Path, *, gated: bool) -> dict[str, Any]:
    """Write the export of model folder `src` into the new folder `dest`; a summary."""
    if not (src / "config.json").is_file():
        raise ModelLoadError(f"{src}: not a model folder (no config.json)")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise InputError("already exists and is not an empty folder", source=str(dest))
    gate = scope.read(src)
    if gated and gate is None:
        raise ModelLoadError(f"{src}: has no scope gate ({scope.SCOPE_FILE}); export it without --gated")
    info = card.read_info(src)
    tmp = dest.parent / f".{dest.name}.export-tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        _copy_weights(src, tmp)
        if gated:
            assert gate is not None
            fallback = gate.fallback_path(src)
            (tmp / FALLBACK_DIR).mkdir()
            _copy_weights(fallback, tmp / FALLBACK_DIR)
            scope.write(tmp, scope.Scope(questions=gate.questions, threshold=gate.threshold, fallback=FALLBACK_DIR,
                                         encoder=gate.encoder, answers=gate.answers))
        write_atomic(tmp / card.CARD_FILE, _readme(src, info, gated=gated, has_gate=gate is not None))
        if dest.exists():
            dest.rmdir()
        tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    metrics = (info or {}).get("metrics") or {}
    return {"source": str(src), "export": str(dest), "form": "gated" if gated else "merged",
            "weights_locality": metrics.get("weights_locality"), "locality": metrics.get("locality")}


def _readme(src: Path, info: dict[str, Any] | None, *, gated: bool, has_gate: bool) -> str:
    m = (info or {}).get("metrics") or {}

    def pct(key: str) -> str:
        v = m.get(key)
        return f"{100 * v:.1f} %" if isinstance(v, (int, float)) else "not measured"

    if gated:
        head = ["# Exported with its scope gate (lic export --gated)", "",
                "Serve with `lic serve <this folder>` (OpenAI-compatible, applies the gate) or "
                "`lic chat --model <this folder>`. Through the gate it measured: reliability "
                f"{pct('reliability')}, generalization {pct('generalization')}, locality {pct('locality')}, "
                f"near-miss probes kept {pct('near_miss_locality')}. `fallback/` is the model the gate "
                "sends other questions to.", "",
                f"Loaded with plain from_pretrained the weights alone measured locality {pct('weights_locality')}."]
    else:
        head = ["# Exported weights (lic export): served as they are, without lic's scope gate", "",
                f"Measured from these weights alone: generalization {pct('weights_generalization')}, "
                f"locality {pct('weights_locality')} (unrelated questions the previous model answered right, "
                f"still right), near-miss probes kept {pct('weights_near_miss_locality')}, reliability "
                f"{pct('reliability')}."]
        if has_gate:
            head += ["", f"The source folder `{src}` has a scope gate that this export leaves out; through it "
                     f"locality measured {pct('locality')}. To keep it, export with --gated and serve with "
                     "`lic serve`."]
    body = (src / card.CARD_FILE).read_text(encoding="utf-8") if (src / card.CARD_FILE).is_file() else ""
    if body.startswith("# "):
        body = "#" + body  # the source's card, one level down
    return "\n".join(head) + "\n" + ("\n" + body if body else "")
