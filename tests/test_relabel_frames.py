"""Relabels with "reclassify" / "recategorise" and the label it is not said after (issue 16,
session 9): rules/labels.quoted_relabel. Domains in neither the trial rounds nor the demo."""

from __future__ import annotations

import pytest

from lic_cli.extract.rules.labels import quoted_relabel


@pytest.mark.parametrize(("text", "example", "label"), [
    ("Reclassify 'My parcel arrived with a torn box.' as damage, it isn't a delivery delay.",
     "My parcel arrived with a torn box.", "damage"),
    ("Please recategorise 'The lift on level 2 keeps stopping between floors.' - it's a maintenance issue.",
     "The lift on level 2 keeps stopping between floors.", "maintenance"),
    ("Can you reclassify 'I was billed twice for my June class.' as billing? Not a bookings one.",
     "I was billed twice for my June class.", "billing"),
    ("Could you re-categorise 'The hot tub has been cold since Monday'? It's a repairs matter.",
     "The hot tub has been cold since Monday", "repairs"),
])
def test_a_relabel_in_a_reclassify_frame(text, example, label):
    assert quoted_relabel(text) == [("label", {"text": example, "label": label})]


@pytest.mark.parametrize("text", [
    "I classified 'the pool was cold today' myself, no need to change it.",  # no label named
    "'The towel was damp' is housekeeping, not maintenance.",  # no relabelling cue: the plain label forms read it
    # a forget verb before the quote: the turn removes the example, whatever it says it is
    "Delete that 'FREE IPHONE WINNER CLICK HERE' message, it's junk, not a customer.",
    "Bin the 'test please ignore this one' ticket, it's a test, not a real request.",
    "Throw away 'asdf asdf qwerty zx' - it's rubbish, not an enquiry.",
])
def test_no_label_is_made_up(text):
    assert quoted_relabel(text) == []
