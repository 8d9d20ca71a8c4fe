"""Compound identity groups: rows that share a connectivity key or a canonical-tautomer key are one compound.

A molecule row carries three keys (see `chem`): the full InChIKey (exact duplicates are merged on it),
the connectivity key (its first block: stereoisomers share it) and the tautomer key (tautomers share it). Rows linked
by either of the last two, directly or through other rows, form one *group* (union-find), named by the smallest
connectivity key among its rows. Every split keeps a group in one part.

A group whose rows disagree on the target follows the ``conflicts`` policy:

- ``"keep"``: every row stays (the group still moves as one, so nothing leaks); the conflict is counted in the card.
- ``"majority"``: rows that disagree with the group's majority label are quarantined (a tie quarantines the whole
  group); regression: rows further than the tolerance (0 when none) from the group's median are quarantined (if
  none is that close, the row nearest the median stays); multilabel: per label, as for classification.
- ``"quarantine"``: every row of a conflicting group is quarantined.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Literal

from biorft.datasets._build import Record
from biorft.datasets._io import did_you_mean
from biorft.errors import DatasetError
from biorft.schema import QuarantinedRow, TaskKind

__all__ = ["CONFLICT_POLICIES", "ConflictPolicy", "check_conflicts", "group_keys", "resolve_conflicts"]

ConflictPolicy = Literal["keep", "majority", "quarantine"]
CONFLICT_POLICIES: tuple[str, ...] = ("keep", "majority", "quarantine")


def check_conflicts(policy: str) -> None:
    """Validate a ``conflicts=`` policy.

    Examples:
        >>> check_conflicts("majorty")
        Traceback (most recent call last):
        ...
        biorft.errors.DatasetError: unknown conflicts policy 'majorty' (did you mean 'majority'?); use one of \
['keep', 'majority', 'quarantine']
    """
    if policy not in CONFLICT_POLICIES:
        raise DatasetError(
            f"unknown conflicts policy {policy!r}{did_you_mean(policy, CONFLICT_POLICIES)}; "
            f"use one of {list(CONFLICT_POLICIES)}"
        )


def group_keys(keys: Sequence[Sequence[str | None]], names: Sequence[str]) -> list[str]:
    """Union-find over rows: rows sharing any key (per level; ``None`` links nothing) get one group name.

    Args:
        keys: Per row, one key per level (e.g. connectivity, tautomer).
        names: Per row, a candidate name; a group is named by the smallest candidate of its rows.

    Returns:
        The group name of each row.

    Examples:
        >>> group_keys([("A", "t1"), ("B", "t1"), ("C", "t2"), ("C", None)], ["A", "B", "C", "C"])
        ['A', 'A', 'C', 'C']
    """
    parent = list(range(len(keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[int, str], int] = {}
    for i, row in enumerate(keys):
        for level, key in enumerate(row):
            if key is None:
                continue
            j = first.setdefault((level, key), i)
            if j != i:
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    best: dict[int, str] = {}
    for i, name in enumerate(names):
        root = find(i)
        if root not in best or name < best[root]:
            best[root] = name
    return [best[find(i)] for i in range(len(keys))]


def _fmt(counts: dict[str, int]) -> str:
    return ", ".join(f"{k!r} x{v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def resolve_conflicts(
    records: list[Record],
    groups: Sequence[str],
    *,
    kind: TaskKind,
    policy: str,
    tolerance: float | None,
) -> tuple[list[Record], list[str], list[QuarantinedRow], dict[str, int]]:
    """Apply the ``conflicts`` policy to the groups of ``records`` (one group name per record).

    Returns:
        The kept records and their group names (input order), the quarantined rows and the counts recorded in the
        card: ``groups``, ``multi_row_groups``, ``rows_in_multi_row_groups``, ``conflicting_groups``,
        ``conflicting_rows``, ``quarantined_by_conflicts``.

    Examples:
        >>> recs = [Record(0, "a", "K1", "x"), Record(1, "b", "K2", "x"), Record(2, "c", "K3", "y")]
        >>> kept, names, q, counts = resolve_conflicts(recs, ["G", "G", "G"], kind=TaskKind.BINARY,
        ...                                            policy="majority", tolerance=None)
        >>> [r.id for r in kept], counts["conflicting_groups"], q[0].reason  # doctest: +NORMALIZE_WHITESPACE
        (['a', 'b'], 1, "compound group G (stereoisomers / tautomers; rows [0, 1, 2]) has conflicting labels
        'x' x2, 'y' x1; conflicts='majority' kept 'x'")
    """
    check_conflicts(policy)
    members: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    drop: dict[int, str] = {}
    counts = dict.fromkeys(
        (
            "groups",
            "multi_row_groups",
            "rows_in_multi_row_groups",
            "conflicting_groups",
            "conflicting_rows",
            "quarantined_by_conflicts",
        ),
        0,
    )
    counts["groups"] = len(members)
    for g, idx in members.items():
        if len(idx) < 2:
            continue
        counts["multi_row_groups"] += 1
        counts["rows_in_multi_row_groups"] += len(idx)
        group = [records[i] for i in idx]
        where = f"compound group {g} (stereoisomers / tautomers; rows {[r.row for r in group]})"
        losers = _conflict(group, kind, tolerance)
        if losers is None:
            continue
        counts["conflicting_groups"] += 1
        counts["conflicting_rows"] += len(idx)
        detail, minority = losers
        if policy == "keep":
            continue
        if policy == "quarantine" or minority is None:
            why = "majority tie: every row removed"
            if policy == "quarantine":
                why = "conflicts='quarantine' removed every row"
            for i in idx:
                drop[i] = f"{where} has conflicting {detail}; {why}"
            continue
        for k in minority:
            drop[idx[k]] = f"{where} has conflicting {detail}; conflicts='majority' kept {_winner(group, minority)}"
    kept = [r for i, r in enumerate(records) if i not in drop]
    names = [g for i, g in enumerate(groups) if i not in drop]
    quarantined = [
        QuarantinedRow(row=records[i].row, id=records[i].id, reason=reason, value=records[i].key)
        for i, reason in sorted(drop.items())
    ]
    counts["quarantined_by_conflicts"] = len(quarantined)
    return kept, names, quarantined, counts


def _winner(group: list[Record], minority: list[int]) -> str:
    keep = [r for k, r in enumerate(group) if k not in minority]
    if not keep:
        return "nothing"
    target = keep[0].target
    if isinstance(target, float):
        return f"{len(keep)} row(s) near the median"
    if isinstance(target, tuple):
        return f"{len(keep)} row(s) agreeing with the per-label majority"
    return repr(str(target))


def _conflict(group: list[Record], kind: TaskKind, tolerance: float | None) -> tuple[str, list[int] | None] | None:
    """None when the rows agree; else (what conflicts, positions of the minority rows or None for a tie)."""
    if kind is TaskKind.REGRESSION:
        values = [float(r.target) for r in group]
        tol = (tolerance or 0.0) + 1e-12
        if max(values) - min(values) <= tol:
            return None
        median = statistics.median(values)
        far = [k for k, v in enumerate(values) if abs(v - median) > tol]
        if len(far) == len(values):
            nearest = min(range(len(values)), key=lambda k: (abs(values[k] - median), k))
            far = [k for k in far if k != nearest]
        return f"targets {[round(v, 4) for v in values]} (median {median:g})", far
    if kind is TaskKind.MULTILABEL:
        measured: dict[str, list[bool]] = {}
        for r in group:
            for lab in r.known or ():
                measured.setdefault(lab, []).append(lab in r.target)
        bad = sorted(lab for lab, vs in measured.items() if len(set(vs)) > 1)
        if not bad:
            return None
        if any(sum(measured[lab]) * 2 == len(measured[lab]) for lab in bad):
            return f"labels {bad}", None
        majority = {lab: sum(measured[lab]) * 2 > len(measured[lab]) for lab in bad}
        minority = [
            k
            for k, r in enumerate(group)
            if any(lab in (r.known or ()) and (lab in r.target) != majority[lab] for lab in bad)
        ]
        return f"labels {bad}", minority
    counts: dict[str, int] = {}
    for r in group:
        counts[str(r.target)] = counts.get(str(r.target), 0) + 1
    if len(counts) == 1:
        return None
    top = max(counts.values())
    winners = [lab for lab, c in counts.items() if c == top]
    if len(winners) > 1:
        return f"labels {_fmt(counts)}", None
    return f"labels {_fmt(counts)}", [k for k, r in enumerate(group) if str(r.target) != winners[0]]
