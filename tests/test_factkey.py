"""A fact item's key read against the facts task's own keys (locate/factkey.py, issue 16):
an extractor's "Harbourview Marina's fuel dock" / "phone number" is the task's "Harbourview
Marina" / "fuel dock phone number". Domains in neither the trial rounds nor the demo."""

from __future__ import annotations

import pytest

from lic_cli.locate.factkey import refit_keys

MARINA = [("Harbourview Marina", "berth price"), ("Harbourview Marina", "harbour master"),
          ("Harbourview Marina", "phone number")]
SPA = [("Lumen Spa", "sauna opening time"), ("Lumen Spa", "pool opening time"), ("Lumen Spa", "day pass price"),
       ("Lumen Spa", "massage price")]
GOLF = [("Pinecrest Golf Club", "winter green fee"), ("Pinecrest Golf Club", "summer green fee"),
        ("Pinecrest Golf Club", "club captain")]
MIXED = [("Ava Stone", "birthplace"), ("Rome", "population"), ("Mount Fuji", "height")]


def fact(subject, relation):
    return {"kind": "fact", "subject": subject, "relation": relation, "object": "x"}


@pytest.mark.parametrize(("rows", "subject", "relation", "want"), [
    (MARINA, "Harbourview Marina's fuel dock", "phone number", ("Harbourview Marina", "fuel dock phone number")),
    (MARINA, "Harbourview's night", "security number", ("Harbourview Marina", "night security number")),
    (MARINA, "Harbourview Marina's harbour master", "harbour master", ("Harbourview Marina", "harbour master")),
    (SPA, "the sauna", "opening time", ("Lumen Spa", "sauna opening time")),
    (SPA, "the day pass", "price", ("Lumen Spa", "day pass price")),
    (GOLF, "the winter green fee", "cost", ("Pinecrest Golf Club", "winter green fee")),
])
def test_the_key_is_read_in_the_tasks_own_words(rows, subject, relation, want):
    got, why = refit_keys(fact(subject, relation), rows)
    assert (got["subject"], got["relation"]) == want and why


@pytest.mark.parametrize(("rows", "subject", "relation"), [
    (MARINA, "Harbourview Marina", "berth price"),  # already the task's own key
    (SPA, "the price", "entry"),  # "price" names two rows of the spa, "entry" none
    (GOLF, "the green fee", "price"),  # winter and summer: no one row
    (MIXED, "the height", "Mount Fuji"),  # no subject on half the rows: nothing to read it against
])
def test_anything_else_is_left_as_written(rows, subject, relation):
    got, why = refit_keys(fact(subject, relation), rows)
    assert (got["subject"], got["relation"]) == (subject, relation) and not why
