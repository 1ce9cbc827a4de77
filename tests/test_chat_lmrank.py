"""The language model's reading of the combination's best rows (lic_cli/chat/lmrank.py): which rows
are read, how the reading re-orders near ties, and the query-likelihood score itself."""

from __future__ import annotations

import pytest

from lic_cli.chat import combine, lmrank
from lic_cli.chat.combine import Candidate, Rule


def _ordered(rows: list[tuple[str, float, float]]):
    """(signal, candidate) best first, as combine.ordered gives them (ranker margins, no re-ranker weight)."""
    cands = [Candidate(name, name, 0.5, ranker, 0.0) for name, ranker, _ in rows]
    return combine.ordered("q", cands, Rule(weight=1.0, qualifier=0.0), 0.0, 0.0)


class Spy:
    def __init__(self, scores: dict[str, float]) -> None:
        self.scores, self.calls = scores, []

    def __call__(self, question, texts):
        self.calls.append(list(texts))
        return [self.scores[t] for t in texts]


def test_a_near_tie_is_reordered_by_the_reading():
    out = _ordered([("adult price", 2.0, 0), ("junior price", 1.6, 0), ("opening hours", -3.0, 0)])
    spy = Spy({"adult price": 0.2, "junior price": 1.1})
    got = lmrank.Reader(score=spy, weight=1.0, margin=1.0).reorder("q", out, threshold=0.0)
    assert [c.text for _, c in got] == ["junior price", "adult price", "opening hours"]
    assert spy.calls == [["adult price", "junior price"]]  # the row far behind is not read
    assert got[0][0] == pytest.approx(1.6)  # each row keeps its own deciding signal


def test_a_small_reading_difference_does_not_overturn_a_lead():
    out = _ordered([("adult price", 2.0, 0), ("junior price", 1.6, 0)])
    got = lmrank.Reader(score=Spy({"adult price": 0.5, "junior price": 0.8}), weight=1.0,
                        margin=1.0).reorder("q", out, 0.0)
    assert [c.text for _, c in got] == ["adult price", "junior price"]  # 2.0 + 0.5 > 1.6 + 0.8


def test_nothing_is_read_for_a_clear_lead_or_when_no_row_reaches_the_threshold():
    spy = Spy({"a": 9.0, "b": 9.0})
    reader = lmrank.Reader(score=spy, margin=1.0)
    lead = _ordered([("a", 3.0, 0), ("b", 1.0, 0)])
    assert reader.reorder("q", lead, 0.0) == lead
    low = _ordered([("a", -1.0, 0), ("b", -1.2, 0)])
    assert reader.reorder("q", low, 0.0) == low  # no row answers whatever the order
    assert reader.reorder("q", [], 0.0) == []
    assert spy.calls == []


def test_only_the_best_k_are_read():
    out = _ordered([("a", 1.0, 0), ("b", 0.9, 0), ("c", 0.8, 0), ("d", 0.7, 0)])
    spy = Spy({"a": 0.0, "b": 0.0, "c": 0.0, "d": 5.0})
    got = lmrank.Reader(score=spy, k=3, margin=1.0).reorder("q", out, 0.0)
    assert spy.calls == [["a", "b", "c"]] and got[3][1].text == "d"


def test_the_reader_is_off_unless_turned_on(monkeypatch):
    monkeypatch.delenv(lmrank.USE_ENV, raising=False)
    assert not lmrank.enabled()
    monkeypatch.setenv(lmrank.USE_ENV, "1")
    assert lmrank.enabled()
    monkeypatch.setenv(lmrank.USE_ENV, "0")
    assert not lmrank.enabled()


class CharTokenizer:
    """One id per character (a tiny vocabulary for a tiny random model)."""

    pad_token_id = 0
    eos_token_id = 0

    def __call__(self, text, add_special_tokens=False):
        return {"input_ids": [1 + (ord(ch) % 60) for ch in text]}


def test_pmi_reads_the_question_tokens_as_the_full_forward_pass_does():
    torch = pytest.importorskip("torch")
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                         num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=256))
    model.eval()
    tok = CharTokenizer()
    q, rows = "junior fee?", ["The junior fee is 5.", "Adult fee: 9 a month, paid at the desk."]

    def logp(prefix: str) -> float:  # the question's log-likelihood after `prefix`, one unpadded sequence
        p = tok(prefix)["input_ids"]
        ids = p + tok(" " + q)["input_ids"]
        with torch.inference_mode():
            lp = torch.log_softmax(model(input_ids=torch.tensor([ids])).logits[0].float(), dim=-1)
        return sum(float(lp[j - 1, ids[j]]) for j in range(len(p), len(ids)))

    n = len(tok(" " + q)["input_ids"])
    want = [(logp(lmrank.FRAME.format(row=r)) - logp(lmrank.BARE)) / n for r in rows]
    assert lmrank.pmi(model, tok, q, rows) == pytest.approx(want, abs=1e-4)
    assert lmrank.pmi(model, tok, q, []) == []


# Siblings from domains no dev or training set holds (a ferry, a library), written for this test: where
# the question names the qualifier in its own words, the packaged model's reading puts that row above its
# sibling. A third case written with them, "How much is a lesson for my eight-year-old?" (junior against
# adult swimming lessons), the reading gets wrong (0.63 against 0.88): an inference the question leaves
# implicit is beyond it (docs/chat.md, session 14).
SIBLINGS = [
    ("When does the first boat leave on a Sunday?",
     "On Sundays the first ferry leaves at 10:15.", "On weekdays the first ferry leaves at 6:40."),
    ("How long can I keep a DVD?",
     "DVDs can be borrowed for 7 days.", "Books can be borrowed for 3 weeks."),
]


@pytest.mark.slow
def test_the_packaged_model_reads_the_qualifier_the_question_names():
    from lic_cli.models import load_causal_lm

    model, tok = load_causal_lm("smollm2")
    for question, right, sibling in SIBLINGS:
        got = lmrank.pmi(model, tok, question, [right, sibling])
        assert got[0] > got[1], (question, got)
