"""Values in the dataset's words (extract/snap.py), forgets of labelled examples, and a role
changing hands: phrasings written for these tests, not taken from the corpus or the trial."""

from __future__ import annotations

import pytest

from lic_cli.extract.auto import AutoEngine
from lic_cli.extract.engine import RulesEngine, Turn
from lic_cli.extract.snap import snap, snap_items


def _ctx(question: str, answer: str) -> list[dict]:
    return [{"role": "user", "text": question}, {"role": "assistant", "text": answer}]


@pytest.mark.parametrize("text, target", [
    ("Get rid of the billing example 'refund never arrived'.", "the billing example 'refund never arrived'"),
    ('Please remove the sample "wifi keeps dropping" from the network examples.',
     "the network example 'wifi keeps dropping'"),
    ("Take 'printer jammed again' out of the hardware examples.", "the hardware example 'printer jammed again'"),
    ("Erase the training example \"I can't log in\".", "the example 'I can't log in'"),
    ("Scrap the example 'printer on fire' from hardware, it was a joke.", "the hardware example 'printer on fire'"),
    # a request as a question: read since session 8 (rules/forget.quoted_example_target)
    ("Could you delete the message 'zzz test' from the queue?", "the example 'zzz test'"),
    ("Remove the message 'zzz test' from the queue.", "the example 'zzz test'"),  # a dataset, not a label
])
def test_forget_labelled_example(text, target):
    items = RulesEngine().extract([Turn(text, [], "forget")])[0].items
    if target is None:
        assert not any("example '" in str(i.get("target", "")) for i in items)
    else:
        assert items == [{"kind": "forget", "target": target}]


def test_forget_with_a_quote_inside_a_thing_is_not_an_example():
    items = RulesEngine().extract([Turn("Forget the price of the 'Volt' charger.", [], "forget")])[0].items
    assert all("example" not in i["target"] for i in items)


@pytest.mark.parametrize("text, context, expected", [
    ("Priya Nair left last month; the new head chef is Omar Haddad.",
     _ctx("Who runs the kitchen?", "Our head chef is Priya Nair."),
     {"question": "Who runs the kitchen?", "answer": "Omar Haddad", "replaces": "Our head chef is Priya Nair."}),
    ("Dr Lee has retired, so our lead vet is now Dr Amara Obi.", [],
     {"question": "Who is the lead vet?", "answer": "Dr Amara Obi", "replaces": "Dr Lee"}),
    ("Jonas stepped down and Petra Novak took over as office manager.",
     _ctx("Who manages the office?", "The office manager is Jonas."),
     {"question": "Who manages the office?", "answer": "Petra Novak", "replaces": "The office manager is Jonas."}),
    ("Sofia Marquez resigned. Ben Clarke is the new volunteer coordinator.", [],
     {"question": "Who is the volunteer coordinator?", "answer": "Ben Clarke", "replaces": "Sofia Marquez"}),
])
@pytest.mark.parametrize("intent", ["correct", "teach"])
def test_role_handed_over(text, context, expected, intent):
    assert RulesEngine().extract([Turn(text, context, intent)])[0].items == [{"kind": "qa", **expected}]


def test_role_succession_leaves_other_departures_alone():
    assert RulesEngine().extract([Turn("Anna left early today, and the kids went home.", [], "teach")])[0].items == []


def test_auto_keeps_the_rules_for_sure_forgets_and_handovers_without_the_learned_engine():
    def learned():
        raise AssertionError("the learned engine was asked for")

    auto = AutoEngine(learned=learned)
    out = auto.extract([Turn("Drop the example 'lost my badge' from access.", [], "forget"),
                        Turn("Karen quit; the receptionist is now Li Wei.", _ctx("Who is on reception?",
                                                                                "Karen is our receptionist."), "correct")])
    assert out[0].items == [{"kind": "forget", "target": "the access example 'lost my badge'"}]
    assert out[1].items[0]["answer"] == "Li Wei" and out[1].engine == "rules"


@pytest.mark.parametrize("value, source, expected", [
    ("Park", "Our practice manager is Linda Park.", "Linda Park"),
    ("Lynda Park", "Our practice manager is Linda Park.", "Linda Park"),
    ("50", "Printing costs 15 cents per page for black and white and 50 cents per page for colour.",
     "50 cents per page"),
    ("weekends 9 to 5", "The desk is staffed on weekdays only.", None),
])
def test_snap_to_the_previous_answer(value, source, expected):
    assert snap(value, source) == expected


def test_snap_items_values_whole_and_replaces_in_the_answers_words():
    context = _ctx("How heavy can my suitcase be?", "Checked suitcases can weigh up to 23 kg each.")
    items = [{"kind": "qa", "question": "How heavy can my suitcase be?", "answer": "20", "replaces": "23"},
             {"kind": "fact", "subject": "the gym", "relation": "manager", "object": "Ortiz", "replaces": "Chen"}]
    out = snap_items(items, "No, it's 20 kg now, and Tom Ortiz manages the gym instead of Chen.", context)
    assert out[0]["answer"] == "20 kg"
    assert out[0]["replaces"] == "23 kg"  # the answer's words, in the shape of the new value
    assert out[1]["object"] == "Tom Ortiz"
    assert out[1]["replaces"] == "Chen"  # not in the previous answer: left as it is
    no_context = snap_items([{"kind": "fact", "subject": "the pool", "relation": "opening time", "object": "6 am",
                              "replaces": "7"}], "The pool opens at 6 am, 7 am was wrong.", [])
    assert no_context[0]["replaces"] == "7 am"


@pytest.mark.parametrize("target, expected", [
    ("The user's gym locker from your records, I cancelled it", "The user's gym locker"),
    ("my old address in the profile", "my old address"),
    ("The user's sister, she moved to Spain", "The user's sister"),
    ("the billing example 'I was charged twice, again'", "the billing example 'I was charged twice, again'"),
    ("The user uses a cane, so they need a lift", "The user uses a cane, so they need a lift"),
])
def test_forget_target_trimmed(target, expected):
    from lic_cli.extract.tagging import trim_forget

    assert trim_forget(target) == expected


def test_replaces_takes_the_shape_of_the_new_value_and_an_echoed_old_value_is_not_the_answer():
    context = _ctx("Which platform does the Leeds train leave from?", "The Leeds train leaves from platform 4.")
    out = snap_items([{"kind": "qa", "question": "Which platform does the Leeds train leave from?",
                       "answer": "platform 9", "replaces": "4"}], "No, platform 9.", context)
    assert out[0]["replaces"] == "platform 4"
    context = _ctx("Who runs the bakery stall?", "The bakery stall is run by Ines Moreau.")
    out = snap_items([{"kind": "qa", "question": "Who runs the bakery stall?", "answer": "Karl Weber",
                       "replaces": "Moreau"}], "Ines left, Karl Weber runs it.", context)
    assert out[0]["replaces"] == "Ines Moreau"
    context = _ctx("How long is the warranty?", "The warranty lasts 12 months.")
    out = snap_items([{"kind": "qa", "question": "How long is the warranty?", "answer": "12 months",
                       "replaces": "12 months"}], "Careful, not 12 months, it's 24 months these days.", context)
    assert out[0]["answer"] == "24 months" and out[0]["replaces"] == "12 months"


def test_auto_keeps_the_rules_in_a_project_whose_dataset_they_read_without_the_learned_engine(demo_project):
    from lic_cli.extract.auto import rules_suffice
    from lic_cli.tasks import load_project

    def learned():
        raise AssertionError("the learned engine was asked for (it would train on first use)")

    project = load_project(demo_project)
    assert rules_suffice(project, RulesEngine())
    auto = AutoEngine(learned=learned, project=project)
    turn = Turn("Heads up: the ferry to Skye now leaves at 7:15 on Sundays.", [], "teach")  # undecided
    (out,) = auto.extract([turn])
    assert auto.policy == "rules" and out.engine == "rules"


@pytest.mark.parametrize("value, text, expected", [
    ("4", "The bike shed is on level 4 of the car park.", "level 4"),
    ("B7", "Your locker is at bay B7, next to the showers.", "bay B7"),
    ("12", "Tickets cost 12 euros for adults.", "12 euros"),
    ("2021", "The café opened in 2021.", "2021"),
])
def test_values_kept_whole(value, text, expected):
    from lic_cli.extract.snap import keep_whole

    assert keep_whole(value, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Sample for billing: my invoice shows the wrong name", ("my invoice shows the wrong name", "billing")),
    ("Tag this message as access: the door code doesn't work", ("the door code doesn't work", "access")),
    ("the printer on floor 2 is jammed again — that's a hardware one", ("the printer on floor 2 is jammed again",
                                                                        "hardware")),
    ("Is the parcel lost? - that one's shipping", ("Is the parcel lost?", "shipping")),
    ("The pool opens at 6 - that's early.", None),
    ("You did a really great job - that's a great one.", None),
])
def test_unquoted_example_in_a_whole_turn_frame(text, expected):
    items = RulesEngine().extract([Turn(text, [], "teach")])[0].items
    labels = [(i["text"], i["label"]) for i in items if i["kind"] == "label"]
    assert labels == ([expected] if expected else [])


@pytest.mark.parametrize("text, spans", [
    ("'Ferrari won at Monza in 2019.' - here Monza is a place and 2019 is a date.",
     [(15, 20, "LOC"), (24, 28, "DATE")]),
    ('"Nadia Rossi joined Siemens in March.": in it, Siemens is an organisation.', [(19, 26, "ORG")]),
    ("Plaese annotate 'Lena flew to Oslo.' with Lena (person), Oslo (location).", [(0, 4, "PER"), (13, 17, "LOC")]),
    ("'The bakery on Elm Street opens at 7.' - here the bakery is great.", None),
])
def test_entity_labels_after_the_sentence(text, spans):
    items = RulesEngine().extract([Turn(text, [], "teach")])[0].items
    got = [[(s["start"], s["end"], s["label"]) for s in i["spans"]] for i in items if i["kind"] == "span"]
    assert got == ([spans] if spans else [])


class _FindsNothing:
    """Stands for a learned engine that returns no items: what the trained model does on a bare
    "Forget that." (its targets are said in the turn, and here none is)."""

    name = "learned"

    def extract(self, turns):
        from lic_cli.extract.engine import Outcome

        return [Outcome(items=[]) for _ in turns]


@pytest.mark.parametrize("text", ["Forget that.", "Scrap that entry, it no longer applies.",
                                  "please delete that record, it's out of date"])
def test_a_bare_forget_of_the_last_answer_survives_a_learned_engine_that_finds_nothing(text):
    context = _ctx("When does the pool open on Sundays?", "The pool opens at 9 am on Sundays.")
    out = AutoEngine(learned=_FindsNothing).extract([Turn(text, context, "forget")])[0]
    assert out.items and out.items[0]["kind"] == "forget"
    assert out.items[0]["target"] == "The pool opens at 9 am on Sundays" and out.engine == "rules"


def test_rules_items_of_other_kinds_do_not_override_an_empty_learned_engine():
    # Mostly look-alikes on the dev domains: keeping them dropped look-alikes kept empty 0.994 -> 0.972.
    turn = Turn("Our pool opens at 9 am on Sundays.", [], "teach")
    assert RulesEngine().extract([turn])[0].items[0]["kind"] == "qa"  # the rules make a qa item of it ...
    assert AutoEngine(learned=_FindsNothing).extract([turn])[0].items == []  # ... the empty answer stands


@pytest.mark.parametrize("text, value, expected", [
    # A change stated in the turn, with no answer before it: the old value becomes `replaces`.
    ("The last ferry now sails at 11:15 pm, not 10:45 pm.", "11:15 pm", ("11:15 pm", "10:45 pm")),
    ("Parking costs $4 an hour now, it used to be $3.", "$4 an hour", ("$4 an hour", "$3")),
    ("The yoga class fee went up from $12 to $15.", "$15", ("$15", "$12")),
    ("Heads up: the library closes at 8 pm on Fridays instead of 9 pm.", "8 pm", ("8 pm", "9 pm")),
    ("Membership is $40 a month now, down from $45.", "$40 a month", ("$40 a month", "$45")),
    # The old value taken for the value: the value after it is the new one.
    ("Our support line is no longer 555-0142, it's 555-0199.", "555-0142", ("555-0199", "555-0142")),
    # The old value said to be old after it, and taken for the value: the other value of its shape.
    ("Nope, $9 was the old price. A wash is $11 now.", "$9", ("$11", "$9")),
    ("we raised the student discount to 20% this term, 15% was last term's", "20%", ("20%", "15%")),
    # No change stated: nothing is added.
    ("The pool is 25 m long; the 50 m one was last open in 2019.", "25 m", ("25 m", None)),
    ("Lessons are $30 and last 45 minutes.", "$30", ("$30", None)),
    ("The desk is open from 9 am to 5 pm.", "5 pm", ("5 pm", None)),
    ("Tickets cost $5, not including the booking fee.", "$5", ("$5", None)),
    ("The museum opens at 10 am, not before.", "10 am", ("10 am", None)),
])
def test_a_change_stated_in_the_turn_names_the_old_value(text, value, expected):
    out = snap_items([{"kind": "fact", "subject": "it", "relation": "value", "object": value}], text, [])[0]
    assert (out["object"], out.get("replaces")) == expected


@pytest.mark.parametrize("text, example", [
    ("Wrong category on 'my parcel never arrived' - it's a delivery one.", "my parcel never arrived"),
    ('The note "card declined twice at checkout" - that one\'s billing', "card declined twice at checkout"),
    ("Bob's bike won't shift gears - that's a repairs one", "Bob's bike won't shift gears"),
])
def test_a_quoted_example_inside_an_unquoted_frame_is_the_example(text, example):
    items = RulesEngine().extract([Turn(text, [], "correct")])[0].items
    assert [(i["kind"], i["text"]) for i in items] == [("label", example)]


@pytest.mark.parametrize("text, question, answer, old", [
    ("Hannah left the company last month. Omar Reyes took over as store manager.",
     "Who is the store manager?", "Omar Reyes", "Hannah"),
    ("Kofi's moved on, btw - Lena Marsh is our events coordinator now.",
     "Who is the events coordinator?", "Lena Marsh", "Kofi"),
    ("Dr. Patel has retired after twenty years. Dr. Lee is the new head vet.", "Who is the head vet?", "Dr. Lee",
     "Dr. Patel"),
])
def test_a_role_handed_over_in_other_words(text, question, answer, old):
    items = RulesEngine().extract([Turn(text, [], "correct")])[0].items
    assert items == [{"kind": "qa", "question": question, "answer": answer, "replaces": old}]


@pytest.mark.parametrize("text", ["Tom left on Friday.", "Sara moved on to the next question, and so did I."])
def test_a_departure_alone_is_no_handover(text):
    assert RulesEngine().extract([Turn(text, [], "teach")])[0].items == []
