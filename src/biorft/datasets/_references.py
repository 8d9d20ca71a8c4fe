"""Published results on bundled and downloadable tasks, carried in their dataset cards as reference rows.

One table, keyed by task name; curation copies a task's entries into its card (``DatasetCard.references``) and
reports show them beside the model as reference rows, never as runs. Every entry cites its source; where no
published number could be found, the entry has ``value=None`` and a note that says so.
"""

from __future__ import annotations

from biorft.schema import ReferenceResult

__all__ = ["REFERENCES", "references_for"]

REFERENCES: dict[str, tuple[ReferenceResult, ...]] = {}
"""Task name -> published results on that task (filled per task domain)."""


def references_for(task: str) -> tuple[ReferenceResult, ...]:
    """The published results recorded for a task (empty when none are recorded).

    Examples:
        >>> references_for("no/such_task")
        ()
    """
    return REFERENCES.get(task, ())
