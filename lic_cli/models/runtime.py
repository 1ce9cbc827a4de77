"""CPU-thread settings for torch at inference and training time: $LIC_THREADS, else every
core this process may use."""

from __future__ import annotations

import os


def cpu_threads() -> int:
    """Torch threads: $LIC_THREADS, else every core this process may use."""
    env = os.environ.get("LIC_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def torch_env() -> None:
    # OpenMP threads that spin while waiting make a busy machine (a shared CI runner,
    # other processes on 2 cores) 2-4x slower; sleeping waits cost little when idle.
    # Read once, when torch loads OpenMP, so it only helps if torch is not loaded yet.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
