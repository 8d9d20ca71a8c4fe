"""Pure helpers of the peers benchmark: input rows, partition agreement, leakage, ratios and table cells.

Nothing here imports RDKit or a peer library, so the logic is unit-tested quickly (tests/benchmarks/).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

PARTS = ("train", "valid", "test")


def make_rows(base: Sequence[str], n: int, seed: int = 0, valid: Callable[[str], bool] | None = None) -> Iterator[str]:
    """``n`` SMILES from ``base``: a fixed shuffle of it, repeated with a row suffix where ``n`` exceeds it.

    Copy ``r`` (0-based) of a molecule gets ``r`` extra carbons appended, as in benchmarks/datasets.py, so the copies
    are new molecules (de-duplication does not collapse them); the shuffle mixes the source files. With ``valid``
    (e.g. "RDKit parses it"), a copy whose appended carbons make an invalid SMILES (``...=O`` + ``C``) gets them
    prepended instead when that is valid, so the copies stay molecules rather than becoming junk rows.
    """
    if n > 0 and not base:
        raise ValueError("no input SMILES: pass molecule files or run beside ../shared/data")
    order = list(base)
    random.Random(seed).shuffle(order)
    for i in range(n):
        copy, j = divmod(i, len(order))
        smi = order[j] + "C" * copy
        if copy and valid is not None and not valid(smi):
            alt = "C" * copy + order[j]
            if valid(alt):
                smi = alt
        yield smi


@dataclass(frozen=True)
class PartitionDiff:
    """How two groupings of the same rows compare.

    ``identical_groups`` counts groups with exactly the same members under both; ``rows_differing`` counts rows
    whose group (as a member set) differs between the two: one salt that leaves a 1,000-molecule group makes all
    1,000 rows differ. ``rows_moved`` counts the rows that actually change company: in each group of one grouping,
    the rows outside its largest overlap with a group of the other (the larger of the two directions, so both
    splits and merges count). Same partition iff ``rows_differing == 0`` iff ``rows_moved == 0``.
    """

    rows: int
    groups_a: int
    groups_b: int
    identical_groups: int
    rows_differing: int
    rows_moved: int

    @property
    def same(self) -> bool:
        return self.rows_differing == 0


def partition_diff(a: Mapping[int, Hashable], b: Mapping[int, Hashable]) -> PartitionDiff:
    """Compare the partitions induced by group keys ``a`` and ``b`` over the rows both have a key for.

    The key values themselves are never compared (one tool writes ``c1ccccc1``, another may write a generic form):
    only which rows share a group.
    """
    rows = sorted(set(a) & set(b))
    members_a: dict[Hashable, list[int]] = {}
    members_b: dict[Hashable, list[int]] = {}
    for r in rows:
        members_a.setdefault(a[r], []).append(r)
        members_b.setdefault(b[r], []).append(r)
    frozen_a = {k: tuple(v) for k, v in members_a.items()}
    set_b = {tuple(v) for v in members_b.values()}
    identical = {k for k, v in frozen_a.items() if v in set_b}
    differing = sum(len(v) for k, v in frozen_a.items() if k not in identical)
    moved = max(_split_off(members_a, b), _split_off(members_b, a))
    return PartitionDiff(len(rows), len(members_a), len(members_b), len(identical), differing, moved)


def _split_off(groups: Mapping[Hashable, list[int]], other: Mapping[int, Hashable]) -> int:
    total = 0
    for members in groups.values():
        counts: dict[Hashable, int] = {}
        for r in members:
            counts[other[r]] = counts.get(other[r], 0) + 1
        total += len(members) - max(counts.values())
    return total


def cross_part_groups(keys: Mapping[int, Hashable], parts: Mapping[int, str]) -> int:
    """How many groups (by ``keys``) have rows in more than one part; rows missing from either map are ignored."""
    seen: dict[Hashable, set[str]] = {}
    for r, part in parts.items():
        if r in keys:
            seen.setdefault(keys[r], set()).add(part)
    return sum(1 for s in seen.values() if len(s) > 1)


def part_sizes(parts: Mapping[int, str]) -> dict[str, int]:
    """Rows per part, in train / valid / test order."""
    sizes = dict.fromkeys(PARTS, 0)
    for part in parts.values():
        sizes[part] += 1
    return sizes


def duplicates_found(keys: Iterable[str | None]) -> int:
    """Rows that repeat an identity already seen (``None`` = no identity, never a duplicate)."""
    seen: set[str] = set()
    dups = 0
    for k in keys:
        if k is None:
            continue
        if k in seen:
            dups += 1
        seen.add(k)
    return dups


def greedy_scaffold_parts(keys: Sequence[Hashable | None], fractions: Sequence[float]) -> list[str | None]:
    """DeepChem's scaffold assignment: groups largest first (ties: later first row first, as DeepChem sorts) fill
    train up to its cut, then valid, then test.

    Used for datamol, which computes scaffolds but ships no splitter. Rows whose key is ``None`` stay unassigned.
    """
    groups: dict[Hashable, list[int]] = {}
    for i, k in enumerate(keys):
        if k is not None:
            groups.setdefault(k, []).append(i)
    n = sum(len(g) for g in groups.values())
    cut_train, cut_valid = fractions[0] * n, (fractions[0] + fractions[1]) * n
    out: list[str | None] = [None] * len(keys)
    n_train = n_valid = 0
    for members in sorted(groups.values(), key=lambda g: (len(g), g[0]), reverse=True):
        if n_train + len(members) > cut_train:
            if n_train + n_valid + len(members) > cut_valid:
                part = "test"
            else:
                part, n_valid = "valid", n_valid + len(members)
        else:
            part, n_train = "train", n_train + len(members)
        for i in members:
            out[i] = part
    return out


def ratio(biorft_s: float | None, peer_s: float | None) -> str:
    """``biorft / peer`` time as a table cell with the speed-up spelled out (``"0.25 (4.0x faster)"``)."""
    if not biorft_s or not peer_s:
        return "n/a"
    r = biorft_s / peer_s
    return f"{r:.2f} ({1 / r:.1f}x faster)" if r <= 1 else f"{r:.2f} ({r:.1f}x slower)"


def versions_cell(versions: Mapping[str, str]) -> str:
    """``"tdc 1.1.15, rdkit 2023.09.6"`` from a module -> version map (empty: ``"-"``)."""
    return ", ".join(f"{k} {v}" for k, v in versions.items()) or "-"


def md_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """A markdown table; ``|`` inside cells is escaped."""

    def cell(x: object) -> str:
        return str(x).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(x) for x in row) + " |" for row in rows]
    return lines


# ------------------------------------------------------------------------------------------------------- grading
_REASONING = (
    "The molecule has {n} heavy atoms in the SMILES, a moderate polar surface and few hydrogen-bond donors; "
    "small lipophilic neutral compounds tend to cross the blood-brain barrier, acids and large polar ones do not."
)
STYLES = (
    "answer line",
    "wrong label",
    "JSON",
    "answer tags",
    "synonym",
    "lower case",
    "no answer",
    "hedged",
    "boxed",
    "trailing period",
)


def make_completions(
    targets: Sequence[str], labels: Sequence[str], synonyms: Mapping[str, Sequence[str]], n: int
) -> list[tuple[str, str, str]]:
    """``n`` model-like completions ``(text, target, style)`` cycling through :data:`STYLES` and the targets.

    Each style is a way real models answer: correct on a final ``Answer:`` line, a wrong label, JSON with a
    confidence, ``<answer>`` tags, a synonym of the label, lower case, no answer at all, both labels (a hedge),
    ``\\boxed{}`` as math-tuned models write, and a trailing period.
    """
    if not targets or len(labels) < 2:
        raise ValueError("need at least one target and two labels")
    out: list[tuple[str, str, str]] = []
    for i in range(n):
        target = targets[i % len(targets)]
        other = next(lab for lab in labels if lab != target)
        style = STYLES[i % len(STYLES)]
        why = _REASONING.format(n=10 + i % 37)
        syn = list(synonyms.get(target, ())) or [target.lower()]
        text = {
            "answer line": f"{why}\nAnswer: {target}",
            "wrong label": f"{why}\nAnswer: {other}",
            "JSON": f'{why}\n{{"answer": "{target}", "confidence": 0.8}}',
            "answer tags": f"{why}\n<answer>{target}</answer>",
            "synonym": f"{why}\nAnswer: {syn[i % len(syn)]}",
            "lower case": f"{why}\nanswer: {target.lower()}",
            "no answer": f"{why}\nI cannot decide from the structure alone.",
            "hedged": f"{why}\nAnswer: {target} or {other}",
            "boxed": f"{why}\nThe answer is $\\boxed{{{target}}}$.",
            "trailing period": f"{why}\nAnswer: {target}.",
        }[style]
        out.append((text, target, style))
    return out


def hand_reward(text: str, target: str) -> float:
    """The reward people write by hand: the last ``Answer:`` line, case-folded, equal to the target -> 1.0."""
    answer = None
    for line in text.splitlines():
        head, sep, rest = line.partition(":")
        if sep and head.strip().casefold() == "answer":
            answer = rest.strip()
    return 1.0 if answer is not None and answer.casefold() == target.casefold() else 0.0


def agreement(a: Sequence[float | None], b: Sequence[float | None]) -> float:
    """Share of positions where two score lists agree exactly (``None`` equals only ``None``)."""
    if len(a) != len(b):
        raise ValueError(f"score lists differ in length: {len(a)} != {len(b)}")
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a) if a else 1.0


NUMERIC_STYLES = ("answer line", "within tolerance", "far off", "JSON", "boxed", "with units", "no answer")


def make_numeric_completions(values: Sequence[float], tolerance: float, n: int) -> list[tuple[str, float, str]]:
    """``n`` completions ``(text, target, style)`` for a regression task, cycling through :data:`NUMERIC_STYLES`.

    Values are written with two decimals; "within tolerance" is off by half the tolerance (right for a grader
    with that tolerance, wrong for exact matching), "far off" by three tolerances plus one.
    """
    if not values:
        raise ValueError("need at least one target value")
    out: list[tuple[str, float, str]] = []
    for i in range(n):
        y = round(float(values[i % len(values)]), 2)
        style = NUMERIC_STYLES[i % len(NUMERIC_STYLES)]
        why = "Solubility falls with size and lipophilicity and rises with polar groups; estimating from the groups."
        text = {
            "answer line": f"{why}\nAnswer: {y:.2f}",
            "within tolerance": f"{why}\nAnswer: {y + tolerance / 2:.2f}",
            "far off": f"{why}\nAnswer: {y + 3 * tolerance + 1:.2f}",
            "JSON": f'{why}\n{{"answer": {y:.2f}}}',
            "boxed": f"{why}\nThe answer is $\\boxed{{{y:.2f}}}$.",
            "with units": f"{why}\nAnswer: {y:.2f} log mol/L",
            "no answer": f"{why}\nIt is hard to say without measurements.",
        }[style]
        out.append((text, y, style))
    return out


def hand_numeric_reward(text: str, target: float, tolerance: float) -> float:
    """Hand-written regression reward: the last ``Answer:`` line as a float, within ``tolerance`` -> 1.0."""
    answer = None
    for line in text.splitlines():
        head, sep, rest = line.partition(":")
        if sep and head.strip().casefold() == "answer":
            answer = rest.strip()
    try:
        return 1.0 if answer is not None and abs(float(answer) - target) <= tolerance else 0.0
    except ValueError:
        return 0.0
