"""Inference for small feed-forward heads in numpy: Linear -> ReLU -> ... -> Linear, from a
torch Sequential's state dict saved as arrays. Stages that score with a trained head
(detect's fast head) then never import torch; training stays in torch.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


class MLP:
    """Linear layers with ReLU between them; `weights[i]` is (out, in) as torch stores it."""

    def __init__(self, weights: list[np.ndarray], biases: list[np.ndarray]) -> None:
        import numpy as np

        self.weights = [np.ascontiguousarray(w.T, dtype=np.float32) for w in weights]
        self.biases = [np.asarray(b, dtype=np.float32) for b in biases]

    @property
    def in_features(self) -> int:
        return int(self.weights[0].shape[0])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        import numpy as np

        h = np.asarray(x, dtype=np.float32)
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = h @ w + b
            if i < len(self.weights) - 1:
                np.maximum(h, 0, out=h)
        return h

    def proba(self, x: np.ndarray) -> np.ndarray:
        return softmax(self(x))

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> MLP:
        """From a Sequential's state dict (tensors or arrays): every `N.weight` / `N.bias` pair in order."""
        import numpy as np

        def arr(v: Any) -> np.ndarray:
            return v.detach().cpu().numpy() if hasattr(v, "detach") else np.asarray(v)

        layers = sorted({int(k.split(".")[0]) for k in state if k.endswith(".weight")})
        return cls([arr(state[f"{i}.weight"]) for i in layers], [arr(state[f"{i}.bias"]) for i in layers])

    def save(self, path: Path, **extra: np.ndarray) -> None:
        """Atomically, as .npz: w0, b0, w1, b1, ... plus any extra arrays."""
        import numpy as np

        arrays = {f"w{i}": w.T for i, w in enumerate(self.weights)} | {f"b{i}": b for i, b in enumerate(self.biases)}
        tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays, **extra)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> tuple[MLP, dict[str, np.ndarray]]:
        """The MLP and the extra arrays saved with it."""
        import numpy as np

        with np.load(path, allow_pickle=False) as data:
            n = sum(1 for k in data.files if k.startswith("w") and k[1:].isdigit())
            mlp = cls([data[f"w{i}"] for i in range(n)], [data[f"b{i}"] for i in range(n)])
            extra = {k: data[k] for k in data.files if not (k[:1] in "wb" and k[1:].isdigit())}
        return mlp, extra


def softmax(logits: np.ndarray) -> np.ndarray:
    import numpy as np

    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32, copy=False)
