"""Background tasks that ``awn worker`` runs on every pass, besides firing deadlines.

A channel registers its task in its ``AppConfig.ready`` (for example WhatsApp: process stored
webhook deliveries, send queued messages). Each task takes ``now`` and returns how many items it
handled; it must be safe to run in several workers at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

Task = Callable[[datetime], int]
_tasks: dict[str, Task] = {}


def register_task(name: str, task: Task) -> None:
    _tasks[name] = task


def registered_tasks() -> dict[str, Task]:
    return dict(_tasks)
