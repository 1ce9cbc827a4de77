"""The model engine: SmolLM2 fine-tuned on the project's `extract` task (`lic train extract`).

It was trained on exactly the prompts `prompt.messages` builds, so it gets the short
prompt (no schema, no examples): batched greedy generation, then `prompt.parse`. An
answer that fails validation becomes an error outcome (no repair turn: the trained
model answers the same way again).
"""

from __future__ import annotations

from typing import Any

from lic_cli.errors import InputError, ModelLoadError
from lic_cli.extract import prompt
from lic_cli.extract.engine import Outcome, Turn
from lic_cli.extract.generate import ChatGenerator
from lic_cli.tasks import Project, Task

FORMAT = "extraction"
MAX_NEW_TOKENS = 160  # the longest gold answer of the extract dataset is 69 tokens


def extraction_task(project: Project) -> Task:
    """The project's task of format `extraction` (the demo project calls it `extract`)."""
    for task in project.tasks.values():
        if task.format == FORMAT:
            return task
    raise ModelLoadError(f"no task of format '{FORMAT}' in {project.root / 'tasks.yaml'}: add one (see "
                         "docs/extract.md) to train an extraction model")


def trained_entry(project: Project) -> dict[str, Any] | None:
    """The registry entry of the newest usable extraction model, if any."""
    from lic_cli.models import registry

    return registry.latest(project, extraction_task(project).name)


class ModelEngine:
    name = "model"

    def __init__(self, generator: ChatGenerator) -> None:
        self.generator = generator
        self.model = generator.name

    @classmethod
    def load(cls, project: Project, *, batch_size: int = 16) -> ModelEngine:
        task = extraction_task(project)
        entry = trained_entry(project)
        if entry is None:
            raise ModelLoadError(f"no trained model for task '{task.name}' yet: run `lic train {task.name}` "
                                 "(or use --engine rules or --engine llm)")
        folder = project.path(entry["path"])
        return cls(ChatGenerator.load(folder, batch_size=batch_size, max_new_tokens=MAX_NEW_TOKENS))

    def extract(self, turns: list[Turn]) -> list[Outcome]:
        answers = self.generator.complete([prompt.messages(t.text, t.context, t.label) for t in turns])
        out = []
        for answer in answers:
            try:
                out.append(Outcome(items=prompt.parse(answer.text), output=answer.text))
            except InputError as exc:
                out.append(Outcome(error=exc.format(), output=answer.text))
        return out
