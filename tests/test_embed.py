"""The ONNX encoder the embedding stages use matches the torch (sentence-transformers) path,
and the stages that only embed run without importing torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lic_cli.models import load_encoder, load_torch_encoder
from lic_cli.models.embed import OnnxEncoder

TEXTS = [
    "How long is the refund window?",
    "",
    "No, it's 30 days now, not 14 — and that applies to every order placed after March 1st.",
    "Forget the Venmo entry.",
    "ok",
    "Kestrel ships in a carbon case that weighs 1.9 kg " * 40,  # longer than max_seq_length
    "Ünïcödé, emoji 🚀 and tabs\tand\nnewlines",
] * 3

PROBE = """
import sys, atexit
atexit.register(lambda: print("HEAVY=" + ",".join(m for m in ("torch", "transformers", "sentence_transformers")
                                                    if m in sys.modules), file=sys.stderr))
sys.argv = ["lic"] + sys.argv[1:]
from lic_cli.cli import main
main()
"""


@pytest.mark.slow
def test_onnx_encoder_matches_torch_within_1e4_cosine():
    fast, ref = load_encoder("minilm"), load_torch_encoder("minilm")
    assert isinstance(fast, OnnxEncoder)
    a, b = fast.encode(TEXTS, batch_size=4), ref.encode(TEXTS, batch_size=4)
    assert a.shape == b.shape == (len(TEXTS), 384) and a.dtype == np.float32
    cos = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    assert float(cos.min()) >= 1 - 1e-4
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    # Batching and order never change an embedding.
    assert np.allclose(fast.encode(TEXTS[::-1], batch_size=64)[::-1], a, atol=1e-5)
    assert fast.encode([]).shape == (0, 384)


@pytest.mark.slow
def test_embedding_stages_never_import_torch(demo_project, lic_home):
    turn = {"conversation": "c", "turn": 1, "role": "user", "text": "Refunds now take 30 days to process."}
    env = {**os.environ, "LIC_HOME": str(lic_home)}

    def lic(*args: str, stdin: str) -> tuple[str, str]:
        out = subprocess.run([sys.executable, "-c", PROBE, *args], input=stdin, capture_output=True, text=True,
                             cwd=demo_project, env=env, check=True)
        return out.stdout, out.stderr

    stdin = json.dumps(turn) + "\n"
    lic("detect", stdin=stdin)  # warms the caches: the export and the head may train with torch
    out, err = lic("detect", stdin=stdin)
    assert json.loads(out)["intent"]["label"] in ("teach", "correct", "forget", "none")
    assert err.rstrip().endswith("HEAVY="), err
    taught = json.dumps({**turn, "intent": {"label": "teach", "score": 1.0}}) + "\n"
    extracted, _ = lic("extract", "--engine", "rules", stdin=taught)
    routed, err = lic("route", stdin=extracted)
    assert json.loads(routed)["routes"] and err.rstrip().endswith("HEAVY="), err
    located, err = lic("locate", stdin=routed)
    assert "edits" in json.loads(located) and err.rstrip().endswith("HEAVY="), err
    assert any(Path(lic_home, "models", "onnx").glob("*.onnx"))


def test_build_once_installs_atomically_and_only_once(tmp_path):
    from lic_cli.store.lock import build_once

    calls = []

    def build(tmp: Path) -> Path:
        calls.append(tmp)
        (tmp / "out.bin").write_bytes(b"x")
        return tmp / "out.bin"

    target = tmp_path / "cache" / "thing.bin"
    assert build_once(target, build) == target and target.read_bytes() == b"x"
    assert build_once(target, build) == target and len(calls) == 1

    def broken(tmp: Path) -> None:
        (tmp / "half").write_text("partial")
        raise RuntimeError("disk full")

    folder = tmp_path / "cache" / "model"
    with pytest.raises(RuntimeError):
        build_once(folder, broken)
    assert not folder.exists()
    assert sorted(p.name for p in folder.parent.iterdir()) == ["model.lock", "thing.bin", "thing.bin.lock"]
    build_once(folder, lambda tmp: (tmp / "config.json").write_text("{}") and None,
               done=lambda p: (p / "config.json").is_file())
    assert (folder / "config.json").is_file()
