"""Train / valid / test splits that never separate a compound, a scaffold or a gene, with leakage checks.

Every method moves whole *units*: rows joined (union-find) by a shared value of the identity columns (``entity``,
``inchikey``, ``connectivity``, ``tautomer``, ``group``, ``ensembl_id``; stereoisomers and tautomers of one compound
form one unit) and of the method's own group columns (``scaffold`` for the scaffold methods). ``random`` and
``stratified`` draw units at random (stratified: per label, by the unit's first row); ``scaffold`` assigns units by
size (deterministic); ``random_scaffold`` and ``cold`` draw them at random. As in Chemprop's balanced scaffold
split, units larger than half the valid or test size go to train first; the others go, one at a time, to the part
furthest below its target size, so valid and test are neither empty nor starved.

A method is a registration (`register_split_method`): a name, how units are ordered, and the columns whose
shared values must stay in one part. All methods are deterministic for given data and seed
(``numpy.random.default_rng(seed)`` over a canonical order); every part keeps the dataset's row order.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from biorft.datasets._families import families_of, family_groups, shared_families
from biorft.datasets._io import did_you_mean
from biorft.errors import DatasetError
from biorft.schema import DatasetCard, Domain, SplitStats, TaskKind, TaskSpec

if TYPE_CHECKING:
    from collections.abc import Iterator

    import numpy as np
    import polars as pl

    from biorft.datasets._dataset import TaskDataset

__all__ = [
    "CANONICAL_SPLITS",
    "SPLIT_METHODS",
    "SplitMethod",
    "Splits",
    "benchmark_splits",
    "canonical_split",
    "check_fractions",
    "register_split_method",
    "split_dataset",
    "split_methods",
    "target_sizes",
]

PARTS = ("train", "valid", "test")
#: Columns whose shared values join rows into one unit under every method (those present in the frame).
IDENTITY_COLUMNS = ("entity", "inchikey", "connectivity", "tautomer", "group", "ensembl_id")
#: Columns the leakage check compares across parts under every method.
_LEAK_COLUMNS = ("id", "entity", "inchikey", "connectivity", "tautomer", "group", "ensembl_id", "symbol")
#: The canonical split of a task without a pinned one, by domain: (method, seed, fractions).
CANONICAL_SPLITS: dict[str, tuple[str, int, tuple[float, float, float]]] = {
    "molecules": ("scaffold", 0, (0.8, 0.1, 0.1)),
    "genes": ("family", 0, (0.8, 0.1, 0.1)),
    "other": ("random", 0, (0.8, 0.1, 0.1)),
}


@dataclass(frozen=True)
class SplitMethod:
    """A split method: how units are ordered and which columns' shared values must stay in one part.

    Attributes:
        name: The method name passed to `TaskDataset.split`.
        order: ``"random"`` (units drawn with the seed), ``"size"`` (largest units first, deterministic) or
            ``"stratified"`` (per label, drawn with the seed).
        group_columns: Columns besides the identity columns whose shared values join rows (e.g. ``("scaffold",)``);
            the leakage check compares them across parts too.
        groups: Optional ``frame -> {group name: row indices}`` for groups no single column holds (e.g. gene
            families, where a gene may belong to several): the rows of each group stay in one part, and the leakage
            check compares the group names across parts.
        description: One line for people (help texts, errors).
    """

    name: str
    order: Literal["random", "size", "stratified"]
    group_columns: tuple[str, ...] = ()
    groups: Callable[[pl.DataFrame], Mapping[str, Sequence[int]]] | None = None
    description: str = ""

    @property
    def seeded(self) -> bool:
        """Whether the seed changes the split (False for ``order="size"``)."""
        return self.order != "size"


_METHODS: dict[str, SplitMethod] = {}


def register_split_method(method: SplitMethod, *, overwrite: bool = False) -> None:
    """Make ``method`` available to `TaskDataset.split` (and the CLI's ``--split`` choices).

    Examples:
        >>> register_split_method(SplitMethod("scaffold", "size", ("scaffold",)))
        Traceback (most recent call last):
        ...
        biorft.errors.DatasetError: split method 'scaffold' is already registered; pass overwrite=True
    """
    if method.name in _METHODS and not overwrite:
        raise DatasetError(f"split method {method.name!r} is already registered; pass overwrite=True")
    _METHODS[method.name] = method


def split_methods() -> tuple[str, ...]:
    """The registered split method names.

    Examples:
        >>> split_methods()[:5]
        ('random', 'stratified', 'scaffold', 'random_scaffold', 'cold')
    """
    return tuple(_METHODS)


for _m in (
    SplitMethod("random", "random", description="compound groups drawn at random"),
    SplitMethod("stratified", "stratified", description="compound groups drawn at random, per label"),
    SplitMethod("scaffold", "size", ("scaffold",), description="molecule tasks: Bemis-Murcko scaffolds, largest first"),
    SplitMethod("random_scaffold", "random", ("scaffold",), description="molecule tasks: scaffolds drawn at random"),
    SplitMethod("cold", "random", ("entity",), description="entity groups drawn at random"),
    SplitMethod(
        "family",
        "random",
        groups=lambda frame: family_groups(families_of(frame)),
        description="gene tasks: gene families (gene_family) drawn at random",
    ),
):
    register_split_method(_m)
SPLIT_METHODS = split_methods()  # the built-in methods (register_split_method adds more)


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
        """The dataset card, with ``splits`` set to `stats`."""
        return self.train.card

    @property
    def parts(self) -> dict[str, TaskDataset]:
        """``{"train": ..., "valid": ..., "test": ...}``."""
        return {"train": self.train, "valid": self.valid, "test": self.test}

    def __iter__(self) -> Iterator[tuple[str, TaskDataset]]:
        yield from self.parts.items()

    def sample(self, limit: int | None, *, seed: int = 0) -> Splits:
        """At most ``limit`` examples over the three parts, drawn per part in proportion with ``seed``.

        Use it to try a pipeline on fewer examples while keeping the parts of the canonical split (sampling the task
        first and splitting the sample would give another test set). ``None`` or a limit of at least the total
        returns the split unchanged.

        Examples:
            >>> import biorft as br
            >>> small = br.load_task("molecules/bbb_b3db").split().sample(100)
            >>> small.stats.sizes, sum(len(part) for _, part in small)
            ({'train': 80, 'valid': 10, 'test': 10}, 100)
            >>> small.check_leakage()
        """
        import random
        from dataclasses import replace

        total = sum(len(part) for _, part in self)
        if limit is None or limit >= total:
            return self
        if limit < 3:
            raise DatasetError(f"sample needs a limit of at least 3 (one example per part), got {limit}")
        rng = random.Random(seed)
        parts = {}
        for name, part in self:
            ids = sorted(part.ids)
            k = min(len(ids), max(1 if ids else 0, round(len(ids) * limit / total)))
            parts[name] = part.subset(rng.sample(ids, k))
        stats = self.stats.model_copy(
            update={
                "sizes": {name: len(p) for name, p in parts.items()},
                "notes": (*self.stats.notes, f"sampled {limit} of {total} examples per part with seed {seed}"),
            }
        )
        return replace(self, **parts, stats=stats)

    def check_leakage(self) -> None:
        """Raise `DatasetError` when two parts share a compound, gene or id at any level.

        Levels: id, entity, full InChIKey, connectivity key (stereoisomers), tautomer key, compound group, Ensembl
        ID, gene symbol, and the method's own group columns (the Bemis-Murcko scaffold for scaffold splits).

        Raises:
            DatasetError: Naming the level, the two parts, the shared values and the ids of their rows in each part.

        Examples:
            >>> import biorft as br
            >>> br.load_task("molecules/tox21").split("random_scaffold", seed=3).check_leakage()
        """
        method = _METHODS.get(self.stats.method.removeprefix("benchmark:"))
        columns = list(dict.fromkeys([*_LEAK_COLUMNS, *(method.group_columns if method else ())]))
        if self.stats.method in ("scaffold", "random_scaffold") and "scaffold" not in columns:
            columns.append("scaffold")
        problems = []
        for col in columns:
            if any(col not in ds.frame.columns for _, ds in self):
                continue
            rows: dict[str, dict[str, list[str]]] = {}
            for name, ds in self:
                by_value: dict[str, list[str]] = {}
                for value, rid in zip(ds.frame[col].to_list(), ds.frame["id"].to_list(), strict=True):
                    if value is not None:
                        by_value.setdefault(str(value), []).append(str(rid))
                rows[name] = by_value
            for i, a in enumerate(PARTS):
                for b in PARTS[i + 1 :]:
                    shared = sorted(set(rows[a]) & set(rows[b]))
                    if shared:
                        shown = "; ".join(
                            f"{v!r} ({a} ids {rows[a][v][:3]}, {b} ids {rows[b][v][:3]})" for v in shared[:3]
                        )
                        more = f" and {len(shared) - 3} more" if len(shared) > 3 else ""
                        problems.append(f"{len(shared)} {col} value(s) in both {a} and {b}: {shown}{more}")
        if self.spec.domain is Domain.GENES:  # whatever the method: a family in two parts rewards reading names
            shared_fam = shared_families(families_of(ds.frame) for _, ds in self)
            if shared_fam:
                more = f" and {len(shared_fam) - 5} more" if len(shared_fam) > 5 else ""
                problems.append(
                    f"{len(shared_fam)} gene families in two parts: {', '.join(shared_fam[:5])}{more} (use 'family')"
                )
        if method is not None and method.groups is not None and method.name != "family":
            named = {name: {g for g, rows in method.groups(ds.frame).items() if rows} for name, ds in self}
            for i, a in enumerate(PARTS):
                for b in PARTS[i + 1 :]:
                    both = sorted(named[a] & named[b])
                    if both:
                        problems.append(f"{len(both)} {method.name} group(s) in both {a} and {b}: {both[:3]}")
        if problems:
            raise DatasetError(
                f"{self.spec.name}: leakage between split parts: "
                + " | ".join(problems)
                + "; split with ds.split() (it keeps compound groups whole) or de-duplicate the data"
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


def _units(
    frame: pl.DataFrame,
    columns: Sequence[str],
    group_columns: Sequence[str] = (),
    extra: Mapping[str, Sequence[int]] | None = None,
) -> list[list[int]]:
    """Rows joined by a shared value in any of ``columns`` or by an ``extra`` group (union-find), first-row order.

    Nulls join nothing, except in ``group_columns`` where they count as ``""`` (e.g. every acyclic molecule shares
    the empty scaffold, as in Chemprop).
    """
    from biorft.datasets._identity import group_keys

    n = frame.height
    cols = [frame[c].cast(str).to_list() for c in columns if c not in group_columns]
    cols += [frame[c].cast(str).fill_null("").to_list() for c in columns if c in group_columns]
    if not cols:
        cols = [[str(i) for i in range(n)]]
    names = group_keys(list(zip(*cols, strict=True)), [f"{i:012d}" for i in range(n)])
    if extra:  # join the units of every extra group's rows (a second, small union-find over unit names)
        parent = {name: name for name in names}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for rows in extra.values():
            roots = sorted({find(names[i]) for i in rows})
            for r in roots[1:]:
                parent[r] = roots[0]
        names = [find(name) for name in names]
    units: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        units.setdefault(name, []).append(i)
    return list(units.values())


def _stratified_units(
    units: list[list[int]], keys: list[str], fractions: Sequence[float], rng: np.random.Generator
) -> list[list[int]]:
    """Per label (the key of a unit's first row), units drawn at random to the part furthest below its share."""
    by_key: dict[str, list[int]] = {}
    for u, rows in enumerate(units):
        by_key.setdefault(keys[rows[0]], []).append(u)
    parts: list[list[int]] = [[], [], []]
    totals = [0, 0, 0]
    for key in sorted(by_key):
        members = by_key[key]
        drawn = [members[int(j)] for j in rng.permutation(len(members))]
        n_key = sum(len(units[u]) for u in members)
        raw = [n_key * f for f in fractions]
        targets = [math.floor(r) for r in raw]
        # leftover examples go to the parts furthest behind overall, so totals stay near the fractions too
        for _ in range(n_key - sum(targets)):
            cand = [p for p in range(3) if fractions[p] > 0 and targets[p] < math.ceil(raw[p])] or [0]
            p = max(cand, key=lambda q: (fractions[q] * (sum(totals) + n_key) - totals[q] - targets[q], -q))
            targets[p] += 1
        for p in range(3):
            totals[p] += targets[p]
        sizes = [0, 0, 0]
        for u in drawn:
            p = max((q for q in range(3) if fractions[q] > 0), key=lambda q: (targets[q] - sizes[q], -q))
            parts[p].extend(units[u])
            sizes[p] += len(units[u])
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
    """Split ``ds`` (see [`TaskDataset.split`][biorft.datasets.TaskDataset.split]).

    Examples:
        >>> import biorft as br
        >>> split_dataset(br.load_task("genes/bivalent_vs_lys4_only"), "cold", (0.8, 0.1, 0.1), 0).stats.method
        'cold'
    """
    import numpy as np

    from biorft.datasets._dataset import TaskDataset, _label_counts

    how = _METHODS.get(method)
    if how is None:
        raise DatasetError(
            f"unknown split method {method!r}{did_you_mean(method, _METHODS)}; use one of {list(_METHODS)}"
        )
    fr = check_fractions(fractions)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise DatasetError(f"seed must be an integer, got {seed!r}")
    if method == "family" and ds.spec.domain is not Domain.GENES:
        raise DatasetError(
            f"{ds.name}: method 'family' groups gene families and needs a gene task; use 'scaffold' for molecule tasks"
        )
    frame = ds.frame
    n = frame.height
    if n < 3:
        raise DatasetError(f"{ds.name}: cannot split {n} example(s) into train / valid / test; need at least 3")
    work = frame
    missing = [c for c in how.group_columns if c not in work.columns]
    if missing:
        raise DatasetError(
            f"{ds.name}: method {method!r} needs a {missing[0]!r} column ({how.description or 'see its docs'}); "
            "use method='cold' to keep each entity in one part"
        )
    rng = np.random.default_rng(int(seed))
    notes: list[str] = []
    columns = [c for c in (*IDENTITY_COLUMNS, *how.group_columns) if c in work.columns]
    extra = how.groups(frame) if how.groups is not None else None
    units = _units(work, list(dict.fromkeys(columns)), how.group_columns, extra)
    if len(units) < n:
        notes.append(
            f"{n - len(units)} example(s) share a compound, entity or group with another and moved with it "
            f"({len(units)} units)"
        )
    if how.order == "stratified":
        parts = _stratified_units(units, _stratify_keys(ds.spec, frame), fr, rng)
    else:
        label_col = how.group_columns[0] if how.group_columns else "id"
        labels = work[label_col].cast(str).fill_null("").to_list()
        named = {f"{min(labels[i] for i in rows)} (row {min(rows)})": rows for rows in units}
        if how.order == "size":
            order = sorted(named, key=lambda g: (-len(named[g]), g))
            notes.append(f"{method} split is deterministic: the seed is not used")
        else:
            canon = sorted(named)
            order = [canon[int(j)] for j in rng.permutation(len(canon))]
        what = how.group_columns[0] if how.group_columns else "compound"
        parts = _group_parts(named, n, fr, order=order, notes=notes, what=what)
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
        seed=int(seed) if how.seeded else None,
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


def _pinned(ds: TaskDataset) -> tuple[str, int, tuple[float, float, float], dict[str, str]]:
    pin = ds.card.splits
    if pin is not None:
        return pin.method, int(pin.seed or 0), pin.fractions, dict(pin.checksums)
    method, seed, fractions = CANONICAL_SPLITS.get(ds.spec.domain.value, CANONICAL_SPLITS["other"])
    return method, seed, fractions, {}


def canonical_split(ds: TaskDataset) -> Splits:
    """The task's canonical split: the one pinned in ``ds.card.splits``, verified against its checksums.

    A task without a pin (a user task) gets its domain's canonical method (`CANONICAL_SPLITS`: scaffold for
    molecules), seed 0 and fractions (0.8, 0.1, 0.1).

    Raises:
        DatasetError: When the pinned split no longer reproduces its checksums (the data or the code drifted), or
            ``ds`` is not the dataset the pin was made on (a part or a subset of it).

    Examples:
        >>> import biorft as br
        >>> ds = br.load_task("molecules/bbb_b3db")
        >>> canonical_split(ds).stats.checksums == ds.card.splits.checksums
        True
    """
    method, seed, fractions, checksums = _pinned(ds)
    pin = ds.card.splits
    if pin is not None and pin.sizes and sum(pin.sizes.values()) != len(ds):
        raise DatasetError(
            f"{ds.name}: the canonical split is pinned for {sum(pin.sizes.values())} examples but this dataset has "
            f"{len(ds)} (a split part or a subset?); split the full task with ds.split(), or pass a method "
            "(e.g. ds.split('scaffold'))"
        )
    splits = split_dataset(ds, method, fractions, seed)
    drift = [part for part, digest in checksums.items() if splits.stats.checksums.get(part) != digest]
    if drift:
        raise DatasetError(
            f"{ds.name} {ds.spec.version}: the canonical split ({method}, seed {seed}, fractions {fractions}) no "
            f"longer reproduces the ids pinned in the card (parts {drift} differ: expected sha256 "
            f"{checksums[drift[0]][:12]}..., got {splits.stats.checksums.get(drift[0], '')[:12]}...); the data or "
            "the split code changed: re-curate the data (python -m biorft.datasets._curate) or reinstall biorft"
        )
    return splits


_SEEDED_TWIN = {"scaffold": "random_scaffold"}


def benchmark_splits(
    ds: TaskDataset,
    seeds: int | Sequence[int] = 5,
    *,
    method: str | None = None,
    test_fraction: float | None = None,
    valid_fraction: float = 0.1,
) -> list[Splits]:
    """A fixed test part and one seeded train / valid split per seed (TDC ADMET benchmark-group style).

    Results are then reported as mean +/- sd over the seeds, every seed scored on the same test part.

    Args:
        ds: The dataset.
        seeds: Number of seeds (seeds 1..n, as TDC) or the seeds themselves.
        method: Split method of the test part and of train / valid (a deterministic method such as ``scaffold``
            draws train / valid with its seeded twin, ``random_scaffold``). None with ``test_fraction`` None: the
            canonical split's test part and method.
        test_fraction: Fraction of the data in the test part (None: the canonical split's).
        valid_fraction: Fraction of the whole data in valid.

    Returns:
        One `Splits` per seed, all with the same ``test``.

    Examples:
        >>> import biorft as br
        >>> runs = benchmark_splits(br.load_task("molecules/bbb_b3db"), seeds=2)
        >>> [r.stats.seed for r in runs], runs[0].test.ids == runs[1].test.ids
        ([1, 2], True)
        >>> runs[0].check_leakage()
    """
    import polars as pl

    from biorft.datasets._dataset import TaskDataset

    seed_list = list(range(1, seeds + 1)) if isinstance(seeds, int) else [int(s) for s in seeds]
    if not seed_list:
        raise DatasetError("benchmark_splits needs at least one seed")
    if method is None and test_fraction is None:
        fixed = canonical_split(ds)
        method = fixed.stats.method
    else:
        pin_method, _, pin_fractions, _ = _pinned(ds)
        method = method or pin_method
        tf = pin_fractions[2] if test_fraction is None else float(test_fraction)
        if not 0 < tf < 1:
            raise DatasetError(f"test_fraction must be between 0 and 1, got {test_fraction}")
        fixed = split_dataset(ds, method, (1 - tf, 0.0, tf), 0)
    test = fixed.test
    rest = TaskDataset(ds.spec, pl.concat([fixed.train.frame, fixed.valid.frame]), ds.card)
    share = valid_fraction / (1 - len(test) / len(ds))
    if not 0 < share < 1:
        raise DatasetError(f"valid_fraction {valid_fraction} leaves no training data beside the test part")
    inner = _SEEDED_TWIN.get(method, method)
    out = []
    for seed in seed_list:
        part = split_dataset(rest, inner, (1 - share, share, 0.0), seed)
        stats = SplitStats(
            method=f"benchmark:{method}",
            seed=seed,
            fractions=(round(len(part.train) / len(ds), 6), round(len(part.valid) / len(ds), 6), len(test) / len(ds)),
            sizes={"train": len(part.train), "valid": len(part.valid), "test": len(test)},
            achieved={},
            label_counts={**part.stats.label_counts, "test": fixed.stats.label_counts.get("test", {})},
            checksums={**part.stats.checksums, "test": fixed.stats.checksums["test"]},
            notes=(
                f"test part fixed by {method} (checksum {fixed.stats.checksums['test'][:12]}...)",
                f"train / valid drawn by {inner} with seed {seed}",
                *part.stats.notes,
            ),
        )
        out.append(Splits(train=part.train, valid=part.valid, test=test, stats=stats))
    return out
