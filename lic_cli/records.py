"""The record contract: transcript turns, chat-format normalization and conversation context.

A turn is `{"conversation": "c1", "turn": 3, "role": "user", "text": "..."}`; each
stage adds one key (intent, knowledge, routes, edits) and passes everything else
through. See docs/records.md.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Iterable
from typing import Any

from lic_cli.errors import RecordError

ROLES = ("user", "assistant", "system")
_ROLE_ALIASES = {"human": "user", "gpt": "assistant", "bot": "assistant", "model": "assistant",
                 "chatgpt": "assistant", "assistant": "assistant", "user": "user", "system": "system"}


def _role(value: Any, field: str) -> str:
    role = _ROLE_ALIASES.get(str(value).lower()) if isinstance(value, str) else None
    if role is None:
        raise RecordError(f"unknown role {value!r} (expected user, assistant or system)", field=field)
    return role


def _text(value: Any, field: str) -> str:
    if isinstance(value, str):
        return value
    # OpenAI content parts: [{"type": "text", "text": "..."}]
    if isinstance(value, list) and all(isinstance(p, dict) for p in value):
        return "".join(str(p.get("text", "")) for p in value if p.get("type", "text") == "text")
    raise RecordError(f"expected a string, got {type(value).__name__}", field=field)


def normalize(obj: dict, counters: dict[str, int], *, default_conversation: str) -> list[dict]:
    """Turn one input object into zero or more turn records.

    - a turn (`role` + `text`, or `content`) passes through with its keys untouched,
      gaining `conversation` / `turn` only when it lacks them;
    - OpenAI `{"messages": [...]}` and ShareGPT `{"conversations": [...]}` expand into
      one turn per message; the container's other keys are copied onto each turn.
    """
    if "role" in obj or "from" in obj and "value" in obj:
        return [_plain_turn(obj, counters)]
    for key, role_key, text_key in (("messages", "role", "content"), ("conversations", "from", "value")):
        if key in obj:
            msgs = obj[key]
            if not isinstance(msgs, list):
                raise RecordError(f"expected a list of messages, got {type(msgs).__name__}", field=key)
            extra = {k: v for k, v in obj.items() if k not in (key, "id", "conversation")}
            conv = str(obj.get("conversation", obj.get("id", default_conversation)))
            turns = []
            for i, msg in enumerate(msgs):
                if not isinstance(msg, dict):
                    raise RecordError("expected a message object", field=f"{key}[{i}]")
                if role_key not in msg or text_key not in msg:
                    raise RecordError(f"message needs '{role_key}' and '{text_key}'", field=f"{key}[{i}]")
                turn = {"conversation": conv, "turn": i + 1,
                        "role": _role(msg[role_key], f"{key}[{i}].{role_key}"),
                        "text": _text(msg[text_key], f"{key}[{i}].{text_key}")}
                turn.update(extra)
                turns.append(turn)
            return turns
    raise RecordError("not a turn: needs 'role' and 'text' (or a 'messages' / 'conversations' list)")


def _plain_turn(obj: dict, counters: dict[str, int]) -> dict:
    if "from" in obj and "role" not in obj:  # a single ShareGPT message
        obj = {"role": obj["from"], "text": obj.get("value"),
               **{k: v for k, v in obj.items() if k not in ("from", "value")}}
    if "text" not in obj:
        if "content" not in obj:
            raise RecordError("turn has no 'text'", field="text")
        obj = {("text" if k == "content" else k): v for k, v in obj.items()}
    role = _role(obj["role"], "role")
    text = _text(obj["text"], "text")
    if role != obj["role"] or text is not obj["text"]:
        obj = {**obj, "role": role, "text": text}
    conv = obj.get("conversation")
    if conv is None:
        conv = "default"
        obj = {"conversation": conv, **obj}
    turn = obj.get("turn")
    if turn is None:
        turn = counters.get(str(conv), 0) + 1
        obj = {**obj, "turn": turn}
    elif not isinstance(turn, int) or isinstance(turn, bool):
        raise RecordError(f"expected an integer, got {turn!r}", field="turn")
    counters[str(conv)] = max(counters.get(str(conv), 0), turn)
    return obj


def is_user(rec: dict) -> bool:
    return rec.get("role") == "user"


def is_teaching(rec: dict) -> bool:
    intent = rec.get("intent")
    return isinstance(intent, dict) and intent.get("label") in ("teach", "correct", "forget")


class Context:
    """Recent turns per conversation, so a stage can see what came before a turn.

    Bounded twice (turns per conversation, conversations tracked) so memory stays flat
    however long the transcript is.
    """

    def __init__(self, depth: int = 6, conversations: int = 10000) -> None:
        self.depth = depth
        self.max_conversations = conversations
        self._turns: OrderedDict[str, deque[dict]] = OrderedDict()

    def before(self, rec: dict) -> list[dict]:
        """The turns seen before `rec` in its conversation, oldest first."""
        return list(self._turns.get(str(rec.get("conversation")), ()))

    def add(self, rec: dict) -> None:
        key = str(rec.get("conversation"))
        turns = self._turns.get(key)
        if turns is None:
            turns = self._turns[key] = deque(maxlen=self.depth)
            if len(self._turns) > self.max_conversations:
                self._turns.popitem(last=False)
        else:
            self._turns.move_to_end(key)
        turns.append(rec)


def last(turns: list[dict], role: str) -> dict | None:
    """The most recent turn of a role in `turns` (as returned by Context.before)."""
    for t in reversed(turns):
        if t.get("role") == role:
            return t
    return None


def previous_exchange(turns: list[dict]) -> tuple[str, str]:
    """(previous user text, previous assistant text) before a turn; empty strings when absent.

    The user text is the one the previous assistant turn answered.
    """
    assistant_idx = next((i for i in range(len(turns) - 1, -1, -1) if turns[i].get("role") == "assistant"), None)
    if assistant_idx is None:
        return "", ""
    prev_user = last(turns[:assistant_idx], "user")
    return (prev_user or {}).get("text", ""), turns[assistant_idx].get("text", "")


# Between the turns of a classifier's context: BERT-style encoders know this token as a
# segment boundary, so "question [SEP] answer" keeps who said what apart.
CONTEXT_SEP = " [SEP] "


def join_context(turns: Iterable[str]) -> str:
    """The turns before a text (oldest first) as one classifier context; empty ones are skipped.

    Training rows (the context columns) and live transcripts (`previous_exchange`) both go
    through here, so a model sees its context the same way in both.
    """
    return CONTEXT_SEP.join(t for t in turns if t)
