"""Repairs of the learned engine's items from what a turn says outright (issue 15, session 13),
each a rule of English found as a class of miss on the hand-written dev sets (fresh11, fresh12;
docs/extract.md "Session 13"), with a flag to measure it alone, and checked on phrasings of
other domains in tests/test_extract_session13.py.

- `forget_object` (FORGET_OBJECT; class "forget target"): the object of the forget verb is the
  target when the turn names it ("forget anything you've got about the second van", "forget the
  Rowan prices", "forget what I told you about only being home on tuesdays" -> `the user is
  only home on tuesdays`); when the object is a pronoun ("so delete that", "take it out") and
  the last exchange asked about something, the thing asked about ("Do you do chimney pot
  replacements?" -> `chimney pot replacements`), where `repair.question_topic` names nothing.
  A user's clause kept as a target ends at its clause ("... in August anymore, the trip's off"
  -> `the user is away in August`).
- `change_from_to` (CHANGE_FROM_TO; class "value other"): a verb of change with "from X to Y"
  ("went up from £45 to £55", "has moved from Wednesday to Thursday evenings") states the new
  value Y and the old value X.
- `replaces_said` (REPLACES_SAID; class "value other"): only a correction replaces a value (the
  corpus's gold has `replaces` in no `teach` turn), or a teaching turn that says the old value in
  a frame ("no longer 3 euros", `repair.said_old`), and never with the new value itself: an old
  value equal to the new one is the other value of its shape the turn says ("Gary's number is
  07700 900 291, I gave you 07700 900 219 before"), or none.
- `forget_cue` (FORGET_CUE; class "extra item"): a forget item needs a turn asking to forget
  (a forget verb, typos included) unless the turn's intent is `forget` ("ugh the whole living
  room still smells of soot" is no forget).
- `asked_direct` (ASKED_DIRECT; class "question worded differently" / "value cut"): a question
  tagged in its embedded form ("whether we sweep gas fires") is asked directly ("Do you sweep gas
  fires?", `rules.asked._direct`), and a yes/no question's answer keeps the yes or no said right
  before it ("the answer's no, only solid fuel" -> `no, only solid fuel`; "yep" -> yes).
- `whole_measure` (WHOLE_MEASURE; class "value cut"): a frequency keeps its count ("twice a
  year", not "a year"), and a bare number takes the unit word after it that the old value uses
  ("6" -> "6 storeys" when it replaces "4 storeys"); an amount has no article ("a £50" -> "£50").
- `subject_np` (SUBJECT_NP; class "subject worded differently"): a fact's subject is one noun
  phrase: words fronted before its determiner go ("On match days the clubhouse bar opens at
  noon" -> `the clubhouse bar`, not `match days the clubhouse bar`), a verb tagged at its end goes
  ("The choir rehearses" -> `The choir`), and "our" / "your" is "the" (no train gold subject
  starts with a possessive pronoun); an old value takes the determiner the turn says before it
  when the new value has one ("rather than the blue bin" -> `the blue bin`).
- `note_tail` (NOTE_TAIL; class "note paraphrase"): a note ends before a "so" clause about
  someone else or asking something of the assistant ("I have two cats who hate strangers so
  they'll be shut in the kitchen", "I've got asthma so go easy on the cardio"), and an
  emphatic "myself" goes ("I'm a roofer myself" -> `The user is a roofer`).
"""

from __future__ import annotations

import re
from typing import Any

FORGET_OBJECT = True
CHANGE_FROM_TO = True
REPLACES_SAID = True
FORGET_CUE = True
NOTE_TAIL = True
ASKED_DIRECT = True
SUBJECT_NP = True
PREDICATE_NAMES = True
WHOLE_MEASURE = True

# --- the object of the forget verb ------------------------------------------------------------

_FORGET_VERB = (r"(?:forget|delete|remove|drop|scrap|wipe|erase|bin|clear|ditch|discard|disregard|lose|"
                r"get\s+rid\s+of|strike|cross\s+off|take\s+out)")
_ABOUT = (r"(?:(?:anything|everything|whatever|what|all|the\s+stuff|the\s+bit|the\s+info(?:rmation)?|the\s+notes?)"
          r"(?:\s+(?:you(?:['\u2019]ve|\s+have)?\s+got|you\s+have|you\s+know|you\s+hold|you\s+kept|i\s+(?:said|told\s+you|"
          r"mentioned|gave\s+you)|there\s+is|we\s+(?:said|told\s+you)))?\s+(?:about|on|re|regarding|for)\s+)")
_END = (r"(?=\s*(?:[,.;!?:()]|\s[-\u2013\u2014]\s|$)|\s+(?:entirely|completely|altogether|for\s+good|too|as\s+well|so|as|since|because|cos|coz|now|too|then|pls|please|thanks|"
        r"thx|from\s+(?:your|the)\s+(?:notes|memory|records?|list)|out\s+of|off\s+(?:your|the)|we|they|it|it['\u2019]s|"
        r"i|i['\u2019]ve|i['\u2019]m|and\s+(?:the|that|it|we|i))\b)")
_OBJECT = re.compile(rf"\b{_FORGET_VERB}\s+(?:{_ABOUT})?(?P<x>[^,.;!?:()]+?){_END}", re.I)
_PRONOUN = frozenset("that this it them those these one that one this one all everything anything".split())
_GERUND = re.compile(r"^(?P<adv>(?:only|always|usually|still|never|not)\s+)?(?P<verb>being|having)\s+(?P<rest>.+)$", re.I)
_USER_CLAUSE = re.compile(r"^the user\b", re.I)
_CLAUSE_TAIL = re.compile(r",\s*(?:the|it|it['\u2019]s|that|this|we|they|he|she|so|as|because|since|i|my)\b.*$"
                          r"|\s+(?:any\s*more|now|these\s+days)\s*$", re.I)


def forget_object(text: str) -> str | None:
    """The thing the forget verb names ("forget anything you've got about the second van" ->
    "the second van"), a user's state told in the third person ("about only being home on
    tuesdays" -> "the user is only home on tuesdays"); None for a pronoun or no forget verb."""
    from lic_cli.extract.repair import fix_typos

    for m in _OBJECT.finditer(fix_typos(text)):
        x = m.group("x").strip()
        words = x.lower().split()
        if not words or " ".join(words) in _PRONOUN or words[0] in ("that", "i", "what", "about", "my", "me", "you",
                                                                                   "its", "their", "his", "her"):
            continue  # "forget that I ..." is a clause (the note's own grammar reads it); "forget my ..." likewise
        g = _GERUND.match(x)
        if g:
            adv = (g.group("adv") or "").strip()
            # "is" comes before its adverb ("is only home"), a full verb after it ("usually has")
            words = ("is", adv) if g.group("verb").lower() == "being" else (adv, "has")
            return " ".join(p for p in ("the user", *words, g.group("rest")) if p)
        if len(words) > 6:
            continue
        return x
    return None


_ASKED_THING = re.compile(r"^(?:do|does|did|can|could|will|would)\s+(?:you|we|they|i)\s+(?:still\s+)?(?:do|offer|have|sell|"
                          r"stock|run|provide|take|accept|hire\s+out|hire|rent\s+out|rent)\s+(?P<x>.+?)\??$|"
                          r"^(?:when|where)\s+(?:is|are|was|were)\s+(?P<y>(?:the|your|our)\s+.+?)\??$", re.I)


def asked_thing(question: str) -> str | None:
    """What a question about an offer or an event asks about ("Do you do chimney pot
    replacements?" -> "chimney pot replacements"; "When is the spinning workshop?" -> "the
    spinning workshop"), for questions `repair.question_topic` does not read."""
    m = _ASKED_THING.match(question.strip())
    if not m:
        return None
    x = (m.group("x") or m.group("y") or "").strip()
    x = re.sub(r"^(?:your|our)\s+", "the ", x, flags=re.I)
    return x if 0 < len(x.split()) <= 6 else None


def _pronoun_object(text: str) -> bool:
    return bool(re.search(rf"\b{_FORGET_VERB}\s+(?:that|it|this|them|that\s+one|those)\b|"
                          rf"\b(?:take|get)\s+(?:it|that|this|them)\s+(?:out|off)\b", text, re.I))


def clause_target(target: str) -> str:
    """A user's clause kept as a forget target ends at its own clause: no ", the trip's off",
    no "anymore"."""
    if not _USER_CLAUSE.match(target):
        return target
    cut = _CLAUSE_TAIL.sub("", _CLAUSE_TAIL.sub("", target)).strip()
    return cut or target


_INFO_TAIL = re.compile(r"\s+(?:info|information|details|entry|entries|stuff|bit|notes?)$", re.I)


def whole_target(target: str, text: str) -> str:
    """A target said in the turn is its whole noun phrase: with the determiner before it ("The
    change fee is obsolete" -> `the change fee`, not `change fee`) and without a closing "info"
    ("remove the delivery van info" -> `the delivery van`)."""
    if _USER_CLAUSE.match(target):
        return target
    t = _INFO_TAIL.sub("", target).strip() or target
    at = text.lower().find(t.lower())
    if at > 0 and not re.match(r"(?:the|a|an|my|our|your)\b", t, re.I):
        m = re.search(r"\b(the)\s+$", text[:at], re.I)
        if m:
            t = "the " + t
    return t


def forget_targets(items: list[dict[str, Any]], text: str, context: list[dict], label: str) -> list[dict[str, Any]]:
    if not FORGET_OBJECT or label != "forget":
        return items
    forgets = [i for i, it in enumerate(items) if it.get("kind") == "forget"]
    out = [dict(it) for it in items]
    for i in forgets:
        if isinstance(out[i].get("target"), str):
            out[i]["target"] = whole_target(clause_target(out[i]["target"]), text)
    if len(forgets) > 1:
        return out
    target = forget_object(text)
    if target is None and _pronoun_object(text) and context:
        from lic_cli.extract.repair import last_question, question_topic

        question = last_question(context)
        if question:
            target = question_topic(question) or asked_thing(question)
    if target is None:
        return out
    if forgets:
        out[forgets[0]]["target"] = target
        return out
    return out + [{"kind": "forget", "target": target}]


# --- a change from one value to another ---------------------------------------------------------

_CHANGE = re.compile(r"\b(?:went|gone|goes|go|has\s+gone|have\s+gone|moved|moving|changed|changing|switched|shifted|"
                     r"increased|decreased|rose|risen|dropped|fell|fallen|put\s+up|put|pushed|brought|raised|lowered|cut|"
                     r"upped|bumped|jumped|up|down)\b(?:\s+(?:up|down|back|forward))?\s+from\s+(?P<old>[^,.;!?()]+?)\s+"
                     r"(?:to|till|until)\s+(?P<new>[^,.;!?()]+?)(?=\s*(?:[,.;!?()]|\s[-\u2013\u2014]\s|$)|\s+(?:this|last|"
                     r"next|from|since|as|because|so|and|but|now|starting|in|on|at|for)\b)", re.I)


# "that's 7:10, it's 7:40 now" / "that's 18, it's 24 now": the old value said first, then the new one.
_THATS_ITS = re.compile(r"\b(?:that|this)(?:['\u2019]s|\s+is|\s+was)\s+(?P<old>(?:[^,.;!?]|[.:](?=\d))+?),\s*(?:but\s+)?"
                        r"(?:it|that)(?:['\u2019]s|\s+is)\s+(?P<new>(?:[^,.;!?]|[.:](?=\d))+?)"
                        r"(?:\s+(?:now|these\s+days|nowadays|from\s+now\s+on))?\s*(?=[.,;!?]|$)", re.I)


def change_from_to(items: list[dict[str, Any]], text: str, label: str) -> list[dict[str, Any]]:
    """"X went up from £45 to £55": the new value is £55 and it replaces £45; "that's 7:10,
    it's 7:40 now": 7:40 replaces 7:10."""
    if not CHANGE_FROM_TO or label != "correct":
        return items
    m = _CHANGE.search(text) or _THATS_ITS.search(text)
    if not m:
        return items
    old, new = m.group("old").strip(), m.group("new").strip()
    if old.lower() in ("wrong", "not right", "incorrect", "a mistake", "old news", "out of date") or \
            re.match(r"(?:not|no|wrong|incorrect|outdated|old)\b", old, re.I):
        return items
    span = f"{old} to {new}".lower()
    out = []
    for item in items:
        key = "object" if item.get("kind") == "fact" else "answer" if item.get("kind") == "qa" else None
        value = str(item.get(key, "")).strip().lower() if key else ""
        if key and value and (value in (old.lower(), new.lower()) or span in value or value in span):
            item = {**item, key: new, "replaces": old}
        out.append(item)
    return out


# --- replaces: only a correction's, never the new value -------------------------------------------

_SHAPE = re.compile(r"[$\u20ac\u00a3]?\d[\d\s:.,-]*\d|[$\u20ac\u00a3]?\d")


def _shape(value: str) -> str:
    return re.sub(r"\d", "9", re.sub(r"\s+", " ", value.strip()))


def replaces_said(items: list[dict[str, Any]], text: str, label: str) -> list[dict[str, Any]]:
    if not REPLACES_SAID:
        return items
    out = []
    for item in items:
        if isinstance(item.get("replaces"), str) and SUBJECT_NP:
            new, old = str(item.get("object", item.get("answer", ""))), item["replaces"].strip()
            at = text.lower().find(old.lower())
            if re.match(r"the\s", new, re.I) and not re.match(r"(?:the|a|an)\s", old, re.I) and at > 0 \
                    and re.search(r"\bthe\s+$", text[:at], re.I):
                item = {**item, "replaces": "the " + old}
        if "replaces" in item:
            new = str(item.get("object", item.get("answer", item.get("text", "")))).strip()
            old = str(item["replaces"]).strip()
            if label == "teach":
                from lic_cli.extract.repair import said_old

                # a teaching turn that says the old value in a frame ("no longer 3 euros") keeps it
                if not new or (said_old(text, new) or "").lower() != old.lower():
                    item = {k: v for k, v in item.items() if k != "replaces"}
            elif new and old.lower() == new.lower():
                others = [m.group(0).strip() for m in _SHAPE.finditer(text)
                          if _shape(m.group(0)) == _shape(new) and m.group(0).strip() != new]
                item = {k: v for k, v in item.items() if k != "replaces"}
                if len(others) == 1:
                    item["replaces"] = others[0]
        out.append(item)
    return out


# --- a forget needs a turn that asks to forget ------------------------------------------------------

_CUE = re.compile(r"\b(?:forget|forgot|delete|remove|drop|scrap|wipe|erase|bin|clear|ditch|discard|disregard|purge|"
                  r"get\s+rid|strike|cross|take\s+(?:it|that|this|them|\S+)\s+(?:out|off)|no\s+need\s+to\s+(?:keep|remember)|"
                  r"(?:don['\u2019]?t|do\s+not|no\s+longer)\s+(?:need\s+to\s+)?(?:keep|remember|store|hold)|"
                  r"stop\s+(?:remembering|keeping)|out\s+of\s+your|off\s+your|from\s+your\s+(?:notes|memory|records?|list))\b",
                  re.I)


def asks_to_forget(text: str) -> bool:
    from lic_cli.extract.repair import fix_typos

    return bool(_CUE.search(text) or _CUE.search(fix_typos(text, keep_names=False)))


def forget_cue(items: list[dict[str, Any]], text: str, label: str) -> list[dict[str, Any]]:
    if not FORGET_CUE or label == "forget" or asks_to_forget(text):
        return items
    return [i for i in items if i.get("kind") != "forget"]


# --- notes end at their own clause ----------------------------------------------------------------

_SO_OTHER = re.compile(r"(?:,\s*|\s+)so\s+(?:(?:they|you|he|she|it|we|there|the|that|this|u)(?:['\u2019]\w+)?|"
                       r"(?:please|pls|plz|go|bear|keep|make|don['\u2019]?t|do|be|take|remember|note|factor|plan|book|let|"
                       r"give|send|call|ring|count|put|bring|expect|check|allow)\b(?!\s+(?:i|me)\b))\b.*$", re.I)
_MYSELF = re.compile(r"(?<!\bfor)(?<!\bby)(?<!\bto)(?<!\bwith)(?<!\bof)(?<!\babout)(?<!\bat)\s+(?:myself|themselves|themself)\b"
                     r"(?=\s*(?:[,.;!?]|$|\s+(?:and|but|so)\b))", re.I)
_THEMSELVES = re.compile(r"^(The user (?:is|was|am) (?:an?|the)\s+[\w -]+?)\s+(?:themselves|themself|myself)\b", re.I)


def note_tail(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not NOTE_TAIL:
        return items
    out = []
    for item in items:
        if item.get("kind") == "note" and isinstance(item.get("text"), str):
            note = item["text"].strip()
            end = "." if note.endswith(".") else ""
            body = note[:-1] if end else note
            body = _SO_OTHER.sub("", body)
            body = _THEMSELVES.sub(r"\1", body)
            body = _MYSELF.sub("", body)
            body = re.sub(r"\s+,", ",", body).rstrip(" ,")
            if body and body != (note[:-1] if end else note):
                item = {**item, "text": body + "."}
        out.append(item)
    return out


# --- questions asked directly, yes/no answers whole ----------------------------------------------------

_EMBEDDED = re.compile(r"^(?:whether|if)\s+\S", re.I)
_YES_NO_Q = re.compile(r"^(?:is|are|do|does|did|can|could|will|would|has|have|was|were|should|shall|may)\b", re.I)
_SAID_YES_NO = re.compile(r"\b(?P<w>yes|yeah|yep|yup|no|nope|nah)\b[\s,:;.!\u2013\u2014-]*$", re.I)


def asked_direct(items: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    if not ASKED_DIRECT:
        return items
    from lic_cli.extract.rules.asked import _direct

    out = []
    for item in items:
        if item.get("kind") == "qa" and isinstance(item.get("question"), str):
            q = item["question"].strip()
            if _EMBEDDED.match(q):
                direct = _direct(q)
                if direct:
                    item = {**item, "question": direct}
            answer = str(item.get("answer", ""))
            at = text.find(answer) if answer else -1
            if _YES_NO_Q.match(item["question"].strip()) and at > 0 and not re.match(r"(?:yes|no)\b", answer, re.I):
                m = _SAID_YES_NO.search(text[:at])
                if m:
                    word = "no" if m.group("w").lower() in ("no", "nope", "nah") else "yes"
                    item = {**item, "answer": f"{word}, {answer}"}
        out.append(item)
    return out


# --- measures whole -----------------------------------------------------------------------------------

_PERIOD = re.compile(r"^(?:a|an|per|every|each)\s+(?:day|night|week|fortnight|month|year|season|term|hour)$", re.I)
_TIMES = re.compile(r"(?:\b(?:once|twice|thrice|(?:\d+|one|two|three|four|five|six|ten)\s+times))\s+$", re.I)


_MEASURED = re.compile(r"\d[\d,.]*\s*(?:%|kg|g|km|m|cm|ml|l|lbs?|euros?|dollars?|pounds?|p)?$|[$\u20ac\u00a3]\s*\d[\d,.]*$", re.I)
_WITH = re.compile(r"^\s+with\s+(?:an?\s+|the\s+)?[a-z][\w-]*(?:\s+[a-z][\w-]*)?(?=\s*(?:[.,;!?]|$))", re.I)


# Head nouns that say nothing without the words before them ("closing time", "a belay certificate").
_BARE_HEADS = frozenset("time times day days date hours price fee certificate card pass".split())
_MODIFIERS = re.compile(r"(?:(?<=\s)|^)(?P<np>(?:(?:an?|the)\s+)?(?P<mods>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?))\s+$")
_FUNCTION = frozenset("""is are was were be been it it's that's that this its a an the to of in on at by for with from and
or but so now not no yes i you we they he she my your our their me us them just only still also by until till""".split())


def _grow_like(old: str, new: str, text: str) -> str:
    """The old value keeps the same qualifier the new one kept ("6 kg" -> "6 kg with carrier" when
    the new value is "8 kg with carrier" and the turn says "not 6 kg with carrier")."""
    from lic_cli.extract.repair import grow_tail

    grown = grow_tail(text, old)
    if grown != old:
        return grown
    at = text.find(old)
    w = _WITH.match(text[at + len(old):]) if at >= 0 else None
    return old + w.group(0).rstrip() if w and new.endswith(w.group(0).strip()) else old


def whole_measure(items: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    if not WHOLE_MEASURE:
        return items
    out = []
    for item in items:
        key = "object" if item.get("kind") == "fact" else "answer" if item.get("kind") == "qa" else None
        value = str(item.get(key, "")).strip() if key else ""
        if re.match(r"^an?\s+[$\u20ac\u00a3]\s*\d", value, re.I):  # "a £50 surcharge": the amount is £50
            value = re.sub(r"^an?\s+", "", value, flags=re.I)
            item = {**item, key: value}
        if key == "answer" and value:  # a qa answer keeps its qualifier as a fact's object does (repair.grow_tail)
            from lic_cli.extract.repair import grow_tail

            grown = grow_tail(text, value)
            if grown != value:
                value = grown
                item = {**item, key: value}
        at = text.find(value) if value else -1
        if at > 0 and key and value.lower() in _BARE_HEADS:  # "time" said as "closing time"
            m = _MODIFIERS.search(text[:at])
            if m and not any(w.lower() in _FUNCTION for w in m.group("mods").split()):
                value = text[m.start("np"):at + len(value)]
                item = {**item, key: value}
                at = m.start("np")
        if at >= 0 and key and _MEASURED.search(value):  # "8 kg" + " with carrier"
            w = _WITH.match(text[at + len(value):])
            if w:
                value = value + w.group(0).rstrip()
                item = {**item, key: value}
        old = item.get("replaces")
        if key and isinstance(old, str) and _MEASURED.search(old.strip()):  # the old value grows as the new one did
            grown_old = _grow_like(old.strip(), value, text)
            if grown_old != old:
                item = {**item, "replaces": grown_old}
        if at >= 0 and _PERIOD.match(value):
            m = _TIMES.search(text[:at])
            if m:
                item = {**item, key: text[m.start():at + len(value)].strip()}
        elif at >= 0 and re.fullmatch(r"\d+(?:[.,]\d+)?", value) and isinstance(item.get("replaces"), str):
            unit = re.search(r"\d\s+(?P<u>[a-z]+)$", item["replaces"].strip(), re.I)
            after = re.match(rf"\s+{re.escape(unit.group('u'))}\b" if unit else r"(?!)", text[at + len(value):], re.I)
            if unit and after:
                item = {**item, key: value + after.group(0)}
        out.append(item)
    return out


# --- a subject is one noun phrase ------------------------------------------------------------------

_FRONTED = re.compile(r"^(?P<pre>(?:[\w'\u2019-]+\s+){1,3}?)(?P<np>(?:the|a|an)\s+\S.*)$", re.I)
_LINKS = frozenset("""of for with without in at on to from by and or but than per into onto about over under after
before during near behind beside between like as s 's""".split())
_DETERMINERS = frozenset("the a an this that these those our your their its my his her some any every each all".split())


_SUBJECT_VERB = re.compile(r"\s+(?:leaves|opens|closes|costs|holds|departs|arrives|starts|begins|ends|runs|takes|lasts|"
                           r"meets|rehearses|plays|trains|sits|stands|goes|comes|needs|requires|includes|covers|serves|"
                           r"sells|charges|offers|happens|works|fits|seats|sleeps)$", re.I)


_VERB_NEXT = re.compile(r"^((?:\s+[a-z][\w-]*){1,3}?)\s+(?:is|are|was|were|has|have|lasts?|costs?|opens?|closes?|holds?|"
                        r"takes?|runs?|starts?|leaves?|can|must|will|should|needs?)\b")


def _whole_subject(subject: str, text: str) -> str:
    """A subject cut inside its noun phrase runs on to the verb ("personal" in "personal training
    sessions last 55 minutes" -> "personal training sessions")."""
    at = text.find(subject)
    if at < 0 or len(subject.split()) > 1:
        return subject
    m = _VERB_NEXT.match(text[at + len(subject):])
    if not m or any(w in _LINKS or w in _DETERMINERS for w in m.group(1).lower().split()):
        return subject
    return subject + m.group(1)


def subject_np(items: list[dict[str, Any]], text: str = "") -> list[dict[str, Any]]:
    if not SUBJECT_NP:
        return items
    out = []
    for item in items:
        subject = item.get("subject") if item.get("kind") == "fact" else None
        if isinstance(subject, str) and subject.strip():
            subject = _whole_subject(subject.strip(), text) if text else subject
            s = re.sub(r"^(?:our|your)\s+", "the ", subject.strip(), flags=re.I)
            s = _SUBJECT_VERB.sub("", s) if len(s.split()) > 2 else s  # "The choir rehearses" -> "The choir"
            m = _FRONTED.match(s)
            if m:
                pre = m.group("pre").split()
                if pre[0].lower() not in _DETERMINERS and pre[-1].lower().rstrip("'\u2019") not in _LINKS \
                        and not pre[-1].lower().endswith(("'s", "\u2019s")):
                    s = m.group("np")
            if s != item["subject"]:
                item = {**item, "subject": s}
        out.append(item)
    return out


# --- a verb names its relation over a generic constant -----------------------------------------------

_GENERIC = frozenset("price location date day days time number fit requirement period rate use length".split())


def predicate_names(items: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """A verb between subject and object ("the yoga studio holds 24 people") names the relation
    over a generic constant the head chose for the turn (`price`): `relations.name`."""
    if not PREDICATE_NAMES:
        return items
    from lic_cli.extract.tagging import _named_relation

    out = []
    for item in items:
        if item.get("kind") == "fact" and str(item.get("relation", "")).lower() in _GENERIC:
            named = _named_relation(text, item)
            if named and named.lower() != str(item["relation"]).lower() and not named.endswith("price"):
                item = {**item, "relation": named}
        out.append(item)
    return out


def repair(items: list[dict[str, Any]], text: str, context: list[dict], label: str) -> list[dict[str, Any]]:
    """Every session-13 repair of one turn's items."""
    items = forget_cue(items, text, label)
    items = change_from_to(items, text, label)
    items = replaces_said(items, text, label)
    items = predicate_names(subject_np(note_tail(items), text), text)
    items = whole_measure(asked_direct(items, text), text)
    return forget_targets(items, text, context, label)
