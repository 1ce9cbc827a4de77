"""A request to remove a stored record read as `forget` whatever the detector's label (issue 16,
session 10: detect/forgetcue.py). The rule was written from the trial's forgets said around
another statement; these phrasings are from other domains and frames."""

import pytest

from lic_cli.detect.forgetcue import cue


@pytest.mark.parametrize("text", [
    "The rooftop bar shut last month, so please bin the answer about cocktails.",  # a brewery
    "We stopped doing Sunday roasts. Could you remove that question?",  # a pub
    "Our old PO box is closed - get rid of the PO box address, it bounces everything now.",  # a charity
    "The night bus doesn't run any more, so that timetable answer has to go.",  # a transit office
    "Nobody uses the pager now; the on-call pager number can go.",  # a hospital
    "That one about parking permits is out of date. Take it out, please.",  # a council
    "Scrap the line about free refills, we charge for them since March.",  # a cafe
    "Can you wipe 'my name is Jo and my PIN is 4471' from the messages?",  # a bank
])
def test_a_request_to_remove_a_record_is_a_forget(text):
    assert cue(text) is not None


@pytest.mark.parametrize("text", [
    "Don't forget that the gym opens at 6 am on Saturdays.",  # a reminder: teach
    "Did you delete the payroll email?",  # a question about the assistant
    "I always forget where the staff entrance is.",  # about the speaker
    "Forget it, never mind, I'll ring them.",  # a dismissal
    "Remember to take the chicken out of the freezer.",  # no record
    "We removed the old boiler last week and the new one heats the pool to 29 degrees.",  # news, no record
    "The refund window is 30 days now, not 14.",  # a correction
    "Customers often drop their cards in the car park.",  # a statement about others
])
def test_not_a_request(text):
    assert cue(text) is None
