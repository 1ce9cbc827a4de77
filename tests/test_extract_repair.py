"""Session 10 repairs of the learned engine's items (lic_cli/extract/repair.py), each a class of
miss found on the corpus's dev domains, checked here on phrasings of other domains it was not
written from (a bakery, a ferry, a zoo, a library, a cinema, a dentist ...). Fast: no model."""

from __future__ import annotations

import pytest

from lic_cli.extract import auto, repair, tagging
from lic_cli.extract.engine import Outcome, Turn


@pytest.mark.parametrize("typed, meant", [
    ("The user keeps a spare inhaler in their bgas", "The user keeps a spare inhaler in their bags"),
    ("the ferry timetabel", "the ferry timetable"),
    ("How late is the bakrey open?", "How late is the bakery open?"),
    ("The user is allergic to pencillin", "The user is allergic to pencillin"),  # not one swap: left
    ("the Kowalksi family", "the Kowalksi family"),  # a name inside a sentence: left
    ("dentist appointment", "dentist appointment"),
])
def test_fix_typos_swapped_letters_only(typed, meant):
    assert repair.fix_typos(typed) == meant


@pytest.mark.parametrize("text, value, whole", [
    ("The last ferry leaves from pier 4 these days.", "from pier 4", "pier 4"),
    ("The exhibition is on until 12 March - 5 March was wrong.", "12 March - 5 March", "12 March"),
    ("Matinees start 20 minutes after opening.", "20 minutes after", "20 minutes"),
    ("Parking is free with a cinema ticket.", "with", "with a cinema ticket"),
    ("The zoo train runs until 5 pm, not 4 pm.", "until 5 pm", "5 pm"),
    ("Bike hire is 8 euros rather than 6 euros.", "than 6 euros", "6 euros"),
    ("The library opens from 9 am to 8 pm.", "from 9 am to 8 pm", "from 9 am to 8 pm"),  # a range keeps "from"
    ("Checkups are by appointment only.", "by appointment only", "by appointment only"),  # train gold keeps "by"
    ("Sure - next to the lifts, I checked.", "Sure", "next to the lifts"),  # an opener is not the value
    ("Yes - from 9 am.", "Yes", "Yes"),
])
def test_bound_value(text, value, whole):
    assert repair.bound_value(text, value) == whole


@pytest.mark.parametrize("subject, owned", [
    ("the head keeper of the zoo", ("the zoo", "head keeper")),
    ("the bakery's phone number", ("the bakery", "phone number")),
    ("the late fee for DVDs", ("DVDs", "late fee")),
    ("the Bay of Biscay", None),  # a name, not an attribute
    ("the ferry to Cork", None),
    ("a lot of books", None),
])
def test_owner_relation(subject, owned):
    assert repair.owner_relation(subject) == owned


@pytest.mark.parametrize("question, topic", [
    ("How much is a cinema ticket?", "the cinema ticket price"),
    ("When does the bakery close on Sundays?", "the bakery closing time"),
    ("Who is the head keeper?", "the head keeper"),
    ("What's the library's email address?", "the library's email address"),
    ("When does the last ferry leave?", "the last ferry departure time"),
    ("What is the loyalty card called?", "the loyalty card name"),
    ("Is the zoo open on Mondays?", None),  # a yes/no question names no topic this way
    ("How much do I owe you?", None),
])
def test_question_topic(question, topic):
    assert repair.question_topic(question) == topic


def test_forget_topic_only_for_a_forget_that_names_nothing():
    ctx = [{"role": "user", "text": "How much is a cinema ticket?"}, {"role": "assistant", "text": "It's 11 euros."}]
    assert repair.forget_topic([], "Scratch that one.", ctx, "forget") == [
        {"kind": "forget", "target": "the cinema ticket price"}]
    # a fragment of the context is replaced; a target the turn says stands; other intents untouched
    assert repair.forget_topic([{"kind": "forget", "target": "ticket"}], "Bin it.", ctx, "forget")[0]["target"] == \
        "the cinema ticket price"
    said = [{"kind": "forget", "target": "the matinee discount"}]
    assert repair.forget_topic(said, "Forget the matinee discount.", ctx, "forget") == said
    assert repair.forget_topic([], "Scratch that one.", ctx, "teach") == []


@pytest.mark.parametrize("note, fixed", [
    ("The user is a nurse and work nights.", "The user is a nurse and works nights."),
    ("The user has two cats and they would like a pet-friendly room.",
     "The user has two cats and would like a pet-friendly room."),
    ("The user is vegan and love spicy food.", "The user is vegan and loves spicy food."),
    ("The user is left-handed and needs a left-handed desk.", "The user is left-handed and needs a left-handed desk."),
])
def test_and_verbs(note, fixed):
    assert repair.and_verbs(note) == fixed


@pytest.mark.parametrize("note, fixed", [
    ("The user has quit smoking now.", "The user has quit smoking."),
    ("The user walks to work these days.", "The user walks to work."),
    ("The user knows the owner.", "The user knows the owner."),
])
def test_timeless_note(note, fixed):
    assert repair.timeless_note(note) == fixed


def test_assemble_uses_the_repairs():
    text = "Heads up: the head keeper of the zoo is Amara Diallo."
    a = text.index("the head keeper")
    o = text.index("Amara")
    items = tagging.assemble(text, "", [(0, a, a + len("the head keeper of the zoo"), "fact.subject"),
                                        (0, o, o + len("Amara Diallo"), "fact.object")],
                             {"fact.relation": "name"}, {"fact": 1})
    assert items == [{"kind": "fact", "subject": "the zoo", "relation": "head keeper", "object": "Amara Diallo"}]
    text = "The last ferry leaves from pier 4 now."
    s, v = text.index("The last ferry"), text.index("from pier 4")
    items = tagging.assemble(text, "", [(0, s, s + len("The last ferry"), "fact.subject"),
                                        (0, v, v + len("from pier 4"), "fact.object")],
                             {"fact.relation": "departure point"}, {"fact": 1})
    assert items[0]["object"] == "pier 4"


def test_auto_keeps_the_rules_answer_to_a_question_said_in_the_turn():
    turn = Turn("When visitors ask 'Where is the gift shop?', tell them by the north gate.", [], "teach")
    rules = Outcome(items=[{"kind": "qa", "question": "Where is the gift shop?", "answer": "by the north gate"}])
    other = Outcome(items=[{"kind": "qa", "question": "Where is the cafe?", "answer": "by the north gate"}])
    assert auto._combine("corpus", [rules], [Outcome(items=[])], auto.SURE, [turn])[0] is rules
    assert auto._combine("corpus", [other], [Outcome(items=[])], auto.SURE, [turn])[0].items == []


@pytest.mark.parametrize("subject, named", [
    ("the bus to Galway", "the Galway bus"),
    ("the shop on Mill Lane", "the Mill Lane shop"),
    ("the choir practice on Thursdays", "the Thursday choir practice"),
    ("the early train to Leeds", "the early Leeds train"),
    ("the bus to town", "the bus to town"),  # no name: as said
    ("the tickets for adults and children", "the tickets for adults and children"),
])
def test_name_first(subject, named):
    assert repair.name_first(subject) == named


@pytest.mark.parametrize("relation, obj, day", [
    ("schedule", "Wednesdays", "day"),
    ("meeting days", "Mondays and Wednesdays", "meeting days"),  # already names a day: stands
    ("location", "Saturday mornings", "day"),
    ("time", "Mondays and Thursdays", "days"),
    ("closing time", "Sundays", "closing day"),
    ("opening time", "on Tuesdays", "opening day"),
    ("price", "12 euros", "price"),
    ("start time", "Friday at 6 pm", "start time"),  # a clock time: not a day
])
def test_day_relation(relation, obj, day):
    assert repair.day_relation(relation, obj) == day


@pytest.mark.parametrize("note, plain", [
    ("The user always takes the stairs.", "The user takes the stairs."),
    ("The user actually prefers tea.", "The user prefers tea."),
    ("The user's daughter finally passed her driving test.", "The user's daughter passed her driving test."),
    ("The user only drinks decaf.", "The user only drinks decaf."),  # "only" changes the claim: kept
])
def test_note_without_emphasis(note, plain):
    assert repair.timeless_note(note) == plain


def test_forgotten_note_told_like_a_note():
    text = "Please forget that I always cycle to work, so I need a bike rack."
    a = text.index("I always")
    items = tagging.assemble(text, "", [(0, a, a + len("I always cycle to work"), "forget.target#0")],
                             {"forget.target": tagging.THIRD}, {"forget": 1})
    assert items == [{"kind": "forget", "target": "The user cycles to work and needs a bike rack"}]


@pytest.mark.parametrize("text, new, old", [
    ("Sorry, the ferry leaves at 7:15 - 7:30 was a mistake.", "7:15", "7:30"),
    ("The zoo closes at 6 pm now (it used to be 5 pm).", "6 pm", "5 pm"),
    ("Late returns cost 50p a day, no longer 20p a day.", "50p a day", "20p a day"),
    ("The dentist is on the second floor rather than the first floor.", "the second floor", "the first floor"),
    ("It's platform 9, not platform 4.", "platform 9", "platform 4"),
    ("Your information is old, the bakery opens at 7.", "7", None),  # "your information" is no value
    ("I do not eat gluten.", "gluten", None),
])
def test_said_old(text, new, old):
    assert repair.said_old(text, new) == old


@pytest.mark.parametrize("text, value, start, grown", [
    ("Tickets were twelve euros before.", "euros", 0, "twelve euros"),
    ("It was 16 pounds, then 14 pounds.", "pounds", 17, "14 pounds"),
    ("Bring your passport.", "passport", 0, "passport"),
])
def test_grow_number(text, value, start, grown):
    assert repair.grow_number(text, value, start) == grown


def test_day_relation_from_the_predicate():
    assert repair.day_relation("day", "Sundays", " is closed on ") == "closing day"
    assert repair.day_relation("day", "Sundays", " meets on ") == "day"


@pytest.mark.parametrize("relation, obj, hours", [
    ("opening time", "9 to 5", "opening hours"),
    ("Saturday opening time", "10 am to 2 pm", "Saturday opening hours"),
    ("time", "24/7", "opening hours"),
    ("price", "9 to 5", "price"),  # names something else: stands
    ("opening time", "9 am", "opening time"),  # one time, not a span
])
def test_hours_relation(relation, obj, hours):
    assert repair.hours_relation(relation, obj) == hours


@pytest.mark.parametrize("text, subject, obj", [
    ("Note: the sauna needs a towel at all times.", "the sauna", "a towel at all times"),
    ("FYI the night bus costs three pounds.", "the night bus", "three pounds"),
    ("The rowing club must be booked by Friday noon.", "The rowing club", "Friday noon"),
    ("Does the sauna need a towel?", "the sauna", None),  # a question tells nothing
    ("The bakery, as you know, is lovely.", "The bakery", None),  # no verb right after the subject
])
def test_object_after_verb(text, subject, obj):
    a = text.index(subject)
    found = repair.object_after_verb(text, [(a, a + len(subject), 0.9)])
    assert (text[found[0]:found[1]] if found else None) == obj


def test_assemble_finds_the_object_after_the_verb():
    text = "Heads up: the climbing gym needs a signed waiver."
    a = text.index("the climbing gym")
    items = tagging.assemble(text, "", [(0, a, a + len("the climbing gym"), "fact.subject")], {}, {"fact": 1},
                             [0.93], {"fact.relation": "price"})
    assert items == [{"kind": "fact", "subject": "the climbing gym", "object": "a signed waiver",
                      "relation": "requirement"}]


@pytest.mark.parametrize("text, value, grown", [
    ("The box office is open 10 am to 4 pm.", "10 am", "10 am to 4 pm"),
    ("Feeding times are 9:30 and 15:00.", "9:30", "9:30 and 15:00"),
    ("Bins go out on Mondays and Thursdays.", "Mondays", "Mondays and Thursdays"),
    ("The season runs from April to October.", "April", "April to October"),
    ("It opens at 8 on weekdays and 10 on weekends.", "8", "8"),  # two facts, not a range
    ("Tickets are 5 euros and parking is free.", "5 euros", "5 euros"),
])
def test_grow_range(text, value, grown):
    assert repair.grow_range(text, value) == grown


@pytest.mark.parametrize("text, question, answer", [
    ("If you get asked 'When does the zoo train start?', say 10 am.", "When does the zoo train start?", "10 am"),
    ("If a visitor asks 'Is the cafe open in winter?', tell them yes, on weekends.", "Is the cafe open in winter?",
     "yes, on weekends"),
    ("When you are asked 'Who runs the choir?', say Ana Lopes.", "Who runs the choir?", "Ana Lopes"),
])
def test_rules_read_more_askers(text, question, answer):
    from lic_cli.extract.engine import RulesEngine

    items = RulesEngine().extract([Turn(text, [], "teach")])[0].items
    assert [(i["kind"], i["question"], i["answer"]) for i in items] == [("qa", question, answer)]


def test_the_learned_engine_finishes_a_bare_forget_with_the_question_topic():
    from lic_cli.extract import learned

    ctx = [{"role": "user", "text": "When does the ice rink close?"}, {"role": "assistant", "text": "At 10 pm."}]
    assert learned.finish([], Turn("Scrap that entry.", ctx, "forget")) == [
        {"kind": "forget", "target": "the ice rink closing time"}]
