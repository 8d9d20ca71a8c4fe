"""Textbook rules as baselines: what a model that only recites medicinal-chemistry rules of thumb would score.

Nothing is fitted: each rule is applied as published, so a model that "beats the best baseline" while scoring
below a rule has learnt less than the rule.

- `EsolRule` (solubility): Delaney's ESOL equation, LogS = 0.16 - 0.63 cLogP - 0.0062 MW + 0.066 RB -
  0.74 AP (J Chem Inf Comput Sci 44, 1000-1005, 2004), with RDKit's Crippen logP for cLogP, RB the rotatable
  bonds and AP the share of heavy atoms that are aromatic.
- `TpsaRule` (blood-brain barrier): TPSA < 90 A^2 -> BBB+ (Kelder et al., Pharm Res 16, 1514-1519, 1999;
  Hitchcock & Pennington, J Med Chem 49, 7559-7583, 2006).
- `LipinskiRule` (absorption, BBB): at most one violation of MW <= 500, logP <= 5, H-bond donors <= 5,
  acceptors <= 10 -> the positive label (Lipinski et al., Adv Drug Deliv Rev 23, 3-25, 1997).
- `VeberRule` (absorption, BBB): rotatable bonds <= 10 and TPSA <= 140 -> the positive label (Veber et al.,
  J Med Chem 45, 2615-2623, 2002).

Binary rules answer the task's positive label when the rule passes, with a confidence that grows with the margin
(so AUROC measures how well the rule's underlying quantity ranks the molecules).

Examples:
    >>> from types import SimpleNamespace as NS
    >>> from biorft.schema import TaskSpec
    >>> spec = TaskSpec(name="molecules/bbb_b3db", domain="molecules", kind="binary", labels=("BBB+", "BBB-"),
    ...                 positive_label="BBB+", instructions="?")
    >>> data = NS(spec=spec, examples=lambda: iter([NS(id=i, item={"id": i, "entity": s, "target": "BBB+"})
    ...           for i, s in [("a", "CCN(CC)CC"), ("b", "OC(=O)C(O)C(O)C(O)C(O)CO")]]))
    >>> [o["output_text"] for o in TpsaRule().fit(data).outputs(data)]
    ['{"answer": "BBB+", "confidence": 0.9871}', '{"answer": "BBB-", "confidence": 0.9185}']
    >>> round(esol("c1ccccc1"), 2)
    -2.13
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from biorft.baselines._base import Baseline, TrainingRow, format_answer
from biorft.schema import Domain, TaskKind, TaskSpec

__all__ = [
    "ABSORPTION_TASKS",
    "BBB_TASKS",
    "SOLUBILITY_TASKS",
    "EsolRule",
    "LipinskiRule",
    "TpsaRule",
    "VeberRule",
    "esol",
    "rule_baselines",
]

SOLUBILITY_TASKS = ("molecules/solubility_aqsoldb", "tdc/solubility_aqsoldb")
BBB_TASKS = ("molecules/bbb_b3db", "tdc/bbb_martins")
ABSORPTION_TASKS = ("tdc/hia_hou", "tdc/bioavailability_ma")


def _mol(smiles: str) -> Any:
    from rdkit import Chem
    from rdkit.rdBase import BlockLogs

    with BlockLogs():
        return Chem.MolFromSmiles(smiles)


def _props(smiles: str) -> dict[str, float] | None:
    from rdkit.Chem import Crippen, Descriptors, rdMolDescriptors

    desc: Any = Descriptors
    crippen: Any = Crippen
    mol = _mol(smiles)
    if mol is None:
        return None
    heavy = mol.GetNumHeavyAtoms()
    aromatic = sum(1 for a in mol.GetAtoms() if a.GetIsAromatic())
    return {
        "logp": float(crippen.MolLogP(mol)),
        "mw": float(desc.MolWt(mol)),
        "rb": float(rdMolDescriptors.CalcNumRotatableBonds(mol)),
        "ap": aromatic / heavy if heavy else 0.0,
        "tpsa": float(rdMolDescriptors.CalcTPSA(mol)),
        "hbd": float(rdMolDescriptors.CalcNumHBD(mol)),
        "hba": float(rdMolDescriptors.CalcNumHBA(mol)),
    }


def esol(smiles: str) -> float:
    """Delaney's ESOL estimate of LogS (log10 mol/L); NaN when RDKit cannot parse the SMILES.

    Examples:
        >>> round(esol("CCO"), 2), math.isnan(esol("nope"))
        (-0.12, True)
    """
    p = _props(smiles)
    if p is None:
        return math.nan
    return 0.16 - 0.63 * p["logp"] - 0.0062 * p["mw"] + 0.066 * p["rb"] - 0.74 * p["ap"]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


class _Rule(Baseline):
    """A fixed rule: nothing is learnt; ``tasks`` names the tasks it applies to."""

    kind: TaskKind = TaskKind.BINARY
    default_tasks: tuple[str, ...] = ()
    citation: str = ""

    def __init__(self, *, tasks: Sequence[str] | None = None) -> None:
        super().__init__()
        self.tasks = tuple(tasks) if tasks is not None else self.default_tasks

    def supports(self, spec: TaskSpec) -> bool:
        """Molecule tasks of the rule's kind whose name is in ``tasks``."""
        return spec.domain is Domain.MOLECULES and spec.kind is self.kind and spec.name in self.tasks

    def describe(self) -> dict[str, Any]:
        """The rule and its source."""
        return {"rule": self.__doc__.splitlines()[0] if self.__doc__ else self.name, "citation": self.citation}

    def _fit(self, spec: TaskSpec, rows: list[TrainingRow]) -> None:
        self._labels = spec.labels
        self._positive = spec.positive_label or (spec.labels[0] if spec.labels else "")

    def _p_positive(self, props: dict[str, float]) -> float:
        raise NotImplementedError

    def _predict(self, rows: list[TrainingRow]) -> list[str]:
        if self.kind is TaskKind.REGRESSION:
            values = [esol(r.entity) for r in rows]
            return [format_answer(v) if math.isfinite(v) else "no answer: unparsable SMILES" for v in values]
        negative = next(lab for lab in self._labels if lab != self._positive)
        out = []
        for r in rows:
            props = _props(r.entity)
            if props is None:
                out.append("no answer: unparsable SMILES")
                continue
            p = self._p_positive(props)
            out.append(format_answer(self._positive, p) if p >= 0.5 else format_answer(negative, 1.0 - p))
        return out


class EsolRule(_Rule):
    """ESOL (Delaney 2004), unfitted: LogS = 0.16 - 0.63 cLogP - 0.0062 MW + 0.066 RB - 0.74 AP."""

    name = "baseline:esol"
    kind = TaskKind.REGRESSION
    default_tasks = SOLUBILITY_TASKS
    citation = "Delaney JS. ESOL: estimating aqueous solubility directly from molecular structure. J Chem Inf Comput Sci 44, 1000-1005 (2004)"  # noqa: E501


class TpsaRule(_Rule):
    """TPSA < 90 A^2 -> the positive label (BBB+); confidence = sigmoid((90 - TPSA) / 20)."""

    name = "baseline:tpsa<90"
    default_tasks = BBB_TASKS
    citation = (
        "Kelder J, et al. Pharm Res 16, 1514-1519 (1999); Hitchcock SA, Pennington LD. J Med Chem 49, 7559-7583 (2006)"
    )

    def _p_positive(self, props: dict[str, float]) -> float:
        return _sigmoid((90.0 - props["tpsa"]) / 20.0)


class LipinskiRule(_Rule):
    """Lipinski's rule of five: at most one violation -> the positive label; confidence falls with violations."""

    name = "baseline:lipinski"
    default_tasks = (*BBB_TASKS, *ABSORPTION_TASKS)
    citation = "Lipinski CA, Lombardo F, Dominy BW, Feeney PJ. Adv Drug Deliv Rev 23, 3-25 (1997)"

    def _p_positive(self, props: dict[str, float]) -> float:
        violations = (props["mw"] > 500) + (props["logp"] > 5) + (props["hbd"] > 5) + (props["hba"] > 10)
        return max(0.0, min(1.0, 0.5 + (1.5 - violations) / 5.0))


class VeberRule(_Rule):
    """Veber's rule: rotatable bonds <= 10 and TPSA <= 140 -> the positive label; confidence from the margin."""

    name = "baseline:veber"
    default_tasks = (*BBB_TASKS, *ABSORPTION_TASKS)
    citation = "Veber DF, Johnson SR, Cheng HY, et al. J Med Chem 45, 2615-2623 (2002)"

    def _p_positive(self, props: dict[str, float]) -> float:
        margin = min((10.5 - props["rb"]) / 3.0, (140.0 - props["tpsa"]) / 30.0)
        return _sigmoid(margin)


RULES: tuple[Callable[[], _Rule], ...] = (EsolRule, TpsaRule, LipinskiRule, VeberRule)


def rule_baselines(spec: TaskSpec) -> list[Baseline]:
    """The rule baselines that apply to ``spec`` (empty for tasks without a textbook rule).

    Examples:
        >>> from biorft.schema import TaskSpec
        >>> spec = TaskSpec(name="molecules/bbb_b3db", domain="molecules", kind="binary", labels=("BBB+", "BBB-"),
        ...                 positive_label="BBB+", instructions="?")
        >>> [b.name for b in rule_baselines(spec)]
        ['baseline:tpsa<90', 'baseline:lipinski', 'baseline:veber']
    """
    return [rule for rule in (make() for make in RULES) if rule.supports(spec)]
