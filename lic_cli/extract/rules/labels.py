"""Label forms: a quoted example and the label (and task) the teacher gives it."""

from __future__ import annotations

import re

from lic_cli.extract.rules.text import _FULL_STOP, _I, Item

_Q = r"(?:\"(?P<dq>[^\"]+)\"|(?<![\w'])'(?P<sq>.+?)'(?!\w))"
# ("one", "this" are never the label: "'...' is one for technical")
_LABEL = r"(?:an?\s+)?(?!(?:one|ones|this|that|it|the|which|what)\b)(?P<label>[A-Za-z][\w-]*)"
_NOUN = (r"(?:\s+(?:ticket|tickets|example|examples|one|ones|message|messages|query|request|question|issue"
         r"|case|topic|label|category|class|turn|item|sample|thing|problem|complaint|bucket|queue|pile))?")
_TASK = (r"(?:,?\s+(?:for|in|under)\s+(?:the\s+)?(?P<task>[a-z][a-z0-9_-]*)"
         r"(?:\s+(?:task|dataset|labels?|set))?)?")
_TAIL = _LABEL + _NOUN + _TASK + r"\s*$"
# Between an example and its label: "'...' → billing", "'...' - technical", "'...' = account".
_SEP = r"(?:\s*(?:→|->|=>|=|:)\s*|\s+[-–—]+\s+)"
_CLASSIFIED = r"(?:labell?ed|tagged|classified|categori[sz]ed|marked|filed)(?:\s+(?:as|under|with))?\s+"
# The teacher's labelling verbs, with an optional softener ("I'd call '...' a shipping ticket").
_VERB = (r"(?:(?:please|just|i'd|i would|we'd|you can|you should|go ahead and)\s+)?"
         r"(?:label|tag|classify|mark|categori[sz]e|file|count|treat|call|consider|put|move|place|add|sort|route|stick"
         r"|throw|assign|group|lump)\s+")
_INTO = r"(?:(?:as|under|in|into|to|with)\s+(?:the\s+)?)"
_THESE = r"(?:this|it|that|these|those|them|the following)(?:\s+ones?)?\s+"
_LABEL_FORMS = [
    # '...' is a billing ticket / should be classified as returns / are both returns
    re.compile(r"^" + _Q + r"\s+(?:is|are|(?:should|shoud|shuold|shold|would|must|can)\s+be"
               r"|(?:(?:should|would|must|can)\s+)?counts?\s+as|=|->|→)\s+"
               r"(?:(?:both|all|definitely|clearly|obviously|really|actually|probably)\s+)?(?:" + _CLASSIFIED + r")?"
               + _TAIL, _I),
    # '...' → billing / '...' - technical
    re.compile(r"^" + _Q + _SEP + _TAIL, _I),
    # '...' belongs in / should go under billing
    re.compile(r"^" + _Q + r"\s+(?:(?:should|would|must|can)\s+)?(?:belongs?|goes|go|fits?|falls?)\s+"
               r"(?:in|to|under|with|into)\s+(?:the\s+)?" + _TAIL, _I),
    # Label '...' as shipping / File '...' under technical / I'd call '...' a shipping ticket
    re.compile(r"^" + _VERB + _Q + r"(?:\s+" + _INTO + r"?|" + _SEP + r")" + _TAIL, _I),
    # Tag this as technical: '...' / Put these under returns: '...' / Label this one technical: '...'
    re.compile(r"^" + _VERB + _THESE + _INTO + r"?" + _LABEL + _NOUN + _TASK + _SEP + _Q + r"[.!]?$", _I),
    # The (right) label for '...' is billing / Topic for '...': shipping
    re.compile(r"^(?:(?:the|my|our)\s+)?(?:(?:right|correct|proper|best|actual|real)\s+)?(?:label|topic|category|class|intent)"
               r"\s+(?:for|of)\s+" + _Q + r"(?:\s+(?:is|should be)\s+|" + _SEP + r")" + _TAIL, _I),
    # (That one's) a returns ticket: '...' / These are shipping tickets: '...'
    re.compile(r"^(?:(?:this|that|it|that one|this one|here's|here is|these|those|here are)(?:'s|\s+is|\s+are)?\s+)?"
               r"(?:an?\s+|some\s+)?(?P<label>[A-Za-z][\w-]*)\s+(?:ticket|example|one|message)s?" + _TASK + _SEP + _Q
               + r"[.!]?$", _I),
    # Example (ticket) for billing: '...'
    re.compile(r"^(?:an?\s+|another\s+)?(?:example|sample)(?:\s+(?:ticket|message|text|turn))?\s+(?:for|of)\s+"
               r"(?:the\s+)?(?P<label>[A-Za-z][\w-]*)(?:\s+(?:label|topic|tickets?|class))?" + _TASK + _SEP + _Q
               + r"[.!]?$", _I),
    # Use returns for '...'
    re.compile(r"^(?:please\s+)?(?:use|pick|choose|go with|apply)\s+" + _LABEL + _NOUN + _TASK + r"\s+(?:for|on)\s+" + _Q
               + r"[.!]?$", _I),
    # billing: '...' (the label alone before a colon)
    re.compile(r"^(?P<label>[A-Za-z][\w-]*)" + _TASK + r"\s*:\s*" + _Q + r"[.!]?$", _I),
    # Any short frame around one example that ends in the label: "'...' is one for technical",
    # "The ticket '...' belongs to billing", "'...', that's returns", "'...' both go under product"
    re.compile(r"^(?P<frame>)(?:(?:the\s+)?(?:ticket|example|message|text|query|request|complaint)\s+)?" + _Q
               + r",?\s+(?:(?:that's|that is|it's|it is|this is|which is)\s+|(?:[\w']+\s+){0,3}?"
               r"(?:as|under|in|into|to|for|with|is|are|be)\s+)(?:the\s+)?" + _TAIL, _I),
    # ... or starts with it: "Under billing: '...'", "Label as account: '...'", "Here's one for account: '...'"
    re.compile(r"^(?P<frame>)(?:[\w']+\s+){0,3}?(?:as|under|in|into|for)\s+(?:the\s+)?" + _LABEL + _NOUN + _TASK + r"\s*[:—–-]+\s*"
               + _Q + r"[.!]?$", _I),
    # Label where is my parcel as shipping (unquoted: only with a verb first and `as` last)
    re.compile(r"^" + _VERB + r"(?!this\b|it\b|that\b)(?P<raw>.+?)\s+as\s+" + _TAIL, _I),
]
# Words that end a "for ..." phrase but do not name a task.
_REJECTED_LABEL = re.compile(
    r",?\s+(?:not|rather than|instead of)\s+(?:an?\s+)?[\w-]+(?:\s+(?:ticket|one|example))?(?=,?\s+(?:for|in|under)\s|$)",
    _I)
_NOT_TASKS = {"customers", "customer", "users", "user", "us", "me", "you", "them", "people", "now", "sure",
              "example", "instance", "real", "good", "later", "reference", "training"}
# "'...' is correct" is a verdict, unless a task is named whose labels include it.
_VERDICTS = {"not", "wrong", "right", "correct", "true", "false", "good", "bad", "fine", "ok", "okay"}
# Question words and the nouns that introduce a quote ("Customer: '...'") are never labels.
_NOT_LABELS = _VERDICTS | {"a", "an", "the", "this", "that", "it", "yes", "no", "which", "what", "who", "how", "where", "why",
               "when", "example", "examples", "ticket", "tickets", "text", "message", "customer", "user", "quote",
               "question", "note", "label", "topic", "category", "both", "all", "also", "same", "one", "me", "him",
               "her", "them", "us", "says", "said", "asked", "wrote", "typed", "another", "other", "more"}
# An unquoted example must read as a ticket, not as an object ("Mark my order as a gift").
_MIN_WORDS = 3


# "For ticket_topics, '...' is shipping": the task named before the example.
_TASK_FIRST = re.compile(r"^(?:for|in|under)\s+(?:the\s+)?(?P<task>[a-z][a-z0-9_-]*)(?:\s+(?:task|dataset|labels?|set))?"
                         r"\s*[,:]\s*(?=[\"']|" + _VERB + r")", _I)
# "For ticket_topics:" on a line of its own names the task of the examples below it.
_TASK_HEADING = re.compile(r"^(?:for|in|under)\s+(?:the\s+)?(?P<task>[a-z][a-z0-9_-]*)"
                           r"(?:\s+(?:task|dataset|labels?|set))?\s*:?$", _I)
# "'...' is billing, and '...' is returns": one label per quoted example.
_LABEL_SPLIT = re.compile(r"(?:,\s*|\s+)and\s+(?=[\"'])|[,;]\s+(?=[\"'])", _I)
# "'...', '...' and '...' are returns": several examples, one label.
_QUOTE = r"(?:\"[^\"]+\"|(?<![\w'])'.+?'(?!\w))"
_QUOTE_LIST = re.compile(_QUOTE + r"(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*;\s*)" + _QUOTE + r")+")
# "'...' is shipping and so is '...'": the second example gets the same label.
_SO_IS = re.compile(r",?\s+and\s+(?:so\s+(?:is|are|does|do)\s+(?P<q>" + _QUOTE + r")|(?P<q2>" + _QUOTE
                    + r")\s+(?:too|as well))$", _I)
# "Mark both '...' and '...' as shipping"
_BOTH = re.compile(r"\b(?:both|all of|each of|all)\s+(?=[\"'])", _I)
# "(it's over the free threshold)": an aside after the label.
_ASIDE = re.compile(r"\s*\([^()]*\)$")
# "'...' — shipping or returns?": a question offering labels.
_OPTIONS = re.compile(r"\b(?P<a>[a-z][\w-]*),?\s+or\s+(?P<b>[a-z][\w-]*)\s*\?$", _I)
# "Tickets like '...' go to billing": "like" introduces the example.
_LIKE = re.compile(r"^(?!(?:i'd|i|we'd|would)\s)(?:[a-z]+\s+)?like\s+(?=[\"'])", _I)
_PLEASE_END = re.compile(r",?\s+(?:please|thanks|thank you)$", _I)
_VERB_START = re.compile(r"^" + _VERB, _I)


def _labels(sentence: str) -> list[Item]:
    """The labels of a sentence: one, or one per example joined by `and`/`;`."""
    parts = [p for p in _LABEL_SPLIT.split(sentence) if p.strip()]
    if len(parts) > 1:
        # "Label '...' account and '...' technical": later examples share the first one's verb.
        verb = _VERB_START.match(parts[0])
        if verb:
            parts = [parts[0]] + [verb.group(0) + p if p.lstrip()[:1] in "\"'" else p for p in parts[1:]]
        items = [_label(p) for p in parts]
        if all(items):
            return items  # type: ignore[return-value]
    return _label_list(sentence)


def _label_list(sentence: str) -> list[Item]:
    """One label for a sentence, given to every example it lists."""
    text = _BOTH.sub("", _FULL_STOP.sub("", sentence.strip()))
    more: list[str] = []
    so = _SO_IS.search(text)
    if so:
        text = text[: so.start()]
        more.append(so.group("q") or so.group("q2"))
    listed = _QUOTE_LIST.search(text)
    if listed:
        found = re.findall(_QUOTE, listed.group(0))
        more = found[1:] + more
        text = text[: listed.start()] + found[0] + text[listed.end():]
    item = _label(text)
    if item is None:
        return []
    kind, fields = item
    first = re.search(_QUOTE, text)
    if not more or not first or fields["text"] != first.group(0)[1:-1].strip():
        return [item]
    return [item] + [(kind, {**fields, "text": q[1:-1].strip()}) for q in more]


def _label(sentence: str) -> Item | None:
    text = _PLEASE_END.sub("", _FULL_STOP.sub("", _ASIDE.sub("", _FULL_STOP.sub("", sentence.strip()))))
    m = _TASK_FIRST.match(text)
    if m:
        # "For ticket_topics: '...' is billing" names the task; "Under billing: '...'" the label.
        return _label_in(text[m.end():], m.group("task")) or _label_in(text, None)
    return _label_in(text, None)


def _label_in(text: str, named_task: str | None) -> Item | None:
    if named_task and named_task.lower() in _NOT_TASKS:
        named_task = None
    text = _LIKE.sub("", text, count=1)
    # "'...' is billing, not shipping" -> drop the rejected label.
    text = _REJECTED_LABEL.sub("", text)
    for form in _LABEL_FORMS:
        m = form.match(text)
        if not m:
            continue
        groups = m.groupdict()
        quoted = groups.get("dq") or groups.get("sq") or groups.get("raw") or ""
        label = m.group("label").lower()
        # An unquoted example, or one in a free frame, must read as a ticket: "'Aero 2' is also
        # available in white" names a product, it labels nothing.
        if (groups.get("raw") or groups.get("frame") is not None) and len(quoted.split()) < _MIN_WORDS:
            continue
        task = groups.get("task") or named_task
        if task and task.lower() in _NOT_TASKS:
            task = None
        # "'...' is correct" is a verdict, unless a task is named whose labels include it.
        if not quoted.strip() or label in _NOT_LABELS and not (task and label in _VERDICTS):
            continue
        fields = {"text": quoted.strip(), "label": label}
        if task:
            fields["task"] = task
        return "label", fields
    return None


def _task_heading(sentence: str) -> str:
    """The task a heading line names ("For ticket_topics:"), or ''."""
    m = _TASK_HEADING.match(sentence.strip())
    return m.group("task") if m and m.group("task").lower() not in _NOT_TASKS else ""


# A short answer that names a label: "Billing.", "That's an account one.", "Should be product.",
# "file it under returns", "Shipping, since it's about the delivery."
_ANSWER_LEAD = re.compile(
    r"^(?:(?:it|that|this|that one|this one)(?:'s|\s+is|\s+should\s+be|\s+would\s+be|\s+goes\s+(?:in|under|to)"
    r"|\s+belongs\s+(?:in|under|to))\s+|(?:should|would|must)\s+be\s+|(?:i'd say|i would say|make it)\s+"
    r"|(?:(?:i'd|i would|let's|we'd)\s+)?(?:go with|pick|choose|use)\s+"
    r"|(?:please\s+)?(?:label|tag|file|put|mark|move|classify|call|count)\s+(?:it|this|that|this one|that one|them)"
    r"\s+(?:(?:as|under|in|into|to|with)\s+)?(?:the\s+)?)", _I)
_ANSWER_WHY = re.compile(r"(?:,\s*|\s+)(?:since|because|as|given)\b.*$|,?\s+(?:not|rather than|instead of)\s+.+$"
                         r"|,?\s+(?:definitely|clearly|obviously|for sure|surely|i think|i'd say|probably)$", _I)
_ANSWER_LABEL = re.compile(r"^(?:an?\s+)?(?P<label>[a-z][\w-]*)(?:\s+(?:ticket|one|topic|example|question|issue"
                           r"|label|category))?$", _I)


def _label_value(text: str) -> str:
    """The label a short answer names, or ''."""
    text = _FULL_STOP.sub("", text.strip())
    text = _ANSWER_WHY.sub("", text)
    text = _ANSWER_LEAD.sub("", text, count=1)
    m = _ANSWER_LABEL.match(text)
    if not m or m.group("label").lower() in _NOT_LABELS:
        return ""
    return m.group("label").lower()


# "'...' — what topic is that?", "Which label should that ticket get?": a turn asking for a label.
_LABEL_QUESTION = re.compile(r"\b(?:topic|label|labell?ed|category|class|classify|intent|kind of ticket"
                             r"|type of ticket|(?:an?|\w+) ticket|(?:sounds|looks|seems) like)\b", _I)


def _example(turn: str, *, asked: bool = False) -> str:
    """The quoted example of a turn that asks for its label, gives it one ("I'd put '...' under
    billing"), or, with `asked`, whose label the next turn asks for."""
    quoted = re.search(_QUOTE, turn)
    if not quoted:
        return ""
    if asked or _LABEL_QUESTION.search(turn) or any(_labels(s) for s in re.split(r"(?<=[.!?])\s+", turn)):
        return _FULL_STOP.sub("", quoted.group(0)[1:-1].strip()).strip()
    return ""


def _label_answer(answer: str, user_turn: str, assistant_turn: str) -> Item | None:
    """A label given in a short answer ("Billing.", "No, it's shipping.") for the example the last
    exchange is about: quoted by the assistant, else by the user before it."""
    label = _label_value(answer)
    options = _OPTIONS.search(assistant_turn)
    offered = bool(options and label in (options.group("a").lower(), options.group("b").lower()))
    asks = offered or assistant_turn.rstrip().endswith("?") and bool(_LABEL_QUESTION.search(assistant_turn))
    text = _example(assistant_turn, asked=offered) or _example(user_turn, asked=asks)
    label = label if text else ""
    return ("label", {"text": text, "label": label}) if label else None


# An unquoted example in a labelling frame that holds the whole turn (the turn may hold a "?"
# of its own, so these are read before the turn is cut into sentences):
#   "<example> - that one's billing" / "<example> — that's a billing one"
#   "Example of billing: <example>" / "A sample for billing: <example>"
#   "Classify this enquiry as billing: <example>" / "Tag this message as access: <example>"
_EX_NOUN = r"(?:one|ticket|example|request|message|enquiry|inquiry|query|issue|question|case|complaint)"
_UNQUOTED_FORMS = [
    re.compile(r"^(?P<raw>.+?)\s*[-–—]+\s*(?:(?:that|this)\s+one(?:'s|\s+is)\s+(?:an?\s+)?(?P<label>[A-Za-z][\w-]*)"
               r"(?:\s+" + _EX_NOUN + r")?|(?:that's|that is|this is|it's|it is)\s+(?:an?\s+)?(?P<label2>[A-Za-z][\w-]*)"
               r"\s+" + _EX_NOUN + r")\s*[.!]?$", _I),
    re.compile(r"^(?:(?:an?|another|one more)\s+)?(?:example|sample|instance)\s+(?:of|for)\s+(?:the\s+)?"
               r"(?P<label>[A-Za-z][\w-]*)(?:\s+(?:label|class|category|tickets?|requests?|enquiry|enquiries))?\s*:\s*"
               r"(?P<raw>.+?)$", _I),
    re.compile(r"^(?:please\s+)?(?:classify|label|tag|file|mark|categori[sz]e|put)\s+(?:this|the following|the next)"
               r"(?:\s+(?:request|enquiry|inquiry|message|ticket|query|question|one|text|example|complaint))?\s+"
               r"(?:as|under|in|with)\s+(?:an?\s+)?(?P<label>[A-Za-z][\w-]*)\s*:\s*(?P<raw>.+?)$", _I),
]


# A quoted example inside an unquoted frame's words ("The message '...'", "Wrong label on '...'").
_INNER_QUOTE = re.compile(r"(?:^|(?<=\s))['\"\u2018\u201c](?P<q>[^'\"\u2018\u2019\u201c\u201d]+?)['\"\u2019\u201d]"
                          r"(?=$|[\s,.;:!?])")


_JUDGEMENTS = {"great", "nice", "funny", "new", "tough", "hard", "easy", "strange", "weird", "interesting", "big", "small",
               "long", "short", "old", "common", "rare", "real", "tricky", "silly", "classic", "fair", "valid"}


def unquoted_label(text: str) -> list[Item]:
    """A label for an example given without quotes in a frame that holds the whole turn."""
    said = text.strip()
    for form in _UNQUOTED_FORMS:
        m = form.match(said)
        if not m:
            continue
        label = (m.group("label") or m.groupdict().get("label2") or "").lower()
        raw = m.group("raw").strip()
        if raw[:1] in "'\"\u2018\u201c":
            return []  # a quoted example: the quoted forms read it (_LABEL_FORMS)
        inner = _INNER_QUOTE.search(raw)
        if inner:  # "Wrong category on '<example>' - it's a delivery one": the quoted words are the example
            raw = inner.group("q").strip()
        if len(raw.split()) < _MIN_WORDS or not label or label in _NOT_LABELS or label in _JUDGEMENTS:
            continue
        return [("label", {"text": raw, "label": label})]
    return []


# A relabel in a free frame around one quoted example, the label named last: "Move '...' from
# repairs to hire please", "Wrong team on '...' - it belongs with exams", "That spaniels
# message, '...', should go to enquiries", "'...' isn't a valeting request, it's a complaint",
# "The '...' one is really a design job"; or named before it: "heres another parts example:
# '...'". A fallback: only when no other form read a label from the turn, and only for an
# example of three words or more with a cue of (re)labelling outside the quote.
_ONE_QUOTE = re.compile(r"\"(?P<dq>[^\"]+)\"|(?<![\w'])'(?P<sq>[^']+?(?:'[a-z][^']*?)*)'(?!\w)|\u2018(?P<lq>[^\u2019]+)\u2019"
                        r"|\u201c(?P<ldq>[^\u201d]+)\u201d")
_RELABEL_CUE = re.compile(r"\b(?:move|moved|put|file|filed|belongs?|goes|go|send|shift|switch|re-?label|wrong|isn't|is not"
                          r"|not an?|really|actually|label|labell?ed|tag|tagged|(?:re-?)?categor\w*|(?:re-?)?classif\w*"
                          r"|team|bucket|queue|pile"
                          r"|example|examples)\b", _I)
_DEST_END = re.compile(
    r"(?:\b(?:to|into|under|with|in|as)|\b(?:it's|it is|that's|that is|is|are|'s)(?:\s+(?:really|actually|more|just|clearly))?)"
    r"\s+(?:an?\s+|the\s+)?(?P<label>[A-Za-z][\w-]*)(?:\s+(?:job|jobs|enquiry|enquiries|matter|request|one|ones"
    r"|ticket|tickets|question|issue|message|example|thing|problem|case|category|team|pile|queue|bucket))?"
    # the label it is not, said after: "as supply, it isn't a leak", "as billing? Not a bookings one."
    r"(?:\s*[,;?.!\u2013\u2014-]\s*(?:(?:it|that)(?:'s|\s+is)\s+not|(?:it|that)\s+isn't|not)\s+(?:an?\s+|the\s+)?[\w-]+"
    r"(?:\s+[\w-]+)?)?"
    r"(?:,?\s+(?:please|instead|thanks|really|actually))?\s*[.!]?$", _I)
# Session 11: where the example is now, said after the label it should have ("It was sitting in
# animals.", "somebody filed it under keys", "it's under bookings at the moment"), and why ("-
# it's about a receipt, not ..."): not the destination.
_WHO_NOW = (r"(?:(?:it|that|this)(?:\s+was|'s|\s+is|\s+has been)|(?:somebody|someone|they|we|you)(?:\s+\w+)?"
            r"|some(?:one|body) else)")
_VERB_NOW = (r"(?:sitting|filed|sorted|put|placed|labell?ed|tagged|stuck|moved|currently)(?:\s+it)?\s+"
             r"(?:(?:currently|wrongly|by mistake)\s+)?")
_WHERE_NOW = re.compile(
    rf"(?:\s*[,.;?!\u2013\u2014-]\s*|\s+){_WHO_NOW}\s+(?:{_VERB_NOW})?(?:in|under|as|with|into)\s+"
    r"(?:the\s+)?[\w-]+(?:\s+(?:pile|queue|bucket|team|category|ones?))?"
    r"(?:\s+(?:by mistake|at the moment|currently|now|for now|wrongly))?\s*[.!?]?$", _I)
_WHY_AFTER = re.compile(r"(?:\s*[\u2013\u2014-]\s+(?:it(?:'s| is) about|since|because|as)\b|,\s+(?:since|because)\b).*$", _I)
_NAMED_BEFORE = re.compile(r"\b(?:another|one more|an?|new|extra)\s+(?P<label>[A-Za-z][\w-]*)\s+(?:example|one|ticket"
                           r"|message|request|question|enquiry|sample)s?\s*[:,-]?\s*$", _I)
_NOT_A_LABEL = {"one", "ones", "this", "that", "it", "the", "a", "an", "which", "what", "there", "here", "me", "us",
                "you", "them", "please", "right", "wrong", "correct", "example", "ticket", "request", "question",
                "message", "team", "category", "label", "pile", "queue", "bucket", "now", "instead", "again"}


_FORGET_FIRST = re.compile(r"\b(?:throw (?:out|away)|delete|remove|forget|drop|bin|wipe|erase|get rid of|scrap|"
                          r"take out|trash|ditch)\b", _I)


def quoted_relabel(text: str) -> list[Item]:
    quotes = list(_ONE_QUOTE.finditer(text))
    if len(quotes) != 1:
        return []
    m = quotes[0]
    example = next(v for v in m.groupdict().values() if v).strip()
    if len(example.split()) < 3:
        return []
    before, after = text[:m.start()], text[m.end():]
    if not _RELABEL_CUE.search(before + " " + after) or _FORGET_FIRST.search(before):
        return []  # "Throw out that '...' message, it's spam, not a patron" is a forget, not a relabel
    tail = _DEST_END.search(after.strip())
    if not tail or _WHERE_NOW.search(after):
        # "'...' goes to accounts - it's about a receipt", "Can you move '...' to schools? It was
        # sitting in animals.": the destination before where it is now, or before why
        trimmed = _WHY_AFTER.sub("", _WHERE_NOW.sub("", after)).strip()
        if trimmed.endswith("?") and _WHERE_NOW.search(after):  # "Can you move '...' to schools? It was ..."
            trimmed = trimmed[:-1]
        tail = _DEST_END.search(trimmed) if trimmed and trimmed != after.strip() else tail
    head = _NAMED_BEFORE.search(before.strip()) if not after.strip(" .!") else None
    found = tail or head
    if not found or found.group("label").lower() in _NOT_A_LABEL:
        return []
    return [("label", {"text": example, "label": found.group("label").lower()})]


# --- a label from a set the turn names (session 13) -----------------------------------------------

LISTED = True  # "Sort these as membership, fixtures or social: '...' is membership"
_LISTED_LINK = re.compile(r"^\s*(?:,?\s*(?:is|=|->|→|:|[-–—]+|(?:would|should|must|will)\s+be|(?:goes|go|belongs?|fits?|falls?)"
                          r"\s+(?:in|under|into|to|with)|counts?\s+as|that's|it's)\s+)(?:(?:an?|the)\s+)?"
                          r"(?P<label>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,2}?)(?:\s+(?:one|ticket|type|job|enquiry|category))?"
                          r"[\s.!]*$", _I)


def listed_label(text: str) -> list[Item]:
    """One quoted example whose label, said after it, is one of a list of two or more labels
    the turn names before it ("enquiry types are sweep, repair, inspection, other. '...' would be
    repair"; "For the job types - domestic, commercial, emergency: '...' is emergency")."""
    if not LISTED:
        return []
    quotes = list(re.finditer(_Q, text))
    if len(quotes) != 1:
        return []
    q = quotes[0]
    example = (q.group("dq") or q.group("sq") or "").strip()
    m = _LISTED_LINK.match(text[q.end():])
    if not m or len(example.split()) < _MIN_WORDS:
        return []
    label = m.group("label").strip()
    before = text[:q.start()]
    listed = re.compile(rf"(?:^|[\s,:;\u2013\u2014-]){re.escape(label)}(?=\s*(?:,|\bor\b|\band\b|[.:;\u2013\u2014-]|$))", re.I)
    names_list = len(re.findall(r",", before)) >= 1 and re.search(r",[^,]+(?:,|\bor\b|\band\b)|,\s*[\w-]+\s*[.:\u2013\u2014-]",
                                                                 before)
    if label.lower() in _NOT_LABELS or not names_list or not listed.search(before):
        return []
    return [("label", {"text": example, "label": label})]
