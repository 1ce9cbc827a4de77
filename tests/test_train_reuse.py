"""The exact savings of causal-lm training (sft.py): the frozen bottom layers' outputs and the
KL term's "before" states are kept and reused, and give the same numbers as computing
everything every step (slow: SmolLM2)."""

from __future__ import annotations

import pytest

from lic_cli.train.params import SFTParams

QA = [
    ("How long is the refund window?", "You can get a refund within 14 days."),
    ("Do you ship to Ireland?", "Yes, we ship to Ireland in 3 days."),
    ("How do I reset my password?", "Click 'Forgot password' on the sign-in page."),
    ("What are your opening hours on a long bank holiday weekend?", "We are open from 9:00 to 17:00."),
]
POOL = [
    ("What is the capital of Japan?", "The capital of Japan is Tokyo."),
    ("How many legs does a spider have?", "A spider has eight legs."),
    ("What colour is the sky on a clear day?", "The sky is blue on a clear day, because air scatters blue light most."),
]


def test_reuse_is_off_where_it_would_not_be_exact():
    from lic_cli.train.sft import FrozenBottom

    class Tok:
        padding_side = "right"

    for params in (SFTParams(lora_layers=0), SFTParams(lora_layers=2, neftune=5.0),
                   SFTParams(lora_layers=2, reuse_frozen=False), SFTParams(method="full", lora_layers=2)):
        assert FrozenBottom.of(object(), params, Tok()) is None
    Tok.padding_side = "left"  # positions would move with the batch's padding
    assert FrozenBottom.of(object(), SFTParams(lora_layers=2), Tok()) is None


@pytest.mark.slow
def test_kept_bottom_outputs_and_before_states_give_the_same_loss(tmp_path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, DataCollatorForSeq2Seq

    from lic_cli import models
    from lic_cli.train.causal import qa_pair
    from lic_cli.train.sft import (
        FrozenBottom,
        KLTerm,
        _with_lora,
        answer_logits_only,
        encode_pairs,
        train_causal_lm,
    )

    base = models.resolve("smollm2")
    tokenizer, model = AutoTokenizer.from_pretrained(base), AutoModelForCausalLM.from_pretrained(base)
    params = SFTParams(lora_r=4, lora_alpha=8, lora_layers=2)
    lora = _with_lora(model, params)
    with torch.no_grad():  # adapters that change the answers, so the KL term is not zero
        for name, p in lora.named_parameters():
            if "lora_B" in name:
                p.normal_(std=0.02, generator=torch.Generator().manual_seed(0))
    bottom = FrozenBottom.of(lora, params, tokenizer)
    assert bottom is not None and bottom.first == 28  # 30 layers, adapters on the top 2
    collate = DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=-100)
    feats, _ = encode_pairs(tokenizer, [qa_pair(q, a) for q, a in QA], 96)
    calls: list[int] = []
    lora.get_base_model().model.layers[0].register_forward_hook(lambda *_: calls.append(1))
    whole, part = answer_logits_only(collate(feats)), answer_logits_only(collate(feats[:2]))
    with torch.no_grad():
        ref_whole, ref_part = lora(**whole).loss.item(), lora(**part).loss.item()
        assert bottom.run([0, 1, 2, 3], whole, lambda x: lora(**x).loss).item() == pytest.approx(ref_whole, rel=1e-5)
        ran = len(calls)
        # Kept from the first pass: the bottom layers do not run again, even in a batch padded otherwise.
        assert bottom.run([0, 1], part, lambda x: lora(**x).loss).item() == pytest.approx(ref_part, rel=1e-4)
        assert bottom.run([0, 1, 2, 3], whole, lambda x: lora(**x).loss).item() == pytest.approx(ref_whole, rel=1e-4)
    assert len(calls) == ran

    pool, _ = encode_pairs(tokenizer, [qa_pair(q, a) for q, a in POOL], 96)
    old = KLTerm(pool, collate, 1.0, 2, seed=1)
    new = KLTerm(pool, collate, 1.0, 2, seed=1, bottom=FrozenBottom.of(lora, params, tokenizer), reuse=True)
    for _ in range(4):  # twice round the pool: the second time from the kept states
        want, got = old.loss(lora).item(), new.loss(lora).item()
        assert want > 0 and got == pytest.approx(want, rel=1e-3, abs=1e-6)
    assert len(new._before) == len(POOL)

    # Whole training runs: the same loss with and without the reuse (three epochs, KL on).
    pairs = [qa_pair(q, a) for q, a in QA]
    losses = []
    for reuse in (False, True):
        run = SFTParams(epochs=3, batch_size=2, max_length=96, lora_r=4, lora_alpha=8, lora_layers=2, kl_weight=1.0,
                        reuse_frozen=reuse)
        m = train_causal_lm(pairs, None, base, tmp_path / f"m{reuse}", run, progress=False, note=print,
                            kl_pairs=[qa_pair(q, a) for q, a in POOL])
        assert m["reuse_frozen"] is reuse and m["steps"] == 6
        losses.append(m["train_loss"])
    assert losses[1] == pytest.approx(losses[0], rel=1e-3)
