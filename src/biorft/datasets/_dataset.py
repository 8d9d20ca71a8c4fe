"""``TaskDataset``: a task's spec, its dataset card and its examples as one polars frame."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from biorft.errors import DatasetError, SchemaError
from biorft.schema import DatasetCard, Domain, Example, TaskKind, TaskSpec, reference_item

if TYPE_CHECKING:
    import polars as pl

    from biorft.datasets._folds import Folds
    from biorft.datasets._splits import Splits

__all__ = ["PromptedExample", "TaskDataset"]

# Columns that become Example fields or inputs; every other non-null column goes to Example.metadata.
_CORE = ("id", "entity", "target")
_INPUTS = {Domain.MOLECULES: ("smiles",), Domain.GENES: ("symbol", "ensembl_id"), Domain.OTHER: ()}
_REQUIRED = {Domain.MOLECULES: ("smiles", "inchikey", "scaffold"), Domain.GENES: ("symbol", "ensembl_id")}


@dataclass(frozen=True)
class PromptedExample:
    """An example rendered for a model: chat messages plus the grader's reference item.

    Attributes:
        example: The typed example.
        messages: ``[system, user]`` chat messages (the last one is the user's).
        item: ``reference_item(spec, example)``: the fields a grader reads (``id``, ``task``, ``kind``, ``entity``,
            ``target`` and, for multilabel tasks, ``known_labels``).
    """

    example: Example
    messages: list[dict[str, str]] = field(hash=False)
    item: dict[str, Any] = field(hash=False)

    @property
    def id(self) -> str:
        """The example id."""
        return self.example.id


def _json_value(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, list | tuple):
        return [_json_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _json_value(x) for k, x in v.items()}
    return v


def _with_prevalence(spec: TaskSpec, frame: pl.DataFrame) -> TaskSpec:
    """``spec`` with the per-label prevalence of ``frame`` in its metadata (the weights of the balanced reward)."""
    from biorft.graders._labels import label_prevalence

    columns = ["target"] + (["known_labels"] if "known_labels" in frame.columns else [])
    items = frame.select(columns).to_dicts()
    prevalence = label_prevalence(items, spec.labels)
    return spec.model_copy(update={"metadata": {**spec.metadata, "label_prevalence": prevalence}})


class TaskDataset:
    """A task (``spec``), its provenance (``card``) and its examples (``frame``: one row per example).

    Frame columns: ``id``, ``entity``, ``target`` (a label string, a list of labels or a float) and, for molecule
    tasks ``smiles``, ``inchikey``, ``connectivity``, ``tautomer``, ``group`` (the compound group every split keeps
    whole) and ``scaffold``; for gene tasks ``symbol``, ``ensembl_id``; multilabel tasks may
    carry ``known_labels`` (the labels that were measured). Any other column is passed through as example
    metadata.

    Build one with [biorft.load_task][biorft.datasets.load_task], [biorft.molecule_task][biorft.datasets.molecule_task]
    or [biorft.gene_task][biorft.datasets.gene_task].

    Examples:
        >>> import polars as pl
        >>> from biorft.schema import TaskSpec, DatasetCard
        >>> spec = TaskSpec(name="genes/demo", domain="genes", kind="binary", labels=("yes", "no"),
        ...                 positive_label="yes", instructions="Is the gene essential?")
        >>> frame = pl.DataFrame({"id": ["g1", "g2"], "entity": ["TP53", "GATA4"], "target": ["yes", "no"],
        ...                       "symbol": ["TP53", "GATA4"], "ensembl_id": ["ENSG00000141510", "ENSG00000136574"]})
        >>> card = DatasetCard(task="genes/demo", version="1.0.0", licence="CC0-1.0", n_rows_in=2, n_kept=2,
        ...                    n_quarantined=0)
        >>> ds = TaskDataset(spec, frame, card)
        >>> len(ds), next(ds.examples()).item["target"]
        (2, 'yes')
    """

    def __init__(self, spec: TaskSpec, frame: pl.DataFrame, card: DatasetCard) -> None:
        missing = [c for c in (*_CORE, *_REQUIRED.get(spec.domain, ())) if c not in frame.columns]
        if missing:
            raise DatasetError(
                f"{spec.name}: the dataset frame lacks column(s) {missing}; a {spec.domain.value} task needs "
                f"{list(_CORE) + list(_REQUIRED.get(spec.domain, ()))}"
            )
        if frame["id"].null_count() or frame["id"].is_duplicated().any():
            dup = frame.filter(frame["id"].is_duplicated())["id"].head(5).to_list()
            raise DatasetError(f"{spec.name}: example ids must be unique and non-null; duplicated: {dup}")
        if spec.kind is TaskKind.MULTILABEL and "label_prevalence" not in spec.metadata:
            spec = _with_prevalence(spec, frame)
        self._spec = spec
        self._frame = frame
        self._card = card

    # -- basic properties -------------------------------------------------------------------------------------
    @property
    def spec(self) -> TaskSpec:
        """The task specification."""
        return self._spec

    @property
    def card(self) -> DatasetCard:
        """The dataset card: provenance, licence, checksums, row accounting, quarantined rows, split stats."""
        return self._card

    @property
    def frame(self) -> pl.DataFrame:
        """The examples, one row each (a polars DataFrame; treat it as read-only)."""
        return self._frame

    @property
    def name(self) -> str:
        """The task name (``spec.name``)."""
        return self._spec.name

    @property
    def ids(self) -> list[str]:
        """Example ids in dataset order."""
        return [str(x) for x in self._frame["id"].to_list()]

    def __len__(self) -> int:
        return self._frame.height

    def __repr__(self) -> str:
        return f"TaskDataset({self._spec.name!r} v{self._spec.version}, {self._spec.kind.value}, {len(self)} examples)"

    # -- examples ---------------------------------------------------------------------------------------------
    def _example(self, row: dict[str, Any]) -> Example:
        spec = self._spec
        inputs = {k: _json_value(row[k]) for k in _INPUTS.get(spec.domain, ()) if row.get(k) is not None}
        metadata = {
            k: _json_value(v)
            for k, v in row.items()
            if k not in _CORE and k not in inputs and v is not None and not k.startswith("_")
        }
        target = row["target"]
        if spec.kind is TaskKind.MULTILABEL and target is not None:
            target = tuple(target)
        try:
            return Example(
                id=str(row["id"]), entity=str(row["entity"]), inputs=inputs, target=target, metadata=metadata
            )
        except SchemaError as exc:
            raise DatasetError(f"{spec.name}: example {row['id']!r} is invalid: {exc}") from exc

    def to_examples(self) -> list[Example]:
        """All examples as typed [`Example`][biorft.schema.Example] objects, in dataset order.

        Examples:
            >>> import biorft as br
            >>> br.load_task("molecules/tox21").head(1).to_examples()[0].metadata["known_labels"][:2]
            ['NR-AR', 'NR-AR-LBD']
        """
        return [self._example(row) for row in self._frame.iter_rows(named=True)]

    def examples(self) -> Iterator[PromptedExample]:
        """Iterate over the examples rendered as chat messages with their grader items.

        Yields:
            [`PromptedExample`][biorft.datasets.PromptedExample] objects in dataset order.

        Examples:
            >>> import biorft as br
            >>> ex = next(br.load_task("molecules/bbb_b3db").examples())
            >>> [m["role"] for m in ex.messages], sorted(ex.item)
            (['system', 'user'], ['entity', 'id', 'kind', 'target', 'task'])
        """
        from biorft.prompts import render_messages

        spec = self._spec
        for row in self._frame.iter_rows(named=True):
            ex = self._example(row)
            yield PromptedExample(example=ex, messages=render_messages(spec, ex), item=reference_item(spec, ex))

    def label_counts(self) -> dict[str, int]:
        """Examples per label (classification) or ``{}`` for regression tasks.

        Examples:
            >>> import biorft as br
            >>> br.load_task("genes/dosage_sensitive_tfs").label_counts()
            {'dosage-sensitive': 122, 'dosage-insensitive': 366}
        """
        return _label_counts(self._spec, self._frame)

    # -- derived datasets -------------------------------------------------------------------------------------
    def _derive(self, frame: pl.DataFrame, card: DatasetCard | None = None) -> TaskDataset:
        return TaskDataset(self._spec, frame, card or self._card)

    def head(self, n: int = 5) -> TaskDataset:
        """The first ``n`` examples as a new dataset (same spec and card).

        Examples:
            >>> import biorft as br
            >>> len(br.load_task("molecules/bbb_b3db").head(3))
            3
        """
        return self._derive(self._frame.head(n))

    def subset(self, ids: Iterable[str]) -> TaskDataset:
        """The examples with the given ids, in dataset order.

        Raises:
            DatasetError: When an id is not in the dataset (naming it).

        Examples:
            >>> import biorft as br
            >>> ds = br.load_task("genes/dosage_sensitive_tfs")
            >>> len(ds.subset(ds.ids[:4]))
            4
        """
        import polars as pl

        wanted = [str(i) for i in ids]
        have = set(self.ids)
        unknown = [i for i in wanted if i not in have]
        if unknown:
            raise DatasetError(f"{self.name}: unknown example id(s) {unknown[:5]}; use ids from dataset.ids")
        return self._derive(self._frame.filter(pl.col("id").is_in(wanted)))

    def with_spec(self, **changes: Any) -> TaskDataset:
        """The same examples under a changed spec (e.g. another ``tolerance`` or ``instructions``).

        Examples:
            >>> import biorft as br
            >>> br.load_task("molecules/solubility_aqsoldb").with_spec(tolerance=1.0).spec.tolerance
            1.0
        """
        spec = TaskSpec(**{**self._spec.model_dump(), **changes})
        return TaskDataset(spec, self._frame, self._card)

    def split(
        self,
        method: str | None = None,
        fractions: Sequence[float] | None = None,
        seed: int | None = None,
    ) -> Splits:
        """Split into train / valid / test, keeping every compound group (stereoisomers, tautomers) in one part.

        With no arguments, the task's canonical split: the one pinned in ``card.splits`` (method, seed, fractions),
        verified against the pinned checksums of each part's ids; every biorft entry point uses it by default.

        Args:
            method: ``"random"``, ``"stratified"``, ``"scaffold"`` (deterministic; the seed is ignored),
                ``"random_scaffold"``, ``"cold"`` (entity-level) or a registered method; None: the canonical one.
            fractions: Train, valid and test fractions summing to 1 (default: the canonical split's).
            seed: Random seed (default: the canonical split's); same data and seed give the same split.

        Returns:
            A [Splits][biorft.datasets.Splits].

        Raises:
            DatasetError: For an unknown method, bad fractions, data the method cannot split, or a canonical split
                that no longer reproduces its pinned checksums.

        Examples:
            >>> import biorft as br
            >>> ds = br.load_task("molecules/bbb_b3db")
            >>> s = ds.split()
            >>> s.stats.method, s.stats.checksums == ds.card.splits.checksums
            ('scaffold', True)
            >>> s.check_leakage()
            >>> sum(ds.split("random", seed=1).stats.sizes.values()) == len(ds)
            True
        """
        from biorft.datasets._splits import _pinned, canonical_split, split_dataset

        if method is None and fractions is None and seed is None:
            return canonical_split(self)
        pin_method, pin_seed, pin_fractions, _ = _pinned(self)
        return split_dataset(
            self,
            pin_method if method is None else method,
            pin_fractions if fractions is None else fractions,
            pin_seed if seed is None else seed,
        )

    def benchmark_splits(
        self,
        seeds: int | Sequence[int] = 5,
        *,
        method: str | None = None,
        test_fraction: float | None = None,
        valid_fraction: float = 0.1,
    ) -> list[Splits]:
        """A fixed test part and one seeded train / valid split per seed, for mean +/- sd over seeds.

        The test part is the canonical split's by default, or drawn by ``method`` with ``test_fraction``; train and
        valid (``valid_fraction`` of the whole) are then drawn once per seed (seeds 1..n, as TDC), a deterministic
        method (``scaffold``) by its seeded twin (``random_scaffold``).

        Examples:
            >>> import biorft as br
            >>> runs = br.load_task("molecules/solubility_aqsoldb").benchmark_splits(seeds=3)
            >>> len(runs), len({tuple(r.test.ids) for r in runs}), len({tuple(r.valid.ids) for r in runs})
            (3, 1, 3)
        """
        from biorft.datasets._splits import benchmark_splits

        return benchmark_splits(self, seeds, method=method, test_fraction=test_fraction, valid_fraction=valid_fraction)

    def filter(self, predicate: Any, *, note: str) -> TaskDataset:
        """The examples for which a polars expression holds (e.g. a source-quality filter), noted in the card.

        The canonical split is pinned for the full task: split a filtered dataset with an explicit method.

        Args:
            predicate: A polars expression over the frame's columns, e.g. ``pl.col("logbb").is_not_null()``.
            note: Why (recorded in the card's notes).

        Examples:
            >>> import biorft as br, polars as pl
            >>> ds = br.load_task("molecules/solubility_aqsoldb")
            >>> strict = ds.filter(pl.col("sd") <= 0.5, note="AqSolDB SD <= 0.5 log units")
            >>> len(strict) < len(ds), strict.card.notes[-1]  # doctest: +ELLIPSIS
            (True, 'filtered: AqSolDB SD <= 0.5 log units (kept ...
        """
        frame = self._frame.filter(predicate)
        card = self._card.model_copy(
            update={
                "notes": (*self._card.notes, f"filtered: {note} (kept {frame.height} of {self._frame.height})"),
                "splits": None,
            }
        )
        return self._derive(frame, card)

    def folds(self, k: int = 5, method: str = "random", seed: int = 0) -> Folds:
        """k-fold cross-validation: k (train, test) pairs whose test parts cover every example exactly once.

        Use it for small tasks, where one test split is too small for a useful confidence interval: evaluate a
        model on ``folds.pooled()`` (``biorft.evaluate`` accepts the folds directly) and baselines per fold
        (``biorft.baselines.run_baselines(folds)``), so every example is predicted once.

        Args:
            k: Number of folds (at least 2).
            method: ``"family"`` (gene tasks: whole gene families per fold), ``"scaffold"`` (molecule tasks),
                ``"cold"`` (entity-level), ``"random"`` or ``"stratified"`` (per label).
            seed: Random seed (same data and seed give the same folds).

        Returns:
            A [Folds][biorft.datasets.Folds].

        Raises:
            DatasetError: For an unknown method, a bad ``k``, or fewer groups than folds.

        Examples:
            >>> import biorft as br
            >>> folds = br.load_task("genes/bivalent_vs_no_methylation").folds(k=5, method="family", seed=0)
            >>> [len(test) for _, test in folds] == folds.sizes
            True
        """
        from biorft.datasets._folds import make_folds

        return make_folds(self, k, method, seed)


def _label_counts(spec: TaskSpec, frame: pl.DataFrame) -> dict[str, int]:
    if spec.kind is TaskKind.REGRESSION or frame.height == 0:
        return {}
    counts = dict.fromkeys(spec.labels, 0)
    col = frame["target"]
    values: Iterable[Any] = col.explode().drop_nulls().to_list() if spec.kind is TaskKind.MULTILABEL else col
    for v in values:
        counts[str(v)] = counts.get(str(v), 0) + 1
    return counts
