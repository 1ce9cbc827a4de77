"""The learned engine's assembly (spans + head choices -> items), without the model: notes are
whole clauses told in the third person, a relation no word of the turn names takes the head's
most likely constant, spans cover whole (hyphenated) words."""

from __future__ import annotations

from lic_cli.extract import learned, tagging
from lic_cli.extract.tagging import SPAN

COUNTS = {kind: 0 for kind in tagging.FIELDS}
UNSURE = {"note.text": 0.4, "fact.relation": 0.4}  # head probabilities below tagging.SURE_TEMPLATE


def span(text: str, words: str, role: str) -> tuple[int, int, int, str]:
    a = text.index(words)
    return (0, a, a + len(words), role)


def test_a_note_span_runs_to_the_end_of_its_clause():
    text = "A bit about me: I take levothyroxine every morning :)"
    spans = [span(text, "take levothyroxine", "note.text")]
    got = tagging.assemble(text, "", spans, {"note.text": SPAN}, {**COUNTS, "note": 1})
    assert got == [{"kind": "note", "text": "The user takes levothyroxine every morning."}]
    text = "Might be useful: I have three kids with phones on my account - worth knowing."
    spans = [span(text, "I have three kids", "note.text#0")]
    got = tagging.assemble(text, "", spans, {"note.text": tagging.THIRD}, {**COUNTS, "note": 1})
    assert got == [{"kind": "note", "text": "The user has three kids with phones on their account."}]


def test_a_note_template_learned_elsewhere_becomes_the_clause_of_its_slots():
    text = "Side note: I can only come in before work, around 6."
    spans = [span(text, "before", "note.text#0"), span(text, "work", "note.text#1")]
    template = {"note.text": "The user works {0} and uses {1}."}
    got = tagging.assemble(text, "", spans, template, {**COUNTS, "note": 1}, confidence=UNSURE)
    assert got == [{"kind": "note", "text": "The user can only come in before work."}]
    sure = tagging.assemble(text, "", spans, template, {**COUNTS, "note": 1}, confidence={"note.text": 0.95})
    assert sure == [{"kind": "note", "text": "The user works before and uses work."}]  # a sure head is kept


def test_a_missing_relation_takes_the_heads_most_likely_constant():
    text = "Keep in mind that the yoga studio holds 24 people."
    spans = [span(text, "the yoga studio", "fact.subject"), span(text, "24 people", "fact.object")]
    templates = {"fact.subject": SPAN, "fact.relation": SPAN, "fact.object": SPAN}
    counts = {**COUNTS, "fact": 1}
    assert tagging.assemble(text, "", spans, templates, counts) == []
    got = tagging.assemble(text, "", spans, templates, counts, fallback={"fact.relation": "capacity"})
    assert got == [{"kind": "fact", "subject": "the yoga studio", "relation": "capacity", "object": "24 people"}]
    # The raw output's best constant (a class without slots) is the fallback, the argmax stays the choice.
    raw = {"spans": [(*s, 0.9) for s in spans],
           "heads": {"fact.relation": {SPAN: 0.7, "capacity": 0.2, "{0} time": 0.1}, "count.fact": {"1": 0.9},
                     **{f"count.{k}": {"0": 0.9} for k in tagging.FIELDS if k != "fact"}}}
    assert learned.assemble_raw(text, "", raw) == got


def test_spans_cover_whole_hyphenated_words():
    text = "online check-in opens 30 hours before departure"
    assert tagging.whole_words(text, 0, 13) == (0, 15)
    assert tagging.whole_words(text, 7, 12) == (7, 15)
    assert tagging.whole_words("I'm fine", 0, 1) == (0, 3)
    got = tagging.assemble(text, "", [(0, 0, 13, "fact.subject"), span(text, "30 hours", "fact.object")],
                           {"fact.relation": "opening time"}, {**COUNTS, "fact": 1})
    assert got == [{"kind": "fact", "subject": "online check-in", "relation": "opening time", "object": "30 hours"}]


def test_a_relation_is_named_from_the_predicate_with_its_day():
    from lic_cli.extract import relations

    assert relations.name(" opens at ", " on weekdays", "6 am") == "weekday opening time"
    assert relations.name(" holds ", "", "24 people") == "capacity"
    assert relations.name(" is taught by ", "", "Marco") == "instructor"
    assert relations.name(" is ", "", "39 euros") == "price" and relations.name(" is ", "", "Marco") is None
    assert relations.name(" starts on ", "", "4 June") == "start date"
    text = "Keep in mind that the yoga studio holds 24 people."
    spans = [span(text, "the yoga studio", "fact.subject"), span(text, "24 people", "fact.object")]
    got = tagging.assemble(text, "", spans, {"fact.relation": "price"}, {**COUNTS, "fact": 1}, confidence=UNSURE)
    assert got == [{"kind": "fact", "subject": "the yoga studio", "relation": "capacity", "object": "24 people"}]
    kept = tagging.assemble(text, "", spans, {"fact.relation": "price"}, {**COUNTS, "fact": 1})
    assert kept[0]["relation"] == "price"  # no confidence given: the head's choice is sure


def test_forgetting_a_note_takes_its_whole_clause_but_a_topic_stays_a_topic():
    text = "I don't want you to remember that I'm travelling with a baby in October. Remove it."
    got = tagging.assemble(text, "", [span(text, "I'm", "forget.target#0")], {"forget.target": tagging.THIRD},
                           {**COUNTS, "forget": 1})
    assert got == [{"kind": "forget", "target": "The user is travelling with a baby in October"}]
    text = "Please erase my baby from your memory."
    got = tagging.assemble(text, "", [span(text, "my baby", "forget.target#0")], {"forget.target": tagging.THIRD},
                           {**COUNTS, "forget": 1})
    assert got == [{"kind": "forget", "target": "The user's baby"}]


def test_a_value_never_ends_in_when_the_claim_holds():
    assert tagging.trim_value("6 am these days") == "6 am" and tagging.trim_value("12 euros these") == "12 euros"
    assert tagging.trim_value("now") == "now" and tagging.trim_value("the Now app") == "the Now app"
    text = "Nah, it's one month these days."
    got = tagging.assemble(text, "What's the notice period to cancel?",
                           [span(text, "one month these days", "qa.answer"), (1, 0, 34, "qa.question")],
                           {}, {**COUNTS, "qa": 1})
    assert got == [{"kind": "qa", "question": "What's the notice period to cancel", "answer": "one month"}]


def test_a_subject_keeps_its_article():
    text = "Out of date - the monthly membership is 39 euros."
    spans = [span(text, "monthly membership", "fact.subject"), span(text, "39 euros", "fact.object")]
    got = tagging.assemble(text, "", spans, {"fact.relation": "price"}, {**COUNTS, "fact": 1})
    assert got == [{"kind": "fact", "subject": "the monthly membership", "relation": "price", "object": "39 euros"}]


def test_a_value_asked_about_is_not_taught():
    text = "Just checking: the sauna is closed on Mondays, right?"
    spans = [span(text, "the sauna", "fact.subject"), span(text, "closed", "fact.object")]
    assert tagging.assemble(text, "", spans, {"fact.relation": "Monday rule"}, {**COUNTS, "fact": 1}) == []
    text = "The sauna is closed on Mondays now. Can you update it?"
    spans = [span(text, "The sauna", "fact.subject"), span(text, "closed", "fact.object")]
    assert len(tagging.assemble(text, "", spans, {"fact.relation": "Monday rule"}, {**COUNTS, "fact": 1})) == 1


def test_the_issue_examples_keep_their_sign_their_time_and_each_qualifier():
    text = "FYI, the Help Centre now has a Signal line: +1 555 0190"
    assert text[slice(*tagging.whole_words(text, text.index("1 555"), len(text)))] == "+1 555 0190"
    text = "Yesterday I finished my first marathon, it was tough!"
    got = tagging.assemble(text, "", [span(text, "I finished my first marathon", "note.text")], {}, {**COUNTS, "note": 1})
    assert got == [{"kind": "note", "text": "The user finished their first marathon yesterday."}]
    text = "The lab opens at 8 on weekdays and 10 on weekends."
    spans = [span(text, "The lab", "fact.subject"), span(text, "8", "fact.object"), span(text, "10", "fact.object")]
    got = tagging.assemble(text, "", spans, {"fact.relation": "price"}, {**COUNTS, "fact": 2}, confidence=UNSURE)
    assert [(f["relation"], f["object"]) for f in got] == [("weekday opening time", "8"), ("weekend opening time", "10")]


def test_auto_does_not_load_the_learned_engine_when_the_rules_decide_every_turn():
    from lic_cli.extract.auto import AutoEngine
    from lic_cli.extract.engine import Turn

    def refuse():
        raise AssertionError("the learned engine was loaded")

    (out,) = AutoEngine(learned=refuse).extract([Turn("In 'Ajax beat PSV.', Ajax is an organization.", [], "teach")])
    assert out.engine == "rules" and out.items[0]["kind"] == "span"

def test_relations_say_when_and_per_what_on_other_phrasings():
    """Session 8's relation rules, on phrasings they were not written from."""
    from lic_cli.extract import relations

    assert relations.name(" is open until ", " on Saturdays", "6 pm") == "Saturday closing time"
    assert relations.name(" stays open until ", "", "midnight") == "closing time"
    assert relations.name(" is on ", "", "Wednesdays") == "day"
    assert relations.name(" is on ", "", "the 3rd") == "date"
    assert relations.name(" is on ", "", "the top floor") == "location"
    assert relations.name(" departs on ", "", "3 May") == "departure date"
    assert relations.name(" departs at ", "", "9:15") == "departure time"
    assert relations.name(" starts at ", "", "3 pm") == "start time"  # "3 pm" is not a date
    assert relations.name(" was founded by ", "", "two brothers") == "founder"
    assert relations.name(" charges ", " per night", "80 pounds") == "nightly price"
    assert relations.name(" is ", " a year", "120 dollars") == "annual price"
    assert relations.name(" costs ", " per head", "15 euros") == "price per person"
    assert relations.per("capacity", " a day") == "capacity"  # only prices are counted per


def test_a_head_sure_of_price_still_keeps_the_period_and_a_subject_drops_its_possessive():
    text = "FYI the ferry's return ticket costs 18 euros a day if you park there."
    spans = [span(text, "the ferry's", "fact.subject"), span(text, "18 euros", "fact.object")]
    got = tagging.assemble(text, "", spans, {"fact.relation": "price"}, {**COUNTS, "fact": 1})
    assert got == [{"kind": "fact", "subject": "the ferry", "relation": "daily price", "object": "18 euros"}]


def test_x_so_i_y_is_one_note_of_both_clauses():
    """'X, so I Y' is one note 'The user X and Y' (learned assembly and the rules' cued notes);
    phrasings not from the dev rows."""
    from lic_cli.extract.rules.notes import notes

    text = "Just so you know, I'm vegan, so I avoid leather seats."
    spans = [span(text, "I'm vegan", "note.text")]
    got = tagging.assemble(text, "", spans, {"note.text": SPAN}, {**COUNTS, "note": 1})
    assert got == [{"kind": "note", "text": "The user is vegan and avoids leather seats."}]
    assert notes("A bit about me: I work nights, so I usually sleep until noon.") == \
        [("note", {"text": "The user works nights and usually sleeps until noon."})]
    # "so" before anything but a first-person clause still ends the note
    assert notes("About me: I work nights, so mornings are bad.") == [("note", {"text": "The user works nights."})]


def test_one_fact_pairs_its_object_with_the_subject_said_before_it():
    text = "Note: the kayak rental is 20 euros; a guided hike costs 35 euros."
    spans = [span(text, "the kayak rental", "fact.subject"), span(text, "20 euros", "fact.object"),
             span(text, "a guided hike", "fact.subject"), span(text, "35 euros", "fact.object")]
    scores = [0.9, 0.6, 0.7, 0.95]  # the first subject is the surer one, the second object the surer one
    got = tagging.assemble(text, "", spans, {"fact.relation": "price"}, {**COUNTS, "fact": 1}, scores=scores)
    assert got == [{"kind": "fact", "subject": "a guided hike", "relation": "price", "object": "35 euros"}]


def test_an_unsure_subject_template_with_no_slot_found_keeps_the_tagged_subject():
    text = "Heads up, the rooftop terrace closes at 11 pm."
    spans = [span(text, "the rooftop terrace", "fact.subject"), span(text, "11 pm", "fact.object")]
    templates = {"fact.subject": "{1}", "fact.relation": "closing time"}
    got = tagging.assemble(text, "", spans, templates, {**COUNTS, "fact": 1},
                           confidence={"fact.subject": 0.3, "fact.relation": 0.95})
    assert got == [{"kind": "fact", "subject": "the rooftop terrace", "relation": "closing time", "object": "11 pm"}]


def test_two_facts_are_each_named_from_their_own_predicate():
    text = "The bakery opens at 7 am and the market closes at 2 pm."
    spans = [span(text, "The bakery", "fact.subject"), span(text, "7 am", "fact.object"),
             span(text, "the market", "fact.subject"), span(text, "2 pm", "fact.object")]
    got = tagging.assemble(text, "", spans, {"fact.relation": "opening time"}, {**COUNTS, "fact": 2})
    assert [(f["subject"], f["relation"]) for f in got] == [("The bakery", "opening time"),
                                                           ("the market", "closing time")]


def test_a_note_tagged_inside_its_clause_opens_at_the_clauses_own_i():
    text = "Btw, I walk my neighbour's dog, a big husky, every morning."
    spans = [span(text, "my neighbour's dog", "note.text")]
    got = tagging.assemble(text, "", spans, {"note.text": SPAN}, {**COUNTS, "note": 1})
    assert got == [{"kind": "note", "text": "The user walks their neighbour's dog."}]
    assert tagging.third_person("I'm a nurse and I'd rather work nights") == \
        "The user is a nurse and they would rather work nights"


def test_a_subject_tagged_as_a_piece_of_its_noun_phrase_is_the_whole_phrase():
    """Phrasings not from the dev rows: the phrase runs from its determiner to the clause's verb,
    never over the relation, the object or past a possessive."""
    def widened(text: str, words: str, stops=()) -> str:
        a = text.index(words)
        x, y = tagging.subject_phrase(text, a, a + len(words), list(stops))
        return text[x:y]

    assert widened("Btw the ferry to Texel leaves at 9:10 now.", "Texel") == "the ferry to Texel"
    assert widened("FYI: the sauna in block B opens at noon", "block B") == "the sauna in block B"
    assert widened("Good to know - evening yoga classes cost 8 euros.", "yoga") == "evening yoga classes"
    assert widened("oh and the bike shed we use is behind the gym", "bike shed") == "the bike shed"
    text = "The museum's audio guide costs 4 euros."
    assert widened(text, "The museum's") == "The museum's"  # a possessor stays the possessor
    rel = text.index("audio guide")
    assert widened(text, "The museum", [(rel, rel + len("audio guide"))]) == "The museum"
    text = "Kids under 12 travel free on weekends."
    obj = text.index("12")
    assert widened(text, "Kids", [(obj, obj + 2)]) == "Kids"  # a subject never holds its object
    assert widened("The Oslo sofa comes in grey and navy.", "The Oslo sofa") == "The Oslo sofa"
