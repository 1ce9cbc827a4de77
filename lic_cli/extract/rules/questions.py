"""The question a turn answers: the one the assistant just asked, or the user's own before it."""

from __future__ import annotations

import re

from lic_cli.extract.rules.text import _I, _clean, _sentences, _words

_QUESTION_START = re.compile(
    r"^(?:what|what's|who|who's|whom|whose|where|where's|when|why|how|which|is|are|am|was|were|do|does|did|"
    r"can|could|will|would|should|shall|may|might|have|has|had)\b", _I)
# Questions an assistant asks to move the chat along, not to learn something.
_RHETORICAL = re.compile(
    r"\b(?:anything else|can i help|could i help|may i help|help you with|would you like|do you want|"
    r"shall i|should i|is that (?:right|correct|ok|okay|all)|does that help|did that help|"
    r"is there anything|what else|how can i|how may i|want me to|like me to)\b", _I)


def _question_in(text: str) -> str:
    """The (last) question asked in a turn's text, or ''."""
    text = _clean(text)
    if not text:
        return ""
    asked = [s for s in _sentences(text) if s.endswith("?")]
    if asked:
        return asked[-1]
    return text if _QUESTION_START.match(text) and _words(text) <= 20 else ""


# "Could you tell me?", "What is it?": the assistant hands the user's question back.
_ASK_BACK = re.compile(r"^(?:.*,\s*)?(?:(?:could|can|would) you (?:tell me|let me know|check)|do you know)"
                       r"(?:\s+(?:it|that|this))?\??$", _I)
_IT = re.compile(r"\b(?:it|that)\?$", _I)
# "I don't know the express fee. What is it?": the thing "it" stands for.
_NAMED_THING = re.compile(r"\b(?:the|your|our)\s+(?P<np>[a-z][\w+-]*(?:\s+[a-z][\w+-]*){0,3}?)\s*(?:[.,;!]|$)", _I)


def _assistant_question(context: list[dict]) -> str:
    """The question the assistant asked in the turn right before this one, if a real one."""
    if not context or context[-1].get("role") != "assistant":
        return ""
    text = _clean(str(context[-1].get("text", "")))
    q = _question_in(text)
    if not q or _RHETORICAL.search(q):
        return ""
    if _ASK_BACK.match(q):
        return ""
    if _IT.search(q):
        before = text[: text.rfind(q)] if q in text else ""
        named = list(_NAMED_THING.finditer(before))
        if named:
            return _IT.sub(f"the {named[-1].group('np')}?", q)
        if _words(q) <= 3:
            return ""  # "What is it?" with nothing named: the user's own question is meant
    return q
