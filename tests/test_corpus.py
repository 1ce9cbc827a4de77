"""The packaged teaching corpus: schema, size, coverage, split by domain, held-out wordings."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "lic_cli" / "data" / "teaching.jsonl"
KEYS = ["id", "domain", "split", "form", "source", "context", "text", "label", "knowledge"]
KINDS = {"qa": {"question", "answer"}, "fact": {"subject", "relation", "object"}, "label": {"text", "label"},
         "forget": {"target"}, "note": {"text"}, "span": {"text", "spans"}}
# The issue's failing examples: tests probe them, so the corpus must not contain them.
ISSUE_EXAMPLES = ["Who painted the Night Watch", "Golden Gate", "my sister lives in Oslo",
                  "I work night shifts at a hospital", "beekeep"]


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return [json.loads(line) for line in CORPUS.open(encoding="utf-8")]


def test_every_row_has_the_schema_and_valid_knowledge(rows):
    assert [r["id"] for r in rows] == [f"t{i:06d}" for i in range(1, len(rows) + 1)]
    for r in rows:
        assert list(r) == KEYS, r
        assert r["split"] in ("train", "dev", "test") and r["label"] in ("teach", "correct", "forget", "none")
        assert r["source"] in ("template", "handwritten", "clinc150")
        assert isinstance(r["text"], str) and r["text"].strip()
        assert all(set(t) == {"role", "text"} and t["role"] in ("user", "assistant") for t in r["context"])
        assert r["context"] == [] or r["context"][-1]["role"] == "assistant"
        assert (r["label"] == "none") == (r["knowledge"] == []), r
        assert r["form"].startswith("neg_") == (r["label"] == "none"), r
        for item in r["knowledge"]:
            need = KINDS[item["kind"]]
            assert need <= set(item) <= need | {"kind", "replaces"}, item
            if item["kind"] == "span":
                for sp in item["spans"]:
                    assert 0 <= sp["start"] < sp["end"] <= len(item["text"]) and sp["label"].isupper()
            if item["kind"] == "forget":
                assert r["label"] == "forget"


def test_size_domains_labels_and_forms(rows):
    assert len(rows) >= 8000
    domains = {r["domain"] for r in rows if r["source"] != "clinc150"}
    assert len(domains) >= 25 and "kestrel" in domains
    labels = Counter(r["label"] for r in rows)
    assert min(labels.values()) >= 800
    forms = Counter(r["form"] for r in rows)
    for form in ("statement_copula", "statement_multi", "self_disclosure", "correct_old_new", "correct_ctx",
                 "update_prefix", "correct_question", "forget", "forget_personal", "label_example", "entity_label",
                 "neg_question", "neg_hypothetical", "neg_reported_speech", "neg_dont_forget", "neg_complaint",
                 "neg_label_question", "neg_opinion", "neg_chitchat", "neg_request"):
        assert forms[form] >= 10, form
    kinds = Counter(i["kind"] for r in rows for i in r["knowledge"])
    assert set(kinds) == set(KINDS)
    assert sum(1 for r in rows if r["context"]) > len(rows) / 10
    assert sum(1 for r in rows if r["source"] == "handwritten") >= 300
    assert sum(1 for r in rows if len(r["knowledge"]) > 1) >= 50


def test_split_by_domain_with_held_out_wordings(rows):
    split_of: dict[str, set[str]] = {}
    for r in rows:
        split_of.setdefault(r["domain"], set()).add(r["split"])
    assert all(len(s) == 1 for s in split_of.values()), split_of  # a domain is never split
    by_split = Counter(next(iter(s)) for s in split_of.values())
    assert by_split["dev"] >= 4 and by_split["test"] >= 5 and split_of["kestrel"] == {"test"}
    for split in ("dev", "test"):
        held = [r for r in rows if r["split"] == split]
        assert sum(1 for r in held if r["source"] == "handwritten") >= 100
        assert all(Counter(r["label"] for r in held)[lab] >= 150 for lab in ("teach", "correct", "forget", "none"))
    sys.path.insert(0, str(REPO / "tools" / "corpus"))
    from templates import T

    for form, fams in T.items():
        shared = set(fams["A"]) & set(fams["B"]) - {"{S}.", "{P}.", "{q}"}
        assert not shared, (form, shared)


def test_issue_examples_are_not_in_the_corpus(rows):
    texts = " ".join(r["text"] for r in rows).casefold()
    for example in ISSUE_EXAMPLES:
        assert example.casefold() not in texts, example


def test_the_generator_is_deterministic_and_the_file_is_up_to_date():
    done = subprocess.run([sys.executable, str(REPO / "tools" / "corpus" / "build.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_corpus_ships_in_the_package():
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'lic_cli = ["data/*.jsonl", "data/README.md"' in text  # other data may follow (data/retrieval)
    assert (REPO / "lic_cli" / "data" / "README.md").is_file()


def test_replaces_is_gold_only_where_the_turn_or_its_context_says_it(rows):
    """Session 8's gold convention (docs/extract.md): a correction that never names the old
    value has no `replaces`; one that does keeps it."""
    kept = 0
    for r in rows:
        said = " ".join([r["text"]] + [t["text"] for t in r["context"]]).casefold()
        for item in r["knowledge"]:
            if "replaces" in item:
                assert item["replaces"].casefold().rstrip(".") in said, r
                kept += 1
    assert kept > 1000
