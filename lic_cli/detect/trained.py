"""The fine-tuned intent model from `lic train intent`, when it matches the current dataset.

Its calibration (temperature and threshold, fitted on the dev split of the very dataset
the model was trained on) is computed on first use and kept beside the weights as
`calibration.json`, so later runs read it instead of re-scoring the dev split.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lic_cli.detect import calibration
from lic_cli.detect.calibration import Calibration
from lic_cli.detect.features import read_examples
from lic_cli.errors import ModelLoadError
from lic_cli.store.rows import file_hash
from lic_cli.tasks import Project, Task

if TYPE_CHECKING:
    import numpy as np


class Trained:
    def __init__(self, classifier, name: str, cal: Calibration | None = None) -> None:
        self.classifier = classifier
        self.labels = tuple(classifier.labels)
        self.name = name
        self.calibration = cal or Calibration()
        self.threshold = self.calibration.threshold

    def raw_proba(self, texts: list[str], contexts: list[str]) -> np.ndarray:
        return self.classifier.predict_proba(texts, contexts)

    def predict_proba(self, texts: list[str], contexts: list[str]) -> np.ndarray:
        """Calibrated probabilities, columns in `self.labels` order."""
        return calibration.apply(self.raw_proba(texts, contexts), self.calibration, self.labels)


def load_trained(project: Project, task: Task, *, required: bool = False) -> Trained | None:
    from lic_cli.models import registry
    from lic_cli.models.classifier import Classifier

    entry = registry.for_hash(project, task.name, file_hash(project.dataset_path(task)))
    if entry is None:
        if required:
            raise ModelLoadError(f"no trained '{task.name}' model for the current dataset; "
                                 f"run 'lic train {task.name}'")
        return None
    folder = project.path(entry["path"])
    model = Trained(Classifier.load(folder), entry["path"])
    cal = calibration.read(folder / calibration.FILE)
    if cal is None:
        dev = [e for e in read_examples(project, task) if e.split == "dev"]
        cal = calibration.calibrate(model.raw_proba([e.text for e in dev], [e.context for e in dev]),
                                    [model.labels.index(e.label) for e in dev], model.labels)
        try:
            calibration.write(folder / calibration.FILE, cal)
        except OSError:  # a read-only model folder: calibrate again next time
            pass
    model.calibration, model.threshold = cal, cal.threshold
    return model
