"""Non-LLM baselines: the floor every model must beat, evaluated through the same graders and reports.

- [Majority][biorft.baselines.Majority] and [LabelPrior][biorft.baselines.LabelPrior] (every task): the most frequent
  label / median, and random draws from
  the training distribution.
- [FingerprintForest][biorft.baselines.FingerprintForest] and [FingerprintLinear][biorft.baselines.FingerprintLinear]
  (molecule tasks): Morgan fingerprints with a
  scikit-learn random forest, or logistic / ridge regression.
- [DescriptorBoosting][biorft.baselines.DescriptorBoosting] (molecule tasks): 206 RDKit 2D descriptors with
  scikit-learn histogram gradient boosting, the strongest cheap baseline.
- Textbook rules, fitted on nothing ([rule_baselines][biorft.baselines.rule_baselines]): `EsolRule` (Delaney's ESOL
  equation for solubility), `TpsaRule` (TPSA < 90 -> BBB+), `LipinskiRule` and `VeberRule` (absorption and BBB).
- [GeneNeighbours][biorft.baselines.GeneNeighbours] and [FamilyRule][biorft.baselines.FamilyRule] (gene tasks,
  ``kind = "shortcut"``): nearest neighbours on character n-grams of the gene symbol, and the label mix of the gene's
  family in train: what a model gets from the name alone.

Each baseline answers in the graders' format (``{"answer": ..., "confidence": ...}``), so
``baseline.fit(splits.train).evaluate(splits.test)`` returns an [`EvalReport`][biorft.evaluation.EvalReport] comparable
with an LLM's; [`run_baselines`][biorft.baselines.run_baselines] runs every applicable one.

Examples:
    >>> from types import SimpleNamespace as NS
    >>> from biorft.schema import TaskSpec
    >>> spec = TaskSpec(name="genes/demo", domain="genes", kind="binary", labels=("tf", "other"), instructions="?")
    >>> def split(symbols, labels):
    ...     return NS(spec=spec, examples=lambda: iter([NS(id=s, item={"id": s, "entity": s, "target": t})
    ...                                                 for s, t in zip(symbols, labels)]))
    >>> train = split(["ZNF1", "ZNF2", "ZNF3", "ACTB", "GAPDH", "TUBB"], ["tf"] * 3 + ["other"] * 3)
    >>> knn = GeneNeighbours(k=2).fit(train)
    >>> [o["output_text"] for o in knn.outputs(split(["ZNF99"], ["tf"]))]
    ['{"answer": "tf", "confidence": 1.0}']
"""

from __future__ import annotations

from biorft.baselines._base import Baseline, format_answer
from biorft.baselines._descriptors import DescriptorBoosting, descriptor_names, rdkit_descriptors
from biorft.baselines._fingerprints import FingerprintForest, FingerprintLinear, morgan_fingerprints
from biorft.baselines._genes import FamilyRule, GeneNeighbours, symbol_features
from biorft.baselines._prior import LabelPrior, Majority
from biorft.baselines._rules import EsolRule, LipinskiRule, TpsaRule, VeberRule, esol, rule_baselines
from biorft.baselines._suite import for_task, run_baselines

__all__ = [
    "Baseline",
    "DescriptorBoosting",
    "EsolRule",
    "FamilyRule",
    "FingerprintForest",
    "FingerprintLinear",
    "GeneNeighbours",
    "LabelPrior",
    "LipinskiRule",
    "Majority",
    "TpsaRule",
    "VeberRule",
    "descriptor_names",
    "esol",
    "for_task",
    "format_answer",
    "morgan_fingerprints",
    "rdkit_descriptors",
    "rule_baselines",
    "run_baselines",
    "symbol_features",
]
