"""A conversation: user lines in, transcript turns out (the only stage that creates records)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lic_cli.chat.backend import DEFAULT_SYSTEM


class Session:
    def __init__(self, backend, *, conversation: str = "chat", system: str = DEFAULT_SYSTEM,
                 history: int = 12) -> None:
        self.backend = backend
        self.conversation = conversation
        self.system = system
        self.history = history  # turns of context given to the model
        self.turns: list[dict] = []

    def _turn(self, role: str, text: str, **extra) -> dict:
        rec = {"conversation": self.conversation, "turn": len(self.turns) + 1, "role": role, "text": text, **extra}
        self.turns.append(rec)
        return rec

    def say(self, text: str) -> tuple[dict, dict]:
        """One exchange: the user's turn and the assistant's reply, as records."""
        user = self._turn("user", text)
        messages = [{"role": "system", "content": self.system}]
        messages += [{"role": t["role"], "content": t["text"]} for t in self.turns[-self.history:]]
        reply = self.backend.reply(messages)
        return user, self._turn("assistant", reply, model=self.backend.name)


def run(lines: Iterable[str], *, session: Session) -> Iterator[dict]:
    """Each non-blank line is a user message; yields the user turn and the reply."""
    for line in lines:
        text = line.strip()
        if text:
            yield from session.say(text)
