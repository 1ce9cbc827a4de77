"""Notes the user tells about themselves after an explicit cue: the `note` kind.

Only two cues, both unambiguous: "... about me: <first-person clause>" ("A bit about me: I
volunteer on Saturdays", "Good to know about me: my daughter is nine") and "Remember that
I ..." / "Remember that my ...". The clause up to its first full stop, semicolon or ", so"
(but ", so I ..." goes on: "The user uses a rollator and needs step-free routes.") is told
in the third person (`tagging.third_person`): "The user volunteers on Saturdays."
Anything else in the first person (complaints, order numbers, requests) is left to the
learned engine, or to nothing.
"""

from __future__ import annotations

import re

from lic_cli.extract import repair
from lic_cli.extract.rules.text import Item
from lic_cli.extract.tagging import so_and, third_person

NOTE_GRAMMAR = True  # typos of two swapped letters, a second verb that agrees, no "always" / "now" (repair.py)
_CUE = re.compile(r"^(?:(?:a bit|something|good to know|quick thing|side note|one thing)\s+)?about me\s*[:,-]\s*"
                  r"|^(?:please\s+)?remember that\s+(?=(?:i|i'm|i've|my)\b)", re.I)
_END = re.compile(r"\s*(?:[.;!?]|,\s*(?:so(?!\s+(?:i|i'm|i've)\b)|but|because|if|in case)\b|\s-\s|:\)|$)", re.I)


def notes(text: str) -> list[Item]:
    m = _CUE.match(text.strip())
    if not m:
        return []
    rest = text.strip()[m.end():]
    if not re.match(r"(?:i|i'm|i've|my)\b", rest, re.I):
        return []
    clause = rest[:_END.search(rest).start()].strip(" ,")
    told = so_and(third_person(clause))  # "I use a rollator, so I need ..." -> "... and needs ..."
    if NOTE_GRAMMAR:  # session 11: the learned engine's note grammar for the rules' notes too
        told = repair.timeless_note(repair.and_verbs(repair.fix_typos(told)))
    if not told.startswith("The user") or len(told.split()) < 3:
        return []
    return [("note", {"text": told + "."})]
