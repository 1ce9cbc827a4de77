"""Chat's learned retriever (lic_cli/chat/ranker.py): its data, its split, when it is used,
and (slow) a short real training run that chat's retrieval then searches with."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from lic_cli.chat import ranker
from lic_cli.chat.retrieve import THRESHOLD, Retriever
from lic_cli.errors import InputError

EVAL_DOMAINS = {"makerspace", "vetclinic", "campusit", "kestrel"}


def test_packaged_data_parses_and_is_split_by_domain():
    items = ranker.all_items()
    train, dev = ranker.split_items(items)
    assert {i.domain for i in dev} == set(ranker.DEV_DOMAINS)
    assert not {i.domain for i in train} & set(ranker.DEV_DOMAINS)
    assert not {i.domain for i in items} & EVAL_DOMAINS
    assert len({i.domain for i in train}) >= 10
    # the seed (bench/domains' five) is shipped beside the written domains
    assert {"gym", "library", "council", "pharmacy", "hotel"} <= {i.domain for i in train}


def test_eval_paraphrases_and_rows_never_reach_training():
    """The evaluation paraphrases are never trained on, nor is any evaluation row. (Two stored
    questions are the same words with other answers in other domains: transit-04 and maker-19
    "How much is a day pass?", the corpus's it_helpdesk and it-06 "How often do passwords expire?".)"""
    from pathlib import Path

    evals = Path(__file__).resolve().parent.parent / "evals" / "chat"
    names = sorted(p.stem for p in evals.glob("*.jsonl") if p.stem != "unrelated")  # every grounding domain
    assert {"makerspace", "vetclinic", "campusit", "trampoline", "barber", "farmshop", "boathire"} <= set(names)
    held = [i for name in names for i in ranker.read_items(evals / f"{name}.jsonl")]
    train, _ = ranker.split_items(ranker.all_items())
    train += ranker.teaching_items()
    texts = {t for i in train for t in (i.question, *i.paraphrases)}
    assert not {p for i in held for p in i.paraphrases} & texts
    assert not {(i.question, i.answer) for i in held} & {(i.question, i.answer) for i in train}


def test_teaching_items_pair_a_question_with_the_fact_row_of_its_value():
    items = ranker.teaching_items()
    assert len(items) > 100
    assert all(i.fact and i.fact[2] == i.answer and i.domain.startswith("teaching:") for i in items)


def test_groups_pair_each_paraphrase_with_every_row_of_its_fact():
    item = ranker.Item("d", "d-1", "What time does the pool open?", "6:00", ("When can I swim?",),
                       ("pool", "opening time", "6:00"))
    other = ranker.Item("d", "d-2", "How much is a swim?", "$4", ("Price of a session?",))
    g = ranker.groups([item, other], ranker.Settings())["d"]
    pairs = dict(g.pairs)
    assert {g.docs[j] for j in pairs["When can I swim?"]} == {
        "What time does the pool open? 6:00", "pool opening time 6:00", "What time does the pool open?",
        "pool opening time"}
    assert {g.docs[j] for j in pairs["What time does the pool open?"]} == {"pool opening time 6:00"}
    assert {g.docs[j] for j in pairs["Price of a session?"]} == {"How much is a swim? $4", "How much is a swim?"}


def test_bad_data_is_one_line_naming_file_line_and_field(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "x-1", "question": "Q?", "answer": "A", "paraphrases": ["P?"]}) + "\n"
                    + json.dumps({"id": "x-2", "question": "Q?", "answer": "A", "paraphrases": "P?"}) + "\n")
    with pytest.raises(InputError) as err:
        ranker.read_items(path)
    assert str(err.value) == f"{path} line 2 field 'paraphrases': expected a list of non-empty strings"
    path.write_text(json.dumps({"id": "x-1", "question": "Q?", "answer": "A", "paraphrases": ["P?"],
                                "fact": {"subject": "s", "relation": ""}}) + "\n")
    with pytest.raises(InputError, match="line 1 field 'relation'"):
        ranker.read_items(path)


def test_the_cache_key_follows_settings_and_code_version(monkeypatch):
    a = ranker.fingerprint(ranker.Settings())
    assert ranker.fingerprint(ranker.Settings()) == a
    assert ranker.fingerprint(replace(ranker.Settings(), lr=1e-5)) != a
    monkeypatch.setattr(ranker, "CODE_VERSION", "test")
    assert ranker.fingerprint(ranker.Settings()) != a


def test_off_or_untrained_without_first_use_training_keeps_the_base_model(monkeypatch, small_project):
    base = object()  # the retriever keeps the encoder it is given; nothing is embedded here
    monkeypatch.setenv("LIC_RANKER", "0")
    assert ranker.for_chat() is None
    monkeypatch.setenv("LIC_RANKER", "1")
    monkeypatch.setenv("LIC_RANKER_TRAIN", "0")
    monkeypatch.setattr(ranker, "cached", lambda settings=None: None)
    assert ranker.for_chat() is None
    r = Retriever(small_project, base)
    assert r.ranker is None and r.encoder is base and r.threshold == THRESHOLD and r.ground == THRESHOLD
    assert Retriever(small_project, base, threshold=0.4).threshold == 0.4


def test_chat_does_not_train_the_ranker_unasked(monkeypatch, small_project):
    """The ranker is opt-in (docs/chat.md "Why opt-in"): with LIC_RANKER_TRAIN unset, an untrained
    ranker is not trained on chat's first retrieval; LIC_RANKER_TRAIN=1 asks for it."""
    monkeypatch.setenv("LIC_RANKER", "1")
    monkeypatch.delenv("LIC_RANKER_TRAIN", raising=False)
    monkeypatch.setattr(ranker, "cached", lambda settings=None: None)
    trained = []
    monkeypatch.setattr(ranker, "ensure", lambda *a, **k: trained.append(1) or "trained")
    assert ranker.for_chat() is None and not trained
    monkeypatch.setenv("LIC_RANKER_TRAIN", "1")
    assert ranker.for_chat() == "trained" and trained == [1]


def test_package_ships_the_retrieval_data():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"data/retrieval/*.jsonl"' in text
    assert ranker.SEED.is_file() and ranker.PROBES.is_file()


@pytest.mark.slow
def test_a_short_training_run_is_cached_calibrated_and_searched_with(monkeypatch, tmp_path, small_project):
    """Three steps of real training (the whole run is `lic models --ranker`): the folder is written
    once, calibrated on the dev domains, exported to ONNX, and chat's retriever searches with it."""
    from click.testing import CliRunner

    from lic_cli.cli import cli
    from lic_cli.models import load_encoder

    monkeypatch.setenv("LIC_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LIC_RANKER", "1")
    monkeypatch.setattr(ranker, "DEFAULT", replace(ranker.Settings(), max_steps=3))
    result = CliRunner().invoke(cli, ["models", "--ranker"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["steps"] == 3 and info["dev_domains"] == list(ranker.DEV_DOMAINS)
    trained = ranker.cached()
    # The threshold is on the head's scale (a logit minus the "no row" logit), calibrated on dev.
    assert trained is not None and math.isfinite(trained.threshold)
    assert trained.threshold == trained.meta["calibration"]["threshold"] and trained.meta["calibration"]["dev_found"] > 0
    assert (trained.folder / "model.safetensors").is_file() and (trained.folder / "tokenizer.json").is_file()
    cal = trained.meta["calibration"]
    assert cal["probes"] == len(ranker.probe_questions()) == 140
    assert set(cal["probe_top"]) >= {f"{d}/qa" for d in ranker.DEV_DOMAINS}
    r = Retriever(small_project, load_encoder("minilm"))
    assert r.ranker is not None and r.threshold == trained.threshold and r.head is not None
    assert r.encoder.name == str(trained.folder.resolve()) and r.encoder.backend == "onnx"
    # A head's scores are logits (below 0 too): the threshold that lets every row in is far below 0.
    hits = Retriever(small_project, load_encoder("minilm"), threshold=-1e9).search("How long do refunds take?")
    assert hits and hits[0].fields.get("question") == "How long do refunds take?"


def test_the_head_reads_the_index_features_and_survives_a_save(tmp_path):
    """The head over the row index's features (chat/rerank.py): trained on questions whose right
    row holds their words, it ranks such a row first; saved and loaded it scores the same."""
    import numpy as np

    from lic_cli.chat import rerank, rowindex

    rng = np.random.default_rng(0)

    def encode(texts):
        e = rng.normal(size=(len(texts), 8)).astype(np.float32)
        return e / np.linalg.norm(e, axis=1, keepdims=True)

    rows = [("What time does the pool open? 6:00", "What time does the pool open?", "6:00"),
            ("How much is a swim? $4", "How much is a swim?", "$4"),
            ("Where do I park? Behind the hall", "Where do I park?", "Behind the hall")]
    table = rowindex.Rows(rows, encode)
    asks = [("When does the pool open in the morning?", 0), ("What does a swim cost?", 1), ("Where can I park?", 2)]
    f = table.features(encode(["x"])[0], asks[0][0])
    assert f.shape == (3, len(rerank.FEATURES))
    assert f[0, rerank.FEATURES.index("agree")] == 1.0 and f[1, rerank.FEATURES.index("mismatch")] == 1.0
    samples = [(table.features(e, q), g) for (q, g), e in zip(asks * 20, encode([q for q, _ in asks] * 20),
                                                               strict=True)]
    head = rerank.train_head(samples, steps=200)
    q = encode(["x"])[0]
    assert int(head.score(table.features(q, "How much does a swim cost?")).argmax()) == 1
    head.save(tmp_path / "head.npz")
    again = rerank.Head.load(tmp_path / "head.npz")
    feats = table.features(q, "Where can I park my car?")
    assert np.allclose(again.score(feats), head.score(feats), atol=1e-5)


def test_session13_train_domains_are_not_read_by_the_ranker():
    """The four retrieval domains of e5d2e3a are on disk (the scope judge reads them) but the ranker's
    and re-ranker's data leaves them out (measured worse on dev, docs/chat.md "Session 13")."""
    from lic_cli.chat import rankdata

    on_disk = {p.stem for p in rankdata.RETRIEVAL.glob("*.jsonl")}
    read = {p.stem for p in rankdata.data_files()}
    assert rankdata.NOT_READ <= on_disk
    assert not rankdata.NOT_READ & read and "yoga" in read
    assert not {i.domain for i in rankdata.all_items()} & rankdata.NOT_READ
