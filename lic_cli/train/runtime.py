"""The torch / transformers plumbing every train type shares: threads, the quiet Trainer
set-up, and the map-style dataset Trainer reads.

torch and transformers are imported inside functions: importing this module is cheap.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from lic_cli.models.runtime import cpu_threads, torch_env  # noqa: F401 (train's own imports)


class ListDataset:
    """A map-style dataset over a list (what Trainer's samplers need: len and getitem)."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> dict[str, Any]:
        return self.items[i]


def trainer_args(scratch: str, params: Any, *, progress: bool, **extra: Any) -> Any:
    """TrainingArguments for one in-memory run: nothing saved, logged or reported by Trainer
    itself (lic saves the model and writes the registry), seeded from `params`."""
    from transformers import TrainingArguments

    return TrainingArguments(
        output_dir=scratch,  # required, but nothing is saved there (save_strategy "no")
        num_train_epochs=params.epochs,
        learning_rate=params.learning_rate,
        per_device_train_batch_size=params.batch_size,
        per_device_eval_batch_size=params.eval_batch_size,
        weight_decay=params.weight_decay,
        warmup_steps=params.warmup,
        seed=params.seed,
        data_seed=params.seed,
        save_strategy="no",
        eval_strategy="no",
        report_to="none",
        logging_strategy="no",
        disable_tqdm=not progress,
        dataloader_num_workers=0,
        dataloader_pin_memory=False,
        **extra,
    )


@contextlib.contextmanager
def progress_bars(hf_logging: Any, enabled: bool) -> Iterator[None]:
    """Loading / saving bars on or off for one call (transformers keeps it as global state)."""
    was = hf_logging.is_progress_bar_enabled()
    (hf_logging.enable_progress_bar if enabled else hf_logging.disable_progress_bar)()
    try:
        yield
    finally:
        (hf_logging.enable_progress_bar if was else hf_logging.disable_progress_bar)()


@contextlib.contextmanager
def quiet_transformers(hf_logging: Any) -> Iterator[None]:
    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
