"""The extract stage: what exactly is the knowledge in each teaching turn.

Adds `knowledge` (a list of items, see docs/records.md and `schema.py`) to every user
turn whose `intent.label` is teach, correct or forget; every other turn and key passes
through untouched. A teaching turn that yields nothing gets `knowledge: []` and an
entry in `errors`, so it is never dropped silently; one whose engine output fails
validation gets `knowledge: []`, an `errors` entry with the output, and is counted as
a reject (`Stats.rejected`, and the `reject` callback: `lic extract --rejects FILE`).

Engines (see docs/extract.md): `rules` (deterministic patterns), `learned` (a MiniLM
tagger trained once on the packaged multi-domain corpus), `generative` (SmolLM2 fine-tuned
once on the same corpus; opt-in, not used by `auto`), `model` (SmolLM2 fine-tuned on
the project's `extract` task), `llm` (any chat model or an OpenAI-compatible endpoint) and
`auto`: the rules where they are sure, the learned engine elsewhere (extract/auto.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lic_cli.errors import RecordError
from lic_cli.extract.engine import Engine, Outcome, RulesEngine, Turn
from lic_cli.extract.normalize import normalize_items
from lic_cli.extract.schema import KINDS, item_problems, make_item
from lic_cli.jsonl import record_id
from lic_cli.records import Context, is_teaching, is_user

ENGINES = ("auto", "rules", "learned", "generative", "model", "llm")  # the built-ins; plugins may add more
STAGE = "extract"
BATCH = 16  # teaching turns per model call; rules handle every turn at once anyway


@dataclass
class Stats:
    """Counts for the command's summary line on stderr."""

    teaching: int = 0
    items: int = 0
    empty: list[str] = field(default_factory=list)  # record ids of teaching turns with no item
    rejected: list[str] = field(default_factory=list)  # record ids whose engine output failed validation
    repaired: int = 0  # llm answers fixed by the repair retry


def load_engine(name: str, project: Any = None, *, llm: str = "smollm2", endpoint: str | None = None,
                api_key: str | None = None, timeout: float = 60.0, batch_size: int = BATCH) -> Engine:
    """An engine by name: a built-in (ENGINES) or one a plugin adds through the
    `lic.extract_engines` entry point group (lic_cli/plugins.py). `project` is needed by `model`."""
    from lic_cli import plugins

    factory = plugins.get("extract-engine", name)
    return factory(project=project, llm=llm, endpoint=endpoint, api_key=api_key, timeout=timeout,
                   batch_size=batch_size)


# The built-in engines' factories, registered in pyproject.toml under lic.extract_engines.
def rules_engine(project: Any = None, **_: Any) -> Engine:
    return RulesEngine()


def auto_engine(project: Any = None, **_: Any) -> Engine:
    # The rules where they are sure (auto.SURE), the learned engine for every other turn.
    from lic_cli.extract.auto import AutoEngine

    return AutoEngine(project=project)


def learned_engine(project: Any = None, **_: Any) -> Engine:
    # MiniLM tagger trained on the packaged corpus (on first use, cached in $LIC_HOME).
    from lic_cli.extract.learned import LearnedEngine

    return LearnedEngine.load()


def generative_engine(project: Any = None, *, batch_size: int = BATCH, **_: Any) -> Engine:
    # SmolLM2 fine-tuned on the packaged corpus (trained when first asked for, cached in $LIC_HOME).
    from lic_cli.extract.generative import GenerativeEngine

    return GenerativeEngine.load(batch_size=batch_size)


def llm_engine(project: Any = None, *, llm: str = "smollm2", endpoint: str | None = None, api_key: str | None = None,
               timeout: float = 60.0, batch_size: int = BATCH, **_: Any) -> Engine:
    from lic_cli.extract.llm import LLMEngine

    if endpoint:
        from lic_cli.extract.endpoint import EndpointGenerator

        return LLMEngine(EndpointGenerator(endpoint, model=llm, api_key=api_key, timeout=timeout,
                                           workers=min(batch_size, 8)))
    from lic_cli.extract.generate import ChatGenerator

    return LLMEngine(ChatGenerator.load(llm, batch_size=batch_size, max_new_tokens=200))


def model_engine(project: Any = None, *, batch_size: int = BATCH, **_: Any) -> Engine:
    from lic_cli.extract.model import ModelEngine

    if project is None:
        from lic_cli.tasks import load_project

        project = load_project()
    return ModelEngine.load(project, batch_size=batch_size)


def run(records: Iterable[dict], *, engine: str | Engine = "rules", stats: Stats | None = None,
        project: Any = None, batch_size: int = BATCH, reject: Callable[[dict], None] | None = None) -> Iterator[dict]:
    """Add `knowledge` to teaching turns, in input order. Model engines see up to `batch_size`
    teaching turns per call, so output lags input by at most one batch."""
    eng = load_engine(engine, project, batch_size=batch_size) if isinstance(engine, str) else engine
    stats = stats if stats is not None else Stats()
    if isinstance(eng, RulesEngine):
        batch_size = 1  # instant: no reason to hold records back
    context = Context()
    pending: list[tuple[dict, Turn | None]] = []
    for rec in records:
        turn = None
        if is_user(rec) and is_teaching(rec):
            turn = _turn(rec, context.before(rec))
        context.add(rec)
        pending.append((rec, turn))
        if turn is not None and sum(t is not None for _, t in pending) >= batch_size:
            yield from _flush(pending, eng, stats, reject, project)
            pending = []
    yield from _flush(pending, eng, stats, reject, project)


def _turn(rec: dict, before: list[dict]) -> Turn:
    text = rec.get("text")
    if not isinstance(text, str):
        raise RecordError(f"expected a string, got {type(text).__name__}", record=rec, field="text")
    errors = rec.get("errors", [])
    if not isinstance(errors, list):
        raise RecordError(f"expected a list, got {type(errors).__name__}", record=rec, field="errors")
    return Turn(text=text, context=before, label=rec["intent"]["label"])


def _flush(pending: list[tuple[dict, Turn | None]], eng: Engine, stats: Stats,
           reject: Callable[[dict], None] | None, project: Any = None) -> Iterator[dict]:
    turns = [t for _, t in pending if t is not None]
    outcomes = iter(eng.extract(turns) if turns else [])
    for rec, turn in pending:
        if turn is None:
            yield rec
            continue
        outcome = next(outcomes)
        if project is not None and outcome.items:
            # Labels onto the project's own label names ("a billing ticket" -> billing).
            outcome.items = normalize_items(outcome.items, project)
        out, rejected = _apply(rec, turn, outcome, getattr(outcome, "engine", None) or eng.name, stats)
        if rejected and reject is not None:
            reject(out)
        yield out


def _apply(rec: dict, turn: Turn, outcome: Outcome, engine: str, stats: Stats) -> tuple[dict, bool]:
    # Re-running extract replaces its own earlier error entries instead of piling them up.
    errors = [e for e in rec.get("errors", []) if not (isinstance(e, dict) and e.get("stage") == STAGE)]
    source = record_id(rec) or ""
    knowledge: list[dict[str, Any]] = []
    rejected = False
    if outcome.error is not None:
        rejected = True
        errors.append({"stage": STAGE, "reason": f"{engine} engine output failed validation: {outcome.error}",
                       "engine": engine, "output": outcome.output or ""})
    for fields in outcome.items:
        kind = fields.get("kind", "")
        item = make_item(kind, fields, source=source, engine=engine) if kind in KINDS else fields
        problems = item_problems(item)
        if problems:
            rejected = True
            errors.append({"stage": STAGE, "reason": f"dropped a {kind} item: {'; '.join(problems)}",
                           "engine": engine, "output": outcome.output or ""})
        elif item not in knowledge:
            knowledge.append(item)
    stats.teaching += 1
    stats.items += len(knowledge)
    stats.repaired += outcome.repaired
    if rejected:
        stats.rejected.append(source)
    elif not knowledge:
        stats.empty.append(source)
        errors.append({"stage": STAGE, "reason": f"no knowledge found in this {turn.label} turn by the {engine} engine"})
    out = {**rec, "knowledge": knowledge}
    if errors:
        out["errors"] = errors
    else:
        out.pop("errors", None)
    return out, rejected
