"""Chat's two retrieval stages combined (lic_cli/chat/combine.py) and the sibling qualifier reading
(lic_cli/chat/qualifier.py): the deciding signal, the order, the threshold rule, and qualifier
phrasings from domains the rule was not written from."""

from __future__ import annotations

import pytest
from wordvec import words_encoder

from lic_cli.chat import combine, qualifier
from lic_cli.chat.combine import Candidate, Rule


def _c(name, ranker, cross, text="", base=0.6):
    return Candidate(name, text or name, base, ranker, cross)


def test_signal_is_the_weighted_margin_over_each_stage_threshold():
    c = _c("a", ranker=8.0, cross=2.0)
    assert combine.signal(c, Rule(weight=1.0), 6.0, 3.0) == pytest.approx(2.0)  # the ranker alone
    assert combine.signal(c, Rule(weight=0.0), 6.0, 3.0) == pytest.approx(-1.0)  # the re-ranker alone
    assert combine.signal(c, Rule(weight=0.75), 6.0, 3.0) == pytest.approx(0.75 * 2.0 + 0.25 * -1.0)


def test_the_reranker_orders_and_the_signal_decides():
    # The re-ranker prefers the sibling b; the ranker prefers a: with order "cross" b is first and
    # its signal (mostly the ranker's margin) is what is compared with the threshold.
    a, b = _c("a", ranker=9.0, cross=3.0), _c("b", ranker=7.0, cross=4.0)
    sig, first = combine.best("q", [a, b], Rule(order="cross", weight=0.75), 6.0, 3.0)
    assert first is b and sig == pytest.approx(0.75 * 1.0 + 0.25 * 1.0)
    sig, first = combine.best("q", [a, b], Rule(order="mix", weight=0.75), 6.0, 3.0)
    assert first is a and sig == pytest.approx(0.75 * 3.0)
    assert combine.best("q", [], Rule(), 6.0, 3.0) == (float("-inf"), None)


def test_threshold_lets_at_most_one_probe_into_any_setup():
    probes = {"solar/qa": [0.1, 0.9, 0.3], "plumbing/qa": [1.5, 1.2, -2.0], "empty/qa": [4.0]}
    t = combine.let_in_threshold(probes, 1)
    assert t == pytest.approx(1.2001)
    for values in probes.values():
        assert sum(v >= t for v in values) <= 1
    assert combine.let_in_threshold({}, 1) == 0.0


@pytest.mark.parametrize(("question", "row", "want"), [
    # week: phrasings and domains the classes were not written from (a bakery, a pool, a library)
    ("Is the bakery open on a Tuesday morning?", "When does the bakery open on Saturdays? 8 am", -1),
    ("Is the bakery open on a Tuesday morning?", "When does the bakery open on weekdays? 6:30 am", 1),
    ("Can I swim during the week after work?", "Pool hours at the weekend: 9 to 5", -1),
    ("Any lane swimming on Sunday?", "Pool hours at the weekend: 9 to 5", 1),
    ("What time do you shut on Fridays?", "When does the library close? 8 pm", 0),  # the row names no day
    # age: a cinema, a climbing wall, a museum
    ("What do the little ones pay for a film?", "How much is an adult cinema ticket? $11", -1),
    ("How much is it for my 10-year-old, she is a junior?", "Junior climbing session price: $8", 1),
    ("Do pensioners get in cheaper?", "What does a student pay for entry? $4", -1),
    ("Where is the museum cafe?", "How much is an adult ticket? $15", 0),
])
def test_qualifier_conflicts_across_domains(question, row, want):
    assert qualifier.conflict(question, row) == want


def test_distinctive_words_mark_the_sibling_that_lacks_the_question_word():
    rows = ["Locker hire per month: $10", "Locker hire per day: $2", "Where are the lockers? By the stairs"]
    got = qualifier.distinctive("How much is a locker for a day?", rows)
    assert got[1] == 1 and got[0] == -1


def test_qualifier_weight_reorders_siblings_and_zero_leaves_the_reranker_order():
    sat = _c("sat", ranker=7.0, cross=4.0, text="When are you open on Saturday? 9 to 1")
    week = _c("week", ranker=7.0, cross=3.8, text="When are you open on weekdays? 8 to 6")
    q = "Can I come in on a Wednesday?"
    assert combine.best(q, [sat, week], Rule(qualifier=0.0), 6.0, 3.0)[1] is sat
    assert combine.best(q, [sat, week], Rule(qualifier=1.0, qualifier_how="classes"), 6.0, 3.0)[1] is week
    # A question that names no qualifier is ordered as before.
    assert combine.best("When are you open?", [sat, week], Rule(qualifier=1.0), 6.0, 3.0)[1] is sat


def test_combination_is_on_by_default_and_turned_off_by_env(monkeypatch):
    monkeypatch.delenv(combine.USE_ENV, raising=False)
    assert combine.enabled()
    monkeypatch.setenv(combine.USE_ENV, "0")
    assert not combine.enabled()



def test_candidates_are_the_base_best_k_over_tasks_and_the_union_adds_the_rankers_best():
    from lic_cli.chat import rowindex

    enc = words_encoder()
    clinic = [("When do you open on weekdays? 8 am", "When do you open on weekdays?", "8 am"),
              ("When do you open on Saturday? 9 am", "When do you open on Saturday?", "9 am"),
              ("Where do I park? Behind the clinic", "Where do I park?", "Behind the clinic")]
    shop = [("What does a collar cost? $12", "What does a collar cost?", "$12")]
    q = "When do you open on Saturday?"
    # The "ranker" table here is a second table over other texts, so its best row differs from the base's.
    ranker_rows = [(r[2], r[2], r[2]) for r in clinic]
    tables = [("clinic", [r[0] for r in clinic], rowindex.Rows(clinic, enc), rowindex.Rows(ranker_rows, enc)),
              ("shop", [r[0] for r in shop], rowindex.Rows(shop, enc), rowindex.Rows(shop, enc))]
    qv = enc([q])[0]
    got = combine.table_candidates(q, tables, qv, qv, None, None, 2)
    assert [c.ref for c in got][0] == ("clinic", 1) and len(got) == 2
    assert all(c.cross == 0.0 for c in got)  # no re-ranker given: its scores stay unset
    base_best = {c.ref for c in got}
    union = combine.table_candidates(q, tables, qv, qv, None, None, 2, union=True)
    assert {c.ref for c in union} >= base_best and len(union) >= len(got)
    # Every candidate carries both stages' scores of that very row.
    for c in union:
        name, j = c.ref
        table = next(t for t in tables if t[0] == name)
        assert c.base == pytest.approx(float(table[2].scores(qv, q)[j]))
        assert c.ranker == pytest.approx(float(table[3].scores(qv, q)[j]))


# --- session 11: questions that ask no known kind have a threshold of their own -----------------


@pytest.mark.parametrize("question, want", [
    ("Is the sauna mixed on Tuesdays?", True),  # a yes/no question: no kind asked
    ("Tell me about the junior swim squad", True),
    ("How much is a sauna session?", False),  # money
    ("When does the ferry leave?", False),  # time
    ("Who coaches the under-10s?", False),  # person
    ("What number do I ring for the harbour master?", False),  # phone
])
def test_plain_questions_are_those_that_ask_no_known_kind(question, want):
    assert combine.plain(question) is want


def test_plain_threshold_goes_down_only_while_every_setup_keeps_the_rule():
    # Setup a: one kind probe at 1.0 (the one let in) and plain probes at 0.2, -0.5; setup b: plain at
    # -0.1 and -0.2. At the global threshold 0.5, a lets 1 in; the plain threshold may go down to just
    # above 0.2 (a's plain 0.2 would be a second probe in a).
    probes = {"a": [(1.0, False), (0.2, True), (-0.5, True)], "b": [(-0.1, True), (-0.2, True)]}
    low = combine.plain_threshold(probes, 0.5, 1)
    assert low == pytest.approx(0.2001)
    # With no kind probe in a, the plain threshold goes to just above a's second plain probe and b's.
    probes = {"a": [(0.2, True), (-0.5, True)], "b": [(-0.1, True), (-0.2, True)]}
    assert combine.plain_threshold(probes, 0.5, 1) == pytest.approx(-0.1999)
    # Never above the global threshold; with no plain probes, the global threshold itself.
    assert combine.plain_threshold({"a": [(2.0, True), (1.9, True)]}, 0.5, 1) == 0.5
    assert combine.plain_threshold({"a": [(2.0, False)]}, 0.5, 1) == 0.5


def test_calibration_holds_each_question_to_its_class_threshold():
    cal = combine.Calibration(threshold=-0.3, probe_top={}, dev_found=0, dev_questions=0, plain=-1.1)
    assert cal.for_question("Is the sauna mixed on Tuesdays?") == -1.1
    assert cal.for_question("How much is a sauna session?") == -0.3
    assert combine.Calibration(-0.3, {}, 0, 0).for_question("Is the sauna mixed?") == -0.3  # session 10's cache


# --- session 11: an age said as a number against a row's age bounds ------------------------------


@pytest.mark.parametrize("question, row, want", [
    ("My daughter is 8, can she go on the big slide?", "Who can use the flume? swimmers aged 10 or over", -1),
    ("Can my 12-year-old watch the film alone?", "Who needs an adult at 15-rated films? children under 15", 1),
    ("What does a 16 year old pay at the zoo?", "How much is a junior ticket? under-16s £9", -1),
    ("What does a 16 year old pay at the zoo?", "How much is an adult ticket? 16 and over £15", 1),
    ("Is the climbing wall ok for my 7yo?", "Who can climb unsupervised? children aged 14+", -1),
    ("I'm 67, is there a discount on the ferry?", "Who gets the reduced fare? passengers over 65", 1),
    ("I'm 5 minutes late for the tour", "Who must be accompanied? children under 12", 0),  # not an age
    ("How much is a kids' ticket?", "How much is a junior ticket? under-16s £9", 1),  # the age classes as before
])
def test_an_age_said_as_a_number_is_read_against_the_rows_bounds(question, row, want):
    assert qualifier.conflict(question, row) == want


def test_age_numbers_reorder_siblings_of_other_domains():
    rows = ["How much is a junior swim? under-16s £3", "How much is an adult swim? 16 and over £5"]
    assert qualifier.adjust("What does my 17-year-old pay for a swim?", rows) == [-1.0, 1.0]
