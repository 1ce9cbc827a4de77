"""The `words` scoring convention (lic_cli/extract/convention.py): same words in any order
count for fact subjects / relations and note texts, and wrong items never do."""

import pytest

from lic_cli.extract.convention import align, same_fact_field, same_note
from lic_cli.extract.evaluate import _item, score


@pytest.mark.parametrize(("gold", "pred"), [
    ("the Tuesday spin class", "the spin class on Tuesdays"),
    ("the Terminal 2 lounge", "The lounge at Terminal 2"),
    ("the pharmacy", "The pharmacy's"),
    ("the second checked bag", "a second checked bag"),
    ("weekday opening time", "opening time on weekdays"),
])
def test_fact_fields_in_other_word_order_match(gold, pred):
    assert same_fact_field(gold, pred)


@pytest.mark.parametrize(("gold", "pred"), [
    ("the high street shop", "the shop"),            # a qualifier lost
    ("monthly price", "price"),
    ("weekday opening time", "weekend opening time"),
    ("opening time", "closing time"),
    ("the pool", "the sauna"),                       # another subject
    ("the user's mother", "the user"),
    ("cancellation", "cancelling"),                  # another word form is not the same word
    ("the 5G network", "the 4G network"),
])
def test_wrong_fact_fields_do_not_match(gold, pred):
    assert not same_fact_field(gold, pred)


@pytest.mark.parametrize(("gold", "pred"), [
    ("The user needs an aisle seat because of their back.",
     "The user always needs an aisle seat because of their back."),
    ("The user has a severe nut allergy.", "The user has a nut allergy, a severe one."),
    ("The user is hard of hearing and prefers chat.", "The user is hard of hearing and prefer chat to calls."),
    ("The user deadlifted 100 kg yesterday.", "The user finally deadlifted 100 kg yesterday."),
])
def test_notes_with_the_same_words_match(gold, pred):
    assert same_note(gold, pred)


@pytest.mark.parametrize(("gold", "pred"), [
    ("The user is 68.", "The user is 86."),                                          # another number
    ("The user is vegetarian.", "The user is vegan."),                               # another value
    ("The user eats fish.", "The user doesn't eat fish."),                           # negated
    ("The user is diabetic.", "The user's husband is diabetic."),                    # another holder
    ("The user's husband is diabetic.", "The user is diabetic."),
    ("The user has a bad left knee.", "The user has a bad right knee."),
    ("The user is vegetarian.", "The user is vegetarian and eats fish."),            # another claim added
    ("The user works from home and needs stable internet.", "The user works from home."),  # half of it
])
def test_wrong_notes_do_not_match(gold, pred):
    assert not same_note(gold, pred)


def test_align_only_rewrites_matching_fields_and_scores_them():
    gold = [{"kind": "fact", "subject": "the Terminal 2 lounge", "relation": "location", "object": "level 3"},
            {"kind": "note", "text": "The user has a severe nut allergy."}]
    pred = [{"kind": "fact", "subject": "the lounge at Terminal 2", "relation": "location", "object": "level 2"},
            {"kind": "note", "text": "The user has a nut allergy, a severe one."}]
    aligned = align(gold, pred)
    assert aligned[0]["subject"] == "the Terminal 2 lounge" and aligned[0]["object"] == "level 2"
    assert aligned[1]["text"] == "The user has a severe nut allergy."
    assert pred[0]["subject"] == "the lounge at Terminal 2"  # the input is not changed
    m = score([[_item(g) for g in gold]], [[_item(p) for p in aligned]])
    assert m["per_kind"]["fact"]["field"]["f1"] == pytest.approx(2 / 3, abs=1e-3)  # the wrong object stays wrong
    assert m["per_kind"]["note"]["field"]["f1"] == 1.0


def test_a_gold_value_is_matched_once():
    gold = [{"kind": "fact", "subject": "the pool", "relation": "opening time", "object": "6 am"}]
    pred = [{"kind": "fact", "subject": "The pool", "relation": "opening time", "object": "6 am"},
            {"kind": "fact", "subject": "pools", "relation": "opening time", "object": "7 am"}]
    aligned = align(gold, pred)
    assert aligned[1]["subject"] == "pools"
