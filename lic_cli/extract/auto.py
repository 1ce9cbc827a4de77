"""The `auto` engine: the rules where they are sure, the learned engine elsewhere.

Per turn, the rules run first (microseconds). Their items are kept when every item is of
a kind the rules are sure of (`SURE`, chosen on the dev domains of the teaching corpus:
docs/extract.md, "auto"); otherwise (nothing found, or a kind they are not sure of) the
turn goes to the learned engine, loaded only when a turn needs it. Each turn's items say
which engine wrote them (`engine`).

The learned engine is trained the first time `auto` needs it on this machine (about a
minute on 2 cores, with progress lines on stderr; cached in $LIC_HOME). With
LIC_EXTRACT_TRAIN=0 it is not: until it has been trained (`lic extract --engine learned`),
`auto` is then the rules alone, and says so once on stderr.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from lic_cli.extract.engine import Engine, Outcome, RulesEngine, Turn
from lic_cli.extract.rules.corrections import succession

# Kinds whose rule output is trusted as it is. Measured on the teaching corpus's dev domains
# (field precision of the rules per kind, teaching turns): span 1.00 and label 1.00 kept, and
# cued notes ("A bit about me: ...": 10 of 15 exact, against a note field F1 of 0.31 for the
# learned engine); qa 0.31, forget 0.28 and fact 0.00 go to the learned engine (docs/extract.md).
SURE = frozenset({"span", "label", "note"})
# A forget of one labelled example ("Drop the example 'x' from billing": the rules write
# "the billing example 'x'", rules/forget.label_example_target) is sure as well: the quoted
# text is what locate deletes, and the learned engine cuts quotes (dev: 7 of 7 exact by the
# rules, 0 of 7 by the learned engine).


_EXAMPLE_TARGET = re.compile(r"^the (?:[\w-]+ )?example '.+'$", re.S)


def is_sure(item: dict, sure: frozenset[str] = SURE) -> bool:
    kind = item.get("kind")
    return kind in sure or (kind == "forget" and bool(_EXAMPLE_TARGET.match(str(item.get("target", "")))))


def _forgets(outcome: Outcome) -> bool:
    """The rules found forgets only. When the learned engine finds nothing in such a turn, the
    rules' forgets stand: a bare "Forget that." after an answer is a forget of that answer for
    the rules, while the learned engine, trained on targets said in the turn, returns nothing
    there, and the forget was lost end to end. Other kinds are not kept this way: the rules'
    qa and fact items on turns the learned engine leaves empty are mostly look-alikes (dev:
    keeping every kind drops look-alikes kept empty from 0.994 to 0.972)."""
    return bool(outcome.items) and all(f.get("kind") == "forget" for f in outcome.items)


ASKED_STANDS = True  # session 10: the rules' answer to a question said in the turn stands where the learned engine finds nothing


def _asked(outcome: Outcome, turn: Turn | None) -> bool:
    """The rules found qa items only, each a question said word for word in the turn and
    answered there ("When people ask 'Where is the cloakroom?', tell them next to the main
    staircase."). Where the learned engine finds nothing in such a turn (a wording no train
    domain uses), the rules' items stand (dev: 9 of 9 such turns exact by the rules)."""
    if turn is None or not outcome.items or not all(f.get("kind") == "qa" for f in outcome.items):
        return False
    said = " ".join(turn.text.lower().split())
    return all(" ".join(str(f.get("question", "")).lower().split()).rstrip("?") in said for f in outcome.items)


# Session 13: a yes or no answering the question the user asked just before ("Do I need to be
# home when it goes up?" / "I don't know" / "no, as long as we can get into the garden"), which
# the rules read with the question from the context; dev: +0.0004, fresh12 +0.007, look-alikes
# kept empty unchanged (0.994); any rules' qa answering the last question lowered them to 0.979.
ANSWERED_STANDS = True


def _answered(outcome: Outcome, turn: Turn | None) -> bool:
    if turn is None or not outcome.items or not all(f.get("kind") == "qa" for f in outcome.items):
        return False
    from lic_cli.extract.repair import last_question

    asked = last_question(turn.context)
    if asked is None:
        return False

    def bare(q: object) -> str:
        return " ".join(str(q).lower().rstrip("?").split())

    return all(bare(f.get("question", "")) == bare(asked) and str(f.get("answer", "")).lower().startswith(("yes", "no"))
               for f in outcome.items)


def _stands(outcome: Outcome, turn: Turn | None) -> bool:
    """The rules' items stand where the learned engine found nothing (`_forgets`, `_asked`,
    `_answered`)."""
    return _forgets(outcome) or (ASKED_STANDS and _asked(outcome, turn)) or (ANSWERED_STANDS and _answered(outcome, turn))


def _decided(outcome: Outcome, sure: frozenset[str], turn: Turn | None = None) -> bool:
    """The rules' items stand: each is of a sure kind, or the turn hands a role to someone new
    ("X retired; the head librarian is now Y": rules/corrections.succession, which the learned
    engine reads as a fact with a fragment of the old holder)."""
    if not outcome.items:
        return False
    if all(is_sure(f, sure) for f in outcome.items):
        return True
    return turn is not None and bool(succession(turn.text, turn.context))


# How auto combines the two engines: `corpus` (rules for SURE kinds, learned for the rest),
# `rules-first` (rules whenever they find something, learned when they find nothing) and
# `rules` (the rules alone). `corpus` unless the project has its own extraction dataset, in
# which case the policy scoring best on that dataset's dev rows is used (`choose_policy`).
POLICIES = ("rules", "rules-first", "corpus")
MIN_DEV_ROWS = 20


class AutoEngine:
    name = "auto"

    def __init__(self, learned: Callable[[], Engine | None] | None = None, sure: frozenset[str] = SURE,
                 project: Any = None, generative: Callable[[], Engine | None] | None = None) -> None:
        self.rules = RulesEngine()
        self._learned_factory = learned or _learned
        self._learned: Engine | None = None
        self._generative_factory = generative or _generative
        self._generative: Engine | None = None
        self.sure = sure
        self.model = None
        self.project = project
        self._policy: str | None = None

    @property
    def learned(self) -> Engine | None:
        if self._learned is None and self._learned_factory is not None:
            self._learned = self._learned_factory()
            self._learned_factory = None  # asked once: None means "not trained here"
            self.model = getattr(self._learned, "model", None)
        return self._learned

    @property
    def generative(self) -> Engine | None:
        """The generative engine where it is trained (or LIC_EXTRACT_GENERATIVE=1 asks to train it)
        and GENERATIVE_ROUTE is set; None otherwise. Asked once."""
        if self._generative is None and self._generative_factory is not None:
            self._generative = self._generative_factory() if GENERATIVE_ROUTE else None
            self._generative_factory = None
        return self._generative

    @property
    def policy(self) -> str:
        if self._policy is None:
            if rules_suffice(self.project, self.rules):
                self._policy = "rules"  # the project's own dataset: no need to train or load the learned engine
            else:
                learned = self.learned
                self._policy = "rules" if learned is None else choose_policy(self.project, self.rules, learned,
                                                                             self.sure)
        return self._policy

    def extract(self, turns: list[Turn]) -> list[Outcome]:
        out = self.rules.extract(turns)
        for o in out:
            o.engine = "rules"
        if all(_decided(o, self.sure, t) for o, t in zip(out, turns, strict=True)):
            return out  # every policy keeps these: no need to load (or ask about) the learned engine
        if self.policy == "rules":
            return out
        if self.policy == "rules-first":
            rest = [i for i, o in enumerate(out) if not o.items]
        else:
            rest = [i for i, o in enumerate(out) if not _decided(o, self.sure, turns[i])]
        if rest and self.learned is not None:
            by_learned = {}
            for i, o in zip(rest, self.learned.extract([turns[i] for i in rest]), strict=True):
                by_learned[i] = o
                if o.items or not _stands(out[i], turns[i]):  # the learned engine found nothing: the rules' stand
                    o.engine = getattr(self._learned, "name", "learned")
                    out[i] = o
            sent = [i for i in rest if out[i] is by_learned[i] and GENERATIVE_ROUTE
                    and sends_generative(GENERATIVE_ROUTE, by_learned[i], out[i])]
            if sent and self.generative is not None:
                for i, g in zip(sent, self.generative.extract([turns[i] for i in sent]), strict=True):
                    out[i] = _with_generative(GENERATIVE_ROUTE, by_learned[i], g)
        return out


def _whole_targets(outcome: Outcome, turn: Turn | None) -> Outcome:
    """The rules' standing forget targets said in the turn keep their determiner (session 13,
    `explicit.whole_target`: "The change fee is obsolete, forget it." -> `the change fee`)."""
    from lic_cli.extract import explicit

    if turn is None or not explicit.FORGET_OBJECT or not any(f.get("kind") == "forget" for f in outcome.items):
        return outcome
    items = [{**f, "target": explicit.whole_target(f["target"], turn.text)}
             if f.get("kind") == "forget" and isinstance(f.get("target"), str) else f for f in outcome.items]
    return dataclasses.replace(outcome, items=items) if items != outcome.items else outcome


def _combine(policy: str, rules: list[Outcome], learned: list[Outcome], sure: frozenset[str],
             turns: list[Turn] | None = None) -> list[Outcome]:
    out = []
    for i, (r, m) in enumerate(zip(rules, learned, strict=True)):
        if policy == "rules" or (policy == "rules-first" and r.items):
            out.append(r)
        elif policy == "rules-first":
            out.append(m)
        else:
            turn = turns[i] if turns else None
            if _decided(r, sure, turn):
                out.append(r)
            elif not m.items and _stands(r, turn):
                out.append(_whole_targets(r, turn))
            else:
                out.append(m)
    return out


# Where the generative engine (generative.py) takes over from the learned engine, on turns the
# rules do not decide: `any` (the learned engine found a fact or note: the generative engine's
# items instead, unless it found nothing), `all` (every learned item is a fact or note), `merge`
# (the learned engine's other items kept beside the generative engine's facts and notes) and
# `undecided` (every turn the rules leave: dev 0.581 against 0.738 without the generative
# engine, so no longer measured). Chosen on the dev domains (docs/extract.md).
GENERATIVE_ROUTES = ("any", "all", "merge")
GENERATIVE_KINDS = frozenset({"fact", "note"})
# The route auto takes once the engine is trained; None: never. None, from the dev domains: with
# the engine (model generative-7bc90218) every route scored below auto without it (field F1
# 0.725-0.726 against 0.738; fact 0.566 against 0.584, note 0.503 against 0.562), and taking
# only its subjects, objects or old values into the learned engine's facts moved dev by at
# most 0.001 (docs/extract.md, "Generative engine").
GENERATIVE_ROUTE: str | None = None


def sends_generative(route: str, learned: Outcome, rules: Outcome) -> bool:
    """Whether `route` gives this (rules-undecided) turn to the generative engine."""
    if route == "undecided":
        return True
    kinds = [f.get("kind") for f in learned.items]
    if route == "all":
        return bool(kinds) and all(k in GENERATIVE_KINDS for k in kinds)
    return any(k in GENERATIVE_KINDS for k in kinds)


def _with_generative(route: str, learned: Outcome, generated: Outcome) -> Outcome:
    if route == "merge":
        items = [f for f in learned.items if f.get("kind") not in GENERATIVE_KINDS]
        items += [f for f in generated.items if f.get("kind") in GENERATIVE_KINDS]
        if not any(f.get("kind") in GENERATIVE_KINDS for f in generated.items):
            return learned
        return Outcome(items=items, output=generated.output, engine="generative")
    if not generated.items:
        return learned
    return Outcome(items=generated.items, output=generated.output, engine="generative")


def combine_generative(route: str, combined: list[Outcome], rules: list[Outcome], learned: list[Outcome],
                       generated: list[Outcome | None], turns: list[Turn]) -> list[Outcome]:
    """`combined` (auto's rules + learned outcomes) with the generative engine's outcomes where
    `route` sends a turn; a turn the rules decided (its outcome is the rules' own) stays."""
    out = []
    for c, r, m, g in zip(combined, rules, learned, generated, strict=True):
        if c is r or g is None or not sends_generative(route, m, r):
            out.append(c)
        else:
            out.append(_with_generative(route, m, g))
    return out


# A project whose own extraction dataset the rules already read this well (field F1 on its dev
# rows) keeps the rules alone without training the learned engine: the demo's rules score 0.995
# on its dev rows, and on its test split the rules (0.909) beat every combination with the
# learned engine (docs/extract.md, "auto").
RULES_SUFFICE = 0.95


def _project_dev_rows(project: Any) -> tuple[Any, list[dict]]:
    task = next((t for t in project.tasks.values() if t.format == "extraction"), None) if project else None
    if task is None:
        return None, []
    import json

    rows = []
    with open(project.dataset_path(task), encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                if isinstance(row, dict) and row.get(task.split_column) == "dev" and isinstance(row.get("text"), str):
                    rows.append(row)
    return task, rows


def rules_suffice(project: Any, rules: Engine) -> bool:
    """The project keeps its own extraction dataset and the rules alone score at least
    RULES_SUFFICE on its dev rows (computed in milliseconds, no model)."""
    try:
        task, rows = _project_dev_rows(project)
    except (OSError, ValueError):
        return False
    if task is None or len(rows) < MIN_DEV_ROWS:
        return False
    from lic_cli.extract.evaluate import _item, score

    turns = [Turn(r["text"], list(r.get("context") or []), str(r.get("label") or "teach")) for r in rows]
    gold = [[_item(i) for i in r.get("knowledge") or []] for r in rows]
    f1 = score(gold, [[_item(f) for f in o.items] for o in rules.extract(turns)])["field"]["f1"]
    return f1 >= RULES_SUFFICE


def choose_policy(project: Any, rules: Engine, learned: Engine, sure: frozenset[str] = SURE) -> str:
    """`corpus`, or, when the project keeps its own extraction dataset (format `extraction`,
    e.g. the demo's `extract`), the policy with the best field F1 on its dev rows: that
    dataset's conventions are the project's own. Cached per dataset content and model."""
    task, rows = _project_dev_rows(project)
    if task is None:
        return "corpus"
    import hashlib
    import json
    import os

    from lic_cli.extract.evaluate import _item, score
    from lic_cli.models import cache_dir
    from lic_cli.store.rows import file_hash

    path = project.dataset_path(task)
    key = hashlib.sha256(f"{file_hash(path)}|{getattr(learned, 'model', '')}|{sorted(sure)}|v1".encode()).hexdigest()
    cached = cache_dir("extract") / f"auto-policy-{key[:16]}.json"
    if cached.is_file():
        return json.loads(cached.read_text(encoding="utf-8"))["policy"]
    if len(rows) < MIN_DEV_ROWS:
        return "corpus"
    turns = [Turn(r["text"], list(r.get("context") or []), str(r.get("label") or "teach")) for r in rows]
    by_rules, by_learned = rules.extract(turns), learned.extract(turns)
    gold = [[_item(i) for i in r.get("knowledge") or []] for r in rows]
    f1 = {p: score(gold, [[_item(f) for f in o.items] for o in _combine(p, by_rules, by_learned, sure, turns)])["field"]["f1"]
          for p in POLICIES}
    best = max(POLICIES, key=lambda p: f1[p])  # ties: the first, the cheaper one
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps({"policy": best, "dev_rows": len(rows), "field_f1": f1, "dataset": task.dataset}),
                   encoding="utf-8")
    os.replace(tmp, cached)
    return best


# First use: the learned engine is trained the first time a turn needs it (about a minute on
# 2 cores, with progress lines; cached in $LIC_HOME). LIC_EXTRACT_TRAIN=0 keeps `auto` to the
# rules alone until it has been trained (`lic extract --engine learned` trains it).
TRAIN_ENV = "LIC_EXTRACT_TRAIN"


def train_on_first_use() -> bool:
    import os

    return os.environ.get(TRAIN_ENV, "1").strip().lower() not in ("0", "no", "off", "false")


def _learned() -> Engine | None:
    import sys

    from lic_cli.extract.learned import FIRST_USE_SECONDS, LearnedEngine, trained_path

    if trained_path() is None:
        if not train_on_first_use():
            print(f"extract: auto uses the rules alone: the learned engine is not trained on this machine yet and "
                  f"{TRAIN_ENV}=0 (`lic extract --engine learned` trains it, about {FIRST_USE_SECONDS} s on 2 cores)",
                  file=sys.stderr, flush=True)
            return None
        print(f"extract: first use: auto trains its learned engine now, once (about {FIRST_USE_SECONDS} s on 2 cores; "
              f"{TRAIN_ENV}=0 skips this and uses the rules alone)", file=sys.stderr, flush=True)
    return LearnedEngine.load()


def _generative() -> Engine | None:
    """The generative engine when it is trained on this machine, or trained now when
    LIC_EXTRACT_GENERATIVE=1 asks for it (opt-in: its training is several minutes on 2 cores);
    None when it is not, or when LIC_EXTRACT_GENERATIVE=0."""
    import sys

    from lic_cli.extract import generative

    if not generative.enabled():
        return None
    if generative.trained_path() is None:
        if not generative.train_requested():
            return None
        print(f"extract: auto trains its generative engine now, once ({generative.TRAIN_ENV}=1 asked for it; about "
              f"{generative.FIRST_USE_SECONDS} s on 2 cores)", file=sys.stderr, flush=True)
    return generative.GenerativeEngine.load()
