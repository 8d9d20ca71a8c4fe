"""Gene shortcut baselines: models that read only the gene's name.

The bundled gene metadata has only the Ensembl id, the symbol and the gene type, so the only signal a non-LLM
model can use is the name itself. Symbols encode gene families (``ZNF...`` zinc fingers, ``HOX...`` homeobox,
``SOX...``, ``FOX...``), and family members often share labels. Two baselines measure how far names alone go, and
are marked ``kind = "shortcut"`` so reports show them as shortcut rows: a model that does not beat them may be
reading names, not biology.

- [GeneNeighbours][biorft.baselines.GeneNeighbours] (name-only): nearest neighbours over TF-IDF weighted character
  n-grams of the symbol (with start / end markers and the leading letters as a family token).
- [FamilyRule][biorft.baselines.FamilyRule]: the label mix of the gene's family
  ([gene_family][biorft.datasets.gene_family]) among the training genes; no information for unseen families. On a
  family split every test family is unseen, so it scores chance: the split has removed the shortcut.

Needs only numpy.

Examples:
    >>> grams = symbol_features("ZNF263")
    >>> "family:ZNF" in grams, "^ZN" in grams, "63$" in grams
    (True, True, True)
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from typing import Any

import numpy as np

from biorft.baselines._base import Baseline, TrainingRow, format_answer
from biorft.datasets._families import family_keys, gene_family
from biorft.schema import Domain, TaskKind, TaskSpec

__all__ = ["FamilyRule", "GeneNeighbours", "symbol_features"]

_FAMILY = re.compile(r"^[A-Za-z]+")


def symbol_features(symbol: str, ngrams: tuple[int, ...] = (2, 3, 4), gene_type: str | None = None) -> set[str]:
    """The sparse features of one gene: character n-grams of ``^SYMBOL$``, a family token and the gene type.

    Args:
        symbol: Gene symbol (case-insensitive).
        ngrams: N-gram lengths.
        gene_type: Gene type (e.g. ``"protein_coding"``), when known.

    Returns:
        The set of feature names.
    """
    text = f"^{symbol.upper()}$"
    feats = {text[i : i + n] for n in ngrams for i in range(len(text) - n + 1)}
    family = _FAMILY.match(symbol.upper())
    if family:
        feats.add(f"family:{family.group(0)}")
    if gene_type:
        feats.add(f"type:{gene_type}")
    return feats


class _GeneVote(Baseline):
    """Shared by the gene shortcut baselines: a similarity-weighted vote of training genes."""

    kind = "shortcut"

    def supports(self, spec: TaskSpec) -> bool:
        """Gene tasks only (the entity must be a gene symbol)."""
        return spec.domain is Domain.GENES

    def _fit_votes(self, spec: TaskSpec, rows: list[TrainingRow]) -> None:
        self._kind = spec.kind
        self._labels = spec.labels
        self._rows = rows
        n = len(rows)
        self._fallback = self._vote(np.arange(n), np.ones(n))

    def _vote(self, idx: np.ndarray[Any, Any], weights: np.ndarray[Any, Any]) -> str:
        rows = [self._rows[i] for i in idx]
        if self._kind is TaskKind.REGRESSION:
            values = np.array([float(r.target) for r in rows])
            return format_answer(float(np.average(values, weights=weights)))
        if self._kind is TaskKind.MULTILABEL:
            chosen = []
            for label in self._labels:
                w_pos = w_all = 0.0
                for r, w in zip(rows, weights.tolist(), strict=True):
                    if r.known_labels is None or label in r.known_labels:
                        w_all += w
                        w_pos += w * (label in r.target)
                if w_all > 0 and w_pos / w_all > 0.5:
                    chosen.append(label)
            return format_answer(chosen)
        votes = dict.fromkeys(self._labels, 0.0)
        for r, w in zip(rows, weights.tolist(), strict=True):
            votes[str(r.target)] = votes.get(str(r.target), 0.0) + w
        total = sum(votes.values())
        best = max(self._labels, key=lambda lab: (votes[lab], -self._labels.index(lab)))
        return format_answer(best, votes[best] / total if total > 0 else None)


class GeneNeighbours(_GeneVote):
    """k nearest neighbours over TF-IDF character n-grams of gene symbols, weighted by cosine similarity.

    A name-only shortcut (``kind = "shortcut"``): it sees nothing but the symbol. Classification answers the label
    with the largest similarity-weighted vote (confidence = its share of the vote); multilabel answers each label
    voted positive by most of the neighbours where it was measured; regression answers the similarity-weighted
    mean. An example with no similar training gene gets the training majority.

    Args:
        k: Number of neighbours.
        ngrams: Character n-gram lengths.
    """

    name = "baseline:gene_knn"

    def __init__(self, k: int = 5, ngrams: tuple[int, ...] = (2, 3, 4)) -> None:
        super().__init__()
        self.k = k
        self.ngrams = ngrams

    def describe(self) -> dict[str, Any]:
        """Neighbour count and n-gram lengths."""
        return {"k": self.k, "ngrams": list(self.ngrams)}

    def _feats(self, row: TrainingRow) -> set[str]:
        gene_type = (row.inputs or {}).get("gene_type")
        return symbol_features(row.entity, self.ngrams, gene_type if isinstance(gene_type, str) else None)

    def _matrix(self, rows: list[TrainingRow]) -> np.ndarray[Any, Any]:
        m = np.zeros((len(rows), len(self._vocab)), dtype=np.float32)
        for i, row in enumerate(rows):
            cols = [self._vocab[f] for f in self._feats(row) if f in self._vocab]
            if cols:
                m[i, cols] = self._idf[cols]
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        out: np.ndarray[Any, Any] = np.divide(m, norms, out=np.zeros_like(m), where=norms > 0)
        return out

    def _fit(self, spec: TaskSpec, rows: list[TrainingRow]) -> None:
        df = Counter(f for r in rows for f in self._feats(r))
        self._vocab = {f: j for j, f in enumerate(sorted(df))}
        n = len(rows)
        self._idf = np.array([math.log((1 + n) / (1 + df[f])) + 1.0 for f in sorted(df)], dtype=np.float32)
        self._train = self._matrix(rows)
        self._fit_votes(spec, rows)

    def _predict(self, rows: list[TrainingRow]) -> list[str]:
        out: list[str] = []
        k = min(self.k, len(self._rows))
        for start in range(0, len(rows), 512):  # bounded memory: 512 x n_train similarities at a time
            chunk = rows[start : start + 512]
            sims = self._matrix(chunk) @ self._train.T
            for s in sims:
                top = np.argpartition(-s, k - 1)[:k]
                top = top[np.argsort(-s[top], kind="stable")]
                weights = s[top].astype(np.float64)
                if weights.max() <= 0:
                    out.append(self._fallback)
                else:
                    keep = weights > 0
                    out.append(self._vote(top[keep], weights[keep]))
        return out


class FamilyRule(_GeneVote):
    """The family rule: each gene gets the label mix of its family's training genes (a shortcut baseline).

    Families are [gene_family][biorft.datasets.gene_family] of the symbol (``ZNF``, ``HOX``, ``SOX``, ...). Every
    training gene of the family votes with weight 1, and the training set as a whole with weight ``prior_weight``
    (smoothing toward the prior); a gene whose family has no training gene gets the majority label with an
    uninformative confidence (one over the number of labels), so it ranks no gene above another. On a split that
    shares families between parts this rule can score high without any biology; on the family split and family
    folds it scores chance.

    Args:
        prior_weight: Weight of the training prior in each family's vote.

    Examples:
        >>> from types import SimpleNamespace as NS
        >>> from biorft.schema import TaskSpec
        >>> spec = TaskSpec(name="genes/demo", domain="genes", kind="binary", labels=("a", "b"), instructions="?")
        >>> def data(pairs):
        ...     return NS(spec=spec, examples=lambda: iter([NS(id=s, item={"id": s, "entity": s, "target": t})
        ...                                                 for s, t in pairs]))
        >>> rule = FamilyRule().fit(data([("ZNF1", "b"), ("ZSCAN2", "b"), ("HOXA1", "a"), ("SOX2", "a")]))
        >>> [o["output_text"] for o in rule.outputs(data([("ZNF99", "b"), ("PAX6", "a")]))]
        ['{"answer": "b", "confidence": 0.8333}', '{"answer": "a", "confidence": 0.5}']
    """

    name = "baseline:family_rule"

    def __init__(self, prior_weight: float = 1.0) -> None:
        super().__init__()
        self.prior_weight = prior_weight

    def describe(self) -> dict[str, Any]:
        """The prior weight."""
        return {"prior_weight": self.prior_weight}

    def _fit(self, spec: TaskSpec, rows: list[TrainingRow]) -> None:
        self._members: dict[str, list[int]] = {}
        for i, row in enumerate(rows):
            for fam in family_keys(gene_family(row.entity)):
                self._members.setdefault(fam, []).append(i)
        self._fit_votes(spec, rows)
        self._unseen = self._fallback
        if spec.kind in (TaskKind.BINARY, TaskKind.MULTICLASS):  # no family evidence: an uninformative confidence
            self._unseen = format_answer(json.loads(self._fallback)["answer"], 1 / len(spec.labels))

    def _predict(self, rows: list[TrainingRow]) -> list[str]:
        n = len(self._rows)
        out = []
        for row in rows:
            idx = sorted({i for fam in family_keys(gene_family(row.entity)) for i in self._members.get(fam, ())})
            if not idx:
                out.append(self._unseen)
                continue
            weights = np.full(n, self.prior_weight / n)
            weights[idx] += 1.0
            out.append(self._vote(np.arange(n), weights))
        return out
