"""Curated and user-built task datasets (placeholder until the datasets module lands)."""

from __future__ import annotations

from biorft.schema import TaskInfo

__all__ = ["list_tasks"]


def list_tasks() -> list[TaskInfo]:
    """List the registered tasks.

    Returns:
        One :class:`~biorft.schema.TaskInfo` per task.

    Example:
        >>> isinstance(list_tasks(), list)
        True
    """
    return []
