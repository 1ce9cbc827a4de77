"""The extract stage on plain dicts: the rules engine, the item schema and the record contract."""

from __future__ import annotations

import pytest

from lic_cli import extract
from lic_cli.errors import InputError, RecordError
from lic_cli.extract import rules
from lic_cli.extract.schema import item_problems, make_item, statement, validate_item

REFUND_Q = "How long is the refund window?"
REFUND_A = "The refund window is 14 days."


def turn(n: int, role: str, text: str, intent: str | None = None, conv: str = "c1", **extra) -> dict:
    rec = {"conversation": conv, "turn": n, "role": role, "text": text, **extra}
    if intent is not None:
        rec["intent"] = {"label": intent, "score": 0.9}
    return rec


def knowledge_of(text: str, intent: str, context: list[tuple[str, str]] = ()) -> list[dict]:
    """Run the stage on context turns followed by one teaching turn; return that turn's knowledge."""
    recs = [turn(i + 1, role, t, "none" if role == "user" else None) for i, (role, t) in enumerate(context)]
    recs.append(turn(len(recs) + 1, "user", text, intent))
    out = list(extract.run(recs))
    return out[-1]["knowledge"]


def fields(items: list[dict]) -> list[dict]:
    """Items without the bookkeeping keys, for compact expectations."""
    return [{k: v for k, v in it.items() if k not in ("statement", "source", "engine")} for it in items]


REFUND = [("user", REFUND_Q), ("assistant", REFUND_A)]


# --- corrections ----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "No, it's 30 days now.",
    "Actually it's 30 days.",
    "That's wrong, it's 30 days.",
    "Not 14 days but 30 days.",
    "Wrong — 30 days.",
    "No it's 30 days",
    "It's 30 days, not 14.",
    "That's outdated, it is now 30 days.",
    "No, the refund window is 30 days.",
    "Nope. 30 days.",
])
def test_correction_against_previous_question(text):
    assert fields(knowledge_of(text, "correct", REFUND)) == [
        {"kind": "qa", "question": REFUND_Q, "answer": "30 days", "replaces": REFUND_A}]


def test_correction_of_assistant_fact_without_question():
    ctx = [("user", "Thanks!"), ("assistant", "Kestrel's support phone number is +1 555 0100.")]
    assert fields(knowledge_of("No, it's +1 555 0199.", "correct", ctx)) == [
        {"kind": "fact", "subject": "Kestrel", "relation": "support phone number", "object": "+1 555 0199",
         "replaces": "+1 555 0100"}]


def test_correction_of_assistant_statement_without_question():
    ctx = [("assistant", "The refund window is 14 days.")]
    assert fields(knowledge_of("No, it's 30 days.", "correct", ctx)) == [
        {"kind": "qa", "question": "What is the refund window?", "answer": "30 days", "replaces": "14 days"}]


def test_correction_stated_as_a_full_fact_replaces_the_old_value():
    ctx = [("user", "Who runs Kestrel?"), ("assistant", "Kestrel's CEO is John Smith.")]
    assert fields(knowledge_of("No, Kestrel's CEO is Dana Whitfield.", "correct", ctx)) == [
        {"kind": "fact", "subject": "Kestrel", "relation": "CEO", "object": "Dana Whitfield",
         "replaces": "John Smith"}]


def test_correction_about_another_topic_has_no_replaces():
    ctx = [("assistant", "Kestrel's CEO is John Smith.")]
    assert fields(knowledge_of("No, Kestrel's CFO is Omar Reyes.", "correct", ctx)) == [
        {"kind": "fact", "subject": "Kestrel", "relation": "CFO", "object": "Omar Reyes"}]


def test_correction_of_a_label():
    assert fields(knowledge_of("No, 'where is my parcel' is a shipping ticket, not billing.", "correct")) == [
        {"kind": "label", "text": "where is my parcel", "label": "shipping"}]


@pytest.mark.parametrize("text, context", [
    ("That's wrong.", REFUND),                     # no new value
    ("You misunderstood me.", REFUND),             # not a value
    ("No, it's 30 days.", []),                     # nothing to correct
    ("No, it's 14 days.", [("assistant", REFUND_A)]),  # same value as before
])
def test_correction_without_knowledge(text, context):
    assert knowledge_of(text, "correct", context) == []


# --- answers to questions -------------------------------------------------------------

def test_answer_to_assistant_question():
    ctx = [("user", "I need to send something back."),
           ("assistant", "Sorry, I don't know that yet. What is the new return address?")]
    assert fields(knowledge_of("Unit 4, Harbour Road, Leeds.", "teach", ctx)) == [
        {"kind": "qa", "question": "What is the new return address?", "answer": "Unit 4, Harbour Road, Leeds"}]


def test_answer_to_unanswered_user_question():
    ctx = [("user", REFUND_Q), ("assistant", "I'm not sure.")]
    assert fields(knowledge_of("It's 30 days.", "teach", ctx)) == [
        {"kind": "qa", "question": REFUND_Q, "answer": "30 days"}]


@pytest.mark.parametrize("text, question", [
    ("Yes.", "What is the new return address?"),
    ("ok", "What is the new return address?"),
    ("Unit 4, Harbour Road.", "Is there anything else I can help you with?"),
    ("Unit 4, Harbour Road.", "Would you like me to check your order?"),
])
def test_no_answer_to_rhetorical_questions_or_yes_no(text, question):
    assert knowledge_of(text, "teach", [("assistant", question)]) == []


# --- facts ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, subject, relation, obj", [
    ("Kestrel's support phone number is +1 555 0199.", "Kestrel", "support phone number", "+1 555 0199"),
    ("The support phone number of Kestrel is +1 555 0199.", "Kestrel", "support phone number", "+1 555 0199"),
    ("Remember that Kestrel's CEO is Dana Whitfield.", "Kestrel", "CEO", "Dana Whitfield"),
    ("FYI, the battery life of the Kestrel Aero 2 is 30 hours.", "Kestrel Aero 2", "battery life", "30 hours"),
    ("Note that Kestrel's support email is help@kestrel.example.", "Kestrel", "support email",
     "help@kestrel.example"),
    ("By the way the head of sales of Kestrel is Mia Chen!", "Kestrel", "head of sales", "Mia Chen"),
    ("For future reference, Kestrel Headphones' battery life is 20 hours.", "Kestrel Headphones",
     "battery life", "20 hours"),
    ("Just so you know, Kestrel\u2019s warehouse has moved to Leeds.", "Kestrel", "warehouse", "Leeds"),
    ("Please remember Kestrel's address is 12 High St. Leeds.", "Kestrel", "address", "12 High St. Leeds"),
    ("You should know that Kestrel's founding year is 2009 now.", "Kestrel", "founding year", "2009"),
    ("Keep in mind that the Opening Hours of Kestrel are 9 to 5.", "Kestrel", "opening hours", "9 to 5"),
])
def test_facts(text, subject, relation, obj):
    assert fields(knowledge_of(text, "teach")) == [
        {"kind": "fact", "subject": subject, "relation": relation, "object": obj}]


@pytest.mark.parametrize("text", [
    "Kestrel's CEO is Dana Whitfield and its CFO is Omar Reyes.",
    "Kestrel's CEO is Dana Whitfield. Its CFO is Omar Reyes.",
    "Kestrel's CEO is Dana Whitfield; its CFO is Omar Reyes.",
])
def test_two_facts_in_one_turn(text):
    assert fields(knowledge_of(text, "teach")) == [
        {"kind": "fact", "subject": "Kestrel", "relation": "CEO", "object": "Dana Whitfield"},
        {"kind": "fact", "subject": "Kestrel", "relation": "CFO", "object": "Omar Reyes"}]


def test_and_inside_an_object_does_not_split():
    assert fields(knowledge_of("The founders are Dana Whitfield and Omar Reyes.", "teach")) == [
        {"kind": "qa", "question": "Who are the founders?", "answer": "Dana Whitfield and Omar Reyes"}]


# --- plain statements as question/answer pairs ----------------------------------------

@pytest.mark.parametrize("text, question, answer", [
    ("The refund window is 30 days now.", "What is the refund window?", "30 days"),
    ("The refund window is now 30 days.", "What is the refund window?", "30 days"),
    ("The refund window has changed to 30 days.", "What is the refund window?", "30 days"),
    ("Our opening hours are 9am to 5pm, Monday to Friday.", "What are your opening hours?",
     "9am to 5pm, Monday to Friday"),
    ("Our CEO is Dana Whitfield.", "Who is your CEO?", "Dana Whitfield"),
    ("The price of shipping is $4.99.", "What is the price of shipping?", "$4.99"),
    ("Our loyalty program gives 1 point per dollar.", "What does your loyalty program give?",
     "1 point per dollar"),
    ("Remember: the Kestrel Aero 2 costs $199.", "How much does the Kestrel Aero 2 cost?", "$199"),
    ("The warehouse has moved to Leeds.", "Where is the warehouse?", "Leeds"),
    ("Our Leeds store is located in Harbour Road.", "Where is your Leeds store located?", "in Harbour Road"),
    ("Our phone line is open from 9am.", "When is your phone line open?", "from 9am"),
    ("The refund window for Black Friday orders is 60 days.",
     "What is the refund window for Black Friday orders?", "60 days"),
])
def test_plain_statements(text, question, answer):
    assert fields(knowledge_of(text, "teach")) == [{"kind": "qa", "question": question, "answer": answer}]


def test_two_statements_in_one_sentence():
    assert fields(knowledge_of("The refund window is 30 days and the exchange window is 60 days.", "teach")) == [
        {"kind": "qa", "question": "What is the refund window?", "answer": "30 days"},
        {"kind": "qa", "question": "What is the exchange window?", "answer": "60 days"}]


@pytest.mark.parametrize("text", [
    "Thanks, that's helpful!",
    "What is the refund window?",
    "It is what it is.",
    "There are many options.",
    "I think you are great.",
    "This is great.",
    "No returns are accepted after 30 days.",
    "Customers can return items within 30 days.",        # policy sentences: skipped for now
    "When you order before noon the parcel is shipped the same day.",
    "The store is closed.",
    "The fax number is not valid.",
    "",
])
def test_teach_without_knowledge(text):
    assert knowledge_of(text, "teach") == []


# --- labels ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("'My invoice shows the wrong VAT number' is a billing ticket.",
     {"text": "My invoice shows the wrong VAT number", "label": "billing"}),
    ("Label 'where is my parcel' as shipping.", {"text": "where is my parcel", "label": "shipping"}),
    ('"My parcel never arrived. Help!" should be classified as returns',
     {"text": "My parcel never arrived. Help!", "label": "returns"}),
    ("Tag this as technical: 'the app crashes on login'", {"text": "the app crashes on login", "label": "technical"}),
    ("Tag this as technical: \u201cthe app doesn't start\u201d.", {"text": "the app doesn't start", "label": "technical"}),
    ("'can you remember this?' is a teach example for intent",
     {"text": "can you remember this?", "label": "teach", "task": "intent"}),
    ("'I forgot my password' is labelled Account in ticket_topics.",
     {"text": "I forgot my password", "label": "account", "task": "ticket_topics"}),
    ("'the screen flickers' belongs in the technical category.", {"text": "the screen flickers", "label": "technical"}),
    ("Classify 'wrong size' as returns for ticket_topics.",
     {"text": "wrong size", "label": "returns", "task": "ticket_topics"}),
    ("Label where is my parcel as shipping.", {"text": "where is my parcel", "label": "shipping"}),
    ("The label for 'refund not received' is billing.", {"text": "refund not received", "label": "billing"}),
    ("'card declined' is a billing issue for customers.", {"text": "card declined", "label": "billing"}),
])
def test_labels(text, expected):
    assert fields(knowledge_of(text, "teach")) == [{"kind": "label", **expected}]


@pytest.mark.parametrize("text", [
    "'hello' is a word we use a lot.",          # not a label sentence
    "This is a billing ticket: my invoice is wrong",  # text not quoted
    "Label it.",
])
def test_not_labels(text):
    assert all(it["kind"] != "label" for it in knowledge_of(text, "teach"))


# --- forget ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, target", [
    ("Please forget Kestrel's fax number.", "Kestrel's fax number"),
    ("Forget the fax number of Kestrel, we don't have one anymore.", "fax number of Kestrel"),
    ("Delete the fact about the Leeds warehouse.", "Leeds warehouse"),
    ("Stop saying we price-match Amazon.", "we price-match Amazon"),
    ("Remove the entry saying gift cards expire.", "gift cards expire"),
    ("Forget about the Leeds warehouse because it closed.", "Leeds warehouse"),
    ("Can you forget what I told you about the old return address?", "old return address"),
    ("Don't tell customers that gift cards expire anymore.", "gift cards expire"),
    ("The Leeds warehouse is no longer valid.", "Leeds warehouse"),
    ("We don't have a fax number anymore.", "fax number"),
    ("We no longer price-match Amazon.", "we price-match Amazon"),
])
def test_forget(text, target):
    assert fields(knowledge_of(text, "forget")) == [{"kind": "forget", "target": target}]


def test_forget_pronoun_points_at_the_assistant():
    ctx = [("user", "Do gift cards expire?"), ("assistant", "Gift cards expire after a year.")]
    assert fields(knowledge_of("Forget that, it's not true.", "forget", ctx)) == [
        {"kind": "forget", "target": "Gift cards expire after a year"}]


def test_two_forgets_in_one_turn():
    text = "Forget Kestrel's fax number and delete the fact about the Leeds warehouse."
    assert [it["target"] for it in knowledge_of(text, "forget")] == ["Kestrel's fax number", "Leeds warehouse"]


@pytest.mark.parametrize("text", ["Never mind.", "Forget it.", "Kestrel's CEO is Dana Whitfield."])
def test_forget_without_target(text):
    assert knowledge_of(text, "forget") == []


# --- the record contract --------------------------------------------------------------

def test_items_carry_statement_source_and_engine():
    recs = [turn(1, "user", REFUND_Q, "none"), turn(2, "assistant", REFUND_A),
            turn(3, "user", "No, it's 30 days now.", "correct")]
    item = list(extract.run(recs))[2]["knowledge"][0]
    assert item == {"kind": "qa", "question": REFUND_Q, "answer": "30 days", "replaces": REFUND_A,
                    "statement": "How long is the refund window? — 30 days.", "source": "c1/t3",
                    "engine": "rules"}


@pytest.mark.parametrize("text, stmt", [
    ("Kestrel's CEO is Dana Whitfield.", "Kestrel's CEO is Dana Whitfield."),
    ("Kestrel Headphones' battery life is 20 hours.", "Kestrel Headphones' battery life is 20 hours."),
    ("The refund window is 30 days.", "What is the refund window? — 30 days."),
    ("Label 'where is my parcel' as shipping.", "'where is my parcel' is labelled shipping."),
    ("'hi there' is a none example for intent.", "'hi there' is labelled none in intent."),
])
def test_statements(text, stmt):
    assert knowledge_of(text, "teach")[0]["statement"] == stmt


def test_forget_statement():
    assert knowledge_of("Please forget Kestrel's fax number.", "forget")[0]["statement"] == \
        "Forget: Kestrel's fax number."


def test_non_teaching_and_assistant_turns_pass_through_untouched():
    recs = [turn(1, "user", "Kestrel's CEO is Dana Whitfield.", "none", extra_key={"a": 1}),
            turn(2, "assistant", "Kestrel's CEO is Dana Whitfield."),
            turn(3, "user", "Kestrel's CEO is Dana Whitfield.")]   # no intent yet
    originals = [dict(r) for r in recs]
    out = list(extract.run(recs))
    assert out == originals
    assert all(o is r for o, r in zip(out, recs, strict=True))


def test_unknown_keys_and_key_order_are_preserved():
    rec = turn(1, "user", "Kestrel's CEO is Dana Whitfield.", "teach", zz_custom=[1, 2], meta={"x": "y"})
    out = next(extract.run([rec]))
    assert list(out) == [*rec, "knowledge"]
    assert out["zz_custom"] == [1, 2] and out["meta"] == {"x": "y"}
    assert "errors" not in out
    assert "knowledge" not in rec  # the input record is not mutated


def test_teaching_turn_with_nothing_gets_empty_knowledge_and_an_error():
    rec = turn(1, "user", "Thanks, that's helpful!", "teach", errors=[{"stage": "route", "reason": "x"}])
    out = next(extract.run([rec]))
    assert out["knowledge"] == []
    assert out["errors"] == [{"stage": "route", "reason": "x"},
                             {"stage": "extract", "reason": "no knowledge found in this teach turn by the rules engine"}]
    assert rec["errors"] == [{"stage": "route", "reason": "x"}]


def test_rerunning_is_idempotent():
    recs = [turn(1, "user", "Thanks!", "teach"), turn(2, "user", "Kestrel's CEO is Dana.", "teach")]
    once = list(extract.run(recs))
    twice = list(extract.run(once))
    assert once == twice
    assert len(twice[0]["errors"]) == 1


def test_stats_count_teaching_turns_and_empty_ones():
    stats = extract.Stats()
    recs = [turn(1, "user", "Thanks!", "teach"), turn(2, "user", "Kestrel's CEO is Dana.", "teach"),
            turn(3, "assistant", "Noted."), turn(4, "user", "hi", "none")]
    list(extract.run(recs, stats=stats))
    assert (stats.teaching, stats.items, stats.empty) == (2, 1, ["c1/t1"])


def test_context_is_per_conversation():
    recs = [turn(1, "user", REFUND_Q, "none", conv="a"), turn(2, "assistant", REFUND_A, conv="a"),
            turn(1, "user", "Hello", "none", conv="b"),
            turn(3, "user", "No, it's 30 days now.", "correct", conv="a"),
            turn(2, "user", "No, it's 30 days now.", "correct", conv="b")]
    out = list(extract.run(recs))
    assert out[3]["knowledge"][0]["question"] == REFUND_Q
    assert out[4]["knowledge"] == []


def test_output_is_deterministic():
    recs = [turn(1, "user", REFUND_Q, "none"), turn(2, "assistant", REFUND_A),
            turn(3, "user", "No, it's 30 days now. Kestrel's CEO is Dana Whitfield.", "correct")]
    assert list(extract.run(recs)) == list(extract.run(recs))


def test_auto_engine_is_rules(monkeypatch, tmp_path):
    # With no learned engine trained in $LIC_HOME (and LIC_EXTRACT_TRAIN=0, conftest), auto is the
    # rules alone; an empty LIC_HOME makes that hold whatever an earlier test trained.
    monkeypatch.setenv("LIC_HOME", str(tmp_path))
    rec = turn(1, "user", "Kestrel's CEO is Dana Whitfield.", "teach")
    assert next(extract.run([rec], engine="auto")) == next(extract.run([rec], engine="rules"))


def test_unknown_engine():
    with pytest.raises(InputError, match="unknown extract engine 'gpt'"):
        list(extract.run([], engine="gpt"))


def test_bad_errors_field_names_the_record():
    rec = turn(1, "user", "Kestrel's CEO is Dana.", "teach", errors="oops")
    with pytest.raises(RecordError) as info:
        list(extract.run([rec]))
    assert info.value.field == "errors" and info.value.record is rec


# --- schema ---------------------------------------------------------------------------

def test_make_item_orders_keys_and_drops_empty_optionals():
    item = make_item("fact", {"object": "Dana", "relation": "CEO", "subject": "Kestrel", "replaces": ""},
                     source="c1/t1", engine="rules")
    assert list(item) == ["kind", "subject", "relation", "object", "statement", "source", "engine"]
    assert item_problems(item) == []


@pytest.mark.parametrize("item, problem", [
    ({"kind": "poem"}, "unknown kind 'poem'"),
    ("text", "expected an object"),
    ({"kind": "qa", "question": "Q?", "answer": " ", "statement": "s", "source": "c/t1"}, "'answer'"),
    ({"kind": "fact", "subject": "K", "relation": "r", "statement": "s", "source": "c/t1"}, "'object'"),
    ({"kind": "label", "text": "t", "label": "l", "task": 3, "statement": "s", "source": "c/t1"}, "'task'"),
    ({"kind": "forget", "target": "x", "source": "c/t1"}, "'statement'"),
])
def test_item_problems(item, problem):
    assert any(problem in p for p in item_problems(item))


def test_validate_item_names_the_field():
    with pytest.raises(RecordError) as info:
        validate_item({"kind": "forget", "target": ""}, index=2)
    assert info.value.field == "knowledge[2]"


def test_statement_of_unknown_kind():
    with pytest.raises(ValueError):
        statement({"kind": "poem"})


def test_rules_extract_is_pure():
    ctx = [{"role": "user", "text": REFUND_Q}, {"role": "assistant", "text": REFUND_A}]
    before = [dict(c) for c in ctx]
    assert rules.extract("No, it's 30 days now.", "correct", ctx) == rules.extract(
        "No, it's 30 days now.", "correct", ctx)
    assert ctx == before


@pytest.mark.parametrize("text", ["Thanks, bye!", "Great, thanks.", "No.", "Perfect!"])
def test_closing_words_are_not_answers(text):
    assert knowledge_of(text, "teach", [("assistant", "What is the new return address?")]) == []


def test_answer_only_right_after_the_assistant():
    recs = [turn(1, "user", REFUND_Q, "none"), turn(2, "assistant", "I'm not sure."),
            turn(3, "user", "Hmm.", "none"), turn(4, "user", "30 days.", "teach")]
    assert list(extract.run(recs))[3]["knowledge"] == []


def test_lines_and_bullets_are_sentences():
    text = "Please remember:\n- Kestrel's CEO is Dana Whitfield\n- its CFO is Omar Reyes\n\n2) The refund window is 30 days"
    assert fields(knowledge_of(text, "teach")) == [
        {"kind": "fact", "subject": "Kestrel", "relation": "CEO", "object": "Dana Whitfield"},
        {"kind": "fact", "subject": "Kestrel", "relation": "CFO", "object": "Omar Reyes"},
        {"kind": "qa", "question": "What is the refund window?", "answer": "30 days"}]


def test_correct_intent_after_an_assistant_question_answers_that_question():
    from lic_cli.extract.rules import extract

    context = [{"role": "user", "text": "Can I use loyalty points at checkout?"},
               {"role": "assistant", "text": "I'm not sure how loyalty points work at Kestrel. "
                                             "How many points do customers earn per dollar?"}]
    items = extract("1 point per dollar spent.", "correct", context)
    assert items == [("qa", {"question": "How many points do customers earn per dollar?",
                             "answer": "1 point per dollar spent"})]


# --- forms added for the extract dataset (issue 4) -------------------------------------

@pytest.mark.parametrize(("text", "answer"), [
    ("its 30 days", "30 days"),                       # "its" typed for "it's" before a value
    ("Not 14 days, 30 days.", "30 days"),              # rejected value, comma, new value
    ("Only 30 days.", "30 days"),                      # a hedge before the value
    ("No, just 30 days.", "30 days"),
])
def test_correction_values_lose_typos_and_hedges(text, answer):
    assert fields(knowledge_of(text, "correct", REFUND)) == [
        {"kind": "qa", "question": REFUND_Q, "answer": answer, "replaces": REFUND_A}]


def test_its_before_a_noun_is_still_a_possessive():
    assert knowledge_of("Its price is $79.", "correct", REFUND)[0]["answer"] != "price is $79"


def test_named_products_ending_in_a_common_noun_are_fact_subjects():
    assert fields(knowledge_of("The Kestrel Pulse smartwatch's battery life is 7 days.", "teach")) == [
        {"kind": "fact", "subject": "Kestrel Pulse smartwatch", "relation": "battery life", "object": "7 days"}]
    assert fields(knowledge_of("The price of the Kestrel Link cable is $19.", "teach")) == [
        {"kind": "fact", "subject": "Kestrel Link cable", "relation": "price", "object": "$19"}]


def test_called_is_not_part_of_the_object():
    assert fields(knowledge_of("Kestrel's loyalty program is called Kestrel Perks.", "teach")) == [
        {"kind": "fact", "subject": "Kestrel", "relation": "loyalty program", "object": "Kestrel Perks"}]


@pytest.mark.parametrize(("text", "question", "answer"), [
    ("standard delivery takes 3 to 5 business days", "How long does standard delivery take?", "3 to 5 business days"),
    ("The Black Friday sale starts on November 24.", "When does the Black Friday sale start?", "on November 24"),
    ("The password reset link expires after 30 minutes.", "When does the password reset link expire?",
     "after 30 minutes"),
])
def test_more_verb_statements(text, question, answer):
    assert fields(knowledge_of(text, "teach")) == [{"kind": "qa", "question": question, "answer": answer}]


# --- forms added in session 3 (issue 4: quality) ---------------------------------------

def items_of(text: str, intent: str, context: list[tuple[str, str]] = ()) -> list[dict]:
    return fields(knowledge_of(text, intent, context))


@pytest.mark.parametrize(("text", "question", "answer"), [
    # a passive or an adjective: the preposition says what is asked
    ("Online refunds are processed within 5 business days.", "When are online refunds processed?",
     "within 5 business days"),
    ("The trade-in credit is paid as a gift card.", "How is the trade-in credit paid?", "as a gift card"),
    ("Same-day delivery is available in Portland and Seattle.", "Where is same-day delivery available?",
     "in Portland and Seattle"),
    ("Gift wrapping is available for $3.99.", "Is gift wrapping available?", "yes, for $3.99"),
    ("Pre-order items are charged when they ship, not when they're placed.", "When are pre-order items charged?",
     "when they ship"),
    # a place or a time after the copula
    ("The recycling drop-off point is at every Kestrel store.", "Where is the recycling drop-off point?",
     "at every Kestrel store"),
    ("Our annual clearance sale is in January.", "When is your annual clearance sale?", "in January"),
    ("The email response time is under 24 hours.", "What is the email response time?", "under 24 hours"),
    ("Kestrel Perks points are worth 1 cent each.", "How much are Kestrel Perks points worth?", "1 cent each"),
    ("Store pickup is free.", "How much does store pickup cost?", "free"),
    # plural verbs ask "do"; have/get/come with a counted noun ask for the noun
    ("In-store repairs take 3 to 5 days.", "How long do in-store repairs take?", "3 to 5 days"),
    ("Open-box items have a 1-year warranty.", "What warranty do open-box items have?", "a 1-year warranty"),
    ("Refurbished laptops come with a 1-year warranty.", "What warranty do refurbished laptops come with?",
     "a 1-year warranty"),
    # the shop's yes/no policies
    ("We now ship to Mexico.", "Do you ship to Mexico?", "yes"),
    ("We don't ship to PO boxes.", "Do you ship to PO boxes?", "no"),
    ("You can return items bought on sale, the same 14-day window applies.", "Can I return items bought on sale?",
     "yes, the same 14-day window applies"),
    # lead-ins without punctuation, typos of "remember", a heading before a colon, typos in questions
    ("ok so the pickup hold period is 7 days", "What is the pickup hold period?", "7 days"),
    ("remeber that the refund window is 30 days now", "What is the refund window?", "30 days"),
    ("Correction for the FAQ: the warranty period is 2 years.", "What is the warranty period?", "2 years"),
    ("teh restocking fee is 15% on opened drones", "What is the restocking fee?", "15% on opened drones"),
    ("The refund windwo is 30 days.", "What is the refund window?", "30 days"),
    # "for ..." names a question, not a fact's subject
    ("The minimum age for Klarna is 18.", "What is the minimum age for Klarna?", "18"),
])
def test_statement_forms(text, question, answer):
    assert items_of(text, "teach") == [{"kind": "qa", "question": question, "answer": answer}]


def test_lower_case_possessive_is_a_fact_but_a_common_noun_owner_is_not():
    assert items_of("kestrel's cfo is Omar Reyes", "teach") == [
        {"kind": "fact", "subject": "kestrel", "relation": "cfo", "object": "Omar Reyes"}]
    assert items_of("The app's dark mode setting is under Profile > Appearance.", "teach") == [
        {"kind": "qa", "question": "Where is the app's dark mode setting?", "answer": "under Profile > Appearance"}]
    assert items_of("The Kestrel Aero 2's batery life is 30 hours.", "teach")[0]["relation"] == "battery life"


def test_same_question_with_another_qualifier():
    assert items_of("The trade-in credit for a Glide 14 is $250, and for a Glide 16 it's $350.", "teach") == [
        {"kind": "qa", "question": "What is the trade-in credit for a Glide 14?", "answer": "$250"},
        {"kind": "qa", "question": "What is the trade-in credit for a Glide 16?", "answer": "$350"}]
    # the qualifier can also refine the assistant's last answer
    assert items_of("And for opened software it's 0 days.", "teach", REFUND) == [
        {"kind": "qa", "question": "What is the refund window for opened software?", "answer": "0 days"}]


def test_its_refers_to_the_assistants_last_subject():
    context = [("user", "Who is Kestrel's CEO?"), ("assistant", "Kestrel's CEO is Dana Whitfield.")]
    assert items_of("And its CFO is Omar Reyes.", "teach", context) == [
        {"kind": "fact", "subject": "Kestrel", "relation": "CFO", "object": "Omar Reyes"}]


@pytest.mark.parametrize(("text", "expected"), [
    ("For ticket_topics, 'where's my order #88123' is shipping.",
     [{"kind": "label", "text": "where's my order #88123", "label": "shipping", "task": "ticket_topics"}]),
    # a verdict word is a label once the task that has it is named
    ("For intent, 'no, it's 30 days' is correct.",
     [{"kind": "label", "text": "no, it's 30 days", "label": "correct", "task": "intent"}]),
    ("'Why was I charged sales tax?' is a billing ticket, and 'Where do I mail my return?' is returns.",
     [{"kind": "label", "text": "Why was I charged sales tax?", "label": "billing"},
      {"kind": "label", "text": "Where do I mail my return?", "label": "returns"}]),
    ("'tracking number doesnt work' shoud be shipping",
     [{"kind": "label", "text": "tracking number doesnt work", "label": "shipping"}]),
])
def test_label_forms(text, expected):
    assert items_of(text, "teach") == expected


def test_forget_inside_a_teach_turn():
    assert items_of("Forget the fax number. Kestrel's support phone number is +1 555 0199.", "teach") == [
        {"kind": "forget", "target": "fax number"},
        {"kind": "fact", "subject": "Kestrel", "relation": "support phone number", "object": "+1 555 0199"}]


@pytest.mark.parametrize("text", [
    "Remember my address is 12 Elm Street when you ship it.",
    "My Perks balance is 1,200 points.",
    "Let me tell you, the Glide 14 is the best laptop I've owned.",
    "Our office manager says the business terms are net 30.",
    "In my experience the Aero Buds last about 6 hours.",
])
def test_personal_details_opinions_and_hearsay_are_not_knowledge(text):
    assert items_of(text, "teach") == []


ASK = [("user", REFUND_Q), ("assistant", "I'm not sure, could you tell me?")]


def test_answers_after_an_ask_back_or_an_it_question():
    # "could you tell me?" hands back the user's question
    assert items_of("It's 30 days.", "teach", ASK) == [{"kind": "qa", "question": REFUND_Q, "answer": "30 days"}]
    # "What is it?" stands for the thing the assistant just named
    assert items_of("It's $12.99.", "teach", [("assistant", "I don't know the express fee. What is it?")]) == [
        {"kind": "qa", "question": "What is the express fee?", "answer": "$12.99"}]


@pytest.mark.parametrize(("question", "answer_text", "text", "expected"), [
    ("How long do I have to pick up an order in store?", "We hold pickup orders for 3 days.",
     "No, pickup orders are held for 7 days.", "7 days"),                    # "for" is in "how long"
    ("What does the trade-in pay out as?", "Trade-in credit is paid to your card.",
     "No, it's paid as a gift card.", "a gift card"),                         # the question ends in "as"
    ("When do preorders get charged?", "Pre-orders are charged when you place them.",
     "No, they're charged when they ship.", "when they ship"),
    ("When does the Toronto store open on Sundays?", "The Toronto store opens at 10 am on Sundays.",
     "Actually it opens at noon.", "at noon"),                                # a pronoun and a verb
    ("How long does the reset link last?", "Password reset links expire after 24 hours.",
     "It expires after 30 minutes.", "30 minutes"),
    ("What's the Haven camera resolution?", "The Haven camera records in 1080p.", "it records in 2K", "2K"),
    ("What's the price of the Nest Hub?", "The Kestrel Nest Hub costs $149.",
     "That was before the price drop, it's $129.", "$129"),                  # the value is in the last clause
    ("What's the max Klarna order?", "Klarna works on orders up to $500.", "Up to $1,000.", "$1,000"),
    ("When's the holiday shipping cut-off?", "Order by December 22.", "it's dec 20 this year", "dec 20"),
    ("How long is the holiday return window?", "Holiday purchases follow the normal 14-day window.",
     "Not this year, holiday returns are accepted until January 31.", "until January 31"),
    ("Where can I get a gift receipt?", "Gift receipts are only available in store.",
     "No, you can choose one at checkout online too.", "at checkout online too"),
    ("Which cards do you take?", "We accept Visa and Mastercard.", "Also Amex and Discover.",
     "Visa, Mastercard, Amex and Discover"),                                  # an addition to the list
])
def test_correction_values_resolved_against_the_question(question, answer_text, text, expected):
    assert items_of(text, "correct", [("user", question), ("assistant", answer_text)]) == [
        {"kind": "qa", "question": question, "answer": expected, "replaces": answer_text}]


@pytest.mark.parametrize(("question", "answer_text", "text", "expected"), [
    ("Is there a restocking fee?", "Yes, there is a 15% restocking fee on opened items.",
     "No, there's no restocking fee at all.", "no, there's no restocking fee at all"),
    ("Do you ship to Alaska?", "No, we only ship to the contiguous US and Canada.",
     "We do ship to Alaska now, it takes 7 to 10 days.", "yes, it takes 7 to 10 days"),
    ("Can I pay with PayPal?", "Sorry, we don't accept PayPal.",
     "You're wrong, PayPal is accepted at checkout.", "yes, PayPal is accepted at checkout"),
    ("Is the Austin store open late on Fridays?", "Yes, Kestrel Austin is open until 10 pm on Fridays.",
     "Not anymore, it closes at 8.", "no, it closes at 8"),
    ("Do you offer gift wrapping?", "No, we don't offer gift wrapping.", "Yes we do, it's $4.99 per item.",
     "yes, it's $4.99 per item"),
    ("Is there a minimum age for Klarna?", "Klarna is available to anyone with a card.", "You have to be 18.", "18"),
])
def test_corrections_of_yes_no_answers(question, answer_text, text, expected):
    assert items_of(text, "correct", [("user", question), ("assistant", answer_text)]) == [
        {"kind": "qa", "question": question, "answer": expected, "replaces": answer_text}]


def test_correction_matches_each_claim_of_the_assistant():
    context = [("assistant", "Kestrel's CEO is John Smith and its CFO is Laura Chen.")]
    assert items_of("Kestrel's CEO is Dana Whitfield and its CFO is Omar Reyes.", "correct", context) == [
        {"kind": "fact", "subject": "Kestrel", "relation": "CEO", "object": "Dana Whitfield", "replaces": "John Smith"},
        {"kind": "fact", "subject": "Kestrel", "relation": "CFO", "object": "Omar Reyes", "replaces": "Laura Chen"}]
    # "the fee" names the claim's "express shipping fee"; the claim ends before "and it ..."
    context = [("assistant", "The express shipping fee is $9.99 and it arrives in 2 to 3 days.")]
    assert items_of("The fee is $12.99.", "correct", context) == [
        {"kind": "qa", "question": "What is the express shipping fee?", "answer": "$12.99", "replaces": "$9.99"}]
    assert items_of("There is no restocking fee.", "correct", [("assistant", "The restocking fee is 15%.")]) == [
        {"kind": "qa", "question": "What is the restocking fee?", "answer": "none", "replaces": "15%"}]


def test_correction_of_a_label_the_user_asked_about():
    context = [("user", "'My invoice shows the wrong VAT number' — what topic is that?"),
               ("assistant", "That sounds like an account ticket.")]
    assert items_of("No, it's billing.", "correct", context) == [
        {"kind": "label", "text": "My invoice shows the wrong VAT number", "label": "billing"}]


@pytest.mark.parametrize(("text", "context"), [
    ("Right, 14 days.", REFUND),                           # a confirmation
    ("That's too expensive.", REFUND),                     # a reaction
    ("Hmm, that's not what I expected.", REFUND),
    ("Nope, my email is sam@example.com.", []),            # the user's own details
])
def test_corrections_that_are_not_knowledge(text, context):
    assert items_of(text, "correct", context) == []


@pytest.mark.parametrize(("text", "targets"), [
    ("Forget what I said about the loyalty points.", ["loyalty points"]),
    ("forget everything about the Haven cloud storage price", ["Haven cloud storage price"]),
    ("We don't do engraving anymore, forget it.", ["engraving"]),          # "it" is the thing just named
    ("The Pulse smartwatch bundle is no longer true, remove it.", ["Pulse smartwatch bundle"]),
    ("We stopped offering the rewards card, forget it.", ["rewards card"]),
    ("Stop mentioning the $9.99 same-day fee.", ["$9.99 same-day fee"]),
    ("forget teh fax nuber", ["fax nuber"]),                               # targets keep their typos
    ("Delete the Kestrel spokesperson fact.", ["Kestrel spokesperson"]),
    ("Forget the Volt 100W charger price and the Link cable price.", ["Volt 100W charger price", "Link cable price"]),
    ("Please forget the Reno warehouse, forget the Columbus warehouse too.", ["Reno warehouse", "Columbus warehouse"]),
    ("Forget the label for 'my invoice is wrong'.", ["label for 'my invoice is wrong'"]),
])
def test_forget_forms(text, targets):
    assert items_of(text, "forget") == [{"kind": "forget", "target": t} for t in targets]


@pytest.mark.parametrize(("text", "said"), [
    ("Forget that one, it's being shut down.", "Write to business@kestrel.example."),
    ("Forget that, we stopped gift wrapping.", "Yes, gift wrapping is $3.99 per item."),  # the rest says why
    ("That's not a thing, forget it.", "Kestrel Care+ covers theft."),
    ("That's wrong and should be forgotten.", "The Chicago store has free parking."),
])
def test_forget_pointing_at_the_assistant(text, said):
    assert items_of(text, "forget", [("user", "Tell me more."), ("assistant", said)]) == [
        {"kind": "forget", "target": said.rstrip(".")}]


@pytest.mark.parametrize("text", [
    "Forget it, never mind.",
    "Please delete my account.",
    "Forget the last question, what are your hours in Austin?",
    "Can you forget things I tell you?",
    "forget my last message",
])
def test_forget_look_alikes(text):
    assert items_of(text, "forget") == []


def test_shouted_possessive_is_still_a_fact():
    assert items_of("KESTREL'S CEO IS DANA WHITFIELD", "teach") == [
        {"kind": "fact", "subject": "KESTREL", "relation": "CEO", "object": "DANA WHITFIELD"}]


def test_correction_saying_who_changed_the_value():
    context = [("user", "When does the Reno warehouse open?"), ("assistant", "The Reno warehouse opens at 8 am.")]
    assert items_of("They changed it to 9 am.", "correct", context) == [
        {"kind": "qa", "question": "When does the Reno warehouse open?", "answer": "9 am",
         "replaces": "The Reno warehouse opens at 8 am."}]


def test_no_longer_with_a_singular_verb_targets_the_thing():
    assert items_of("Kestrel no longer sells the Volt 30W charger.", "forget") == [
        {"kind": "forget", "target": "Volt 30W charger"}]


@pytest.mark.parametrize(("text", "expected"), [
    ("Put 'where is my package' under shipping.", {"text": "where is my package", "label": "shipping"}),
    ("That one is a returns ticket: 'how do I send back my earbuds'",
     {"text": "how do I send back my earbuds", "label": "returns"}),
    ("Example for billing: 'why did my card get charged twice'",
     {"text": "why did my card get charged twice", "label": "billing"}),
    ("In ticket_topics, 'can I get a refund for a late order' is returns.",
     {"text": "can I get a refund for a late order", "label": "returns", "task": "ticket_topics"}),
])
def test_more_label_forms(text, expected):
    assert items_of(text, "teach") == [{"kind": "label", **expected}]


def test_label_correction_of_the_assistants_proposal():
    context = [("assistant", "I'd label 'the app logs me out every hour' as account.")]
    assert items_of("It should be technical, not account.", "correct", context) == [
        {"kind": "label", "text": "the app logs me out every hour", "label": "technical"}]


def test_comma_joined_statements_and_changes_of_value():
    assert items_of("the loyalty signup bonus is 200 points, the birthday bonus is 100 points", "teach") == [
        {"kind": "qa", "question": "What is the loyalty signup bonus?", "answer": "200 points"},
        {"kind": "qa", "question": "What is the birthday bonus?", "answer": "100 points"}]
    assert items_of("The Care+ deductible went up to $49.", "teach") == [
        {"kind": "qa", "question": "What is the Care+ deductible?", "answer": "$49"}]
    # "the answer" is not a subject: the turn answers the assistant's question
    assert items_of("The answer is 2 business days.", "teach", [("assistant", "How long does a price adjustment take?")]) \
        == [{"kind": "qa", "question": "How long does a price adjustment take?", "answer": "2 business days"}]


@pytest.mark.parametrize(("question", "answer_text", "text", "expected"), [
    ("How long is the Haven warranty?", "The Haven camera has a 12-month warranty.", "Close, but it's 18 months.",
     "18 months"),
    ("How many points do I get for a review?", "You get 10 points per product review.",
     "That changed last month: 25 points per review.", "25 points per review"),
    # the question asks for the subject of the corrected sentence
    ("Which warehouse handles returns?", "The Columbus warehouse handles returns.",
     "No, the Reno warehouse handles returns.", "the Reno warehouse"),
])
def test_more_correction_values(question, answer_text, text, expected):
    assert items_of(text, "correct", [("user", question), ("assistant", answer_text)]) == [
        {"kind": "qa", "question": question, "answer": expected, "replaces": answer_text}]
