"""The fine-tuned intent model from `lic train intent`, when it matches the current dataset."""

from __future__ import annotations

from lic_cli.errors import ModelLoadError
from lic_cli.store.rows import file_hash
from lic_cli.tasks import Project, Task


class Trained:
    def __init__(self, classifier, name: str) -> None:
        self.classifier = classifier
        self.labels = tuple(classifier.labels)
        self.name = name

    def predict_proba(self, texts: list[str], contexts: list[str]):
        return self.classifier.predict_proba(texts, contexts)


def load_trained(project: Project, task: Task, *, required: bool = False) -> Trained | None:
    from lic_cli.train import registry
    from lic_cli.train.classify import Classifier

    entry = registry.for_hash(project, task.name, file_hash(project.dataset_path(task)))
    if entry is None:
        if required:
            raise ModelLoadError(f"no trained '{task.name}' model for the current dataset; "
                                 f"run 'lic train {task.name}'")
        return None
    return Trained(Classifier.load(project.path(entry["path"])), entry["path"])
