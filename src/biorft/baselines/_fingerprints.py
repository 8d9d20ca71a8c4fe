"""Molecule baselines: Morgan fingerprints with a random forest or a linear model (scikit-learn).

Features are Morgan (ECFP-like) bit vectors of the canonical SMILES, radius 2 and 2,048 bits by default. Binary
and multiclass tasks get class probabilities (the answer's confidence); multilabel tasks one model per label,
trained only on the examples where that label was measured (missing is not negative); regression tasks a
regressor. Classifiers weight classes inversely to their frequency, so they do not simply learn the majority
class. scikit-learn is a core dependency, imported on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from biorft.baselines._base import Baseline, TrainingRow, format_answer
from biorft.errors import require
from biorft.schema import Domain, TaskKind, TaskSpec

__all__ = ["FingerprintForest", "FingerprintLinear", "morgan_fingerprints"]


def morgan_fingerprints(smiles: Sequence[str], *, radius: int = 2, n_bits: int = 2048) -> np.ndarray[Any, Any]:
    """Morgan fingerprint bits of each SMILES as a ``len(smiles) x n_bits`` uint8 matrix.

    A SMILES that RDKit cannot parse gets an all-zero row (the baseline still answers, without information).

    Examples:
        >>> fps = morgan_fingerprints(["CCO", "c1ccccc1", "not a molecule"], n_bits=256)
        >>> fps.shape, int(fps[2].sum()), bool(fps[0].any())
        ((3, 256), 0, True)
    """
    from rdkit import Chem
    from rdkit.Chem import rdFingerprintGenerator
    from rdkit.rdBase import BlockLogs

    generator = rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)
    out = np.zeros((len(smiles), n_bits), dtype=np.uint8)
    with BlockLogs():  # unparsable SMILES are expected here; keep RDKit quiet
        for i, smi in enumerate(smiles):
            mol = Chem.MolFromSmiles(smi)
            if mol is not None:
                out[i] = generator.GetFingerprintAsNumPy(mol)
    return out


class _FingerprintModel(Baseline):
    """Shared fitting and prediction; subclasses choose the scikit-learn estimators."""

    def __init__(self, *, radius: int = 2, n_bits: int = 2048, seed: int = 0) -> None:
        super().__init__()
        self.radius = radius
        self.n_bits = n_bits
        self.seed = seed

    def supports(self, spec: TaskSpec) -> bool:
        """Molecule tasks only (the entity must be a SMILES)."""
        return spec.domain is Domain.MOLECULES

    def describe(self) -> dict[str, Any]:
        """Fingerprint and model settings."""
        return {"radius": self.radius, "n_bits": self.n_bits, "seed": self.seed}

    def _classifier(self) -> Any:
        raise NotImplementedError

    def _regressor(self) -> Any:
        raise NotImplementedError

    def _features(self, rows: list[TrainingRow]) -> np.ndarray[Any, Any]:
        return morgan_fingerprints([r.entity for r in rows], radius=self.radius, n_bits=self.n_bits)

    def _fit(self, spec: TaskSpec, rows: list[TrainingRow]) -> None:
        require("sklearn", extra="baselines", feature=type(self).__name__)
        x = self._features(rows)
        self._kind = spec.kind
        self._labels = spec.labels
        if spec.kind is TaskKind.REGRESSION:
            self._model = self._regressor().fit(x, np.array([float(r.target) for r in rows]))
        elif spec.kind is TaskKind.MULTILABEL:
            self._models: dict[str, Any] = {}
            for label in spec.labels:
                measured = [i for i, r in enumerate(rows) if r.known_labels is None or label in r.known_labels]
                y = np.array([label in rows[i].target for i in measured], dtype=int)
                # a label that is all one class (or never measured) gets a constant answer
                self._models[label] = (
                    self._classifier().fit(x[measured], y)
                    if len(set(y.tolist())) > 1
                    else (bool(y.mean() > 0.5) if len(y) else False)
                )
        else:
            y = np.array([str(r.target) for r in rows])
            self._single = None if len(set(y.tolist())) > 1 else str(y[0])
            if self._single is None:
                self._model = self._classifier().fit(x, y)

    def _predict(self, rows: list[TrainingRow]) -> list[str]:
        x = self._features(rows)
        if self._kind is TaskKind.REGRESSION:
            return [format_answer(float(v)) for v in self._model.predict(x)]
        if self._kind is TaskKind.MULTILABEL:
            positive = {}
            for label, model in self._models.items():
                if isinstance(model, bool):
                    positive[label] = np.full(len(rows), model)
                else:
                    proba = model.predict_proba(x)
                    col = list(model.classes_).index(1)
                    positive[label] = proba[:, col] > 0.5
            return [format_answer([lab for lab in self._labels if positive[lab][i]]) for i in range(len(rows))]
        if self._single is not None:
            return [format_answer(self._single, 1.0)] * len(rows)
        proba = self._model.predict_proba(x)
        classes = [str(c) for c in self._model.classes_]
        best = proba.argmax(axis=1)
        return [format_answer(classes[j], float(proba[i, j])) for i, j in enumerate(best)]


class FingerprintForest(_FingerprintModel):
    """Morgan fingerprints + a scikit-learn random forest (classifier or regressor).

    Args:
        n_estimators: Trees in the forest.
        radius: Morgan radius.
        n_bits: Fingerprint length.
        seed: Random state of the forest.
        n_jobs: Parallel jobs for fitting and prediction (-1: all cores).
    """

    name = "baseline:fp_forest"

    def __init__(
        self, *, n_estimators: int = 200, radius: int = 2, n_bits: int = 2048, seed: int = 0, n_jobs: int = -1
    ) -> None:
        super().__init__(radius=radius, n_bits=n_bits, seed=seed)
        self.n_estimators = n_estimators
        self.n_jobs = n_jobs

    def describe(self) -> dict[str, Any]:
        """Fingerprint and forest settings."""
        return {**super().describe(), "n_estimators": self.n_estimators}

    def _classifier(self) -> Any:
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(
            n_estimators=self.n_estimators, class_weight="balanced", random_state=self.seed, n_jobs=self.n_jobs
        )

    def _regressor(self) -> Any:
        from sklearn.ensemble import RandomForestRegressor

        return RandomForestRegressor(
            n_estimators=self.n_estimators, max_features="sqrt", random_state=self.seed, n_jobs=self.n_jobs
        )


class FingerprintLinear(_FingerprintModel):
    """Morgan fingerprints + logistic regression (classification) or ridge regression (regression).

    Args:
        c: Inverse regularisation strength of the logistic regression.
        alpha: Regularisation strength of the ridge regression.
        radius: Morgan radius.
        n_bits: Fingerprint length.
        seed: Random state.
    """

    name = "baseline:fp_linear"

    def __init__(
        self, *, c: float = 0.1, alpha: float = 10.0, radius: int = 2, n_bits: int = 2048, seed: int = 0
    ) -> None:
        super().__init__(radius=radius, n_bits=n_bits, seed=seed)
        self.c = c
        self.alpha = alpha

    def describe(self) -> dict[str, Any]:
        """Fingerprint and regularisation settings."""
        return {**super().describe(), "c": self.c, "alpha": self.alpha}

    def _classifier(self) -> Any:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.c, class_weight="balanced", max_iter=2000, random_state=self.seed)

    def _regressor(self) -> Any:
        from sklearn.linear_model import Ridge

        return Ridge(alpha=self.alpha)
