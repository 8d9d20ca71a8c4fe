"""Train / valid / test splits: random, stratified, scaffold, random_scaffold, cold and family, with leakage checks.

All methods are deterministic for given data and seed: indices are drawn with ``numpy.random.default_rng(seed)``
over a canonical order, and every part keeps the dataset's row order.

Group methods (``scaffold``, ``random_scaffold``, ``cold``, ``family``) keep each group (Bemis-Murcko scaffold,
entity, or gene family: [gene_family][biorft.datasets.gene_family]) in one part. As in Chemprop's balanced scaffold
split, groups larger than half the valid or test size go to train first; the remaining groups then go, one at a
time, to the part furthest below its target size, so valid and test are neither empty nor starved even when one
scaffold (acyclic molecules, benzene) or one gene family (zinc fingers) holds a fifth of the data or more.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from biorft.datasets._families import FAMILY_COLUMN, families_of, family_groups, shared_families
from biorft.datasets._io import did_you_mean
from biorft.errors import DatasetError
from biorft.schema import DatasetCard, Domain, SplitStats, TaskKind, TaskSpec

if TYPE_CHECKING:
    from collections.abc import Iterator

    import numpy as np
    import polars as pl

    from biorft.datasets._dataset import TaskDataset

__all__ = ["SPLIT_METHODS", "Splits", "check_fractions", "split_dataset", "target_sizes"]

SPLIT_METHODS = ("random", "stratified", "scaffold", "random_scaffold", "cold", "family")
PARTS = ("train", "valid", "test")
_LEAK_COLUMNS = ("id", "entity", "inchikey", "ensembl_id", "symbol")


def check_fractions(fractions: Sequence[float]) -> tuple[float, float, float]:
    """Validate train / valid / test fractions: three finite numbers >= 0 summing to 1, train > 0.

    Raises:
        DatasetError: Naming the bad value.

    Examples:
        >>> check_fractions([0.8, 0.1, 0.1])
        (0.8, 0.1, 0.1)
        >>> check_fractions([0.8, 0.1, 0.2])
        Traceback (most recent call last):
        ...
        biorft.errors.DatasetError: fractions (0.8, 0.1, 0.2) sum to 1.1, not 1; pass e.g. fractions=(0.8, 0.1, 0.1)
    """
    fr = tuple(float(f) for f in fractions)
    if len(fr) != 3:
        raise DatasetError(f"fractions must be three numbers (train, valid, test), got {tuple(fractions)}")
    if any(not math.isfinite(f) or f < 0 for f in fr):
        raise DatasetError(f"fractions must be finite and >= 0, got {fr}")
    total = sum(fr)
    if abs(total - 1.0) > 1e-6:
        raise DatasetError(f"fractions {fr} sum to {total:g}, not 1; pass e.g. fractions=(0.8, 0.1, 0.1)")
    if fr[0] <= 0:
        raise DatasetError(f"the train fraction must be > 0, got {fr}")
    return (fr[0], fr[1], fr[2])


def target_sizes(n: int, fractions: Sequence[float]) -> list[int]:
    """Part sizes for ``n`` examples: largest-remainder rounding, each non-empty part of n kept >= 1 when n allows.

    Examples:
        >>> target_sizes(10, (0.8, 0.1, 0.1)), target_sizes(3, (0.98, 0.01, 0.01))
        ([8, 1, 1], [1, 1, 1])
    """
    raw = [n * f for f in fractions]
    sizes = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - sizes[i]), i))
    for i in order[: n - sum(sizes)]:
        sizes[i] += 1
    wanted = [i for i, f in enumerate(fractions) if f > 0]
    if n >= len(wanted):
        for i in wanted:
            if sizes[i] == 0:
                donor = max(range(len(sizes)), key=lambda j: (sizes[j], -j))
                sizes[donor] -= 1
                sizes[i] += 1
    return sizes


@dataclass(frozen=True)
class Splits:
    """Train, valid and test datasets of one task plus how the split came out.

    Iterating yields ``("train", ds)``, ``("valid", ds)``, ``("test", ds)``.

    Attributes:
        train: Training examples.
        valid: Validation examples.
        test: Test examples.
        stats: Method, seed, fractions asked and achieved, sizes, label counts, per-part checksums and notes.

    Examples:
        >>> import biorft as br
        >>> splits = br.load_task("genes/dosage_sensitive_tfs").split("stratified", seed=1)
        >>> [(name, len(ds)) for name, ds in splits]
        [('train', 390), ('valid', 49), ('test', 49)]
    """

    train: TaskDataset
    valid: TaskDataset
    test: TaskDataset
    stats: SplitStats

    @property
    def spec(self) -> TaskSpec:
        """The task spec shared by the three parts."""
        return self.train.spec

    @property
    def card(self) -> DatasetCard:
        """The dataset card, with ``splits`` set to :attr:`stats`."""
        return self.train.card

    @property
    def parts(self) -> dict[str, TaskDataset]:
        """``{"train": ..., "valid": ..., "test": ...}``."""
        return {"train": self.train, "valid": self.valid, "test": self.test}

    def __iter__(self) -> Iterator[tuple[str, TaskDataset]]:
        yield from self.parts.items()

    def check_leakage(self) -> None:
        """Raise :class:`~biorft.errors.DatasetError` when parts share ids, entities, InChIKeys or genes.

        Scaffold-based splits also check that no Bemis-Murcko scaffold appears in two parts; gene tasks check that no
        gene family ([gene_family][biorft.datasets.gene_family]) appears in two parts, whatever the method.

        Raises:
            DatasetError: Naming the column, the two parts and (up to five of) the shared values.

        Examples:
            >>> import biorft as br
            >>> br.load_task("molecules/tox21").split("random_scaffold", seed=3).check_leakage()
        """
        columns = list(_LEAK_COLUMNS)
        if self.stats.method in ("scaffold", "random_scaffold"):
            columns.append("scaffold")
        problems = []
        for col in columns:
            if col not in self.train.frame.columns:
                continue
            values = {name: set(ds.frame[col].drop_nulls().to_list()) for name, ds in self}
            for i, a in enumerate(PARTS):
                for b in PARTS[i + 1 :]:
                    shared = sorted(values[a] & values[b], key=str)
                    if shared:
                        shown = ", ".join(repr(s) for s in shared[:5])
                        more = f" and {len(shared) - 5} more" if len(shared) > 5 else ""
                        problems.append(f"{len(shared)} {col} value(s) in both {a} and {b}: {shown}{more}")
        if self.spec.domain is Domain.GENES:
            shared_fam = shared_families(families_of(ds.frame) for _, ds in self)
            if shared_fam:
                more = f" and {len(shared_fam) - 5} more" if len(shared_fam) > 5 else ""
                problems.append(
                    f"{len(shared_fam)} gene families in two parts: {', '.join(shared_fam[:5])}{more} (use 'family')"
                )
        if problems:
            raise DatasetError(
                f"{self.spec.name}: leakage between split parts: "
                + "; ".join(problems)
                + "; use a group split ('scaffold', 'cold') or de-duplicate the data"
            )


# --------------------------------------------------------------------------------------------------------------
def _stratify_keys(spec: TaskSpec, frame: pl.DataFrame) -> list[str]:
    target = frame["target"]
    if spec.kind is TaskKind.REGRESSION:
        values = target.cast(float).to_list()
        ranked = sorted(range(len(values)), key=lambda i: (values[i], i))
        bins = max(1, min(10, len(values) // 10))
        keys = [""] * len(values)
        for rank, i in enumerate(ranked):
            keys[i] = f"bin{rank * bins // max(1, len(values)):02d}"
        return keys
    if spec.kind is TaskKind.MULTILABEL:
        lists = target.to_list()
        freq: dict[str, int] = {}
        for labs in lists:
            for lab in labs or ():
                freq[lab] = freq.get(lab, 0) + 1
        return [min(labs, key=lambda x: (freq[x], x)) if labs else "<none>" for labs in lists]
    return [str(v) for v in target.to_list()]


def _random_parts(n: int, sizes: list[int], rng: np.random.Generator) -> list[list[int]]:
    perm = [int(i) for i in rng.permutation(n)]
    a, b = sizes[0], sizes[0] + sizes[1]
    return [sorted(perm[:a]), sorted(perm[a:b]), sorted(perm[b:])]


def _stratified_parts(keys: list[str], fractions: Sequence[float], rng: np.random.Generator) -> list[list[int]]:
    by_key: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        by_key.setdefault(k, []).append(i)
    parts: list[list[int]] = [[], [], []]
    totals = [0, 0, 0]
    for key in sorted(by_key):
        idx = by_key[key]
        perm = [idx[int(j)] for j in rng.permutation(len(idx))]
        raw = [len(idx) * f for f in fractions]
        sizes = [math.floor(r) for r in raw]
        # leftover examples go to the parts furthest behind overall, so totals stay near the fractions too
        for _ in range(len(idx) - sum(sizes)):
            cand = [p for p in range(3) if fractions[p] > 0 and sizes[p] < math.ceil(raw[p])] or [0]
            p = max(cand, key=lambda q: (fractions[q] * (sum(totals) + len(idx)) - totals[q] - sizes[q], -q))
            sizes[p] += 1
        start = 0
        for p in range(3):
            parts[p].extend(perm[start : start + sizes[p]])
            totals[p] += sizes[p]
            start += sizes[p]
    return [sorted(p) for p in parts]


def _group_parts(
    groups: dict[str, list[int]],
    n: int,
    fractions: Sequence[float],
    *,
    order: list[str],
    notes: list[str],
    what: str,
) -> list[list[int]]:
    targets = target_sizes(n, fractions)
    small_targets = [t for t, f in zip(targets[1:], fractions[1:], strict=True) if f > 0]
    threshold = min(small_targets) / 2 if small_targets else math.inf
    big = [g for g in order if len(groups[g]) > threshold]
    small = [g for g in order if len(groups[g]) <= threshold]
    assign: list[list[str]] = [[], [], []]
    sizes = [0, 0, 0]
    for g in big:
        assign[0].append(g)
        sizes[0] += len(groups[g])
    if big:
        notes.append(
            f"{len(big)} {what} group(s) larger than half the valid/test size ({threshold:g}) went to train first "
            f"(sizes {sorted((len(groups[g]) for g in big), reverse=True)[:5]})"
        )
    for g in small:
        p = max((q for q in range(3) if fractions[q] > 0), key=lambda q: (targets[q] - sizes[q], -q))
        assign[p].append(g)
        sizes[p] += len(groups[g])
    # never leave a part that was asked for empty: move train's smallest group into it
    for p in (1, 2):
        if fractions[p] > 0 and sizes[p] == 0:
            if len(assign[0]) < 2:
                raise DatasetError(
                    f"cannot give the {PARTS[p]} part any examples: the data has only {len(groups)} {what} "
                    f"group(s); use more data, method='random', or a {PARTS[p]} fraction of 0"
                )
            g = min(assign[0], key=lambda x: (len(groups[x]), x))
            assign[0].remove(g)
            assign[p].append(g)
            sizes[0] -= len(groups[g])
            sizes[p] += len(groups[g])
            notes.append(f"moved {what} group {g!r} ({len(groups[g])} examples) from train to {PARTS[p]}")
    return [sorted(i for g in assign[p] for i in groups[g]) for p in range(3)]


def _checksum(ids: list[str]) -> str:
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()


def split_dataset(ds: TaskDataset, method: str, fractions: Sequence[float], seed: int) -> Splits:
    """Split ``ds`` (see :meth:`TaskDataset.split`).

    Examples:
        >>> import biorft as br
        >>> split_dataset(br.load_task("genes/bivalent_vs_lys4_only"), "cold", (0.8, 0.1, 0.1), 0).stats.method
        'cold'
    """
    import numpy as np

    from biorft.datasets._dataset import TaskDataset, _label_counts

    if method not in SPLIT_METHODS:
        raise DatasetError(
            f"unknown split method {method!r}{did_you_mean(method, SPLIT_METHODS)}; use one of {list(SPLIT_METHODS)}"
        )
    fr = check_fractions(fractions)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise DatasetError(f"seed must be an integer, got {seed!r}")
    frame = ds.frame
    n = frame.height
    if n < 3:
        raise DatasetError(f"{ds.name}: cannot split {n} example(s) into train / valid / test; need at least 3")
    rng = np.random.default_rng(int(seed))
    notes: list[str] = []
    if method == "random":
        parts = _random_parts(n, target_sizes(n, fr), rng)
    elif method == "stratified":
        parts = _stratified_parts(_stratify_keys(ds.spec, frame), fr, rng)
    else:
        if method == "family":
            if ds.spec.domain is not Domain.GENES:
                raise DatasetError(
                    f"{ds.name}: method 'family' groups gene families and needs a gene task; use 'scaffold' for "
                    "molecule tasks"
                )
            key_col, what = FAMILY_COLUMN, "gene family"
        elif method == "cold":
            key_col, what = "entity", "entity"
        else:
            if "scaffold" not in frame.columns:
                raise DatasetError(
                    f"{ds.name}: method {method!r} needs a 'scaffold' column (molecule tasks); "
                    "use method='cold' to keep each entity in one part"
                )
            key_col, what = "scaffold", "scaffold"
        groups: dict[str, list[int]] = {}
        if method == "family":
            groups = family_groups(families_of(frame))
        else:
            for i, key in enumerate(frame[key_col].fill_null("").to_list()):
                groups.setdefault(str(key), []).append(i)
        if method == "scaffold":
            order = sorted(groups, key=lambda g: (-len(groups[g]), g))
            notes.append("scaffold split is deterministic: the seed is not used")
        else:
            canon = sorted(groups)
            order = [canon[int(j)] for j in rng.permutation(len(canon))]
        parts = _group_parts(groups, n, fr, order=order, notes=notes, what=what)
    for p, name in enumerate(PARTS):
        if fr[p] > 0 and not parts[p]:
            raise DatasetError(f"{ds.name}: the {name} part came out empty; use more data or other fractions")
    targets = target_sizes(n, fr)
    achieved = {name: round(len(parts[p]) / n, 6) for p, name in enumerate(PARTS)}
    worst = max(abs(achieved[name] - fr[p]) for p, name in enumerate(PARTS))
    if worst > 0.02:
        notes.append(f"achieved fractions differ from those asked by up to {worst:.3f}")
    for p, name in enumerate(PARTS):
        if fr[p] > 0 and len(parts[p]) < targets[p] / 2:
            notes.append(f"{name} has {len(parts[p])} examples, under half its target of {targets[p]}")
    frames = {name: frame[parts[p]] if parts[p] else frame.clear() for p, name in enumerate(PARTS)}
    stats = SplitStats(
        method=method,
        seed=None if method == "scaffold" else int(seed),
        fractions=fr,
        sizes={name: f.height for name, f in frames.items()},
        achieved=achieved,
        label_counts={name: _label_counts(ds.spec, f) for name, f in frames.items()},
        checksums={name: _checksum([str(x) for x in f["id"].to_list()]) for name, f in frames.items()},
        notes=tuple(notes),
    )
    card = DatasetCard(**{**ds.card.model_dump(), "splits": stats.model_dump()})
    out = {name: TaskDataset(ds.spec, f, card) for name, f in frames.items()}
    return Splits(train=out["train"], valid=out["valid"], test=out["test"], stats=stats)
