"""Sentence embeddings without torch: the packaged MiniLM exported once to ONNX and run
with onnxruntime + tokenizers.

Stages that only embed (detect's head, route, locate, chat retrieval) start in well under
a second instead of paying torch + transformers + sentence-transformers (~2 s of imports
and ~2 s of model loading on 2 cores). The export runs once per machine (it imports torch
once, ~10 s) into $LIC_HOME/models/onnx/, under a file lock, written atomically; every
later process only opens the .onnx file.

The graph is the sentence-transformers pipeline itself: the transformer, mean pooling
over the attention mask, L2 normalization. Tokenization is the model folder's own
tokenizer.json with the folder's max_seq_length, and texts are batched sorted by length
as sentence-transformers does, so embeddings match the torch path to ~1e-6 cosine
(tests/test_embed.py checks 1e-4).

The graph has a second output, `layer_mean`: the same mean pooling over earlier layers'
token states (each of MID_LAYERS, normalized, side by side), from the same forward pass. detect's head reads it
beside the sentence embedding (docs/detect.md); `encode` returns the embedding alone.

A folder that is not a mean-pooled, normalized sentence-transformers model, a machine
without onnxruntime, or LIC_EMBED_BACKEND=torch takes the torch path (models.Encoder).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from lic_cli import progress
from lic_cli.errors import ModelLoadError

if TYPE_CHECKING:
    import numpy as np

EXPORT_VERSION = "2"  # bump when the exported graph changes (2: the layer_mean output)
OPSET = 17
BACKEND_ENV = "LIC_EMBED_BACKEND"  # "onnx" (default) or "torch"
# The transformer layers whose mean-pooled token states `encode_layers` returns beside the
# sentence embedding (indexes into hidden_states, 7 for MiniLM-L6: 3 is after its third
# layer). Detect's head with them (dev macro-F1, session 7, docs/detect.md): none 0.873,
# layer 3 0.924, layers 2 and 4 0.932, layers 2, 3 and 4 0.939.
MID_LAYERS = (2, 3, 4)


def backend() -> str:
    value = os.environ.get(BACKEND_ENV, "onnx").strip().lower() or "onnx"
    if value not in ("onnx", "torch"):
        raise ModelLoadError(f"{BACKEND_ENV}={value!r}: expected 'onnx' or 'torch'")
    return value


def onnx_supported(folder: Path) -> bool:
    """A sentence-transformers folder of Transformer -> mean Pooling (-> Normalize)."""
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        if kinds[:2] != ["Transformer", "Pooling"] or any(k != "Normalize" for k in kinds[2:]):
            return False
        pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return False
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v is True}
    return modes == {"pooling_mode_mean_tokens"} and (folder / "tokenizer.json").is_file() \
        and "Normalize" in kinds


def _weights(folder: Path) -> Path:
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (folder / name).is_file():
            return folder / name
    raise ModelLoadError(f"model folder {folder}: no model.safetensors or pytorch_model.bin")


def onnx_path(folder: Path) -> Path:
    """Where the export of `folder` is cached: keyed by the folder and its weights' size and mtime."""
    from lic_cli.models import lic_home

    st = _weights(folder).stat()
    key = hashlib.sha256(f"{folder.resolve()}|{st.st_size}|{st.st_mtime_ns}|{EXPORT_VERSION}|{OPSET}|{MID_LAYERS}".encode())
    return lic_home() / "models" / "onnx" / f"{folder.name}-{key.hexdigest()[:16]}.onnx"


def max_seq_length(folder: Path) -> int:
    try:
        cfg = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        return int(cfg["max_seq_length"])
    except (OSError, ValueError, KeyError, TypeError):
        return 256


def export(folder: Path, target: Path) -> Path:
    """Export the folder's transformer + mean pooling + normalization to `target` (once;
    concurrent callers wait for the first)."""
    from lic_cli.store.lock import build_once

    return build_once(target, lambda tmp: _export(folder, tmp, target))


def _export(folder: Path, tmp: Path, target: Path) -> Path:
    print(f"lic: exporting {folder.name} to ONNX once (cached in {target.parent})", file=sys.stderr)
    from lic_cli.models import offline, quiet_loading

    offline()
    import torch
    from transformers import AutoModel

    quiet_loading()
    model = AutoModel.from_pretrained(folder, attn_implementation="eager")
    model.eval()

    class Pooled(torch.nn.Module):
        def __init__(self, inner) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.inner(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids, output_hidden_states=True)
            mask = attention_mask.unsqueeze(-1).to(out.last_hidden_state.dtype)

            def pooled(hidden):
                mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                return torch.nn.functional.normalize(mean, p=2.0, dim=1)

            last = len(out.hidden_states) - 1
            mids = [pooled(out.hidden_states[min(layer, last)]) for layer in MID_LAYERS]
            return pooled(out.last_hidden_state), torch.cat(mids, dim=1)

    ids = torch.ones((2, 8), dtype=torch.long)
    with torch.inference_mode(), warnings.catch_warnings():
        # The tracer notes branches that are constant for every padded batch (mask
        # width == sequence length); the equality test covers padded batches.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pooled(model), (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(tmp / "model.onnx"),
            dynamo=False, input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["embedding", "layer_mean"], opset_version=OPSET,
            dynamic_axes={n: {0: "batch", 1: "seq"} for n in ("input_ids", "attention_mask", "token_type_ids")}
            | {"embedding": {0: "batch"}, "layer_mean": {0: "batch"}})
    return tmp / "model.onnx"


class OnnxEncoder:
    """Same interface as models.Encoder: `name`, `dim`, `encode(texts) -> (n, dim)` float32, L2-normalized."""

    backend = "onnx"

    def __init__(self, spec: str, folder: Path, name: str) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = export(folder, onnx_path(folder))
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = max(1, os.cpu_count() or 1)
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        except Exception as exc:  # a damaged cache file: one line naming it
            raise ModelLoadError(f"{path}: cannot open the exported encoder ({exc}); delete it to export again") \
                from None
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_seq_length(folder))
        self.tokenizer.no_padding()
        self.name = name
        self.spec = spec
        self._dim: int | None = None

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = int(self._run(["a"]).shape[1])
        return self._dim

    def _run(self, texts: list[str]) -> np.ndarray:
        return self._run_all(texts, ["embedding"])[0]

    def _run_all(self, texts: list[str], outputs: list[str]) -> list[np.ndarray]:
        import numpy as np

        enc = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in enc)
        ids = np.zeros((len(enc), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for i, e in enumerate(enc):
            n = len(e.ids)
            ids[i, :n], mask[i, :n], types[i, :n] = e.ids, e.attention_mask, e.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        return self.session.run(outputs, {k: v for k, v in feeds.items() if k in self.inputs})

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Longest first, as sentence-transformers does: little padding per batch.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), 0), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            emb = self._run([texts[i] for i in idx])
            if out.shape[1] == 0:
                out = np.empty((len(texts), emb.shape[1]), dtype=np.float32)
                self._dim = emb.shape[1]
            out[idx] = emb
        return out


    def encode_layers(self, texts: list[str], batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
        """(sentence embeddings (n, dim), MID_LAYERS' mean-pooled states (n, len(MID_LAYERS) * dim)), one pass."""
        import numpy as np

        parts: list[tuple[list[int], list[np.ndarray]]] = []
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            parts.append((idx, self._run_all([texts[i] for i in idx], ["embedding", "layer_mean"])))
        dims = [x.shape[1] for x in parts[0][1]] if parts else [self.dim, self.dim * len(MID_LAYERS)]
        emb, mid = (np.zeros((len(texts), d), dtype=np.float32) for d in dims)
        for idx, (e, m) in parts:
            emb[idx], mid[idx] = e, m
        return emb, mid


def open_encoder(spec: str):
    """The fastest encoder for `spec`: ONNX where it applies, else the torch Encoder."""
    from lic_cli.models import Encoder, describe, offline, resolve

    offline()
    folder = resolve(spec)
    if backend() == "onnx" and onnx_supported(folder):
        try:
            import onnxruntime  # noqa: F401
        except ImportError:
            return Encoder(spec)
        with progress.Progress(f"loading {describe(spec)} (ONNX; exported once on first use)"):
            return OnnxEncoder(spec, folder, describe(spec))
    with progress.Progress(f"loading {describe(spec)}"):
        return Encoder(spec)
