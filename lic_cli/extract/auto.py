"""The `auto` engine: the rules where they are sure, the learned engine elsewhere.

Per turn, the rules run first (microseconds). Their items are kept when every item is of
a kind the rules are sure of (`SURE`, chosen on the dev domains of the teaching corpus:
docs/extract.md, "auto"); otherwise (nothing found, or a kind they are not sure of) the
turn goes to the learned engine, loaded (and trained on first use) only when a turn needs it.
Each turn's items say which engine wrote them (`engine`).
"""

from __future__ import annotations

from collections.abc import Callable

from lic_cli.extract.engine import Engine, Outcome, RulesEngine, Turn

# Kinds whose rule output is trusted as it is. Measured on the teaching corpus's dev domains
# (rules field precision per kind): span 1.00 and forget 0.93 kept; qa, fact and label go
# to the learned engine, whose precision there is higher (docs/extract.md, "auto").
SURE = frozenset({"span", "forget"})


class AutoEngine:
    name = "auto"

    def __init__(self, learned: Callable[[], Engine] | None = None, sure: frozenset[str] = SURE) -> None:
        self.rules = RulesEngine()
        self._learned_factory = learned or _learned
        self._learned: Engine | None = None
        self.sure = sure
        self.model = None

    @property
    def learned(self) -> Engine:
        if self._learned is None:
            self._learned = self._learned_factory()
            self.model = getattr(self._learned, "model", None)
        return self._learned

    def extract(self, turns: list[Turn]) -> list[Outcome]:
        out = self.rules.extract(turns)
        rest = [i for i, o in enumerate(out) if not (o.items and all(f.get("kind") in self.sure for f in o.items))]
        for i, o in enumerate(out):
            o.engine = "rules"
        if rest:
            for i, o in zip(rest, self.learned.extract([turns[i] for i in rest]), strict=True):
                o.engine = getattr(self._learned, "name", "learned")
                out[i] = o
        return out


def _learned() -> Engine:
    from lic_cli.extract.learned import LearnedEngine

    return LearnedEngine.load()
