"""A fact's relation named from the words that link its subject to its object.

The learned engine's relation head picks among the attribute names seen in training
("price", "location"), from the whole turn; on domains it never saw it often picks a name
of the wrong kind ("price" for "the studio holds 24 people"). The predicate says what is
told: "costs" is a price, "holds" a capacity, "is taught by" an instructor, "opens at" an
opening time. `name(predicate, after, obj)` gives that attribute name, with the day
qualifier that makes it true ("opens at 6 am on weekdays" -> `weekday opening time`), or
None when no entry matches (the head's choice stands). Entries are general English verbs
and prepositions, not any domain's wording.
"""

from __future__ import annotations

import re

# (pattern over the predicate: the words between subject and object, lower case) -> attribute
_VERBS: list[tuple[str, str]] = [
    (r"\b(?:costs?|is priced at|are priced at|sells? for|charges?)\b", "price"),
    (r"\b(?:is|are|stays?) open (?:\w+ )?until\b", "closing time"),  # before "open": "is open until 7 pm"
    (r"\bopens?\b(?: at| from)?", "opening time"),
    (r"\bcloses?\b(?: at)?", "closing time"),
    (r"\b(?:holds?|seats?|fits?|sleeps?|takes? up to)\b", "capacity"),
    (r"\b(?:is|are) taught by\b|\bteach(?:es)?\b", "instructor"),
    (r"\b(?:is|are) (?:run|led|hosted) by\b", "host"),
    (r"\b(?:is|are) (?:owned) by\b|\bowns?\b", "owner"),
    (r"\b(?:is|are) managed by\b|\bmanages?\b", "manager"),
    (r"\b(?:is|are) directed by\b", "director"),
    (r"\b(?:needs?|requires?)\b", "requirement"),
    (r"\b(?:weighs?)\b", "weight"),
    (r"\b(?:departs?|leaves?)\b(?: at| from)?", "departure time"),
    (r"\b(?:arrives?|lands?)\b(?: at| in)?", "arrival time"),
    (r"\b(?:starts?|begins?)\b(?: at| on| in)?", "start"),
    (r"\b(?:ends?|finishes|runs until|is on until|are on until)\b", "end"),
    (r"\b(?:is|are|was|were) (?:founded|established|opened|started) by\b", "founder"),
    (r"\b(?:is|are|was|were) (?:founded|established|opened)\b(?: in)?", "founding year"),
    (r"\b(?:is|are|was|were) built\b(?: in)?", "construction year"),
    (r"\b(?:is|are) called\b|\b(?:is|are) named\b", "name"),
    (r"\b(?:is|are|lies|lie|sits?|can be found|is located|are located)\s+(?:on|in|at|next to|by|near|under|"
     r"above|behind|inside|opposite)\b", "location"),
    (r"\b(?:lasts?|takes?|runs? for)\b", "duration"),
]
_DAYS = {"weekday": "weekday", "weekdays": "weekday", "weekend": "weekend", "weekends": "weekend"}
for _d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
    _DAYS[_d] = _DAYS[_d + "s"] = _d.capitalize()
_QUALIFIER = re.compile(r"\bon\s+(?:the\s+)?(" + "|".join(sorted(_DAYS, key=len, reverse=True)) + r")\b", re.I)
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_DATE = re.compile(r"\b(?:\d{4}|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTHS + r"|(?:the\s+)?\d{1,2}(?:st|nd|rd|th)|january|february|march|april|may|june|july|august|"
                   r"september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|"
                   r"sunday)\b", re.I)
_MONEY = re.compile(r"[$\u20ac\u00a3]\s*\d|\d[\d,.]*\s*(?:euros?|dollars?|pounds?|usd|eur|gbp|chf|francs?|kronor|"
                    r"krona|yen|p)\b", re.I)
_WEEKDAY = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b|\bweekends?\b|\bweekdays?\b", re.I)
# "35 euros a month" is a monthly price: the period a price or fee is counted per, right after the value.
_PER = re.compile(r"^\s*(?:a|an|per|each|every)\s+(day|night|week|month|year|hour|person|head)\b", re.I)
_PER_WORD = {"day": "daily", "night": "nightly", "week": "weekly", "month": "monthly", "year": "annual",
             "hour": "hourly"}
_PER_RELATIONS = frozenset({"price", "fee", "cost", "charge", "rate"})
_EXTRA = re.compile(r"^\s*(?:extra|on top|more)\b", re.I)
_COPULA = re.compile(r"^(?:is|are|was|were)(?: now| still| currently)?$")
_TIME = re.compile(r"\b\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.|h)?\b|\bnoon\b|\bmidnight\b", re.I)
_CLOCK = re.compile(r"\b\d{1,2}(?:[:.]\d{2}\s*(?:am|pm|h)?|\s*(?:am|pm|a\.m\.|p\.m\.))(?!\w)|\bnoon\b|\bmidnight\b", re.I)


def name(predicate: str, after: str = "", obj: str = "") -> str | None:
    """The attribute a predicate names, qualified by the day it holds on, or None."""
    pred = " ".join(predicate.lower().split())
    attr = next((a for pattern, a in _VERBS if re.search(pattern, pred)), None)
    if attr is None:
        if _COPULA.match(pred) and _MONEY.search(obj) and _EXTRA.match(after or ""):
            return "surcharge"  # "saturday deliveries are £40 extra" (session 13)
        return per("price", after) if _COPULA.match(pred) and _MONEY.search(obj) else None
    if attr in ("start", "end"):  # a date or a time, by the object
        attr = f"{attr} {'time' if _TIME.search(obj) and not _DATE.search(obj) else 'date'}"
    if attr in ("departure time", "arrival time", "opening time", "closing time") and _DATE.search(obj) \
            and not _CLOCK.search(obj) and not _WEEKDAY.search(obj):  # "opens on 1 March" (session 13)
        attr = attr.replace(" time", " date")  # "departs on 14 August"
    if attr == "location" and re.match(r"^\s*(?:is|are)\s+on\b", pred):  # "is on Thursdays" is when, not where
        attr = "time" if _CLOCK.search(obj) else "day" if _WEEKDAY.search(obj) else "date" if _DATE.search(obj) \
            else attr
    if attr in ("opening time", "closing time", "start time", "end time", "departure time", "arrival time"):
        m = _QUALIFIER.search(after) or _QUALIFIER.search(predicate)  # the day nearest after the value first
        if m:
            attr = f"{_DAYS[m.group(1).lower()]} {attr}"
    return per(attr, after)


def per(relation: str, after: str) -> str:
    """A price counted per a period or a person says so: ("price", " a month") -> "monthly
    price", ("price", " per person") -> "price per person"; any other relation is unchanged."""
    m = _PER.match(after or "")
    if not m or relation.lower() not in _PER_RELATIONS:
        return relation
    unit = m.group(1).lower()
    return f"{relation} per {'person' if unit == 'head' else unit}" if unit in ("person", "head") \
        else f"{_PER_WORD[unit]} {relation}"


# --- a contact value's relation names its type (issue 15, session 14) ---------------------------

# Off (lead's review, session 14): on the trial's full pipeline it renamed a fax number's and a
# bookings e-mail's relation to the plain type, so a taught fax number was written over the main
# phone row (rounds 1-10: 4 turns right -> wrong); its gain on the extract check sets was +0.004.
VALUE_TYPE = False
# A relation already naming the type (or a kind of it: "fax number", "WhatsApp number") stands.
# A bare "number" does not: it is as often a count.
_NAMES_TYPE = {"phone": re.compile(r"\b(?:phone|line|mobile|cell|fax|whatsapp|landline|hotline|telephone)\b|"
                                   r"\w\s+number\b", re.I),
               "email": re.compile(r"\b(?:e-?mail|address|inbox)\b", re.I),
               "url": re.compile(r"\b(?:website|site|web|url|page|link|address)\b", re.I)}


def value_type(items: list[dict]) -> list[dict]:
    """A fact whose whole object is a phone number, e-mail or web address has the relation
    that names that type (`phone number`, `email address`, `website`, as the corpus's train
    gold writes every one of them) unless its relation names the type already: on new domains
    the relation head gives such values "number", "name", "requirement" or "location"."""
    if not VALUE_TYPE:
        return items
    from lic_cli.extract.passing import _TYPE, contacts

    out = []
    for item in items:
        obj = str(item.get("object") or "").strip()
        found = contacts(obj) if item.get("kind") == "fact" and obj else []
        if len(found) == 1 and found[0][1] == obj and not _NAMES_TYPE[found[0][2]].search(str(item.get("relation", ""))):
            item = {**item, "relation": _TYPE[found[0][2]]}
        out.append(item)
    return out
