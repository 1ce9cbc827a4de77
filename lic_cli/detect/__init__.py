"""detect: is a user turn teaching (teach / correct / forget) or not (none)?

Adds `intent` to user turns; other turns pass through. The previous assistant turn
and the user turn it answered are part of the input, so "No, it's 30 days" reads as a
correction only after an answer, and "Everywhere." is a forget request after "Remove
the Venmo entry" but not after "Can I pay with Venmo?". The classifier ships with lic: a fast head on frozen MiniLM embeddings, trained on
first use from the packaged multi-domain corpus (lic_cli/data/teaching.jsonl) and cached.
A project's own `intent` task extends it (its rows are added to the packaged ones), and
`lic train intent` fine-tunes MiniLM on both; that model is used when it matches the
current dataset.
Scores are calibrated on the dataset's dev split; a turn whose top score is below the
threshold (chosen on dev, see calibration.py) also gets `"uncertain": true`.
Given the project's label names (labelcue.py), a `none` turn that quotes an example and
names one of them in a statement is read as `teach`, with `"cue"` saying which label. A turn
that asks to remove a stored record ("... so forget the answer about the cafe", forgetcue.py)
is read as `forget`, with `"cue": {"forget": ...}` quoting the request.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from lic_cli.errors import ModelLoadError
from lic_cli.records import Context, is_user, join_context, previous_exchange
from lic_cli.tasks import Project, Task

INTENT_TASK = "intent"
# User turns classified per model call. Large batches keep the encoder busy (it sorts
# each call's texts by length) while memory stays flat in the transcript's length.
BATCH = 512


class IntentModel(Protocol):
    name: str
    labels: tuple[str, ...]
    threshold: float  # the calibrated default for `uncertain`

    def predict_proba(self, texts: list[str], contexts: list[str]): ...


def intent_task(project: Project | None) -> Task | None:
    """The project's own `intent` task, or None (then the packaged default detector alone)."""
    return project.tasks.get(INTENT_TASK) if project is not None else None


def load_model(project: Project | None, *, choice: str = "auto") -> IntentModel:
    """`auto`: the trained model for the current intent dataset if there is one, else the head.

    Without an `intent` task (or without a project) the head is lic's default detector,
    trained on the packaged multi-domain corpus on first use; an `intent` task extends it.
    """
    from lic_cli.detect.head import load_head

    task = intent_task(project)
    if choice in ("auto", "trained"):
        from lic_cli.detect.trained import load_trained

        if task is None:
            if choice == "trained":
                raise ModelLoadError("no trained intent model: the project has no 'intent' task "
                                     "(the default detector is --model head)")
        else:
            model = load_trained(project, task, required=choice == "trained")
            if model is not None:
                return model
    return load_head(project, task)


def run(records: Iterable[dict], *, model: IntentModel, batch_size: int = BATCH,
        threshold: float | None = None, labels: dict[str, str] | None = None) -> Iterator[dict]:
    """Add `intent` to every user turn, classifying in batches; order is preserved.

    `intent.uncertain` is true when the top score is below `threshold` (default: the
    model's calibrated threshold). `labels`: the project's label names and their tasks
    (`labelcue.project_labels`), the label cue's evidence.
    """
    limit = model.threshold if threshold is None else threshold
    context = Context()
    pending: list[tuple[dict, str | None]] = []  # (record, its context; None for non-user turns)
    n_user = 0
    for rec in records:
        if is_user(rec):
            pending.append((rec, join_context(previous_exchange(context.before(rec)))))
            n_user += 1
        else:
            pending.append((rec, None))
        context.add(rec)
        if n_user >= batch_size:
            yield from _classify(pending, model, limit, labels or {})
            pending, n_user = [], 0
    if pending:
        yield from _classify(pending, model, limit, labels or {})


def _classify(pending: list[tuple[dict, str | None]], model: IntentModel, limit: float,
              labels: dict[str, str]) -> Iterator[dict]:
    from lic_cli.detect.forgetcue import cue as forget_cue
    from lic_cli.detect.labelcue import cue

    users = [(rec, ctx) for rec, ctx in pending if ctx is not None]
    probs = model.predict_proba([str(r.get("text", "")) for r, _ in users], [c or "" for _, c in users]) \
        if users else []
    by_id = {id(r): p for (r, _), p in zip(users, probs, strict=True)}
    for rec, ctx in pending:
        if ctx is None:
            yield rec
            continue
        p = by_id[id(rec)]
        best = int(p.argmax())
        intent = {
            "label": model.labels[best],
            "score": round(float(p[best]), 4),
            "scores": {lab: round(float(x), 4) for lab, x in zip(model.labels, p, strict=True)},
            "model": model.name,
        }
        hit = cue(str(rec.get("text", "")), labels) if intent["label"] == "none" and "teach" in model.labels else None
        asked = forget_cue(str(rec.get("text", ""))) if intent["label"] != "forget" and "forget" in model.labels \
            else None
        if asked is not None:  # a request to remove a record outweighs the statement around it
            intent.update(label="forget", score=intent["scores"]["forget"], cue={"forget": asked})
        elif hit is not None:  # the project's own label names outweigh the packaged detector's doubt
            intent.update(label="teach", score=intent["scores"]["teach"], cue=hit)
        elif float(p[best]) < limit:
            intent["uncertain"] = True
        yield {**rec, "intent": intent}
