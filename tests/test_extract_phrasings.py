"""The rules engine on teaching phrasings added in session 4: labels in free frames and in
context, questions answered in the same turn, answers to what the assistant could not say."""

from __future__ import annotations

import pytest

from lic_cli.extract.rules import extract


def items(text: str, intent: str = "teach", context: list[tuple[str, str]] = ()) -> list[dict]:
    return [{"kind": kind, **fields} for kind, fields in
            extract(text, intent, [{"role": role, "text": t} for role, t in context])]


def label(text: str, name: str, task: str | None = None) -> dict:
    return {"kind": "label", "text": text, "label": name, **({"task": task} if task else {})}


def qa(question: str, answer: str, replaces: str | None = None) -> dict:
    return {"kind": "qa", "question": question, "answer": answer, **({"replaces": replaces} if replaces else {})}


# --- labels ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("'my promo code expired at checkout' → billing", [label("my promo code expired at checkout", "billing")]),
    ("'the Glide 16 fan is really loud' - technical", [label("the Glide 16 fan is really loud", "technical")]),
    ("billing: 'why was I charged $4.99 for shipping'", [label("why was I charged $4.99 for shipping", "billing")]),
    ("That one's a billing ticket: 'I got charged twice'.", [label("I got charged twice", "billing")]),
    ("I'd call 'my tracking hasn't updated' a shipping ticket.", [label("my tracking hasn't updated", "shipping")]),
    ("Count 'please remove my phone number' as account.", [label("please remove my phone number", "account")]),
    ("File 'the camera won't connect' under technical.", [label("the camera won't connect", "technical")]),
    ("Stick 'my charger stopped working' in technical.", [label("my charger stopped working", "technical")]),
    ("Label this one technical: 'app logs me out'", [label("app logs me out", "technical")]),
    ("The right label for 'I can't find my order' is account.", [label("I can't find my order", "account")]),
    ("Topic for 'order stuck on processing': shipping.", [label("order stuck on processing", "shipping")]),
    ("'my gift card code says invalid' should go under billing.", [label("my gift card code says invalid", "billing")]),
    ("Tickets like 'where is my refund' go to billing.", [label("where is my refund", "billing")]),
    ("Example ticket for product: 'does it support Wi-Fi 6E'", [label("does it support Wi-Fi 6E", "product")]),
    ("'promo code not applied at checkout' is definitely billing.", [label("promo code not applied at checkout", "billing")]),
    ("Use returns for 'I ordered the wrong size'.", [label("I ordered the wrong size", "returns")]),
    ("File \"my Perks points disappeared\" as account, please.", [label("my Perks points disappeared", "account")]),
    # a free frame around the example, the label last or first
    ("'the Pulse won't sync steps' is one for technical.", [label("the Pulse won't sync steps", "technical")]),
    ("'my order came with the wrong charger', that's returns.", [label("my order came with the wrong charger", "returns")]),
    ("The ticket 'refund shows pending for days' belongs to billing.", [label("refund shows pending for days", "billing")]),
    ("Under billing: 'charged for express but got standard'.", [label("charged for express but got standard", "billing")]),
    ("Label as account: 'how do I delete my account'.", [label("how do I delete my account", "account")]),
    # tasks
    ("'need an invoice with our VAT number' → billing, for ticket_topics",
     [label("need an invoice with our VAT number", "billing", "ticket_topics")]),
    ("'app keeps asking me to log in' is technical, not account, for ticket_topics.",
     [label("app keeps asking me to log in", "technical", "ticket_topics")]),
    ("For intent, label 'what's the Denver store's number' none.", [label("what's the Denver store's number", "none", "intent")]),
    ("'actually it's 20 hours' should count as correct for intent.", [label("actually it's 20 hours", "correct", "intent")]),
    ("Add 'stop telling people we sell drones' to the forget examples for intent.",
     [label("stop telling people we sell drones", "forget", "intent")]),
])
def test_label_forms(text, expected):
    assert items(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("'where do I print my label' and 'can I return without the box' are both returns.",
     [label("where do I print my label", "returns"), label("can I return without the box", "returns")]),
    ("These are shipping tickets: 'parcel stuck in Memphis', 'delivery says attempted'.",
     [label("parcel stuck in Memphis", "shipping"), label("delivery says attempted", "shipping")]),
    ("Put these under returns: 'wrong size sent', 'want to swap for black'.",
     [label("wrong size sent", "returns"), label("want to swap for black", "returns")]),
    ("'my parcel arrived opened' is shipping and so is 'courier damaged the box'.",
     [label("my parcel arrived opened", "shipping"), label("courier damaged the box", "shipping")]),
    ("Label 'how do I turn on two-factor' account and 'the app froze during payment' technical.",
     [label("how do I turn on two-factor", "account"), label("the app froze during payment", "technical")]),
    ("For ticket_topics:\n- 'charged in USD instead of CAD' is billing\n- 'Beacon keeps rebooting' is technical",
     [label("charged in USD instead of CAD", "billing", "ticket_topics"),
      label("Beacon keeps rebooting", "technical", "ticket_topics")]),
])
def test_one_turn_labels_several_examples(text, expected):
    assert items(text) == expected


@pytest.mark.parametrize("text", [
    "Mark my order as a gift, please.",       # unquoted, and two words: an object, not a ticket
    "Label my package as fragile.",
    "'Aero 2' is also available in white.",   # a quoted name in a free frame is not an example
    "Is 'refund still pending' billing or returns?",
    "Can you tag my order as urgent?",
])
def test_label_look_alikes(text):
    assert [it for it in items(text) if it["kind"] == "label"] == []


@pytest.mark.parametrize("text, context, expected", [
    ("Billing.", [("assistant", "Next one: 'charged twice for one order'. Which topic does it belong to?")],
     label("charged twice for one order", "billing")),
    ("That's an account one.", [("assistant", "How should I label 'my reset email never comes'?")],
     label("my reset email never comes", "account")),
    ("Shipping, since it's about the delivery.", [("assistant", "What topic would you give 'the courier lost it'?")],
     label("the courier lost it", "shipping")),
    ("I'd go with billing.", [("assistant", "Which topic fits 'gift card not accepted'?")],
     label("gift card not accepted", "billing")),
    ("technical", [("user", "'Beacon speaker crackles at high volume'"), ("assistant", "Which label should that ticket get?")],
     label("Beacon speaker crackles at high volume", "technical")),
])
def test_label_answers_the_assistants_question(text, context, expected):
    assert items(text, "teach", context) == [expected]


@pytest.mark.parametrize("text, context, expected", [
    ("Not billing, it's shipping.", [("assistant", "I'd put 'shows delivered but it's not here' under billing.")],
     label("shows delivered but it's not here", "shipping")),
    ("Should be product.", [("user", "'does the Glide 14 have a touchscreen' - which label?"), ("assistant", "I'd say technical.")],
     label("does the Glide 14 have a touchscreen", "product")),
    ("Wrong topic, file it under returns.", [("user", "Label 'the strap is the wrong size'"), ("assistant", "Labelled as shipping.")],
     label("the strap is the wrong size", "returns")),
])
def test_label_corrections_find_the_example(text, context, expected):
    assert items(text, "correct", context) == [expected]


# --- questions answered in the same turn ----------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("How long do trade-in quotes last? 30 days.", qa("How long do trade-in quotes last?", "30 days")),
    ("Is gift wrapping free? No, it's $3.99 per item.", qa("Is gift wrapping free?", "no, it's $3.99 per item")),
    ("What's the minimum for free shipping? $50.", qa("What's the minimum for free shipping?", "$50")),
    ("Can I pay with Klarna in Canada? Not yet, US only.", qa("Can I pay with Klarna in Canada?", "no, US only")),
    ("Where can I recycle old electronics? At any Kestrel store.",
     qa("Where can I recycle old electronics?", "At any Kestrel store")),
    ("Q: Does Care+ cover water damage?\nA: Yes, accidental water damage is covered.",
     qa("Does Care+ cover water damage?", "yes, accidental water damage is covered")),
    ("Question: what's the Canada threshold? Answer: $150.", qa("what's the Canada threshold?", "$150")),
    ("FAQ update — Do you offer student discounts? Yes, 10% with a .edu email.",
     qa("Do you offer student discounts?", "yes, 10% with a .edu email")),
    ("Does Kestrel ship on Saturdays? Yes, but only express orders.",
     qa("Does Kestrel ship on Saturdays?", "yes, but only express orders")),
])
def test_question_then_answer(text, expected):
    got = items(text)
    assert [{**g, "answer": g["answer"].lower()} for g in got] == [{**expected, "answer": expected["answer"].lower()}]


@pytest.mark.parametrize("text", [
    "Is the Glide 16 in stock? Asking for a friend.",     # no yes or no: not an answer
    "How long is the refund window? I need to know today.",
    "Where is my order? It's been 2 weeks.",              # the user's own case
    "What's the return window? Mine says 14 days.",
    "When someone asks about refunds, what should I say?",
    "If someone asks for me, tell them I'll be back at 3.",
    "If the refund window is 30 days, tell me.",
])
def test_question_and_aside_is_not_knowledge(text):
    assert items(text) == []


@pytest.mark.parametrize("text, expected", [
    ("If someone asks how long the pickup hold is, tell them 7 days.", qa("How long is the pickup hold?", "7 days")),
    ("When asked how much engraving costs, say $15 per item.", qa("How much does engraving cost?", "$15 per item")),
    ("If someone asks where the Reno warehouse is, it's at 4100 Valley Road.",
     qa("Where is the Reno warehouse?", "at 4100 Valley Road")),
    ("When people ask whether we price match Best Buy, say yes, within 14 days.",
     qa("Do you price match Best Buy?", "yes, within 14 days")),
    ("If customers ask whether they can return a gift without a receipt, tell them yes, for store credit.",
     qa("Can I return a gift without a receipt?", "yes, for store credit")),
    ("If asked whether Care+ can be transferred, say no.", qa("Can Care+ be transferred?", "no")),
    ("Customers keep asking if we sell refurbished laptops: we do, with a 1-year warranty.",
     qa("Do you sell refurbished laptops?", "yes, with a 1-year warranty")),
    ("Customers often ask how long refunds take: it's 5 business days.", qa("How long do refunds take?", "5 business days")),
    ("People ask what time the Seattle store closes; it's 9 pm.", qa("What time does the Seattle store close?", "9 pm")),
    ("If anyone asks about the express fee, it's $12.99.", qa("What is the express fee?", "$12.99")),
    ("If a customer asks 'Do you ship to Puerto Rico?', the answer is yes.", qa("Do you ship to Puerto Rico?", "yes")),
    ("If anyone asks whether the Aero Buds are waterproof, they're not, only splash resistant.",
     qa("Are the Aero Buds waterproof?", "no, only splash resistant")),
    ("Tell anyone who asks about the Denver parking that it's free for 2 hours.",
     qa("What is the Denver parking?", "free for 2 hours")),
    ("The answer to 'Can I return opened headphones?' is yes, within 14 days.",
     qa("Can I return opened headphones?", "yes, within 14 days")),
    ("The answer to how long exchanges take is 5 business days.", qa("How long do exchanges take?", "5 business days")),
    ("For 'is there a student discount?' the answer is yes, 10% off.", qa("is there a student discount?", "yes, 10% off")),
    ("Answer 'is there a restocking fee?' with: no, there's no restocking fee.",
     qa("is there a restocking fee?", "no, there's no restocking fee")),
    ("\"How do I track my order?\" → from the Orders page.", qa("How do I track my order?", "from the Orders page")),
    ("Should anyone ask, the Toronto store is closed on Mondays.", qa("When is the Toronto store closed?", "on Mondays")),
])
def test_asked_and_answered_in_one_sentence(text, expected):
    assert items(text) == [expected]


# --- answers to the last exchange -----------------------------------------------------

@pytest.mark.parametrize("text, context, expected", [
    ("It does, iOS 15 and up.", [("user", "Does the Pulse watch work with iPhone?"), ("assistant", "I'm not sure.")],
     qa("Does the Pulse watch work with iPhone?", "yes, iOS 15 and up")),
    ("We do, on orders over $35.", [("user", "Do you take Afterpay?"), ("assistant", "I couldn't find that.")],
     qa("Do you take Afterpay?", "yes, on orders over $35")),
    ("There isn't one.", [("assistant", "What's the restocking fee on opened drones?")],
     qa("What's the restocking fee on opened drones?", "none")),
    ("About 2 hours for a full charge.", [("user", "How long does the Pulse take to charge?"), ("assistant", "Sorry, no idea.")],
     qa("How long does the Pulse take to charge?", "2 hours for a full charge")),
    ("10 am.", [("assistant", "Sorry, I don't know when the Toronto store opens on Saturdays.")],
     qa("When does the Toronto store open on Saturdays?", "10 am")),
    # a new verb tells something else about the assistant's subject; the same verb answers the question
    ("It ends on April 14.", [("user", "When does the spring sale start?"), ("assistant", "The spring sale starts on April 1.")],
     qa("When does the spring sale end?", "on April 14")),
    ("It also covers theft.", [("user", "What does Care+ cover?"), ("assistant", "Kestrel Care+ covers accidental damage.")],
     qa("What does Care+ cover?", "theft")),
])
def test_answers_in_context(text, context, expected):
    assert items(text, "teach", context) == [expected]


@pytest.mark.parametrize("text, context, answer", [
    ("That's the old price. It's $59 now.", [("user", "How much is the Volt charger?"), ("assistant", "It's $69.")], "$59"),
    ("Not anymore, Priya Nair took over in May.", [("user", "Who manages the Seattle store?"), ("assistant", "Tom Ellis.")],
     "Priya Nair"),
    ("The Columbus team handles them now.", [("user", "Who handles warranty claims?"), ("assistant", "The Reno team.")],
     "The Columbus team"),
    ("No, you get 14 days, and 30 for Perks members.",
     [("user", "How long do I have to return something?"), ("assistant", "You have 30 days.")], "14 days, and 30 for Perks members"),
    ("The answer is no, we don't ship to APO addresses.", [("user", "Do you ship to APO addresses?"), ("assistant", "Yes.")],
     "no, we don't ship to APO addresses"),
    ("It's noon, it changed in October.", [("user", "When does the Toronto store open?"), ("assistant", "At 11 am.")], "noon"),
    ("No, they're shipped from the Reno warehouse.", [("user", "Where do returns get shipped from?"), ("assistant", "Columbus.")],
     "the Reno warehouse"),
])
def test_corrections_cut_to_the_new_value(text, context, answer):
    (item,) = items(text, "correct", context)
    assert item["answer"] == answer and item["replaces"] == context[-1][1]


# --- facts and forgets ------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("The Kestrel Beacon speaker has a battery life of 12 hours.",
     [("Kestrel Beacon speaker", "battery life", "12 hours")]),
    ("The Kestrel Haven camera has a field of view of 130 degrees.",
     [("Kestrel Haven camera", "field of view", "130 degrees")]),
    ("The Kestrel Glide 16 has a screen size of 16 inches and a weight of 1.9 kg.",
     [("Kestrel Glide 16", "screen size", "16 inches"), ("Kestrel Glide 16", "weight", "1.9 kg")]),
    ("Kestrel Denver's Sunday hours are 11 am to 5 pm, and Kestrel Austin's are noon to 6 pm.",
     [("Kestrel Denver", "sunday hours", "11 am to 5 pm"), ("Kestrel Austin", "sunday hours", "noon to 6 pm")]),
    ("Kestrel Toronto's phone number: +1 555 0160.", [("Kestrel Toronto", "phone number", "+1 555 0160")]),
])
def test_fact_forms(text, expected):
    assert [(i["subject"], i["relation"], i["object"]) for i in items(text)] == expected


def test_weigh_is_asked_how_much():
    assert items("The Glide 16 weighs 1.9 kg.") == [qa("How much does the Glide 16 weigh?", "1.9 kg")]


@pytest.mark.parametrize("text, target", [
    ("Please wipe the old Boston store address.", "old Boston store address"),
    ("Throw out what you know about the Perks card.", "Perks card"),
    ("Please clear out the Reno warehouse hours.", "Reno warehouse hours"),
    ("Please disregard the old returns address.", "old returns address"),
    ("The Columbus warehouse fact is outdated, remove it.", "Columbus warehouse"),
])
def test_forget_forms(text, target):
    assert items(text, "forget") == [{"kind": "forget", "target": target}]


# --- statements in new shapes -----------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Student discounts don't apply to gift cards.", qa("Do student discounts apply to gift cards?", "no")),
    ("Price matching isn't available on marketplace sellers.",
     qa("Is price matching available on marketplace sellers?", "no")),
    ("Perks points can't be transferred.", qa("Can perks points be transferred?", "no")),  # sentence case dropped
    ("Gift cards can be used in any Kestrel store.", qa("Where can gift cards be used?", "in any Kestrel store")),
    ("Trade-ins are paid out within 3 business days.", qa("When are trade-ins paid out?", "within 3 business days")),
    ("The return window for Perks members is 30 days, not 14.", qa("What is the return window for Perks members?", "30 days")),
])
def test_statement_shapes(text, expected):
    assert items(text) == [expected]


@pytest.mark.parametrize("text", [
    "Label printer at the Denver store is broken.",  # a state, not a value
    "The fax number is not valid.",                  # a verdict on the knowledge, not a policy
])
def test_states_and_verdicts_are_not_answers(text):
    assert items(text) == []


@pytest.mark.parametrize("text, expected", [
    ("'I was charged for shipping on a $60 order' → billing (it's over the free threshold).",
     [label("I was charged for shipping on a $60 order", "billing")]),
    ("Mark both 'parcel never came' and 'courier lost my order' as shipping.",
     [label("parcel never came", "shipping"), label("courier lost my order", "shipping")]),
    ("'Can I pay with PayPal?' goes to billing, and 'Can I pay in store?' too.",
     [label("Can I pay with PayPal?", "billing"), label("Can I pay in store?", "billing")]),
    ("Label \"my Kestrel app won't open\" → technical.", [label("my Kestrel app won't open", "technical")]),
])
def test_more_label_shapes(text, expected):
    assert items(text) == expected


def test_offered_labels_are_a_label_question():
    context = [("assistant", "'Delivery window missed' — shipping or returns?")]
    assert items("Shipping.", "teach", context) == [label("Delivery window missed", "shipping")]


@pytest.mark.parametrize("text, context, answer", [
    ("Wrong, they're at 410 Congress Avenue now.", [("user", "What's the Austin store's address?"), ("assistant", "200 Lamar.")],
     "410 Congress Avenue"),
    ("Six, we opened Toronto last year.", [("user", "How many stores does Kestrel have?"), ("assistant", "Five.")], "Six"),
])
def test_correction_values_lose_what_the_question_holds(text, context, answer):
    assert items(text, "correct", context)[0]["answer"] == answer


@pytest.mark.parametrize("text, expected", [
    ("Standard returns take up to 10 business days to process.",
     qa("How long do standard returns take to process?", "up to 10 business days")),
    ("The Aero Buds case holds three full charges.", qa("What does the Aero Buds case hold?", "three full charges")),
    ("The Glide 16 comes in silver and space grey.", qa("What does the Glide 16 come in?", "silver and space grey")),
])
def test_verbs_beyond_the_known_list(text, expected):
    assert items(text) == [expected]


@pytest.mark.parametrize("text", [
    "The Glide 14 is a great laptop.",
    "Refunds are such a hassle.",
    "The app crashes on login.",                            # a verb, but no value after it
    "Heads-up: express orders placed after 2 pm ship the next day.",
])
def test_opinions_and_reports_are_not_answers(text):
    assert items(text) == []


@pytest.mark.parametrize("text, context, answer", [
    ("Only splash-proof, not waterproof.", [("user", "Is the Beacon speaker waterproof?"), ("assistant", "Yes.")],
     "no, Only splash-proof"),
    ("No no, 12%.", [("user", "What does Care+ cost?"), ("assistant", "10% of the item price.")], "12%"),
    ("It's valid for 30 days.", [("user", "How long is the trade-in quote valid?"), ("assistant", "7 days.")], "30 days"),
    ("Rosa Alvarez manages it now.", [("user", "Who's the Denver store manager?"), ("assistant", "Paul Hart.")], "Rosa Alvarez"),
])
def test_more_correction_values(text, context, answer):
    assert items(text, "correct", context)[0]["answer"] == answer


@pytest.mark.parametrize("text, context, expected", [
    ("It's an account ticket.", [("assistant", "'my login code never arrives' sounds like technical.")],
     label("my login code never arrives", "account")),
])
def test_label_correction_of_a_proposal(text, context, expected):
    assert items(text, "correct", context) == [expected]


def test_my_label_for():
    assert items("My label for 'the app charged me twice' is billing.") == [label("the app charged me twice", "billing")]
