"""Learning inside the conversation: detect -> extract -> route -> locate on one turn.

The models (intent classifier, sentence encoder) are loaded once per session; each turn
then costs a few tens of milliseconds (bench/bench_chat.py). The stages run exactly as
in a pipe, on a short window of the conversation (the previous exchange is what detect
and extract read as context, and locate reads the previous assistant turn's
`answered_from`: a correction updates the rows the answer came from), so a turn learns
the same thing in chat as in `lic detect | lic extract | lic route | lic locate`.

The stale-value sweep's proposals (`review: "sweep"`, held by `lic apply` until a person
accepts them) lose that mark here: the console shows every edit and the person accepts or
rejects each (a pipe's `--accept all` is that decision made in advance).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from lic_cli import detect, extract, locate, router
from lic_cli.detect.labelcue import project_labels
from lic_cli.tasks import Project

TEACHING = ("teach", "correct", "forget")
WINDOW = 4  # earlier turns given as context: detect and extract read the previous exchange
STAGE_KEYS = ("intent", "knowledge", "routes", "proposal", "edits", "errors")


@dataclass
class Learned:
    record: dict[str, Any]  # the user turn with the stage outputs attached
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, this turn

    @property
    def intent(self) -> dict[str, Any]:
        return self.record.get("intent") or {}

    @property
    def uncertain(self) -> bool:
        return bool(self.intent.get("uncertain"))

    @property
    def teaching(self) -> bool:
        return self.intent.get("label") in TEACHING

    @property
    def edits(self) -> list[dict[str, Any]]:
        return list(self.record.get("edits") or [])

    def best_teaching_label(self) -> str:
        """The teaching label the classifier liked best: what a person's 'yes, I was teaching' means."""
        scores = self.intent.get("scores") or {}
        return max(TEACHING, key=lambda lab: scores.get(lab, 0.0))


def base_turn(rec: dict[str, Any]) -> dict[str, Any]:
    """A turn without stage outputs, so re-running the stages on context turns does no work."""
    return {k: v for k, v in rec.items() if k not in STAGE_KEYS}


def _decided_here(edit: dict[str, Any]) -> dict[str, Any]:
    """A sweep proposal, or a taught value's update of a stored row (locate: never written silently),
    as chat shows it: an edit like the others, for the person at the console to decide."""
    if edit.get("review") in ("sweep", "taught"):
        return {k: v for k, v in edit.items() if k != "review"}
    return edit


class Learner:
    def __init__(self, project: Project, *, encoder, intent_model=None, engine: str = "auto",
                 intent_threshold: float | None = None) -> None:
        self.project = project
        self.encoder = encoder
        self.intent_model = intent_model if intent_model is not None else detect.load_model(project)
        self.engine = engine
        self.intent_threshold = intent_threshold  # None: the detector's calibrated threshold
        self.labels = project_labels(project)  # the label cue's evidence (detect/labelcue.py)

    def detect(self, history: list[dict[str, Any]], rec: dict[str, Any]) -> Learned:
        start = time.perf_counter()
        window = [base_turn(t) for t in history[-WINDOW:]] + [base_turn(rec)]
        # The context turns are classified too (one small batch); only the last is kept.
        out = list(detect.run(window, model=self.intent_model, threshold=self.intent_threshold,
                              labels=self.labels))[-1]
        return Learned(out, {"detect": time.perf_counter() - start})

    def locate(self, history: list[dict[str, Any]], learned: Learned, *, label: str | None = None) -> Learned:
        """Extract, route and locate a detected turn; `label` overrides the intent (a person said so)."""
        rec = learned.record
        if label is not None:
            rec = {**rec, "intent": {**rec.get("intent", {}), "label": label, "confirmed": True}}
            rec["intent"].pop("uncertain", None)
        seconds = dict(learned.seconds)
        context = [base_turn(t) for t in history[-WINDOW:]]
        t0 = time.perf_counter()
        rec = list(extract.run([*context, rec], engine=self.engine))[-1]
        t1 = time.perf_counter()
        rec = next(router.run([rec], project=self.project, encoder=self.encoder))
        t2 = time.perf_counter()
        # The context turns pass through locate untouched; they let it read the assistant turn
        # before this one (the rows its answer came from).
        rec = list(locate.run([*context, rec], project=self.project, encoder=self.encoder))[-1]
        if rec.get("edits"):
            rec = {**rec, "edits": [_decided_here(e) for e in rec["edits"]]}
        t3 = time.perf_counter()
        seconds.update(extract=t1 - t0, route=t2 - t1, locate=t3 - t2)
        return Learned(rec, seconds)

    def run(self, history: list[dict[str, Any]], rec: dict[str, Any]) -> Learned:
        """All four stages, trusting the classifier (what a pipe with `--accept` does)."""
        learned = self.detect(history, rec)
        if learned.teaching:
            return self.locate(history, learned)
        return learned
