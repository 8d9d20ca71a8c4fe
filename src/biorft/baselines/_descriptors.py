"""RDKit 2D descriptors + gradient boosting: the strong cheap molecule baseline.

Features: 206 fast RDKit 2D descriptors of the canonical SMILES (RDKit's ``Properties`` set: molecular weight,
Crippen logP and molar refractivity, TPSA, H-bond donors / acceptors, rotatable bonds, ring and atom counts,
fraction sp3, Chi / kappa shape indices, Labute ASA; the PEOE, SMR and SlogP VSA bins; the 42 molecular quantum
numbers; the 85 ``fr_*`` functional-group counts). The slow whole-graph indices (Ipc, BertzCT, QED, EState extrema)
are left out: they cost most of the time and add little. Model: scikit-learn's ``HistGradientBoostingClassifier``
(class-balanced) or ``HistGradientBoostingRegressor``; multilabel tasks get one model per label, fitted on the
examples where the label was measured. Needs the ``baselines`` extra.

Examples:
    >>> x = rdkit_descriptors(["CCO", "c1ccccc1O", "not a molecule"])
    >>> x.shape == (3, len(descriptor_names())), bool(np.isnan(x[2]).all())
    (True, True)
    >>> round(float(x[0, descriptor_names().index("tpsa")]), 2)
    20.23
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from biorft.baselines._base import TrainingRow
from biorft.baselines._fingerprints import _FingerprintModel
from biorft.schema import TaskSpec

__all__ = ["DescriptorBoosting", "descriptor_names", "rdkit_descriptors"]

_LOCK = threading.Lock()
_CACHE: dict[str, np.ndarray[Any, Any]] = {}
_CACHE_MAX = 500_000


@lru_cache(maxsize=1)
def _calculators() -> tuple[tuple[str, ...], Any]:
    from rdkit.Chem import Descriptors, rdMolDescriptors

    rd: Any = rdMolDescriptors

    props = rd.Properties()
    prop_names = [str(n) for n in props.GetPropertyNames()]
    fragments = [(n, f) for n, f in Descriptors._descList if n.startswith("fr_")]
    names = (
        *prop_names,
        *(f"PEOE_VSA{i}" for i in range(1, 15)),
        *(f"SMR_VSA{i}" for i in range(1, 11)),
        *(f"SlogP_VSA{i}" for i in range(1, 13)),
        *(f"MQN{i}" for i in range(1, 43)),
        *(n for n, _ in fragments),
    )

    def compute(mol: Any) -> list[float]:
        values: list[float] = list(props.ComputeProperties(mol))
        values += rd.PEOE_VSA_(mol)
        values += rd.SMR_VSA_(mol)
        values += rd.SlogP_VSA_(mol)
        values += rd.MQNs_(mol)
        values += [float(f(mol)) for _, f in fragments]
        return values

    return names, compute


def descriptor_names() -> list[str]:
    """The descriptor names, in the column order of `rdkit_descriptors`.

    Examples:
        >>> names = descriptor_names()
        >>> len(names), names[:3]
        (206, ['exactmw', 'amw', 'lipinskiHBA'])
    """
    return list(_calculators()[0])


def rdkit_descriptors(smiles: Sequence[str]) -> np.ndarray[Any, Any]:
    """The RDKit 2D descriptors of each SMILES as a ``len(smiles) x 206`` float matrix (cached per SMILES).

    A SMILES that RDKit cannot parse gets a row of NaN (gradient boosting handles missing values).
    """
    from rdkit import Chem
    from rdkit.rdBase import BlockLogs

    names, compute = _calculators()
    out = np.full((len(smiles), len(names)), np.nan)
    with BlockLogs():
        for i, smi in enumerate(smiles):
            with _LOCK:
                hit = _CACHE.get(smi)
            if hit is None:
                mol = Chem.MolFromSmiles(smi)
                hit = np.full(len(names), np.nan) if mol is None else np.asarray(compute(mol), dtype=float)
                hit[~np.isfinite(hit)] = np.nan
                with _LOCK:
                    if len(_CACHE) >= _CACHE_MAX:
                        _CACHE.clear()
                    _CACHE[smi] = hit
            out[i] = hit
    return out


class DescriptorBoosting(_FingerprintModel):
    """RDKit 2D descriptors + scikit-learn histogram gradient boosting (classifier or regressor).

    Args:
        max_iter: Boosting iterations (capped at the number of training examples, at least 50).
        learning_rate: Shrinkage.
        max_leaf_nodes: Tree size.
        seed: Random state of the booster.
        n_threads: OpenMP threads of the booster (None: all cores). One by default: on small tasks threads cost
            more than they save, and on a shared machine oversubscribed OpenMP threads spin instead of working.
    """

    name = "baseline:desc_gbm"

    def __init__(
        self,
        *,
        max_iter: int = 300,
        learning_rate: float = 0.05,
        max_leaf_nodes: int = 31,
        seed: int = 0,
        n_threads: int | None = 1,
    ) -> None:
        super().__init__(seed=seed)
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.n_threads = n_threads

    def _threads(self) -> Any:
        import importlib

        limits: Any = importlib.import_module("threadpoolctl").threadpool_limits  # a scikit-learn dependency
        return limits(limits=self.n_threads, user_api="openmp")

    def _iterations(self) -> int:
        # boosting rounds are capped at the number of training examples (at least 50): a task of 50 examples does
        # not need 300 rounds, and each round has a fixed cost (12 of them per example on Tox21's 12 labels)
        return min(self.max_iter, max(50, getattr(self, "_n_train", self.max_iter)))

    def _fit(self, spec: TaskSpec, rows: list[TrainingRow]) -> None:
        self._n_train = len(rows)
        with self._threads():
            super()._fit(spec, rows)

    def _predict(self, rows: list[TrainingRow]) -> list[str]:
        with self._threads():
            return super()._predict(rows)

    def describe(self) -> dict[str, Any]:
        """Descriptor and booster settings."""
        return {
            "features": f"{len(_calculators()[0])} RDKit 2D descriptors",
            "model": "HistGradientBoosting",
            "max_iter": self.max_iter,
            "learning_rate": self.learning_rate,
            "max_leaf_nodes": self.max_leaf_nodes,
            "seed": self.seed,
            "n_threads": self.n_threads,
        }

    def _features(self, rows: list[TrainingRow]) -> np.ndarray[Any, Any]:
        return rdkit_descriptors([r.entity for r in rows])

    def _classifier(self) -> Any:
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(
            max_iter=self._iterations(),
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            class_weight="balanced",
            random_state=self.seed,
        )

    def _regressor(self) -> Any:
        from sklearn.ensemble import HistGradientBoostingRegressor

        return HistGradientBoostingRegressor(
            max_iter=self._iterations(),
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            random_state=self.seed,
        )
