"""Value completion (issue 16): a value an extractor cut short is the whole value phrase of the
turn, and values said in words are written with digits as rows write them. Phrasings from
domains that are neither in the trial rounds nor in evals/value_completion (no model loaded)."""

from __future__ import annotations

import pytest

from lic_cli.extract.snap import keep_whole, snap_items
from lic_cli.locate.spans import in_digits, spans, words_number


@pytest.mark.parametrize(("cut", "text", "whole"), [
    ("eight", "The museum opens at eight in the morning from June.", "eight in the morning"),
    ("nine", "Visiting ends at nine at night on the ward.", "nine at night"),
    ("thirty", "Evening surgery starts at six thirty in the evening.", "six thirty in the evening"),
    ("one hundred", "A season ticket is one hundred and fifty dollars.", "one hundred and fifty dollars"),
    ("seventy-five", "The boat trip lasts seventy-five minutes.", "seventy-five minutes"),
    ("three", "Refunds take three business days now.", "three business days"),
    ("twelve", "It's twelve euros fifty for the audio guide.", "twelve euros fifty"),
    ("quarter", "Gates close at a quarter past ten at night.", "a quarter past ten at night"),
    ("6", "The ferry leaves at 6 p.m. on Sundays.", "6 p.m."),
])
def test_a_cut_value_is_completed(cut, text, whole):
    assert keep_whole(cut, text) == whole


@pytest.mark.parametrize(("cut", "text"), [
    ("9", "We are open from 9 to 5 on weekdays."),  # a range's start is not its end
    ("two", "Two of the rooms have a sea view."),  # a number before "of" counts nothing here
    ("$40", "Tickets are $40, and parking is free."),  # the clause ends at the comma
    ("Ana Ruiz", "Ana Ruiz runs the shop now."),
    # a rate and a counted noun stay out, as the corpus's gold writes values ("35 euros", "24")
    ("$12", "The car park is $12 a day now."),
    ("24", "Each tour takes 24 guests at most."),
    ("30 euros", "The unlimited pass costs 30 euros a month."),
])
def test_a_whole_value_is_left_alone(cut, text):
    assert keep_whole(cut, text) == cut


@pytest.mark.parametrize(("said", "digits"), [
    ("eleven dollars", "$11"),
    ("four euros and twenty cents", "€4.20"),
    ("two hundred and forty dollars", "$240"),
    ("thirty-five dollars a month", "$35 a month"),
    ("seven in the morning", "7 am"),
    ("half past eight in the evening", "8:30 pm"),
    ("a quarter to nine in the morning", "8:45 am"),
    ("eleven at night", "11 pm"),
    ("nine fifteen in the morning", "9:15 am"),
    ("three dollars and two hours of parking", "$3 and two hours of parking"),  # "and two" is no cents
    ("about three hours", "about three hours"),  # quantities in words stay words
])
def test_values_in_words_are_written_with_digits(said, digits):
    assert in_digits(said) == digits


def test_number_words_compose():
    assert words_number("one hundred and twenty") == 120
    assert words_number("forty-five") == 45
    assert words_number("seventy") == 70
    assert words_number("cat") is None
    assert [s.text for s in spans("The trip takes forty-five minutes.", "quantity")] == ["forty-five minutes"]


def test_learned_items_keep_the_whole_value():
    # What the learned engine hands to snap_items: a correction whose value was cut at the number.
    items = [{"kind": "qa", "question": "When does the gallery open?", "answer": "ten",
              "replaces": "9 am"}]
    context = [{"role": "user", "text": "When does the gallery open?"},
               {"role": "assistant", "text": "The gallery opens at 9 am."}]
    out = snap_items(items, "No, it opens at ten in the morning now.", context)
    assert out[0]["answer"] == "ten in the morning" and out[0]["replaces"] == "9 am"


@pytest.mark.parametrize(("value", "text", "old"), [
    ("nine in the morning", "From June the pool opens at nine in the morning instead of 8:30.", "8:30"),
    ("ten in the morning", "Tours start at ten in the morning now, not 9:30.", "9:30"),
    ("six in the evening", "The bakery closes at six in the evening rather than 5:30 since the summer.", "5:30"),
])
def test_a_change_stated_in_words_names_its_old_value(value, text, old):
    out = snap_items([{"kind": "fact", "subject": "the venue", "relation": "time", "object": value}], text, [])
    assert out[0]["replaces"] == old and out[0]["object"] == value


@pytest.mark.parametrize(("text", "old", "new"), [
    ("No, $20 was last year's fee. It's $24 now.", "$20", "$24"),
    ("Sorry, 9 am was the old time; the gym opens at 6 am now.", "9 am", "6 am"),
    ("That 10% was the old discount - students get 15% now.", "10%", "15%"),
])
def test_an_item_holding_the_old_value_twice_takes_the_other(text, old, new):
    ctx = [{"role": "user", "text": "How much is it?"}, {"role": "assistant", "text": f"It is {old}."}]
    out = snap_items([{"kind": "qa", "question": "How much is it?", "answer": old, "replaces": old}], text, ctx)
    assert (out[0]["answer"], out[0]["replaces"]) == (new, old)
