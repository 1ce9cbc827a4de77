"""A correction that also says which value stays ("Juniors are still $5.50") replaces the other
one: the value said to stay is named in the turn but is not the old value (round 6 lost two
such turns). The phrasings here are from other domains than the turns the rule was written from."""

import pytest

from lic_cli.locate import old_value, spans

CASES = [
    # (stored answer, the correcting turn, new value, question, the value replaced, what stays)
    ("Weekday passes are 20 euros and weekend passes are 25 euros.",
     "Weekday passes went up to 22 euros. The weekend price remains 25 euros.", "22 euros", "How much is a pass?",
     "20 euros", ["25 euros"]),
    ("An adult ticket is £12 and a child ticket is £7.",
     "The child ticket hasn't changed, £7, but adults now pay £14.", "£14", "How much are tickets?",
     "£12", ["£7"]),
    ("Morning classes start at 9 am and evening classes at 6 pm.",
     "Evening ones begin at 7 pm now; mornings stay at 9 am.", "7 pm", "When do classes start?",
     "6 pm", ["9 am"]),
    ("The small box is $3 and the large box is $5.",
     "Large boxes are $6 now, small ones unchanged at $3.", "$6", "How much are boxes?",
     "$5", ["$3"]),
    ("Delivery takes 3 days and returns take 14 days.",
     "Returns are 30 days now, delivery is the same as before, 3 days.", "30 days", "How long do returns take?",
     "14 days", ["3 days"]),
]


@pytest.mark.parametrize("stored,said,new,question,old,stays", CASES)
def test_the_value_said_to_stay_is_kept(stored, said, new, question, old, stays):
    core = spans.core(new)
    assert [s.text for s in spans.said_to_stay(said, core)] == stays
    got = old_value(stored, stored, core, f"{question} {spans.stating(said, new)}", said)
    assert got is not None and got.text == old
    rw = spans.rewrite(stored, new, old=got.text, hint=question)
    assert rw is not None and rw.old == old and all(s in rw.text for s in stays)


@pytest.mark.parametrize("said", ["It's 11 pm now, not 10 pm.", "That's still wrong: it's 11 pm, not 10 pm."])
def test_a_value_called_old_is_never_said_to_stay(said):
    core = spans.core("11 pm")
    assert spans.said_to_stay(said, core) == []
    got = old_value("We close at 10 pm.", "We close at 10 pm.", core, "When do you close?", said)
    assert got is not None and got.text == "10 pm"
