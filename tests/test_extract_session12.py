"""Session 12 repairs of the learned engine's items (lic_cli/extract/passing.py), each on
phrasings of domains no dev set holds (a dentist, a garage, a florist, a yoga studio, a hostel,
a ski lift, a print shop, a brewery), never on the dev phrasings they were found from."""

from __future__ import annotations

import pytest

from lic_cli.extract import passing
from lic_cli.extract.engine import Turn
from lic_cli.extract.learned import finish


def fact(s, r, o, **kw):
    return {"kind": "fact", "subject": s, "relation": r, "object": o, **kw}


# --- contact values said in passing ---------------------------------------------------------

@pytest.mark.parametrize("text, subject, value", [
    ("If a crown comes loose at the weekend, patients should ring the emergency line, 555-0187, not the front desk.",
     "the emergency line", "555-0187"),
    ("I'm off on Friday, so anyone with a breakdown can call our recovery van directly on 07700 900 461.",
     "the recovery van", "07700 900 461"),
    ("We printed flyers for the wedding fairs with the bridal desk email on them, weddings@petalandstem.co.uk, "
     "so expect more enquiries.", "the bridal desk email", "weddings@petalandstem.co.uk"),
    ("Guests who lose their key card after midnight can phone the night porter, Tomas Berg, on 020 7946 0321.",
     "Tomas Berg", "020 7946 0321"),
])
def test_contact_said_in_passing_is_a_fact(text, subject, value):
    items = passing.contact_facts([], text, "teach")
    assert len(items) == 1
    assert items[0]["subject"] == subject and items[0]["object"] == value
    assert items[0]["relation"] == ("email address" if "@" in value else "phone number")


def test_contact_already_held_or_not_taught_adds_nothing():
    held = [fact("the brewery", "phone number", "0117 496 0555")]
    text = "The brewery's number is 0117 496 0555, tours are on Saturdays."
    assert passing.contact_facts(held, text, "teach") == held
    assert passing.contact_facts([], "Can I ring the ski lift office on 555-0143?", "teach") == []
    assert passing.contact_facts([], "ring the emergency line, 555-0187, if it breaks", "none") == []
    # no phone numbers in prices, years or clock ranges
    assert passing.contacts("Season passes went from £1,250 in 2019-2023 to £1,400; lifts run 9-5.") == []


def test_a_cut_contact_value_is_made_whole():
    text = "Hostel guests check in online at stayatbirchwood.com/checkin before arriving."
    assert passing.whole_contact("stayatbirchwood.com", text) == "stayatbirchwood.com/checkin"
    assert passing.whole_contact("before arriving", text) == "before arriving"


# --- a number's bound -----------------------------------------------------------------------

@pytest.mark.parametrize("text, value, want", [
    ("A full service normally takes about 3 hours, you can wait in the lounge.", "3 hours", "about 3 hours"),
    ("Our public liability insurance covers up to £2 million.", "£2 million", "up to £2 million"),
    ("Bookings for the hot yoga class need at least 24 hours' notice.", "24 hours", "at least 24 hours"),
    ("the big tasting flight is roughly 600 ml in total", "600 ml", "roughly 600 ml"),
])
def test_bound_before_a_number_stays(text, value, want):
    assert passing.keep_bound(value, text) == want


def test_bound_not_added_where_none_is_said():
    assert passing.keep_bound("3 hours", "A full service takes 3 hours.") == "3 hours"
    assert passing.keep_bound("about 3 hours", "It takes about 3 hours.") == "about 3 hours"
    assert passing.keep_bound("the lounge", "wait about the lounge") == "the lounge"  # not a number


# --- an address or place narrowed after its comma -------------------------------------------------

@pytest.mark.parametrize("item, text, want", [
    (fact("the garage", "address", "14 Kiln Road"), "The garage is at 14 Kiln Road, Dunmore DN4 7QA.",
     "14 Kiln Road, Dunmore DN4 7QA"),
    (fact("the print room", "location", "the second floor"), "The print room is on the second floor, east corridor, "
     "if you need it.", "the second floor, east corridor"),
    (fact("the studio", "address", "9 Mill Street"), "Our studio moved to 9 Mill Street, unit 4.", "9 Mill Street, unit 4"),
])
def test_place_keeps_its_narrowing_tail(item, text, want):
    assert passing.keep_place_tail(item, text)["object"] == want


def test_place_tail_stops_at_a_clause_or_an_old_value():
    shop = fact("the florist", "address", "3 Bridge Street")
    assert passing.keep_place_tail(shop, "The florist is at 3 Bridge Street, open 9 to 5.")["object"] == "3 Bridge Street"
    assert passing.keep_place_tail(shop, "It's 3 Bridge Street, not 5 Bridge Street.")["object"] == "3 Bridge Street"
    assert passing.keep_place_tail(shop, "The florist is at 3 Bridge Street, so parking is easy.")["object"] \
        == "3 Bridge Street"
    price = fact("a filling", "price", "£80")
    assert passing.keep_place_tail(price, "A filling is £80, not £95.") == price


def test_finish_applies_them_and_flags_turn_them_off(monkeypatch):
    text = "A full service normally takes about 3 hours; if it runs late ring the workshop on 555-0162."
    items = finish([fact("a full service", "duration", "3 hours")], Turn(text, [], "teach"))
    assert items[0]["object"] == "about 3 hours"
    assert items[1] == fact("the workshop", "phone number", "555-0162")
    monkeypatch.setattr(passing, "KEEP_BOUND", False)
    monkeypatch.setattr(passing, "CONTACT_IN_PASSING", False)
    assert finish([fact("a full service", "duration", "3 hours")], Turn(text, [], "teach")) \
        == [fact("a full service", "duration", "3 hours")]


def test_up_to_after_a_verb_of_change_is_no_bound():
    assert passing.keep_bound("12 kg", "the free luggage allowance went up to 12 kg this year") == "12 kg"
    assert passing.keep_bound("£9", "the day pass goes up to £9 in July") == "£9"


# --- a pass-on frame's topic; counts ---------------------------------------------------------------

@pytest.mark.parametrize("text, subject, obj", [
    ("If anyone asks about the sauna, say it's closed on Mondays.", "the sauna", "Mondays"),
    ("If anyone asks about parking, tell them it costs £3 a day.", "parking", "£3 a day"),
    ("Tell anyone who asks about the lift pass that it's €48 for a day.", "the lift pass", "€48 for a day"),
])
def test_pass_on_topic_is_the_subject_of_a_pronoun_clause(text, subject, obj):
    found = passing.topic_clause(text)
    assert found["subject"] == subject and found["object"] == obj


def test_no_topic_no_pronoun_clause():
    assert passing.topic_clause("It's €48 for a day.") is None
    assert passing.topic_clause("Tell anyone who asks that we open at 9.") is None


@pytest.mark.parametrize("text, subject, relation, obj", [
    ("Our gym has 4 squash courts.", "the gym", "number of squash courts", "4"),
    ("The marina has 120 berths and a slipway.", "The marina", "number of berths", "120"),
    ("There are 12 pitches on the lower field, all with hook-ups.", "the lower field", "number of pitches", "12"),
    ("The museum has over 2,000 paintings in its collection.", "The museum", "number of paintings", "over 2,000"),
])
def test_count_is_a_fact(text, subject, relation, obj):
    assert passing.count_facts([], text, "teach") == [fact(subject, relation, obj)]


def test_count_not_of_time_nor_without_owner_nor_held():
    assert passing.count_facts([], "there are 3 days left to enter", "teach") == []
    assert passing.count_facts([], "We have 2 dogs", "teach") == []  # no place, no owner
    held = [fact("the gym", "courts", "4")]
    assert passing.count_facts(held, "Our gym has 4 squash courts.", "teach") == held
    assert passing.count_facts([], "Does the gym have 4 squash courts?", "teach") == []


# --- a forget's target ------------------------------------------------------------------------------

def forget(t):
    return [{"kind": "forget", "target": t}]


@pytest.mark.parametrize("text, target, want", [
    ("the Tuesday quiz is finished, so delete that", "that", "the Tuesday quiz"),
    ("we don't run a shuttle bus any more, bin it", "it", "the shuttle bus"),
    ("We stopped selling gift cards in March, get rid of that", "the", "gift cards"),
    ("bin that, our loyalty scheme has ended", "the", "the loyalty scheme"),
    ("Please take the night bus off your notes, it was cut.", "the night bus off your notes", "the night bus"),
    ("Forget the old marina's", "the old marina's", "the old marina"),
])
def test_forget_target_names_what_has_gone(text, target, want):
    assert passing.forget_target(forget(target), text, "forget") == forget(want)


def test_empty_forget_target_with_nothing_gone_is_dropped():
    assert passing.forget_target(forget("the"), "Scrap that entry please.", "forget") == []
    assert passing.forget_target(forget("the user's cat"), "forget my cat from your notes", "forget") \
        == forget("the user's cat")
