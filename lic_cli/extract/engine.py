"""The one interface every extract engine implements, and the rules engine behind it.

An engine reads a batch of turns and returns, for each, the knowledge fields it found
or the reason its output was invalid. It never builds statements or sources (`run`
does, with `schema.make_item`), so every engine's items share one shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from lic_cli.extract import rules

Fields = dict[str, str]  # {"kind": ..., <kind fields>}


@dataclass(frozen=True)
class Turn:
    text: str
    context: list[dict]  # earlier turns of the conversation, oldest first
    label: str  # the turn's intent: teach, correct or forget


@dataclass
class Outcome:
    """What an engine made of one turn: items, or `error` when its output failed validation."""

    items: list[Fields] = field(default_factory=list)
    error: str | None = None
    output: str | None = None  # the model's raw answer (kept on errors, for --rejects)
    repaired: bool = False  # the first answer was invalid and the repair retry fixed it
    engine: str | None = None  # the engine that read this turn, when it is not the engine called (auto)


class Engine(Protocol):
    name: str

    def extract(self, turns: list[Turn]) -> list[Outcome]:
        """One outcome per turn, in order."""
        ...


class RulesEngine:
    """Deterministic patterns (the `rules` package): instant, no model."""

    name = "rules"

    def extract(self, turns: list[Turn]) -> list[Outcome]:
        return [Outcome(items=[{"kind": kind, **fields} for kind, fields in rules.extract(t.text, t.label, t.context)])
                for t in turns]
