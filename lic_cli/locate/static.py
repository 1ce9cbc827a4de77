"""A static (model2vec) embedding model distilled once, offline, from the packaged MiniLM.

Used for the first stage of large indexes: ~30-60k sentences/s on 2 cores against ~470/s
for MiniLM, with similar rankings (docs/locate.md). Distilled on first use (about 15-80 s,
depending on load) into $LIC_HOME/models/ and reused; nothing is downloaded.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from lic_cli.models import lic_home, offline, resolve

if TYPE_CHECKING:
    import numpy as np

PCA_DIMS = 128  # 1M keys x 128 x 4 bytes = 512 MB on disk, memory-mapped


def _target() -> Path:
    src = resolve("minilm")
    size = sum(f.stat().st_size for f in src.rglob("*") if f.is_file())
    return lic_home() / "models" / f"minilm-static{PCA_DIMS}-{size}"


def distilled_path() -> Path:
    from lic_cli.store.lock import build_once

    return build_once(_target(), _distill, done=lambda p: (p / "config.json").is_file())


def _distill(tmp: Path) -> None:
    offline()
    from model2vec.distill import distill

    model = distill(model_name=str(resolve("minilm")), pca_dims=PCA_DIMS)
    model.save_pretrained(str(tmp))


class StaticEncoder:
    """Same interface as models.Encoder: L2-normalized float32 rows."""

    def __init__(self) -> None:
        from model2vec import StaticModel

        path = distilled_path()
        self.name = f"minilm-static{PCA_DIMS}"
        self.model = StaticModel.from_pretrained(str(path), force_download=False)

    @property
    def dim(self) -> int:
        return int(self.model.dim)

    def encode(self, texts: list[str], batch_size: int = 4096) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        emb = np.asarray(self.model.encode(texts, batch_size=batch_size), dtype=np.float32)
        norms = np.linalg.norm(emb, axis=1, keepdims=True)
        return emb / np.maximum(norms, 1e-12)


@functools.lru_cache(maxsize=1)
def load_static() -> StaticEncoder:
    return StaticEncoder()
