"""Session 13's repairs (lic_cli/extract/explicit.py) and rule forms (rules/spans.py free_list,
rules/labels.py listed_label), each on phrasings of domains other than the dev sets they were
found on (a bakery, a climbing wall, a dentist, a car wash, a garden centre, a library, a ferry)."""

from __future__ import annotations

import pytest

from lic_cli.extract import explicit
from lic_cli.extract.engine import RulesEngine, Turn


def _ctx(question: str, answer: str) -> list[dict]:
    return [{"role": "user", "text": question}, {"role": "assistant", "text": answer}]


def rules(text: str, label: str = "teach") -> list[dict]:
    return [{k: v for k, v in i.items() if k not in ("statement", "source", "engine")}
            for i in RulesEngine().extract([Turn(text, [], label)])[0].items]


# --- forget targets ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, target", [
    ("The Leith ferry was withdrawn, so forget everything you've got about the night sailing", "the night sailing"),
    ("we stopped stocking Fairtrade flour, forget the flour prices please", "the flour prices"),
    ("can you wipe whatever you have on the old belay course", "the old belay course"),
    ("Remove everyhting about the weekend hygienist.", "the weekend hygienist"),
    ("Please forget the Tartu route entirely.", "the Tartu route"),
    ("forget what I said about usually being free on fridays", "the user is usually free on fridays"),
    ("drop anything I told you about having a season ticket", "the user has a season ticket"),
])
def test_the_forget_verbs_object_is_the_target(text, target):
    assert explicit.forget_object(text) == target
    got = explicit.forget_targets([{"kind": "forget", "target": "something else"}], text, [], "forget")
    assert got == [{"kind": "forget", "target": target}]


@pytest.mark.parametrize("text", ["Forget that.", "forget its opening times", "delete it please",
                                  "forget that I'm vegan, I eat fish again", "The bakery is on Mill Road."])
def test_no_object_named_leaves_the_target(text):
    assert explicit.forget_object(text) is None


def test_a_pronoun_object_forgets_what_the_last_question_asked_about():
    ctx = _ctx("Do you still do gift hampers?", "Yes, hampers start at £25.")
    got = explicit.forget_targets([{"kind": "forget", "target": "hampers"}],
                                  "nobody bought them so we stopped, delete that", ctx, "forget")
    assert got == [{"kind": "forget", "target": "gift hampers"}]
    ctx = _ctx("When is the pumpkin carving evening?", "The pumpkin carving evening is on 30 October.")
    got = explicit.forget_targets([], "it's off this year, take it out", ctx, "forget")
    assert got == [{"kind": "forget", "target": "the pumpkin carving evening"}]
    # not a forget turn: nothing changes
    assert explicit.forget_targets([], "take it out", ctx, "teach") == []


def test_a_users_clause_target_ends_at_its_clause():
    got = explicit.forget_targets([{"kind": "forget", "target": "the user is off to Spain in June anymore, the trip's off"}],
                                  "no need to remember I'm off to Spain in June anymore, the trip's off", [], "forget")
    assert got == [{"kind": "forget", "target": "the user is off to Spain in June"}]


def test_a_forget_needs_a_turn_that_asks_to_forget():
    items = [{"kind": "forget", "target": "the car park"}]
    assert explicit.forget_cue(items, "ugh the car park was rammed again today", "teach") == []
    assert explicit.forget_cue(items, "the car park shut, fogret it", "teach") == items  # a typo still asks
    assert explicit.forget_cue(items, "the car park is gone", "forget") == items  # the intent says forget


# --- values --------------------------------------------------------------------------------------

def test_a_change_from_one_value_to_another():
    items = [{"kind": "fact", "subject": "a car wash", "relation": "price", "object": "£8 to £10"}]
    got = explicit.change_from_to(items, "FYI a full car wash has gone up from £8 to £10 this week", "correct")
    assert got == [{"kind": "fact", "subject": "a car wash", "relation": "price", "object": "£10", "replaces": "£8"}]
    items = [{"kind": "fact", "subject": "story time", "relation": "day", "object": "Tuesday"}]
    got = explicit.change_from_to(items, "story time moved from Tuesday to Friday mornings", "correct")
    assert got[0]["object"] == "Friday mornings" and got[0]["replaces"] == "Tuesday"
    assert explicit.change_from_to(items, "story time moved from Tuesday to Friday mornings", "teach") == items


def test_only_a_correction_replaces_and_never_with_the_new_value():
    item = {"kind": "fact", "subject": "a plant pot", "relation": "price", "object": "£6", "replaces": "a saucer"}
    assert explicit.replaces_said([item], "A plant pot is £6, with a saucer it's £8", "teach") == [
        {k: v for k, v in item.items() if k != "replaces"}]
    said = {"kind": "fact", "subject": "bike hire", "relation": "price", "object": "£12", "replaces": "£10"}
    assert explicit.replaces_said([said], "Bike hire is £12 a day, no longer £10.", "teach") == [said]
    same = {"kind": "fact", "subject": "Priya", "relation": "phone number", "object": "0161 496 0731",
            "replaces": "0161 496 0731"}
    got = explicit.replaces_said([same], "Priya's number is 0161 496 0731, not 0161 496 0713 as I said", "correct")
    assert got[0]["replaces"] == "0161 496 0713"


# --- notes ---------------------------------------------------------------------------------------

def test_a_note_ends_before_a_so_clause_about_someone_else_and_drops_an_emphatic_myself():
    got = explicit.note_tail([{"kind": "note", "text": "The user has a nervous greyhound so he'll need a quiet corner."}])
    assert got == [{"kind": "note", "text": "The user has a nervous greyhound."}]
    got = explicit.note_tail([{"kind": "note", "text": "The user is vegan so please skip the cheese board."}])
    assert got == [{"kind": "note", "text": "The user is vegan."}]
    kept = [{"kind": "note", "text": "The user works shifts and can only come at weekends."}]
    assert explicit.note_tail(kept) == kept
    got = explicit.note_tail([{"kind": "note", "text": "The user is a plumber myself."}])
    assert got == [{"kind": "note", "text": "The user is a plumber."}]
    kept = [{"kind": "note", "text": "The user is knitting a hat for themselves."}]
    assert explicit.note_tail(kept) == kept


# --- rules: entity lists and labels from a set the turn names ------------------------------------------

def test_an_entity_list_after_the_sentence():
    got = rules("NER please: 'Ines Duarte opened the bakery in Porto on 3 May.' Ines Duarte PER, Porto LOC, 3 May DATE")
    assert got == [{"kind": "span", "text": "Ines Duarte opened the bakery in Porto on 3 May.", "spans": [
        {"start": 0, "end": 11, "label": "PER"}, {"start": 33, "end": 38, "label": "LOC"},
        {"start": 42, "end": 47, "label": "DATE"}]}]
    got = rules("Tag the entities. Sentence: Ola Berg took the ferry from Oslo to Kiel on 9 July. Ola Berg is PER, "
                "Oslo and Kiel are LOC, 9 July is DATE.")
    assert [s["label"] for s in got[0]["spans"]] == ["PER", "LOC", "LOC", "DATE"]
    got = rules("label the entities in \"Ana Ruiz coaches at Summit Walls.\" - Ana Ruiz's a person and Summit Walls "
                "is an organisation")
    assert [s["label"] for s in got[0]["spans"]] == ["PER", "ORG"]
    # an entity the sentence does not hold: nothing
    assert not any(i["kind"] == "span" for i in rules("tag 'Ola Berg took the ferry' - Oslo LOC"))


def test_a_label_from_the_set_the_turn_names():
    got = rules("Appointment types are check-up, hygiene, emergency. 'my crown fell out this morning' would be emergency")
    assert got == [{"kind": "label", "text": "my crown fell out this morning", "label": "emergency"}]
    got = rules("File these as plants, tools or furniture: 'a rattan bench for the patio' is furniture")
    assert got == [{"kind": "label", "text": "a rattan bench for the patio", "label": "furniture"}]
    # a label the turn never listed is not read by this form
    assert not any(i["kind"] == "label" for i in rules("Types are plants, tools, furniture: 'a rattan bench for the "
                                                         "patio' is lovely"))


def test_an_embedded_question_is_asked_directly_and_a_yes_or_no_said_before_the_answer_stays():
    items = [{"kind": "qa", "question": "whether we deliver on Sundays", "answer": "only before noon"}]
    got = explicit.asked_direct(items, "if anyone wonders whether we deliver on Sundays: yes, only before noon")
    assert got == [{"kind": "qa", "question": "Do you deliver on Sundays?", "answer": "yes, only before noon"}]
    items = [{"kind": "qa", "question": "Can I park on site?", "answer": "use the street"}]
    got = explicit.asked_direct(items, "Can I park on site? nope, use the street")
    assert got[0]["answer"] == "no, use the street"
    items = [{"kind": "qa", "question": "How long is the wait?", "answer": "20 minutes"}]
    assert explicit.asked_direct(items, "How long is the wait? No idea before, now I know: 20 minutes") == items


def test_a_measure_keeps_its_count_and_its_unit():
    items = [{"kind": "fact", "subject": "the boiler", "relation": "service interval", "object": "a year"}]
    got = explicit.whole_measure(items, "the boiler wants servicing once a year, ideally in autumn")
    assert got[0]["object"] == "once a year"
    items = [{"kind": "qa", "question": "How many pupils per class?", "answer": "12", "replaces": "10 pupils"}]
    got = explicit.whole_measure(items, "we take 12 pupils a class now")
    assert got[0]["answer"] == "12 pupils"
    items = [{"kind": "qa", "question": "How many pupils per class?", "answer": "12", "replaces": "10"}]
    assert explicit.whole_measure(items, "we take 12 pupils a class now") == items
    items = [{"kind": "fact", "subject": "late checkout", "relation": "surcharge", "object": "a €20"}]
    assert explicit.whole_measure(items, "late checkout has a €20 surcharge")[0]["object"] == "€20"


def test_relations_named_from_more_predicates():
    from lic_cli.extract import relations

    assert relations.name("opens on", "", "12 April") == "opening date"  # a date, not a clock time
    assert relations.name("closes on", "", "31 October") == "closing date"
    assert relations.name("opens on", "", "Sundays") == "opening time"  # a weekday stays as it was
    assert relations.name("runs for", "", "ten weeks") == "duration"
    assert relations.name("is", " extra on bank holidays", "€15") == "surcharge"
    assert relations.name("is", " a night", "€15") == "nightly price"


def test_auto_keeps_the_rules_yes_or_no_answer_to_the_question_just_asked():
    from lic_cli.extract.auto import SURE, _combine
    from lic_cli.extract.engine import Outcome

    ctx = _ctx("Can I bring my dog to the tasting?", "I'm not sure, sorry.")
    turn = Turn("yes, as long as he stays on the lead", ctx, "teach")
    ruled = RulesEngine().extract([turn])
    assert ruled[0].items and ruled[0].items[0]["answer"] == "yes, as long as he stays on the lead"
    assert _combine("corpus", ruled, [Outcome(items=[])], SURE, [turn]) == ruled
    other = Turn("it's on Fridays", _ctx("When is the tasting?", "I don't know."), "teach")
    ruled = RulesEngine().extract([other])
    learned = [Outcome(items=[])]
    assert _combine("corpus", ruled, learned, SURE, [other]) == learned  # not a yes or no: the learned engine's


def test_a_quoted_question_people_ask_and_its_answer():
    got = rules("Parents always ring asking 'can siblings watch the lesson?' - no, only the pupil's carer can stay")
    assert got == [{"kind": "qa", "question": "Can siblings watch the lesson?",
                    "answer": "no, only the pupil's carer can stay"}]
    got = rules("Walkers often ask 'how long is the loop?' and the answer's about two hours")
    assert got == [{"kind": "qa", "question": "How long is the loop?", "answer": "about two hours"}]
    assert rules("I keep asking myself 'why did I book this?' honestly") == []


def test_a_subject_is_one_noun_phrase():
    got = explicit.subject_np([{"kind": "fact", "subject": "race days the paddock cafe", "relation": "opening time",
                                "object": "7 am"}, {"kind": "fact", "subject": "our pottery classes", "relation": "price",
                                                    "object": "£20"}])
    assert [f["subject"] for f in got] == ["the paddock cafe", "the pottery classes"]
    kept = [{"kind": "fact", "subject": "returns without the receipt", "relation": "refund", "object": "store credit"},
            {"kind": "fact", "subject": "the flight to the coast", "relation": "gate", "object": "B4"}]
    assert explicit.subject_np(kept) == kept


def test_the_old_value_said_after_the_new_one():
    from lic_cli.extract.repair import said_old

    assert said_old("The late bus leaves at 11.40 now, it was 11.10 before", "11.40") == "11.10"
    assert said_old("Our pastry chef is Lena Vogt, I put Lena Voss before by mistake", "Lena Vogt") == "Lena Voss"
    assert said_old("The deposit is 30% now (it was 25%).", "30%") == "25%"
    assert said_old("The deposit is 30% now, it was a nightmare before", "30%") is None
    assert said_old("Choir practice moved to Tuesday, it's not on Friday anymore.", "Tuesday") == "Friday"
    assert said_old("The trial lasts 14 days, you said seven but that changed.", "14 days") == "seven"


def test_a_forget_target_said_in_the_turn_is_its_whole_noun_phrase():
    assert explicit.whole_target("pottery taster", "The pottery taster is obsolete, forget it.") == "the pottery taster"
    assert explicit.whole_target("the shuttle bus info", "remove the shuttle bus info please") == "the shuttle bus"
    assert explicit.whole_target("the user is vegan", "forget that I'm vegan") == "the user is vegan"


def test_a_subject_loses_a_verb_tagged_at_its_end_and_an_old_value_takes_its_determiner():
    got = explicit.subject_np([{"kind": "fact", "subject": "The ferry to Arran leaves", "relation": "departure point",
                                "object": "pier 2"}])
    assert got[0]["subject"] == "The ferry to Arran"
    item = {"kind": "fact", "subject": "glass", "relation": "bin", "object": "the green crate", "replaces": "brown crate"}
    got = explicit.replaces_said([item], "Glass goes in the green crate rather than the brown crate.", "correct")
    assert got[0]["replaces"] == "the brown crate"


def test_a_verb_names_the_relation_over_a_generic_constant():
    got = explicit.predicate_names([{"kind": "fact", "subject": "the minibus", "relation": "price", "object": "16"}],
                                   "the minibus seats 16 passengers")
    assert got[0]["relation"] == "capacity"
    kept = [{"kind": "fact", "subject": "the minibus", "relation": "price", "object": "£40"}]
    assert explicit.predicate_names(kept, "the minibus is £40 a day") == kept  # a copula names no verb


def test_a_subject_cut_inside_its_noun_phrase_runs_on_to_the_verb():
    items = [{"kind": "fact", "subject": "guided", "relation": "duration", "object": "90 minutes"}]
    assert explicit.subject_np(items, "guided cave tours last 90 minutes")[0]["subject"] == "guided cave tours"
    kept = [{"kind": "fact", "subject": "tours", "relation": "duration", "object": "90 minutes"}]
    assert explicit.subject_np(kept, "tours of the caves last 90 minutes") == kept


def test_the_old_value_said_first_then_the_new_one():
    items = [{"kind": "qa", "question": "When does the last tram leave?", "answer": "11:15"}]
    got = explicit.change_from_to(items, "Nope, that's 11:15, it's 11:45 now.", "correct")
    assert got == [{"kind": "qa", "question": "When does the last tram leave?", "answer": "11:45", "replaces": "11:15"}]
    items = [{"kind": "qa", "question": "How big is the group?", "answer": "12"}]
    assert explicit.change_from_to(items, "that's wrong, it's 14", "correct") == items  # "wrong" is no old value


def test_an_answer_keeps_the_qualifier_after_its_measure():
    items = [{"kind": "qa", "question": "How much is a late return?", "answer": "£5"}]
    got = explicit.whole_measure(items, "A late return is £5 plus the day's hire.")
    assert got[0]["answer"] == "£5 plus the day's hire"
    items = [{"kind": "qa", "question": "How heavy can hand luggage be?", "answer": "10 kg"}]
    assert explicit.whole_measure(items, "it's 10 kg with wheels.")[0]["answer"] == "10 kg with wheels"
    items = [{"kind": "qa", "question": "How heavy can hand luggage be?", "answer": "10 kg"}]
    assert explicit.whole_measure(items, "it's 10 kg with the new rules in place, I think") == items


def test_a_bare_head_noun_takes_its_modifier_and_the_old_value_grows_like_the_new_one():
    items = [{"kind": "qa", "question": "When must bikes be returned?", "answer": "time"}]
    assert explicit.whole_measure(items, "That's closing time.")[0]["answer"] == "closing time"
    items = [{"kind": "qa", "question": "How heavy can a rucksack be?", "answer": "12 kg", "replaces": "9 kg"}]
    got = explicit.whole_measure(items, "It's 12 kg with straps, not 9 kg with straps.")
    assert got[0]["answer"] == "12 kg with straps" and got[0]["replaces"] == "9 kg with straps"
    kept = [{"kind": "fact", "subject": "the jab", "relation": "price", "object": "£12"}]
    assert explicit.whole_measure(kept, "the jab costs £12 without a prescription") == kept


def test_another_one_for_a_label_names_the_label():
    got = rules("Another one for refunds: 'the kettle arrived broken, I want my money back'")
    assert got == [{"kind": "label", "text": "the kettle arrived broken, I want my money back", "label": "refunds"}]
