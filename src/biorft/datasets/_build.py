"""Shared builder steps: target parsing, de-duplication with a conflicting-label policy, row accounting."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from biorft.datasets._io import did_you_mean, require_columns
from biorft.errors import DatasetError
from biorft.schema import QuarantinedRow, TaskKind

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "DUPLICATE_POLICIES",
    "DuplicatePolicy",
    "Record",
    "TargetParser",
    "check_policy",
    "deduplicate",
    "number_key",
    "parse_kind",
    "raw_str",
    "require_source_columns",
    "target_columns",
]

DuplicatePolicy = Literal["drop", "majority", "mean", "error"]
DUPLICATE_POLICIES: tuple[str, ...] = ("drop", "majority", "mean", "error")
_MISSING = {"", "nan", "na", "n/a", "none", "null", "?"}
_TRUE = {"1", "1.0", "true", "yes", "y", "t", "positive", "pos", "active"}
_FALSE = {"0", "0.0", "false", "no", "n", "f", "negative", "neg", "inactive"}


def raw_str(v: Any) -> str | None:
    """A source cell as a stripped string; ``None`` for missing (empty, NaN, ``NA`` ...).

    Examples:
        >>> raw_str(" BBB+ "), raw_str(1.0), raw_str(float("nan")), raw_str(True)
        ('BBB+', '1', None, '1')
    """
    if v is None:
        return None
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        if not math.isfinite(v):
            return None
        return str(int(v)) if v.is_integer() else repr(v)
    s = str(v).strip()
    return None if s.lower() in _MISSING else s


def number_key(text: str) -> str:
    """A numeric-looking label cell in one spelling: ``"1.0"``, ``" 1"``, ``"+1"``, ``"1e0"`` -> ``"1"``.

    So a label mapping ``{1: "active", 0: "inactive"}`` matches cells written ``1.0`` / ``0.0`` or ``"1"``. Other text
    is returned unchanged.

    Examples:
        >>> number_key("1.0"), number_key("0"), number_key("-2.50"), number_key("BBB+")
        ('1', '0', '-2.5', 'BBB+')
    """
    try:
        value = float(text)
    except (TypeError, ValueError):
        return text
    if not math.isfinite(value):
        return text
    return str(int(value)) if value.is_integer() else repr(value)


@dataclass(slots=True)
class Record:
    """One source row on its way into a dataset (compact: slots, column values as a tuple)."""

    row: int
    id: str | None
    key: str  # de-duplication identity (InChIKey, Ensembl ID)
    target: Any  # str | float | tuple[str, ...]
    known: tuple[str, ...] | None = None  # multilabel: labels measured
    values: tuple[Any, ...] = ()  # frame columns in the builder's order; the first is the entity


class TargetParser:
    """Turns raw target cells into labels / numbers / label sets, or a quarantine reason."""

    def __init__(
        self,
        kind: TaskKind,
        columns: Sequence[str],
        labels: Sequence[str] | Mapping[Any, str] | None,
        raw_values: Sequence[Any],
        *,
        source: str,
    ) -> None:
        self.kind = kind
        self.columns = list(columns)
        self.mapping: dict[str, str] = {}
        self.labels: tuple[str, ...] = ()
        self.inferred_note: str | None = None
        if kind is TaskKind.REGRESSION:
            if labels:
                raise DatasetError("regression tasks take no labels; drop labels= (set units / tolerance instead)")
            return
        if kind is TaskKind.MULTILABEL:
            if labels is None:
                self.labels = tuple(self.columns)
            elif isinstance(labels, Mapping):
                self.labels = tuple(str(labels.get(c, c)) for c in self.columns)
            else:
                if len(labels) != len(self.columns):
                    raise DatasetError(
                        f"labels has {len(labels)} names but target names {len(self.columns)} columns; pass one "
                        "label per target column (or labels=None to use the column names)"
                    )
                self.labels = tuple(str(x) for x in labels)
            return
        if isinstance(labels, Mapping):
            self.mapping = {str(raw_str(k)): str(v) for k, v in labels.items()}
            self.mapping.update({number_key(k): v for k, v in list(self.mapping.items()) if number_key(k) != k})
            self.labels = tuple(dict.fromkeys(self.mapping.values()))
        elif labels is not None:
            self.labels = tuple(str(x) for x in labels)
            self.mapping = {lab: lab for lab in self.labels}
            self.mapping.update({lab.lower(): lab for lab in self.labels if lab.lower() not in self.mapping})
        else:
            seen = sorted({s for s in (raw_str(v) for v in raw_values) if s is not None})
            if seen and all(s.lower() in _TRUE | _FALSE for s in seen) and len(seen) <= 4:
                self.labels = ("yes", "no")
                self.mapping = {s: ("yes" if s.lower() in _TRUE else "no") for s in seen}
                self.inferred_note = f"target values {seen} mapped to labels 'yes' / 'no'; pass labels= to name them"
            else:
                self.labels = tuple(seen)
                self.mapping = {s: s for s in seen}
                self.inferred_note = f"labels inferred from the data: {list(self.labels)}"
        if kind is TaskKind.BINARY and len(self.labels) != 2:
            raise DatasetError(
                f"binary task needs exactly 2 labels but target column {self.columns[0]!r} in {source} gives "
                f"{list(self.labels)[:10]}; pass labels={{raw: label}} or kind='multiclass'"
            )

    def parse(self, cells: Sequence[Any]) -> tuple[Any, tuple[str, ...] | None] | str:
        """Parse one row's target cell(s): ``(target, known_labels)`` or a quarantine reason."""
        kind = self.kind
        if kind is TaskKind.MULTILABEL:
            pos: list[str] = []
            known: list[str] = []
            for col, lab, cell in zip(self.columns, self.labels, cells, strict=True):
                s = raw_str(cell)
                if s is None:
                    continue
                low = s.lower()
                if low in _TRUE:
                    pos.append(lab)
                elif low not in _FALSE:
                    return f"target column {col!r}: value {s!r} is not 0 / 1 (or blank for not measured)"
                known.append(lab)
            if not known:
                return "no label measured (every target column is blank)"
            return tuple(sorted(pos)), tuple(sorted(known))
        s = raw_str(cells[0])
        if s is None:
            return "missing target"
        if kind is TaskKind.REGRESSION:
            try:
                value = float(s)
            except ValueError:
                return f"target {s!r} is not a number"
            if not math.isfinite(value):
                return f"target {s!r} is not finite"
            return value, None
        label = self.mapping.get(s) or self.mapping.get(s.lower()) or self.mapping.get(number_key(s))
        if label is None:
            return f"target {s!r} is not one of the labels {list(self.mapping)[:10]}{did_you_mean(s, self.mapping)}"
        return label, None


def check_policy(policy: str, kind: TaskKind) -> None:
    """Validate a duplicate policy for a task kind.

    Examples:
        >>> check_policy("mean", TaskKind.BINARY)
        Traceback (most recent call last):
        ...
        biorft.errors.DatasetError: duplicates='mean' only applies to regression tasks; use 'majority', 'drop' or \
'error' for binary tasks
    """
    if policy not in DUPLICATE_POLICIES:
        raise DatasetError(
            f"unknown duplicates policy {policy!r}{did_you_mean(policy, DUPLICATE_POLICIES)}; "
            f"use one of {list(DUPLICATE_POLICIES)}"
        )
    if policy == "mean" and kind is not TaskKind.REGRESSION:
        raise DatasetError(
            f"duplicates='mean' only applies to regression tasks; use 'majority', 'drop' or 'error' for "
            f"{kind.value} tasks"
        )


def parse_kind(kind: str | TaskKind) -> TaskKind:
    """The task kind a builder was asked for, or a [`DatasetError`][biorft.errors.DatasetError] listing the kinds.

    Examples:
        >>> parse_kind("regression")
        <TaskKind.REGRESSION: 'regression'>
        >>> parse_kind("binray")
        Traceback (most recent call last):
        ...
        biorft.errors.DatasetError: unknown kind 'binray' (did you mean 'binary'?); use one of ['binary', \
'multiclass', 'multilabel', 'regression']
    """
    try:
        return TaskKind(kind)
    except ValueError:
        raise DatasetError(
            f"unknown kind {kind!r}{did_you_mean(str(kind), [k.value for k in TaskKind])}; use one of "
            f"{[k.value for k in TaskKind]}"
        ) from None


def target_columns(target: str | Sequence[str], kind: TaskKind) -> list[str]:
    """The target column(s) as a list: exactly one unless the task is multilabel.

    Examples:
        >>> target_columns("y", TaskKind.BINARY), target_columns(["a", "b"], TaskKind.MULTILABEL)
        (['y'], ['a', 'b'])
    """
    cols = [target] if isinstance(target, str) else [str(t) for t in target]
    if kind is not TaskKind.MULTILABEL and len(cols) != 1:
        raise DatasetError(f"target must name one column for a {kind.value} task, got {cols}")
    return cols


def require_source_columns(
    frame: pl.DataFrame,
    *,
    entity: tuple[str, str],
    target_cols: Sequence[str],
    id: str | None,
    keep_columns: Sequence[str],
    source: str,
) -> None:
    """Check that a builder's source has its columns: ``entity`` is (column, parameter name), then targets, id, extras.

    A missing column raises [`DatasetError`][biorft.errors.DatasetError] naming the parameter that names it.
    """
    column, param = entity
    require_columns(
        frame,
        [column, *target_cols, *([id] if id else []), *keep_columns],
        source=source,
        params=[
            param,
            *(["target"] * len(target_cols)),
            *(["id"] if id else []),
            *(["keep_columns"] * len(keep_columns)),
        ],
    )


def _fmt_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k!r} x{v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def deduplicate(
    records: list[Record],
    *,
    kind: TaskKind,
    policy: str,
    key_name: str,
    tolerance: float | None = None,
) -> tuple[list[Record], list[QuarantinedRow]]:
    """Merge records that share ``key`` following ``policy``; every merged or dropped row is quarantined.

    Policies: ``"majority"`` keeps the most frequent label (a tie drops every copy; multilabel: per label, a tie
    leaves the label unmeasured; regression: the median), ``"drop"`` removes every copy of a conflicting group
    (regression: values further apart than ``tolerance``; agreeing copies are averaged), ``"mean"`` averages
    regression targets, ``"error"`` raises [DatasetError][biorft.errors.DatasetError] on the first conflict. Copies that
    agree are merged
    into the first row under every policy.

    Returns:
        The kept records (first-appearance order) and the quarantined rows (reason names the kept id / the conflict).

    Examples:
        >>> recs = [Record(0, "a", "K1", "x"), Record(1, "b", "K1", "x"), Record(2, "c", "K1", "y")]
        >>> kept, quarantined = deduplicate(recs, kind=TaskKind.BINARY, policy="majority", key_name="InChIKey")
        >>> [r.id for r in kept], [q.reason for q in quarantined][0]
        (['a'], "duplicate of 'a' (InChIKey K1); conflicting labels 'x' x2, 'y' x1: majority 'x' kept")
    """
    check_policy(policy, kind)
    groups: dict[str, list[Record]] = {}
    for r in records:
        groups.setdefault(r.key, []).append(r)
    kept: list[Record] = []
    quarantined: list[QuarantinedRow] = []

    def q(r: Record, reason: str) -> None:
        quarantined.append(QuarantinedRow(row=r.row, id=r.id, reason=reason, value=r.key))

    for key, group in groups.items():
        first = group[0]
        if len(group) == 1:
            kept.append(first)
            continue
        rows = [r.row for r in group]
        where = f"{key_name} {key}"
        if kind is TaskKind.REGRESSION:
            values = [float(r.target) for r in group]
            spread = max(values) - min(values)
            conflict = spread > (tolerance or 0.0) + 1e-12
            if conflict and policy == "error":
                raise DatasetError(
                    f"rows {rows} share {where} but their targets {values} differ by {spread:g}; pass "
                    "duplicates='mean', 'majority' (median) or 'drop'"
                )
            if conflict and policy == "drop":
                for r in group:
                    q(
                        r,
                        f"conflicting targets for {where}: {values} (spread {spread:g}); policy 'drop' removed "
                        "every copy",
                    )
                continue
            value = statistics.median(values) if policy == "majority" else statistics.fmean(values)
            how = "median" if policy == "majority" else "mean"
            first.target = value
            for r in group[1:]:
                q(r, f"duplicate of {first.id!r} ({where}); targets {values} merged to their {how} {value:g}")
            kept.append(first)
            continue
        if kind is TaskKind.MULTILABEL:
            measured: dict[str, list[bool]] = {}
            for r in group:
                for lab in r.known or ():
                    measured.setdefault(lab, []).append(lab in r.target)
            conflicts = sorted(lab for lab, vs in measured.items() if len(set(vs)) > 1)
            if conflicts and policy == "error":
                raise DatasetError(
                    f"rows {rows} share {where} but disagree on labels {conflicts}; pass duplicates='majority' "
                    "or 'drop'"
                )
            if conflicts and policy == "drop":
                for r in group:
                    q(r, f"conflicting labels {conflicts} for {where}; policy 'drop' removed every copy")
                continue
            pos: list[str] = []
            known: list[str] = []
            ties: list[str] = []
            for lab, vs in sorted(measured.items()):
                n_pos = sum(vs)
                if n_pos * 2 == len(vs) and lab in conflicts:
                    ties.append(lab)
                    continue
                known.append(lab)
                if n_pos * 2 > len(vs):
                    pos.append(lab)
            first.target, first.known = tuple(pos), tuple(known)
            detail = "labels merged"
            if conflicts:
                detail += f"; conflicting labels {conflicts} resolved by majority"
                if ties:
                    detail += f" (ties {ties} left unmeasured)"
            if not known:
                for r in group:
                    q(r, f"conflicting labels {conflicts} for {where} tie on every label; no label left")
                continue
            for r in group[1:]:
                q(r, f"duplicate of {first.id!r} ({where}); {detail}")
            kept.append(first)
            continue
        counts: dict[str, int] = {}
        for r in group:
            counts[str(r.target)] = counts.get(str(r.target), 0) + 1
        if len(counts) == 1:
            for r in group[1:]:
                q(r, f"duplicate of {first.id!r} ({where}), same label {first.target!r}")
            kept.append(first)
            continue
        if policy == "error":
            raise DatasetError(
                f"rows {rows} share {where} but have conflicting labels ({_fmt_counts(counts)}); pass "
                "duplicates='majority' or 'drop'"
            )
        top = max(counts.values())
        winners = [lab for lab, c in counts.items() if c == top]
        if policy == "drop" or len(winners) > 1:
            why = "policy 'drop' removed every copy" if policy == "drop" else "majority tie: every copy removed"
            for r in group:
                q(r, f"conflicting labels for {where} ({_fmt_counts(counts)}); {why}")
            continue
        keep = next(r for r in group if str(r.target) == winners[0])
        for r in group:
            if r is not keep:
                q(
                    r,
                    f"duplicate of {keep.id!r} ({where}); conflicting labels {_fmt_counts(counts)}: majority "
                    f"{winners[0]!r} kept",
                )
        kept.append(keep)
    kept.sort(key=lambda r: r.row)
    return kept, quarantined
