"""Corrections, resolved against the previous exchange: which question they answer and what they replace."""

from __future__ import annotations

import re

from lic_cli.extract.rules.labels import _label_answer
from lic_cli.extract.rules.questions import _assistant_question, _question_in
from lic_cli.extract.rules.statements import _assistant_claim, _assistant_claims, _teach_items
from lic_cli.extract.rules.text import (
    _CORRECTION,
    _FULL_STOP,
    _I,
    Fields,
    Item,
    _clean,
    _normal,
    _strip_lead,
    _value,
    _words,
)
from lic_cli.extract.rules.values import (
    _BUT_NOT,
    _NOT_ANSWERS,
    _YES_NO_QUESTION,
    _bare_value,
    _trim_for,
    _yes_no,
)
from lic_cli.records import previous_exchange

# "Right, 14 days." confirms the answer instead of correcting it.
_CONFIRM = re.compile(r"^(?:right|yes|yeah|yep|yup|exactly|correct|true|that's right|that's correct)\b\s*[,.!—–-]",
                      _I)
# "Also Amex and Discover." adds to the list the assistant gave.
_ALSO = re.compile(r"^(?:also|plus|and also)\s+(?P<new>.+)$|^(?P<new2>.+?)\s+(?:too|as well)$", _I)
_LIST_END = re.compile(r"(?P<list>(?:[A-Z][\w+&-]*,\s+)*[A-Z][\w+&-]*\s+and\s+[A-Z][\w+&-]*)$")


_NAME_THEN_VERB = re.compile(r"^(?!(?:It|That|This|They|He|She|We|You|The|A|An|Our)\b)(?P<name>[A-Z][a-z]+(?:\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?){1,2})"
                             r"\s+(?!(?:is|are|was|were)\b)(?:now\s+|has\s+)?[a-z]{3,}\b")
# "Where can I get a gift receipt?" / "You can choose one at checkout online": the place.
_WHERE_QUESTION = re.compile(r"^where\b", _I)
_WHERE_ANSWER = re.compile(r"^(?:you|it|they|we)\b(?!.*\b(?:not|n't|never)\b).*?\s(?P<pp>(?:at|in|on|from|via|through)\s.+)$",
                           _I)


# A role changing hands: "Maria Chen retired; the head librarian is now Tom Ortiz", "Jonas
# left, and Petra Novak took over as office manager". The new holder answers the question
# about the role (the one just asked, or "Who is the <role>?"), and replaces the old one.
_PERSON = r"(?:(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+)?[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2}"
_GONE = (r"(?:'s\s+|has\s+|have\s+|just\s+)*(?:retired|left|resigned|stepped down|moved on|quit|is gone|has gone|"
         r"gone|is leaving|moved away|went on leave|is on leave)(?:\s+(?:us|the team|the company))?"
         r"(?:\s+(?:last|this|in|at|from|the|on|after)(?:\s+[\w-]+){1,4})?"
         r"(?:\s*,?\s+(?:by the way|btw|sadly|unfortunately|I'm afraid))?")
_NEW_HOLDER = (r"(?:(?:the|our)\s+(?:new\s+)?(?P<role>[a-z][\w' -]*?)\s+is\s+(?:now\s+)?(?P<new>" + _PERSON + r")"
               r"(?:\s+now)?"
               r"|(?P<new2>" + _PERSON + r")\s+(?:is\s+(?:now\s+)?(?:the|our)\s+(?:new\s+)?(?P<role2>[a-z][\w' -]*?)"
               r"|(?:has\s+)?(?:took|taken|takes)\s+over(?:\s+as\s+(?:the\s+)?(?:new\s+)?(?P<role3>[a-z][\w' -]*?))?"
               r"|(?:has\s+)?replaced\s+(?:her|him|them))(?:\s+now)?)")
_SUCCESSION = re.compile(
    r"^(?P<old>" + _PERSON + r")(?<!'s)\s*" + _GONE + r"\s*(?:[;,:.—–-]+|\s+and)\s*(?:(?:so|and|now)\s+)?" + _NEW_HOLDER
    + r"(?:\s+(?:now|from now on|since \w+|as of \w+(?:\s+\w+)?))?\s*[.!]?$")


# A handover in free word order: "Rosa moved away, Dev Patel runs the plant clinic now",
# "Gareth handed over to Megan Price at Easter so she's the warden now", "Carl Webb has taken
# over from Hannah Moss as site manager", "Deborah Lindqvist replaced Colin Ashworth as shop
# manager last week". One new full name, one old holder (named in the answer before, or after
# "from"/"replaced", or before "left"/"handed over"), and a cue that a role changed hands.
_FULL_NAME = re.compile(r"(?<![\w'])(?:(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+)?[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+){1,2}(?![\w'])")
_ONE_NAME = re.compile(r"(?<![\w'])[A-Z][a-z'-]+(?![\w'])")
_HANDOVER_CUE = re.compile(
    r"\b(?:took|taken|takes|taking)\s+over\b|\bhand(?:ed|s)?\s+over\b|\breplac(?:ed|es|ing)\b|\bsucceed(?:ed|s)?\b"
    r"|\b(?:retired|resigned|stepped down|moved (?:on|away)|left)\b|\bin charge\b|\bnow\b", _I)
_OLD_AFTER_WORD = re.compile(r"\b(?:from|replaced|replaces|replacing|instead of|succeeds|succeeded|succeeding)\s+$", _I)
_OLD_BEFORE_WORD = re.compile(r"^(?:'s|\s)*\s*(?:has\s+|have\s+|just\s+)*(?:retired|resigned|left|stepped down|moved on"
                              r"|moved away|handed over|hands over|is leaving|has gone|quit)\b", _I)
_ROLE_AS = re.compile(r"\bas\s+(?:the\s+|our\s+)?(?:new\s+)?(?P<role>[a-z][a-z' -]*?[a-z])"
                      r"(?=\s*(?:[,.;!]|$|\s+(?:now|last|this|from|since|at|in|on|after|today|yesterday)\b))"
                      r"|\b(?:is|'s|as)\s+(?:now\s+)?(?:the|our)\s+(?:new\s+)?(?P<role2>[a-z][a-z' -]*?[a-z])"
                      r"(?=\s*(?:[,.;!]|$|\s+now\b))", _I)
_NOT_NAMES = {"Not", "No", "Yes", "Heads", "Our", "The", "We", "She", "He", "They", "It", "That", "This", "So", "And",
              "But", "Good", "Great", "Sadly", "Also", "By", "Just", "Please", "Oh", "Hi", "Actually", "Well"}


def _names(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _FULL_NAME.finditer(text):
        words = m.group(0).split()
        while words and words[0] in _NOT_NAMES:  # "Heads up" is no name; "Not Rosa" neither
            words = words[1:]
        if len(words) >= 2:
            start = m.end() - len(" ".join(words))
            out.append((start, m.end(), " ".join(words)))
    return out


def handover(text: str, context: list[dict]) -> list[Item]:
    """A role changing hands, said in any order, as a qa item (None of the fixed forms of
    `_SUCCESSION` needed)."""
    text = _clean(text)
    if not _HANDOVER_CUE.search(text):
        return []
    prev_user, prev_assistant = previous_exchange(context)
    answer = _clean(prev_assistant) if prev_assistant else ""
    full = _names(text)
    new = [n for n in full if n[2] not in answer and not _OLD_AFTER_WORD.search(text[:n[0]])
           and not _OLD_BEFORE_WORD.match(text[n[1]:])]
    if len(new) != 1:
        return []
    old = ""
    for m in _ONE_NAME.finditer(text):  # the old holder: a name of the answer before ("Rosa", "Gareth")
        if m.group(0) not in _NOT_NAMES and m.group(0) not in new[0][2] and answer and \
                re.search(rf"(?<![\w']){re.escape(m.group(0))}(?![\w'])", answer):
            old = answer
            break
    if not old:
        olds = [n for n in full if n is not new[0] and (_OLD_AFTER_WORD.search(text[:n[0]])
                                                        or _OLD_BEFORE_WORD.match(text[n[1]:]))]
        if not olds:
            # session 11: a first name that has gone ("Hamish has retired, and Lena Varga started as our
            # dockmaster"): locate finds the full name it stands for in the row (a name span)
            olds = [(m.start(), m.end(), m.group(0)) for m in _ONE_NAME.finditer(text)
                    if m.group(0) not in _NOT_NAMES and m.group(0) not in new[0][2]
                    and _OLD_BEFORE_WORD.match(text[m.end():])]
        if len(olds) != 1:
            return []
        old = olds[0][2]
    question = _question_in(prev_user) if old == answer else ""
    if not question:
        m = _ROLE_AS.search(text)
        role = (m.group("role") or m.group("role2")) if m else ""
        if not role or len(role.split()) > 4:
            return []
        question = f"Who is the {role}?"
    return [("qa", {"question": question, "answer": new[0][2], "replaces": old})]


def succession(text: str, context: list[dict]) -> list[Item]:
    """A role changing hands ("X retired; the head librarian is now Y"), as a qa item."""
    m = _SUCCESSION.match(_strip_lead(_clean(text)))
    if not m:
        return handover(text, context)
    new = m.group("new") or m.group("new2")
    role = (m.group("role") or m.group("role2") or m.group("role3") or "").strip()
    prev_user, prev_assistant = previous_exchange(context)
    question = _question_in(prev_user)
    if not question:
        if not role:
            return []
        question = f"Who is the {role}?"
    old = _clean(prev_assistant) if prev_assistant and m.group("old") in prev_assistant else m.group("old")
    return [("qa", {"question": question, "answer": new, "replaces": old})]


def _subject_answer(question: str, body: str) -> str:
    """"Which warehouse handles returns?" / "The Reno warehouse handles returns": the subject."""
    words = question.rstrip(" ?").split()
    who = bool(words) and words[0].lower() in ("who", "who's", "whos")
    if not words or words[0].lower() not in ("which", "who", "what") and not who:
        return ""
    said = _normal(_FULL_STOP.sub("", body))
    # "who" is followed by the verb; "which"/"what" by a noun first ("which warehouse handles ...")
    for k in (1,) if words[0].lower() == "who" else (2, 3):
        pred = _normal(" ".join(words[k:]))
        if _words(pred) >= 2 and said.endswith(" " + pred):
            value = _value(_FULL_STOP.sub("", body)[: len(said) - len(pred)])
            return value if value and not _NOT_ANSWERS.match(value) and _words(value) <= 6 else ""
    # "Who handles warranty claims?" / "The Columbus team handles them now": what comes before the verb.
    verb = words[1] if words[0].lower() == "who" else words[2] if len(words) > 2 else ""
    head, found, _ = _FULL_STOP.sub("", body).partition(f" {verb} ")
    if verb.lower() not in ("is", "are", "was", "were") and found and 0 < _words(head) <= 6 \
            and not _NOT_ANSWERS.match(head):
        return _value(head)
    # "Who manages the Seattle store?" / "Priya Nair took over in May": a name, then what they did.
    m = _NAME_THEN_VERB.match(body) if who else None
    return m.group("name") if m else ""


def _merged_list(body: str, old: str) -> str:
    """'Also Amex and Discover' after 'We accept Visa and Mastercard' -> the whole list."""
    m = _ALSO.match(_FULL_STOP.sub("", body))
    listed = _LIST_END.search(_FULL_STOP.sub("", old))
    if not m or not listed:
        return ""
    split = re.compile(r",\s+|\s+and\s+")
    items = split.split(listed.group("list")) + split.split(_value(m.group("new") or m.group("new2")))
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else ""


def _correct(text: str, context: list[dict]) -> list[Item]:
    prev_user, prev_assistant = previous_exchange(context)
    question = _question_in(prev_user)
    old = _clean(prev_assistant)
    confirm = _CONFIRM.match(_strip_lead(text))
    if confirm:
        rest = _value(_strip_lead(text)[confirm.end():])
        if not rest or _normal(rest) in _normal(old):
            return []  # "Right, 14 days." after "14 days"; "Yes, it's $4.99" after "No, ..." is news
    body = _strip_lead(_strip_lead(text), _CORRECTION)
    asked = _assistant_question(context)
    replaces = {"replaces": old} if old else {}
    # "'...' — what topic is that?" / "That sounds like account." / "No, it's billing.": a label.
    label = _label_answer(_bare_value(body) or body, _clean(prev_user), old)
    if label:
        return [label]
    if question and not asked:
        if _YES_NO_QUESTION.match(question):
            answer = _yes_no(question, text)
            if answer:
                return [("qa", {"question": question, "answer": answer, **replaces})]
        who = _subject_answer(question, body)
        if who:
            return [("qa", {"question": question, "answer": who, **replaces})]
        place = _WHERE_ANSWER.match(_FULL_STOP.sub("", body)) if _WHERE_QUESTION.match(question) else None
        if place:
            return [("qa", {"question": question, "answer": _trim_for(question, _value(place.group("pp"))), **replaces})]
        merged = _merged_list(body, old)
        if merged:
            return [("qa", {"question": question, "answer": merged, **replaces})]

    # A full statement first: "No, Kestrel's CEO is Dana Whitfield." / "'...' is billing, not shipping."
    stated = _teach_items(body, context)
    if stated:
        claims = _assistant_claims(old) if old else []
        return [_replacing(kind, fields, question if len(stated) == 1 else "", old, claims)
                for kind, fields in stated]
    # Then a bare value set against the question just answered: "No, it's 30 days now."
    value = _bare_value(body, asked or question)
    if not value:
        return []
    if asked:
        # The assistant asked rather than answered: the "correction" is the answer to its question.
        return [("qa", {"question": asked, "answer": value})]
    if question:
        return [("qa", {"question": question, "answer": value, **replaces})]
    # No question: correct the assistant's own claim "X is A".
    claim = _assistant_claim(old) if old else None
    if claim is None:
        return []
    kind, fields = claim
    key = "answer" if kind == "qa" else "object"
    if _normal(fields[key]) == _normal(value):
        return []
    return [(kind, {**fields, key: value, "replaces": fields[key]})]


def _replacing(kind: str, fields: Fields, question: str, old: str, claims: list[Item]) -> Item:
    """A stated correction, with the question asked and the answer it replaces when known."""
    if kind not in ("qa", "fact"):
        return kind, fields
    key = "answer" if kind == "qa" else "object"
    fields = {**fields, key: _cut_not(fields[key])}
    if kind == "qa" and _qualifies(fields["question"], claims):
        return kind, fields  # "For Canada it's 5 to 8 days": a new case beside the old answer, not a fix
    if kind == "qa" and question:
        # It answers the question just asked, so it replaces the answer just given.
        fields["question"] = question
        fields["answer"] = _trim_for(question, fields["answer"])
        if old:
            fields["replaces"] = old
        return kind, fields
    # Replace the old value only when the assistant said "<the same thing> is <old value>".
    for claim_kind, claim in claims:
        if claim_kind == kind and _same_topic(claim, fields):
            if kind == "qa":
                fields["question"] = claim["question"]
            fields["replaces"] = claim[key]
            break
    return kind, fields


def _qualifies(question: str, claims: list[Item]) -> bool:
    """The question is one of the claims' questions with a qualifier added."""
    q = question.rstrip("?")
    return any(q.startswith(f["question"].rstrip("?") + " ") for k, f in claims if k == "qa")


def _cut_not(value: str) -> str:
    m = _BUT_NOT.match(value)
    return _value(m.group("new")) if m else value


def _same_topic(a: Fields, b: Fields) -> bool:
    """Same question or same subject and relation; "the fee" also names "the express shipping fee"."""
    if "question" in a:
        qa, qb = _normal(a["question"]), _normal(b.get("question", ""))
        if qa == qb:
            return True
        wa, wb = qa.split(), qb.split()
        # "what is the fee" vs "what is the express shipping fee": same opening, same head noun.
        return len(wb) >= 3 and wa[:2] == wb[:2] and wa[-1] == wb[-1] and set(wb) <= set(wa)
    return _normal(a["subject"]) == _normal(b.get("subject", "")) and \
        _normal(a["relation"]) == _normal(b.get("relation", ""))


# Session 11: a correction of the previous answer that no engine read ("Large units went up to
# $195.", "We've dropped the minimum to six kids.", "Plain hems are $20 on the new price list.
# Turn-ups stay at $26."): the one new value of a type the previous answer states, answering the
# question it answered. Values the turn says stay, or calls old ("we dropped it from 15%"), and
# values the answer already states are not new. Read by route (router.correction_from_turn) only
# for a turn detected as a correction whose extraction holds nothing.
_CALLED_OLD_BEFORE = re.compile(r"\b(?:from|not|instead of|rather than|was|were|used to be)\s*$", _I)
_VALUE_TYPES = ("money", "time", "date", "quantity", "phone", "email", "url")


def _typed(text: str, kinds: tuple[str, ...] = _VALUE_TYPES) -> list:
    """Typed spans of `text`, a span inside one of an earlier type left out ("15 pm" of "10:15 pm")."""
    from lic_cli.locate import spans

    out: list = []
    for kind in kinds:
        out += [s for s in spans.spans(text, kind) if not any(o.start <= s.start < o.end or s.start <= o.start < s.end
                                                             for o in out)]
    return out


def answer_correction(text: str, context: list[dict]) -> Fields | None:
    """{"question", "answer", "replaces"} for a turn correcting one value of the previous
    answer, or None (no previous answer, no new value, or more than one)."""
    question, answer = previous_exchange(context)
    if not question or not answer:
        return None
    found = _new_values(_clean(text), answer, _VALUE_TYPES)
    if len(found) != 1:
        return None
    return {"question": question, "answer": found[0][1], "replaces": answer}


def _new_values(said: str, answer: str, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    """(type, value) for each value of the turn `said` of a type `answer` states that the
    answer does not already state, the turn does not call old and does not say stays; when
    there is none, a count said with what it counts for a count the answer states."""
    from lic_cli.locate import spans

    found: list[tuple[str, str]] = []
    in_answer, in_said = _typed(answer, kinds), _typed(said, kinds)
    for kind in kinds:
        stated = [s for s in in_answer if s.kind == kind]
        if not stated:
            continue
        for s in (x for x in in_said if x.kind == kind):
            # a value the answer states, also a clock time said without its part of the day ("11:30")
            if _CALLED_OLD_BEFORE.search(said[:s.start]) or any(spans.same_kept(s, a) for a in stated):
                continue
            if not any(spans.compatible(a, s) for a in stated):
                continue
            if any(spans.same_kept(s, k) for k in spans.said_to_stay(said, s)):
                continue
            found.append((kind, s.text))
    if not found:
        # a count said with what it counts ("six kids", "eight liveaboard berths") for a count the answer states
        counts = [c for c in spans.counts(said) if c.unit and not _CALLED_OLD_BEFORE.search(said[:c.start])]
        old = spans.counts(answer)
        counts = [c for c in counts if old and not any(spans.number_of(c.text) == spans.number_of(o.text) for o in old)]
        if len(counts) == 1:
            c = counts[0]
            # the number and the words after it, up to a function word ("eight liveaboard berths in ...")
            words = [c.text]
            for w in said[c.end:].split()[:3]:
                w = w.strip(".,;:!?")
                if not re.fullmatch(r"[A-Za-z-]+", w) or w.lower() in spans.STOP:
                    break
                words.append(w)
            found.append(("count", " ".join(words)))
    return found


# Session 11 (follow-up): a correction whose extracted value is a word of no type the replaced
# value or the previous answer states ("spring" of "We put big dogs up to $80 in the spring",
# "freelance" of "that'll be Marek Dudek these days; Tamsin went freelance", "March" of "$95 a
# child, since the start of March"): the turn's one new value of such a type (a price, time,
# date, count, person's name, ...) is the new value. Read by route (router.retyped_correction).
_RETYPE_KINDS = (*_VALUE_TYPES, "name")


def retyped_value(value: str, replaces: str, text: str, context: list[dict]) -> tuple[str, str] | None:
    """(new value, what it replaces) for a correction whose extracted `value` states no type
    that `replaces` or the previous answer states, when the turn holds exactly one new value of
    such a type; None otherwise. It replaces `replaces` when that states the new value's type,
    else the previous answer."""
    from lic_cli.locate import spans

    _, answer = previous_exchange(context)
    answer = _clean(answer) if answer else ""
    old = " ".join(x for x in (answer, replaces) if x)
    if not value or not old:
        return None
    stated = {s.kind for s in _typed(old, _RETYPE_KINDS)} | ({"count"} if spans.counts(old) else set())
    value = spans.in_digits(value)  # "half past three" is a time, "fifteen dollars" a price
    said_kinds = {s.kind for s in _typed(value, _RETYPE_KINDS)} | ({"count"} if spans.counts(value) else set())
    if not stated or said_kinds & stated:
        return None  # extraction read a value of a type the answer states: it stands
    found = _new_values(_clean(text), old, _RETYPE_KINDS)
    if len(found) != 1:
        return None
    kind, new = found[0]
    if kind == "count":
        keeps = bool(replaces and spans.counts(replaces))
    else:
        keeps = bool(replaces and any(s.kind == kind for s in _typed(replaces, _RETYPE_KINDS)))
    return new, replaces if keeps else (answer or replaces)
