"""The model card: a README.md in each trained causal-lm folder that tells the truth about it.

What it was trained on (task, base, dataset version and hash, the patches it was taught,
the hyper-parameters), its measured figures through lic's scope gate and from its weights
alone, and how to serve it: a folder with a gate answers as measured only when the gate
routes its questions (`lic chat`, `lic serve`); plain from_pretrained (vLLM, llama.cpp,
an inference endpoint) gets the weights-alone figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CARD_FILE = "README.md"
INFO_FILE = "lic_model.json"  # the registry entry the card was written from (lic export reads it)
_ROWS = (("reliability", "reliability", None), ("generalization", "generalization", "weights_generalization"),
         ("locality", "locality", "weights_locality"),
         ("near-miss kept", "near_miss_locality", "weights_near_miss_locality"),
         ("held-out accuracy", "answer_accuracy", None))


def _pct(value: Any) -> str:
    return f"{100 * value:.1f} %" if isinstance(value, (int, float)) else "-"


def render(entry: dict[str, Any], *, gated: bool, taught: list[dict[str, Any]], fallback: str | None) -> str:
    """The card's Markdown for a registry entry (its metrics measured) and the patches it taught."""
    m = entry.get("metrics") or {}
    name = Path(entry["path"]).name
    lines = [f"# {entry['task']} / {name}", "",
             f"A `{entry.get('base')}` chat model instruction-tuned by `lic train` (causal-lm, "
             f"{(entry.get('params') or {}).get('method', 'lora')}, merged into the weights).", "",
             "## Trained on", "",
             f"- task `{entry['task']}`, dataset version v{entry.get('dataset_version')} "
             f"(`{entry.get('dataset_hash')}`)",
             f"- started from `{m.get('start', entry.get('base'))}`; replaces "
             f"`{(entry.get('previous') or {}).get('path', '-')}`",
             f"- {m.get('taught', 0)} taught rows, {m.get('replayed', 0)} replayed old rows, "
             f"{m.get('distilled', 0)} self-distilled general questions; {m.get('train_rows', 0)} training pairs, "
             f"{m.get('steps', 0)} steps, {entry.get('seconds', '-')} s"]
    for patch in taught:
        lines.append(f"- patch `{patch['patch']}` (v{patch['version']}): {patch['rows']} rows")
    params = entry.get("params") or {}
    shown = ", ".join(f"{k} {params[k]}" for k in ("lora_r", "lora_layers", "learning_rate", "epochs", "augment_lm", "augment_words",
                                                   "replay", "distill", "kl_weight", "scope_threshold", "scope_judge",
                                                   "scope_check", "scope_answer", "scope_route")
                     if k in params)
    lines += [f"- hyper-parameters: {shown}", "", "## Measured (lic eval, judged by content)", "",
              "| measure | through lic's scope gate | weights alone (plain from_pretrained) |", "|---|---|---|"]
    for label, key, alone in _ROWS:
        through = m.get(key)
        weights = m.get(alone) if alone else through
        lines.append(f"| {label} | {_pct(through) if gated else '-'} | {_pct(weights)} |")
    lines += ["", f"Locality: {m.get('locality_probes', 0)} questions the previous model answered right; "
              f"near-miss probes: {m.get('near_miss_probes', 0)} questions close to a taught one but about "
              "something else.", "", "## Serving", ""]
    if gated:
        lines += [f"This folder has a scope gate (`lic_scope.json`): questions outside what it was taught go to "
                  f"`{fallback}`, the model from before the teaching"
                  + ("" if (params.get("scope_check") or "off") == "off" else
                     f", and so do answers of these weights that give no taught value the question asks for "
                     f"(the check after generation, `{params['scope_check']}`: lic serve and lic eval apply it)"
                     + ("; a refused question one taught row clearly answers gets that row's value instead"
                        if params.get("scope_answer") else "")
                     + (f" (route `{params['scope_route']}`: lic_cli/models/scope.py ROUTES)"
                        if params.get("scope_answer") and params.get("scope_route") not in (None, "check") else ""))
                  + ". The figures in the middle column hold only when the gate routes the questions:", "",
                  "- `lic chat --model <this folder>`",
                  "- `lic serve <this folder>`: an OpenAI-compatible endpoint (`/v1/chat/completions`) that "
                  "applies the gate, for any tool that speaks that API",
                  "- `lic export <this folder> --to DIR --gated`: this folder with its fallback, self-contained", "",
                  "Loaded with plain `AutoModelForCausalLM.from_pretrained` (vLLM, llama.cpp, an inference "
                  "endpoint), the weights answer everything: expect the right-hand column."]
    else:
        lines += ["No scope gate: the weights answer everything; load with `AutoModelForCausalLM.from_pretrained`, "
                  "`lic chat --model <this folder>` or `lic serve <this folder>`."]
    return "\n".join(lines) + "\n"


def write(folder: Path, entry: dict[str, Any], *, gated: bool, taught: list[dict[str, Any]],
          fallback: str | None) -> None:
    import json

    from lic_cli.store.atomic import write_atomic

    write_atomic(folder / INFO_FILE, json.dumps(entry, ensure_ascii=False, indent=1) + "\n")
    write_atomic(folder / CARD_FILE, render(entry, gated=gated, taught=taught, fallback=fallback))


def read_info(folder: Path) -> dict[str, Any] | None:
    """The entry a lic-trained folder was written with, or None (not trained by lic, or damaged)."""
    import json

    try:
        info = json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and isinstance(info.get("path"), str) else None
