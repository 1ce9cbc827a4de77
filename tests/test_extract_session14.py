"""Issue 15, session 14: well-formed values, a correction's old value from the answer it
corrects, a contact value's relation. Phrasings of domains none of the rules were written from
(a bike workshop, a dentist, a ferry desk, a choir, a laundrette)."""

from __future__ import annotations

from lic_cli.extract import learned, oldvalue, relations, wellformed
from lic_cli.extract.engine import Turn

ASKED = [{"role": "user", "text": "Do you service electric bikes?"},
         {"role": "assistant", "text": "I believe we service electric bikes on Tuesdays only."}]


# --- wellformed ------------------------------------------------------------------------------

def test_trim_drops_words_no_phrase_ends_in_and_request_tails():
    assert wellformed.trim("the brake cables for") == "the brake cables"
    assert wellformed.trim("missing its") == "missing"
    assert wellformed.trim("the old quote, would you?") == "the old quote"
    assert wellformed.trim("the") == ""
    assert wellformed.trim("up to £50") == "up to £50"


def test_points_back():
    assert wellformed.points_back("that answer")
    assert wellformed.points_back("the lot")
    assert wellformed.points_back("it")
    assert not wellformed.points_back("the lot fee")
    assert not wellformed.points_back("entry")  # a noun alone names its own thing
    assert not wellformed.points_back("one", count=True)  # an amount


def test_fragment_values_are_trimmed_and_empty_ones_drop_the_item():
    items = [{"kind": "fact", "subject": "the hub", "relation": "requirement", "object": "that"},
             {"kind": "fact", "subject": "a puncture repair", "relation": "price", "object": "£8 for"},
             {"kind": "qa", "question": "When is the choir on?", "answer": "Thursdays", "replaces": "the"},
             {"kind": "fact", "subject": "the", "relation": "price", "object": "£12"}]
    out = wellformed.repair(items, [])
    assert out == [{"kind": "fact", "subject": "a puncture repair", "relation": "price", "object": "£8"},
                   {"kind": "qa", "question": "When is the choir on?", "answer": "Thursdays"},
                   {"kind": "fact", "subject": "the", "relation": "price", "object": "£12"}]
    assert wellformed.trim("Please") == "Please"  # a request word alone is no tail


def test_a_forget_target_that_points_back_forgets_what_was_asked():
    ctx = [{"role": "user", "text": "How much is the evening ferry?"},
           {"role": "assistant", "text": "As far as I know it is £14."}]
    out = wellformed.repair([{"kind": "forget", "target": "that answer, would you"}], ctx)
    assert out and out[0]["target"] != "that answer, would you" and "ferry" in out[0]["target"]
    assert wellformed.repair([{"kind": "forget", "target": "the lot about"}], []) == []
    assert wellformed.repair([{"kind": "forget", "target": "entry, could you"}], []) == []


def test_a_forget_target_names_the_thing_not_the_notes_about_it():
    out = wellformed.repair([{"kind": "forget", "target": "all the choir robe stuff"},
                             {"kind": "forget", "target": "the Friday tokens info"}], [])
    assert [f["target"] for f in out] == ["the choir robe", "the Friday tokens"]


def test_label_text_is_quoted_whole():
    item = {"kind": "label", "text": "have you got any of the blue ones in", "label": "stock"}
    assert wellformed.repair([item], []) == [item]
    assert wellformed.repair([{"kind": "label", "text": "The", "label": "staff"}], []) == []


def test_switch_off_leaves_items_alone(monkeypatch):
    monkeypatch.setattr(wellformed, "WELL_FORMED", False)
    items = [{"kind": "fact", "subject": "the hub", "relation": "price", "object": "£12 for"}]
    assert wellformed.repair(items, []) == items


# --- oldvalue --------------------------------------------------------------------------------

def test_old_value_of_the_new_values_shape():
    assert oldvalue.by_shape("I believe a filling costs £60 at the practice.", "£75") == "£60"
    assert oldvalue.by_shape("I believe the last sailing is at 21:15.", "21:45") == "21:15"
    assert oldvalue.by_shape("I believe the last sailing is at 21:45.", "21:45") is None
    assert oldvalue.by_shape("It's on Tuesdays.", "Thursdays") is None  # no digits: no shape


def test_old_value_by_alignment_passes_the_lead_in():
    said = "Do you service electric bikes? we do, every day of the week now"
    assert oldvalue.by_alignment(ASKED[1]["text"], said) == "Tuesdays only"
    said = "Who leads the choir? Careful, the choir is led by Amara Osei these days."
    assert oldvalue.by_alignment("As far as I know, the choir is led by Tom Hughes.", said) == "Tom Hughes"
    # two runs the correction does not say: no guess
    said = "Who runs the bar on quiz nights? Priya does now"
    assert oldvalue.by_alignment("Our bar manager is Gethin Rowe.", said) == "Gethin Rowe"
    said = "Who teaches the beginners? Careful, Ali teaches the beginners"
    assert oldvalue.by_alignment("As far as I know, Jo teaches beginners and Sam teaches improvers.", said) is None


def test_correction_gets_old_value_only_a_correction(monkeypatch):
    monkeypatch.setattr(oldvalue, "CONTEXT_OLD", True)
    ctx = [{"role": "user", "text": "How much is a service wash?"},
           {"role": "assistant", "text": "I believe a service wash is £9.50."}]
    item = {"kind": "qa", "question": "How much is a service wash?", "answer": "£11"}
    assert oldvalue.repair([item], "no, it's £11 since the price rise", ctx, "correct")[0]["replaces"] == "£9.50"
    assert "replaces" not in oldvalue.repair([item], "a service wash is £11", ctx, "teach")[0]


def test_correction_rereads_a_sentence_or_a_piece_copied_from_the_answer(monkeypatch):
    monkeypatch.setattr(oldvalue, "CONTEXT_OLD", True)
    ctx = [{"role": "user", "text": "When does the last ferry leave?"},
           {"role": "assistant", "text": "I believe the last ferry leaves at 21:15."}]
    whole = {"kind": "qa", "question": "When does the last ferry leave?", "answer": "21:45",
             "replaces": "I believe the last ferry leaves at 21:15."}
    piece = {**whole, "replaces": "15"}
    assert oldvalue.repair([whole], "it's 21:45 now", ctx, "correct")[0]["replaces"] == "21:15"
    assert oldvalue.repair([piece], "it's 21:45 now", ctx, "correct")[0]["replaces"] == "21:15"
    said = {**whole, "replaces": "21:30"}  # the correction names its own old value: it stands
    assert oldvalue.repair([said], "it's 21:45 now, not 21:30", ctx, "correct")[0]["replaces"] == "21:30"


def test_old_value_is_off_by_default():
    ctx = [{"role": "user", "text": "How much is a service wash?"},
           {"role": "assistant", "text": "I believe a service wash is £9.50."}]
    item = {"kind": "qa", "question": "How much is a service wash?", "answer": "£11"}
    assert oldvalue.repair([item], "no, it's £11 now", ctx, "correct") == [item]


# --- relations.value_type --------------------------------------------------------------------

def test_contact_value_relation_names_its_type(monkeypatch):
    monkeypatch.setattr(relations, "VALUE_TYPE", True)
    items = [{"kind": "fact", "subject": "the surgery", "relation": "number", "object": "01632 960 552"},
             {"kind": "fact", "subject": "the surgery", "relation": "requirement", "object": "desk@smiledental.example.com"},
             {"kind": "fact", "subject": "the surgery", "relation": "fax number", "object": "01632 960 553"},
             {"kind": "fact", "subject": "the surgery", "relation": "price", "object": "£45"}]
    out = relations.value_type(items)
    assert [i["relation"] for i in out] == ["phone number", "email address", "fax number", "price"]


def test_value_type_is_off_by_default():
    item = {"kind": "fact", "subject": "the surgery", "relation": "number", "object": "01632 960 552"}
    assert relations.value_type([item]) == [item]


def test_finish_runs_the_session_14_steps(monkeypatch):
    monkeypatch.setattr(relations, "VALUE_TYPE", True)
    turn = Turn("the workshop line is 01632 960 771 by the way", [], "teach")
    out = learned.finish([{"kind": "fact", "subject": "the workshop line", "relation": "name",
                           "object": "01632 960 771"}], turn)
    assert out[0]["relation"] == "phone number"
