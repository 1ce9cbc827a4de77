"""The CI gate: did a newly trained model get worse than the model it replaces?

Each higher-is-better metric present in both registry entries is compared; a drop of
more than the task's `train.tolerance` (absolute, on the 0..1 scale) fails the gate.
A metric either model lacks (no eval split, a first model without a previous version)
is not compared.

`weights_locality` (a gated causal-lm model's weights alone, lic eval) is itself measured
against the model it replaces: the share of the previous model's right answers the new
weights still give. So it fails the gate on its own when it is below 1 - tolerance: the
folder served without lic's gate (vLLM, llama.cpp, an export) would have lost more than the
tolerance of what the previous model answered right.
"""

from __future__ import annotations

from typing import Any

# Higher is better, all on 0..1.
GATED = ("accuracy", "macro_f1", "answer_accuracy", "reliability", "generalization", "locality")


def drops(previous: dict[str, Any] | None, current: dict[str, Any], tolerance: float) -> list[dict[str, Any]]:
    """[{"metric", "previous", "current", "drop"}] for each metric that fell by more than `tolerance`."""
    new = current.get("metrics") or {}
    out = []
    alone = new.get("weights_locality")
    if isinstance(alone, (int, float)) and 1 - alone > tolerance + 1e-9:
        out.append({"metric": "weights_locality", "previous": 1.0, "current": alone, "drop": round(1 - alone, 4)})
    if previous is None:
        return out
    old = previous.get("metrics") or {}
    for key in GATED:
        a, b = old.get(key), new.get(key)
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
            continue
        if a - b > tolerance + 1e-9:
            out.append({"metric": key, "previous": a, "current": b, "drop": round(a - b, 4)})
    return out


def describe(task: str, previous_path: str, found: list[dict[str, Any]], tolerance: float) -> list[str]:
    """One line per dropped metric, for stderr."""
    return [f"{task}: {d['metric']} dropped {d['drop']:.4f} ({d['previous']:.4f} -> {d['current']:.4f}) "
            f"against {previous_path}, more than the tolerance {tolerance:g}" for d in found]
