"""The scope gate of a trained chat model: which questions its taught weights answer.

Fine-tuning on a few taught facts moves weights that unrelated answers also use, so a
question far from anything taught can come out wrong afterwards ("The capital of
Australia is Sydney."), even with replay. Memory-based model editing (SERAC, Mitchell et
al. 2022; GRACE; WISE) keeps such answers by routing: a question inside the scope of what
was taught goes to the edited model, any other question to the model as it was before the
teaching. Here the scope is the questions the model was taught (with their training
rewordings), compared by sentence embedding: a question whose nearest scope question has
a cosine similarity of at least `SFTParams.scope_threshold` is in scope.

A gated model folder holds `lic_scope.json`: the scope questions, the threshold, the
encoder and the fallback (the model before the teaching: a folder relative to this one,
or a packaged alias). Each incremental training adds its taught questions to its parent's
scope and keeps the parent's fallback, so the fallback is always the model from before
any gated teaching, and it never has a scope of its own.

Similarity alone lets in questions close to a taught one but about something else: "Who
is the children's librarian?" is nearer to "Who is the head librarian?" than most real
rewordings are. So a scope that knows each question's taught answer (`answers`, written
since session 5) also checks the question against that row (`fits`): a question is in
scope when a similar enough scope question's row fits it:

- **anchors**: the question's names (capitalised words after the first), numbers, days
  and months all occur in the row (its questions, rewordings and answer): "... at
  Ridgeway Library?" does not fit a row about Elmbrook;
- **answer type**: what the question asks for (a time, an amount of money, a count, a
  measure, a person, a place, a phone number, an e-mail address) is what the row's answer
  gives: "How many people fit in a study room?" does not fit "3 hours";
- **contrasts**: a word the question uses from a contrast set (open / close, first / last,
  adult / child, daily / monthly, ...) whose other member the row uses instead: "When does
  it close on Sundays?" does not fit "opens at 11:00 on Sundays".

A scope with a `judge` threshold (written since session 9 when `SFTParams.scope_judge` is
set) decides with the learned scope judge instead (scope_judge.py): the rows of the
question's most similar scope questions (at least `threshold`) are each read with the
question by a cross-encoder, and the question is in scope when its probability of asking
what one of those rows answers is at least `judge` (and, with JUDGE_WITH_FITS, that row
also fits it by the checks above).

A scope with an `answer` floor (`SFTParams.scope_answer`, session 11) answers from the row: when
the check after generation refuses the taught weights' answer to an in-scope question but one
taught row clearly answers it (`Gate.row_answers`), the reply is that row's value in a short
templated sentence (`row_sentence`) instead of the fallback's answer.

The learned judge is trained by a visible step, `lic models --scope-judge` (a few minutes once
per machine). Until then (`judge_ready()` is False) the `judge` check is the `row` check and no
row answers; so is it with $LIC_SCOPE_JUDGE=0.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lic_cli.errors import ModelLoadError
from lic_cli.models.judge import STOP_WORDS, tokens

SCOPE_FILE = "lic_scope.json"
ENCODER = "minilm"


@dataclass(frozen=True)
class Scope:
    questions: tuple[str, ...]
    threshold: float
    fallback: str  # a folder relative to the model's own folder, or a packaged alias
    encoder: str = ENCODER
    # The taught answer of each question (same order), or None: a scope written before
    # the row checks, whose gate decides by similarity alone.
    answers: tuple[str, ...] | None = None
    # The learned judge's threshold (scope_judge.py), or None: the row checks decide.
    judge: float | None = None
    # The check after generation (CHECKS; None: none): an answer of the taught weights stands only
    # when it states a taught row's value and that row answers the question (Gate.keeps).
    check: str | None = None
    # The judge floor at which a clearly matching row answers a question whose taught answer the
    # check refused (Gate.row_answers), or None: the fallback answers every refused question.
    answer: float | None = None
    # How a question is answered through the gate (ROUTES; None: "check", the route before session 12).
    route: str | None = None

    def fallback_spec(self, folder: Path) -> str:
        """The fallback as `models.resolve` takes it (a path made absolute, or the alias)."""
        from lic_cli import models

        if self.fallback in models.ALIASES:
            return self.fallback
        return str((folder / self.fallback).resolve())

    def fallback_path(self, folder: Path) -> Path:
        """The fallback's model folder; one clear error when it is gone."""
        from lic_cli import models

        try:
            return models.resolve(self.fallback_spec(folder))
        except ModelLoadError as exc:
            raise ModelLoadError(f"{folder}: the fallback of its scope gate is unusable ({exc}); "
                                 "retrain the task with --force") from None


def read(folder: Path) -> Scope | None:
    """The folder's scope, or None for an ungated model; a damaged file is a clear error."""
    path = folder / SCOPE_FILE
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        answers = raw.get("answers")
        judge = raw.get("judge")
        check = raw.get("check")
        answer = raw.get("row_answer")
        route = raw.get("route")
        scope = Scope(questions=tuple(raw["questions"]), threshold=float(raw["threshold"]),
                      fallback=str(raw["fallback"]), encoder=str(raw.get("encoder", ENCODER)),
                      answers=None if answers is None else tuple(answers),
                      judge=None if judge is None else float(judge), check=None if check is None else str(check),
                      answer=None if answer is None else float(answer), route=None if route is None else str(route))
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelLoadError(f"{path}: not a valid scope file ({exc})") from None
    if scope.check is not None and scope.check not in CHECKS:
        raise ModelLoadError(f"{path}: field 'check': expected one of {', '.join(CHECKS)}, got {scope.check!r}")
    if scope.route is not None and scope.route not in ROUTES:
        raise ModelLoadError(f"{path}: field 'route': expected one of {', '.join(ROUTES)}, got {scope.route!r}")
    if not all(isinstance(q, str) for q in scope.questions):
        raise ModelLoadError(f"{path}: field 'questions': expected a list of strings")
    if scope.answers is not None and (len(scope.answers) != len(scope.questions)
                                      or not all(isinstance(a, str) for a in scope.answers)):
        raise ModelLoadError(f"{path}: field 'answers': expected one string per question")
    return scope


def write(folder: Path, scope: Scope) -> None:
    from lic_cli.store.atomic import write_atomic

    blob: dict[str, Any] = {"threshold": scope.threshold, "encoder": scope.encoder, "fallback": scope.fallback,
                            "questions": list(scope.questions)}
    if scope.answers is not None:
        blob["answers"] = list(scope.answers)
    if scope.judge is not None:
        blob["judge"] = scope.judge
    if scope.check is not None:
        blob["check"] = scope.check
    if scope.answer is not None:
        blob["row_answer"] = scope.answer
    if scope.route not in (None, "check"):
        blob["route"] = scope.route
    write_atomic(folder / SCOPE_FILE, json.dumps(blob, ensure_ascii=False, indent=1) + "\n")


def for_training(new_folder: Path, questions: Sequence[str], threshold: float, *,
                 parent_folder: Path | None, base: str, answers: Sequence[str] | None = None,
                 judge: float | None = None, check: str | None = None, answer: float | None = None,
                 route: str | None = None) -> Scope:
    """The scope of a model being trained into `new_folder`.

    From the base (no parent): the base is the fallback. From a parent with a scope: its
    questions plus these, and its fallback. From an ungated parent: the parent is the
    fallback (the model before this teaching). `new_folder` must sit in the directory the
    model is installed in (lic trains into a temporary sibling), so that a relative
    fallback ("../v0-ab12cd34") stays right when the project folder moves.
    """
    from lic_cli import models

    old: tuple[str, ...] = ()
    old_answers: tuple[str, ...] | None = ()
    if parent_folder is None:
        target = base
    else:
        parent = read(parent_folder)
        target = parent.fallback_spec(parent_folder) if parent is not None else str(parent_folder)
        old = parent.questions if parent is not None else ()
        old_answers = parent.answers if parent is not None else ()
    if target not in models.ALIASES:
        target = os.path.relpath(Path(target).resolve(), new_folder.resolve()).replace(os.sep, "/")
    if answers is None or old_answers is None:  # a question without its answer: similarity alone
        return Scope(questions=tuple(dict.fromkeys([*old, *questions])), threshold=threshold, fallback=target)
    # A question taught again with a new answer keeps only the new one.
    pairs = dict(zip(old, old_answers, strict=True))
    pairs.update(zip(questions, answers, strict=True))
    return Scope(questions=tuple(pairs), threshold=threshold, fallback=target, answers=tuple(pairs.values()),
                 judge=judge, check=check, answer=answer, route=route)


class Gate:
    """Routes questions: in scope (True) to the taught model, the others to the fallback."""

    def __init__(self, scope: Scope) -> None:
        from lic_cli import models

        self.scope = scope
        self._rows: dict[str, Row] | None = None
        self._encoder = models.load_encoder(scope.encoder)
        self._anchors = self._encoder.encode(list(scope.questions))
        self._judge: Any = None
        # The judge of the check after generation and of row answers: None until first needed
        # (scope_judge.shared()); bench/bench_domains.py sets another to compare judges.
        self.check_judge: Any = None
        # Which row a question asks for, when sure (sure_rows); the bench sets another to compare deciders.
        self.decider: Decider = DECIDER
        self._sure: dict[tuple[Any, ...], str | None] = {}
        if scope.judge is not None and scope.answers is not None:
            from lic_cli.models import scope_judge

            self._judge = scope_judge.shared()

    def similarity(self, questions: Sequence[str]) -> list[float]:
        """Cosine similarity of each question to its nearest scope question (-1: empty scope)."""
        if not questions:
            return []
        if not len(self._anchors):
            return [-1.0] * len(questions)
        sims = self._encoder.encode(list(questions)) @ self._anchors.T
        return [float(s) for s in sims.max(axis=1)]

    def in_scope(self, questions: Sequence[str]) -> list[bool]:
        """Which questions the taught weights answer (the others get the fallback). With the route
        `rows-only` those the decider is sure of a row for (sure_rows); with `check+rows` and `rows-first`
        those too, beside the questions the gate lets in."""
        if not questions:
            return []
        route = self.route()
        if route == "rows-only":
            return [r is not None for r in self.sure_rows(questions)]
        inside = self._in_scope(questions)
        if route in ("check+rows", "rows-first"):
            inside = [i or r is not None for i, r in zip(inside, self.sure_rows(questions), strict=True)]
        return inside

    def _in_scope(self, questions: Sequence[str]) -> list[bool]:
        if self.scope.answers is None or not len(self._anchors):
            return [s >= self.scope.threshold for s in self.similarity(questions)]
        if self._judge is not None:
            assert self.scope.judge is not None
            return [p >= self.scope.judge for p in self.judge_scores(questions)]
        sims = self._encoder.encode(list(questions)) @ self._anchors.T
        out = []
        for q, row in zip(questions, sims, strict=True):
            near = [int(i) for i in row.argsort()[::-1][:CANDIDATES] if row[i] >= self.scope.threshold]
            # a scope wording itself is in scope: the row checks could refuse a taught question its
            # own row (Kestrel: "What discount code ...?" asks money, "12% off" gives a number)
            out.append(bool(row.max() >= EXACT) or any(fits(q, self._row(i)) for i in near))
        return out

    def judge_scores(self, questions: Sequence[str], *, with_fits: bool | None = None) -> list[float]:
        """Each question's highest judge probability over the rows of its CANDIDATES most similar
        scope questions (similarity at least `threshold`; with fits: rows that fit it), 0.0 without one."""
        fitting = JUDGE_WITH_FITS if with_fits is None else with_fits
        # A question that is a scope wording itself (a taught question or its training rewording)
        # is in scope whatever the judge says: held-out museum had 2 of 30 taught questions under 0.7.
        return [1.0 if any(sim >= EXACT for sim, _, _ in found) else
                max((p for _, fit, p in found if fit or not fitting), default=0.0)
                for found in self.judge_candidates(questions, self.scope.threshold)]

    def judge_candidates(self, questions: Sequence[str], floor: float) -> list[list[tuple[float, bool, float]]]:
        """For each question, (similarity, fits, judge probability) of each distinct row among its
        CANDIDATES most similar scope questions with a similarity of at least `floor`."""
        assert self.scope.answers is not None
        if self._judge is None:
            from lic_cli.models import scope_judge

            self._judge = scope_judge.shared()
        judge = self._judge
        return [[(sim, fit, p) for _, sim, fit, p in found]
                for found in self._candidates(questions, floor, lambda: judge)]

    def _candidates(self, questions: Sequence[str], floor: float, judge: Callable[[], Any],
                    k: int = 0) -> list[list[tuple[str, float, bool, float]]]:
        """For each question, (row answer, similarity, fits, the judge's probability) of each distinct
        row among its CANDIDATES most similar scope questions with a similarity of at least `floor`
        (`judge()` gives the judge; asked only when some row is a candidate; `k`: so many similar scope
        questions instead of CANDIDATES)."""
        if self.scope.answers is None or not questions or not len(self._anchors):
            return [[] for _ in questions]
        from lic_cli.models.scope_judge import row_text

        first = self._first()
        sims = self._encoder.encode(list(questions)) @ self._anchors.T
        asked, shown, where = [], [], []
        out: list[list[tuple[str, float, bool, float]]] = [[] for _ in questions]
        for n, (q, row) in enumerate(zip(questions, sims, strict=True)):
            seen: set[str] = set()
            for i in (int(i) for i in row.argsort()[::-1][:k or CANDIDATES] if row[i] >= floor):
                answer = self.scope.answers[i]
                if answer in seen:
                    continue
                seen.add(answer)
                asked.append(q)
                shown.append(row_text(first[answer], answer))
                where.append((n, answer, float(row[i]), fits(q, self._row(i))))
        for (n, answer, sim, fit), p in zip(where, judge().probability(asked, shown) if asked else [], strict=True):
            out[n].append((answer, sim, bool(fit), float(p)))
        return out

    def keeps(self, questions: Sequence[str], answers: Sequence[str], check: str | None = None,
              floor: float | None = None) -> list[bool]:
        """The check after generation (the scope's `check`, or `check`): whether each answer the taught
        weights gave to an in-scope question stands. False sends the question to the fallback.

        - `value`: the answer states the value of some taught row (judged as `lic eval` judges an
          answer against that row). An answer that gives no taught value adds nothing the model
          from before did not know, and it is wrong for a question the rows answer anyway.
        - `row`: and one of the rows it states is a row the question fits: among its CANDIDATES
          most similar scope questions (at least `threshold`) and passing the row checks (`fits`),
          or holding the question word for word. "How many treadmills does the gym have?" answered
          with the taught count of parking spaces is refused.
        - `judge`: and the learned scope judge gives (question, that row) at least the scope's `judge`
          threshold (`floor`, else JUDGE_CHECK when it has none), unless the question is a wording of
          that row. The judge is trained by `lic models --scope-judge` (scope_judge.py); until then,
          and with $LIC_SCOPE_JUDGE=0, it is not asked and the check is `row`'s.
        """
        route = self.route()
        if route in ("rows-first", "rows-only") and questions:
            # The decider sure of a row: the weights' answer stands when it states that row's value (else that
            # row answers: row_answers). Not sure: rows-first checks as the `check` route does; rows-only let
            # nothing in.
            from lic_cli.models.judge import is_correct

            sure = self.sure_rows(questions)
            first = self._first()
            out = [r is not None and is_correct(r, said, first[r]) for r, said in zip(sure, answers, strict=True)]
            rest = [n for n, r in enumerate(sure) if r is None]
            if route == "rows-first" and rest:
                for n, ok in zip(rest, self._keeps([questions[n] for n in rest], [answers[n] for n in rest], check,
                                                   floor), strict=True):
                    out[n] = ok
            return out
        return self._keeps(questions, answers, check, floor)

    def _keeps(self, questions: Sequence[str], answers: Sequence[str], check: str | None,
               floor: float | None) -> list[bool]:
        mode = check if check is not None else self.scope.check
        if mode in (None, "off") or self.scope.answers is None or not questions:
            return [True] * len(questions)
        from lic_cli.models.judge import is_correct

        first: dict[str, str] = {}
        for q, a in zip(self.scope.questions, self.scope.answers, strict=True):
            first.setdefault(a, q)
        stated = [{a for a, q in first.items() if is_correct(a, said, q)} for said in answers]
        if mode == "value":
            return [bool(s) for s in stated]
        if mode == "judge" and not self.judge_on():
            mode = "row"  # the judge switched off ($LIC_SCOPE_JUDGE=0) or not trained yet
        sims = self._encoder.encode(list(questions)) @ self._anchors.T
        out: list[bool] = []
        pending: list[tuple[int, str, str]] = []  # (question index, question, row answer) for the judge
        for n, (q, row, rows) in enumerate(zip(questions, sims, stated, strict=True)):
            exact = {self.scope.answers[int(i)] for i in (row >= EXACT).nonzero()[0]}
            near = {self.scope.answers[int(i)] for i in row.argsort()[::-1][:CANDIDATES]
                    if row[i] >= self.scope.threshold and (self.scope.answers[int(i)] in exact or
                                                           fits(q, self._row(int(i))))}
            good = rows & near
            if exact:  # a scope wording itself: only its own row's value stands (a sibling's, however rated, is wrong)
                out.append(bool(good & exact))
                continue
            if good and mode == "row":
                out.append(True)
                continue
            out.append(False)
            pending += [(n, q, a) for a in good]
        if pending:
            from lic_cli.models.scope_judge import row_text

            judge = self._check_judge()
            if floor is None:
                floor = self.scope.judge if self.scope.judge is not None else JUDGE_CHECK
            probs = judge.probability([q for _, q, _ in pending], [row_text(first[a], a) for _, _, a in pending])
            for (n, _, _), p in zip(pending, probs, strict=True):
                out[n] = out[n] or float(p) >= floor
        return out

    def applied_check(self) -> str | None:
        """The check after generation as it runs here: the scope's, with `judge` read as `row` while
        the judge is off or not trained."""
        mode = self.scope.check
        return "row" if mode == "judge" and not self.judge_on() else mode

    def judge_on(self) -> bool:
        """Whether the check and row answers may ask the learned judge: not switched off
        ($LIC_SCOPE_JUDGE=0) and trained (or set by the caller)."""
        if os.environ.get("LIC_SCOPE_JUDGE", "1") == "0":
            return False
        return self.check_judge is not None or self._judge is not None or judge_ready()

    def _check_judge(self) -> Any:
        if self.check_judge is None:
            from lic_cli.models import scope_judge

            # not kept in _judge: that would switch the gate's in_scope to the judge
            self.check_judge = self._judge or scope_judge.shared()
        return self.check_judge

    def route(self) -> str:
        """How a question is answered here (ROUTES): the scope's route; `check` (the route before session 12)
        while the judge is off or not trained, or the scope has no row-answer floor (`answer`)."""
        route = self.scope.route or "check"
        if route != "check" and (self.scope.answer is None or self.scope.answers is None or not self.judge_on()):
            return "check"
        return route

    def sure_rows(self, questions: Sequence[str], floor: float | None = None) -> list[str | None]:
        """For each question, the taught answer of the one row the decider (`self.decider`) is sure it asks
        for, else None: among the rows of its most similar scope questions, the best the judge rates of
        those that fit it, at least `floor` (the scope's `answer`), with no other candidate near it
        (Decider.pick). None for all when the judge is off or not trained, or the scope has no floor."""
        floor = self.scope.answer if floor is None else floor
        if floor is None or self.scope.answers is None or not questions or not self.judge_on():
            return [None] * len(questions)
        d = self.decider
        key = (d, floor, id(self.check_judge))
        todo = [q for q in dict.fromkeys(questions) if (key, q) not in self._sure]
        if todo:
            for q, cands in zip(todo, self._candidates(todo, d.floor, self._check_judge, d.k), strict=True):
                self._sure[(key, q)] = d.pick(q, cands, floor)
        return [self._sure[(key, q)] for q in questions]

    def row_answers(self, questions: Sequence[str], floor: float | None = None) -> list[str | None]:
        """For each question, the templated answer of the one taught row the decider is sure of (sure_rows), else
        None. None for all when the judge is off or not trained, or the scope has no floor."""
        first = self._first() if self.scope.answers is not None else {}
        return [None if a is None else row_sentence(first[a], a) for a in self.sure_rows(questions, floor)]

    def _first(self) -> dict[str, str]:
        """Each taught answer's first scope question (the taught question comes before its rewordings)."""
        assert self.scope.answers is not None
        first: dict[str, str] = {}
        for q, a in zip(self.scope.questions, self.scope.answers, strict=True):
            first.setdefault(a, q)
        return first

    def _row(self, i: int) -> Row:
        """The taught row of scope question i: its questions (with rewordings) and answer."""
        assert self.scope.answers is not None
        if self._rows is None:
            by_answer: dict[str, list[str]] = {}
            for q, a in zip(self.scope.questions, self.scope.answers, strict=True):
                by_answer.setdefault(a, []).append(q)
            self._rows = {a: Row.of(qs, a) for a, qs in by_answer.items()}
        return self._rows[self.scope.answers[i]]


CANDIDATES = 5  # similar scope questions whose rows are checked (nearest first)
OTHER_ROW = 0.5  # a row answers only when no other candidate row gets this judge probability
CHECKS = ("off", "value", "row", "judge")  # the check after generation (Gate.keeps)
# How a question is answered through the gate (session 12; Gate.route):
# - check: the gate lets it in -> the taught weights -> the check after generation -> a row the decider is sure
#   of -> the fallback (the route of sessions 10-11);
# - check+rows: the same, and a question the gate keeps out also gets a row the decider is sure of;
# - rows-first: a question the decider is sure of a row for gets the weights' answer when it states that row's
#   value, else that row's; any other question takes the `check` route;
# - rows-only: the same for a question the decider is sure of; any other question gets the fallback.
ROUTES = ("check", "check+rows", "rows-first", "rows-only")
# The `judge` check's threshold when the scope names no judge: chosen on the tuning domains
# (docs/train.md, "Session 10": the most gated generalization + near misses kept of 0.3 / 0.5 / 0.7).
JUDGE_CHECK = 0.7
JUDGE_WITH_FITS = True  # the judge's row must also fit the question (chosen on the tuning domains)
EXACT = 0.999  # similarity of a question to a scope wording that is the same text

# What a question asks for, from its wording (first match wins), and what an answer gives.
_ASKS = (
    ("phone", r"\b(phone|telephone|ring|dial)\b"),
    ("email", r"\be-?mail\b"),
    ("time", r"\b(when|what time|which day|what day|which year|what year|how early|how late|until when|by when)\b"),
    ("money", r"\b(how much|costs?|price|fees?|charged?|rates?|pay|discount|fined?)\b"),
    ("count", r"\bhow many\b(?! (second|minute|hour|day|week|month|year|night)s?\b)"),
    ("measure", r"\b(how (long|far|deep|wide|tall|high|heavy|warm|hot|cold|big|old|often|many)|"
                r"what (length|temperature))\b"),
    ("person", r"\bwho\b"),
    ("place", r"\b(where|address|which (floor|street))\b"),
)
_DAYS = ("monday tuesday wednesday thursday friday saturday sunday january february march april may june "
         "july august september october november december").split()
_UNITS = ("second minute hour day week month year night metre meter kilometre mile mph km kilo kilogram gram "
          "degree percent pound euro dollar cent penny pence inch foot feet").split()
_MONEY = ("euro dollar pound cent pence penny free $ £ € percent").split()
_GIVES: dict[str, str] = {"phone": r"\+?\d[\d ()-]{7,}\d", "email": r"@", "time": r"\d{1,2}[:.]\d{2}\b|\b(1[0-9]|20)\d{2}\b"}
# Contrast sets: a question using one member does not fit a row that uses another and not it.
CONTRASTS = tuple(frozenset(s.split()) for s in (
    "open close shut", "start stop end finish", "first last", "early late", "arrive leave depart",
    "check-in check-out", "minim maxim", "buy sell", "adult child kid senior stude carer", "weekd weeke",
    "morni after eveni night", "daily weekl month yearl annua", "colou black",
))


@dataclass(frozen=True)
class Decider:
    """Which taught row a question asks for, when sure (Gate.sure_rows): of the candidate rows (those of its
    `k` most similar scope questions with a similarity of at least `floor`), the one the judge rates
    highest of those that fit it by the row checks (with `fits`) is named when the judge gives it at least
    the scope's floor and no other candidate gets `other` or more. A question that is a scope wording itself
    names its row."""

    floor: float = 0.4
    fits: bool = True
    other: float | None = None  # None: no such limit
    k: int = CANDIDATES  # similar scope questions whose rows are candidates

    def pick(self, question: str, cands: Sequence[tuple[str, float, bool, float]], floor: float) -> str | None:
        """`cands`: (row answer, similarity, fits, judge probability) of each candidate row."""
        cands = [c for c in cands if c[1] >= self.floor]
        exact = [c for c in cands if c[1] >= EXACT]
        if exact:  # a wording of two rows (a model-written rewording can repeat another row's question): the one
            return max(exact, key=lambda c: (c[2], c[3]))[0]  # that fits, then the judge's
        best = max((c for c in cands if c[2] or not self.fits), key=lambda c: c[3], default=None)
        if best is None or best[3] < floor or (self.other is not None and
                                               any(c[3] >= self.other for c in cands if c is not best)):
            return None
        return best[0]


# Chosen on the tuning domains (docs/train.md "Session 12", bench/bench_scope_decide.py): similarity 0.4, the rows that
# fit, no limit on the other candidates (session 11's row answers: similarity 0.5, no other candidate at 0.5).
DECIDER = Decider()
SESSION11 = Decider(floor=0.5, fits=True, other=OTHER_ROW)


@dataclass(frozen=True)
class Row:
    """A taught row as the gate checks it: word stems of its questions and answer, and what its answer gives."""

    stems: frozenset[str]
    gives: frozenset[str]

    @classmethod
    def of(cls, questions: Sequence[str], answer: str) -> Row:
        return cls(stems=frozenset(s for text in [*questions, answer] for s in _stems(text)),
                   gives=frozenset(answer_types(answer)))


def _stem(token: str) -> str:
    token = token.removesuffix("'s")
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        token = token[:-1]
    return token[:5]


def _stems(text: str) -> set[str]:
    return {_stem(t) for t in tokens(text)}


def anchors(question: str) -> set[str]:
    """Stems of what names the question's subject: capitalised words after the first word,
    numbers, days and months."""
    out = {_stem(t) for t in tokens(question) if any(c.isdigit() for c in t) or t in _DAYS or
           t.removesuffix("s") in _DAYS}
    words = question.split()
    for w in words[1:]:
        if w[:1].isupper() and len(w.strip("?.,!'\"")) > 1:
            out |= {_stem(t) for t in tokens(w)}
    return {a for a in out if a not in STOP_WORDS}


def asks(question: str) -> str | None:
    """What the question asks for (see _ASKS), or None when its wording does not say."""
    text = question.casefold().replace("in charge", "")
    for kind, pattern in _ASKS:
        if re.search(pattern, text):
            return kind
    return None


def answer_types(answer: str) -> set[str]:
    """What an answer gives: a superset, so that only a clear mismatch keeps a question out."""
    text = answer.casefold()
    toks = tokens(answer)
    stems = {_stem(t) for t in toks}
    out = {kind for kind, pattern in _GIVES.items() if re.search(pattern, text)}
    if any(t in _DAYS or t.removesuffix("s") in _DAYS for t in toks) or "every" in toks:
        out.add("time")
    if stems & {_stem(m) for m in _MONEY} or any(c in answer for c in "$£€"):
        out.add("money")
    units = {_stem(u) for u in _UNITS}
    for i, t in enumerate(toks):
        if any(c.isdigit() for c in t):  # "3 hours" measures, a bare "12 books" counts
            out.add("measure" if i + 1 < len(toks) and _stem(toks[i + 1]) in units else "count")
    words = answer.split()
    if any(w[:1].isupper() for w in words[1:]):  # a name: a person, a place, a brand
        out |= {"person", "place"}
    if re.search(r"\b(floor|street|road|lane|next to|near|room|building|at \d+)\b", text):
        out.add("place")
    if "count" in out:  # a bare number may count, measure or date
        out |= {"measure"}
    return out


def fits(question: str, row: Row) -> bool:
    """Whether the question asks what the taught row answers (see the module docstring)."""
    if not anchors(question) <= row.stems:
        return False
    kind = asks(question)
    if kind is not None and row.gives and kind not in row.gives:
        return False
    mine = _stems(question)
    for group in CONTRASTS:
        used = mine & group
        if used and not used & row.stems and (row.stems & group) - used:
            return False
    return True


def row_sentence(question: str, answer: str) -> str:
    """A taught row's answer as a short reply: the answer itself when it is a whole sentence, else
    the taught question with its value (as chat's grounding says a row it answers from)."""
    value = answer.strip()
    if len(value.split()) >= 4 and value[:1].isupper():
        return value if value.endswith((".", "!", "?")) else value + "."
    return f"The answer to \u201c{question.strip()}\u201d is {value.rstrip('.')}."


def judge_ready() -> bool:
    """Whether the packaged scope judge is trained on this machine (`lic models --scope-judge`)."""
    from lic_cli.models import scope_judge

    if not _READY:
        _READY.extend([True] if (scope_judge.folder_for() / scope_judge.DONE_FILE).is_file() else [])
    return bool(_READY)


_READY: list[bool] = []  # [True] once the judge was found trained (it stays so for the process)


def train_judge() -> str:
    """Train the packaged scope judge if it is not trained yet (`lic models --scope-judge`); one JSON
    line saying what it is: its folder, training pairs and the seconds its training took."""
    import sys

    from lic_cli.models import scope_judge

    judge = scope_judge.load(note=lambda m: print(m, file=sys.stderr))
    meta = judge.meta
    return json.dumps({"scope_judge": str(judge.folder), "pairs": meta.get("pairs"), "positives": meta.get("positives"),
                       "trained_seconds": meta.get("seconds"), "data": len(meta.get("data", []))}, ensure_ascii=False)


def last_user_text(messages: Sequence[dict[str, Any]]) -> str:
    """What a chat turn asks: the newest user message (the gate routes on it)."""
    for message in reversed(messages):
        if message.get("role") == "user":
            return str(message.get("content", ""))
    return ""
