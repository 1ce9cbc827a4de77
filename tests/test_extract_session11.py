"""Session 11 extraction mechanisms (issue 15), each on phrasings of domains it was not
written from (a bakery, a ferry, a zoo, a bike shop, a library, a dentist ...). Fast: no model."""

from __future__ import annotations

import pytest

from lic_cli.extract import repair
from lic_cli.extract.engine import Turn
from lic_cli.extract.learned import finish


@pytest.mark.parametrize("text, subject, relation, obj", [
    ("The bakery is closed on Wednesdays.", "The bakery", "closing day", "Wednesdays"),
    ("Tell anyone who asks about gift cards that a top-up costs 5 euros.", "a top-up", "price", "5 euros"),
    ("If anyone asks about the ferry, say that the crossing takes 90 minutes.", "the crossing", "duration",
     "90 minutes"),
    ("Bike repairs need two days' notice.", "Bike repairs", "requirement", "two days' notice"),
    ("Heads up: the reptile house is open 10:00 to 16:00.", "the reptile house", "opening hours", "10:00 to 16:00"),
    ("Overdue laptops get locked after 3 days.", "Overdue laptops", "duration", "3 days"),
    ("the old kilns got replaced with electric ones", "the old kilns", "replaced with", "electric ones"),
    ("For the record, whitening trays are 120 pounds.", "whitening trays", "price", "120 pounds"),
])
def test_read_clause_reads_a_plain_statement(text, subject, relation, obj):
    item = repair.read_clause(text)
    assert item == {"kind": "fact", "subject": subject, "relation": relation, "object": obj}


@pytest.mark.parametrize("text", [
    "When visitors ask 'Where is the aviary?', tell them past the lake.",  # a question told: qa, not a fact
    "I'm not a student any more, they moved me to staff.",                 # about the speaker: a note
    "We only sell the large loaf on Saturdays.",                           # a pronoun subject names nothing
    "Is the ferry running on Sunday? I think it is.",                       # a question
    "Thanks, that's all for now",                                           # no statement
])
def test_read_clause_reads_nothing_where_no_fact_is_said(text):
    assert repair.read_clause(text) is None


def test_read_clause_keeps_a_corrections_old_value():
    item = repair.read_clause("Incorrect: a day ticket costs 8 euros - 7 euros was a mistake. Can you fix it?")
    assert item == {"kind": "fact", "subject": "a day ticket", "relation": "price", "object": "8 euros",
                    "replaces": "7 euros"}


def test_statement_clause_drops_the_frame_and_keeps_the_topic():
    assert repair.statement_clause("Please tell anyone who asks about parking that the lot closes at 11 pm.") == \
        ("the lot closes at 11 pm", "parking")
    assert repair.statement_clause("Just so you know, the kiln runs on Fridays, in case anyone asks.") == \
        ("the kiln runs on Fridays", "")


def test_finish_reads_the_clause_only_for_teaching_turns_with_nothing_found():
    text = "The bakery is closed on Wednesdays."
    assert finish([], Turn(text, [], "teach")) == [repair.read_clause(text)]
    assert finish([], Turn(text, [], "none")) == []  # a look-alike stays empty
    found = [{"kind": "fact", "subject": "the bakery", "relation": "day", "object": "Wednesdays"}]
    assert finish(found, Turn(text, [], "teach")) == found  # what the engine found stands


@pytest.mark.parametrize("text, obj, relation, want_obj, want", [
    ("On Sundays the bakery opens at 8:30.", "8:30", "start time", "8:30", "Sunday opening time"),
    ("The ferry office is open 7 am to 7 pm Monday to Friday.", "7 am to 7 pm", "time", "7 am to 7 pm",
     "weekday opening hours"),
    ("At weekends the zoo café stays open until 6 pm.", "6 pm", "opening time", "6 pm", "weekend closing time"),
    ("The bike shop opens at 9 on weekdays and at 10 on Saturdays.", "10", "opening time", "10",
     "Saturday opening time"),
    ("We close at 17:00 Saturday.", "17:00 Saturday", "time", "17:00", "Saturday closing time"),
    ("The library cafe closes at 4 pm.", "4 pm", "opening days", "4 pm", "closing time"),
])
def test_clock_relation_names_the_verb_and_its_days(text, obj, relation, want_obj, want):
    item = repair.clock_relation(text, {"kind": "fact", "subject": "x", "relation": relation, "object": obj})
    assert (item["object"], item["relation"]) == (want_obj, want)


@pytest.mark.parametrize("text, obj, relation", [
    ("A day pass costs 9 euros on Sundays.", "9 euros", "price"),     # not a clock value
    ("The 10:15 bus leaves from stand 4.", "stand 4", "location"),     # not a clock value
    ("The talk starts at 7 pm on Fridays.", "7 pm", "price"),          # a relation that is not about when stands
    ("Dog walks are on Sundays, 9 to 11.", "9 to 11", "opening hours"),  # no opening verb: left alone
])
def test_clock_relation_leaves_other_facts(text, obj, relation):
    item = {"kind": "fact", "subject": "x", "relation": relation, "object": obj}
    assert repair.clock_relation(text, item) == item


@pytest.mark.parametrize("subject", [
    "a women's haircut", "an adult's day ticket", "the children's menu", "the kids' pool",
    "Members' lockers",
])
def test_a_genitive_naming_a_kind_is_kept_whole(subject):
    assert repair.owner_relation(subject) is None


@pytest.mark.parametrize("subject, owner, attr", [
    ("the bakery's phone number", "the bakery", "phone number"),
    ("Dr Lee's surgery hours", "Dr Lee", "surgery hours"),
    ("the zoo's opening time", "the zoo", "opening time"),
])
def test_an_owners_genitive_still_names_owner_and_attribute(subject, owner, attr):
    assert repair.owner_relation(subject) == (owner, attr)


@pytest.mark.parametrize("text, note", [
    ("A bit about me: I always sit near the stage at concerts.", "The user sits near the stage at concerts."),
    ("Quick thing about me: I really prefer the early ferry these days.", "The user prefers the early ferry."),
    ("Side note about me: I'm vegan and prefre oat milk.", "The user is vegan and prefers oat milk."),
    ("Remember that I cycle to work, so I need a bike rack now.", "The user cycles to work and needs a bike rack."),
])
def test_the_rules_notes_get_the_note_grammar(text, note):
    from lic_cli.extract.rules.notes import notes

    assert notes(text) == [("note", {"text": note})]


@pytest.mark.parametrize("text, value, whole", [
    ("A ferry ticket costs 30 euros plus a port tax, for the record.", "30 euros", "30 euros plus a port tax"),
    ("Students pay 50 percent of the full price at the cinema.", "50 percent", "50 percent of the full price"),
    ("Photocopies are 10p per sheet at the library.", "10p", "10p per sheet"),
    ("Bike hire is 12 euros per bike and helmets are free.", "12 euros", "12 euros per bike"),
])
def test_a_measured_value_keeps_the_qualifier_after_it(text, value, whole):
    assert repair.grow_tail(text, value) == whole


@pytest.mark.parametrize("text, value", [
    ("The spa costs 40 euros per person.", "40 euros"),       # per person: named in the relation (relations.per)
    ("Parking is 5 euros a day.", "5 euros"),                 # a period: the relation says it
    ("The gallery is on the first floor plus the attic.", "the first floor"),  # not a measured value
    ("The tram costs 2 euros and the bus costs 3 euros.", "2 euros"),
])
def test_other_values_keep_their_end(text, value):
    assert repair.grow_tail(text, value) == value
