"""The `auto` engine: the rules where they are sure, the learned engine elsewhere.

Per turn, the rules run first (microseconds). Their items are kept when every item is of
a kind the rules are sure of (`SURE`, chosen on the dev domains of the teaching corpus:
docs/extract.md, "auto"); otherwise (nothing found, or a kind they are not sure of) the
turn goes to the learned engine, loaded only when a turn needs it. Each turn's items say
which engine wrote them (`engine`).

The learned engine takes minutes to train, so `auto` never trains it: until it has been
trained once on this machine (`lic extract --engine learned`, cached in $LIC_HOME), `auto`
is the rules alone, and says so once on stderr.
"""

from __future__ import annotations

from collections.abc import Callable

from lic_cli.extract.engine import Engine, Outcome, RulesEngine, Turn

# Kinds whose rule output is trusted as it is. Measured on the teaching corpus's dev domains
# (field precision of the rules per kind, teaching turns): span 1.00 and label 1.00 kept, and
# cued notes ("A bit about me: ...": 10 of 15 exact, against a note field F1 of 0.31 for the
# learned engine); qa 0.31, forget 0.28 and fact 0.00 go to the learned engine (docs/extract.md).
SURE = frozenset({"span", "label", "note"})


class AutoEngine:
    name = "auto"

    def __init__(self, learned: Callable[[], Engine | None] | None = None, sure: frozenset[str] = SURE) -> None:
        self.rules = RulesEngine()
        self._learned_factory = learned or _learned
        self._learned: Engine | None = None
        self.sure = sure
        self.model = None

    @property
    def learned(self) -> Engine | None:
        if self._learned is None and self._learned_factory is not None:
            self._learned = self._learned_factory()
            self._learned_factory = None  # asked once: None means "not trained here"
            self.model = getattr(self._learned, "model", None)
        return self._learned

    def extract(self, turns: list[Turn]) -> list[Outcome]:
        out = self.rules.extract(turns)
        rest = [i for i, o in enumerate(out) if not (o.items and all(f.get("kind") in self.sure for f in o.items))]
        for o in out:
            o.engine = "rules"
        if rest and self.learned is not None:
            for i, o in zip(rest, self.learned.extract([turns[i] for i in rest]), strict=True):
                o.engine = getattr(self._learned, "name", "learned")
                out[i] = o
        return out


def _learned() -> Engine | None:
    import sys

    from lic_cli.extract.learned import LearnedEngine, trained_path

    if trained_path() is None:
        print("extract: auto uses the rules alone: the learned engine is not trained on this machine yet "
              "(run `lic extract --engine learned` once: it trains in about 10 minutes on 2 cores)",
              file=sys.stderr, flush=True)
        return None
    return LearnedEngine.load()
