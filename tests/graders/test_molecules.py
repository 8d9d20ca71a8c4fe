from __future__ import annotations

import pytest

from biorft.errors import GraderError
from biorft.graders import MoleculeGrader, Reason, ValidMoleculeGrader
from biorft.graders._rt import molecules

ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("OC(=O)c1ccccc1OC(C)=O", Reason.CORRECT),  # another SMILES of the same molecule
        ("CC(=O)Oc1ccccc1C(=O)[O-].[Na+]", Reason.CORRECT),  # salt: largest fragment, neutralised
        ("`CC(=O)Oc1ccccc1C(=O)O`", Reason.CORRECT),
        ("SMILES: CC(=O)Oc1ccccc1C(=O)O", Reason.CORRECT),
        ("CC(=O)Oc1ccccc1", Reason.PARTIAL),
        ("C1CC", Reason.INVALID_MOLECULE),
        ("not-a-smiles", Reason.INVALID_MOLECULE),
        ("CCO CCN", Reason.HEDGED),  # two molecules
        ("aspirin CC(=O)Oc1ccccc1C(=O)O", Reason.FORMAT_ERROR),  # one molecule among words (strict)
        ("C" * 3000, Reason.INVALID_MOLECULE),
    ],
)
def test_molecule_reasons(answer: str, reason: Reason) -> None:
    result = MoleculeGrader().explain(f"Reasoning.\nAnswer: {answer}", {"target": ASPIRIN})
    assert result.reason is reason, result
    assert (result.score == 1.0) == (reason is Reason.CORRECT)
    assert (0.0 < result.score <= 0.5) == (reason is Reason.PARTIAL)


def test_stereo_and_skeleton() -> None:
    item = {"target": "C[C@H](N)C(=O)O"}
    full, skeleton = MoleculeGrader(), MoleculeGrader(match="skeleton")
    assert full.explain("Answer: C[C@@H](N)C(=O)O", item).reason is Reason.PARTIAL
    assert skeleton("Answer: C[C@@H](N)C(=O)O", item) == 1.0
    assert skeleton("Answer: CC(N)C(=O)O", item) == 1.0
    assert MoleculeGrader(similarity="none").explain("Answer: CCO", item).reason is Reason.INCORRECT


def test_partial_credit_is_scaled_tanimoto() -> None:
    from rdkit import Chem, DataStructs
    from rdkit.Chem import rdFingerprintGenerator

    gen = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    a, b = (gen.GetFingerprint(Chem.MolFromSmiles(s)) for s in ("CC(=O)Oc1ccccc1", ASPIRIN))
    expected = 0.8 * DataStructs.TanimotoSimilarity(a, b)
    assert MoleculeGrader(partial_max=0.8)("Answer: CC(=O)Oc1ccccc1", {"target": ASPIRIN}) == pytest.approx(expected)


def test_strict_needs_agreeing_molecules() -> None:
    g = MoleculeGrader()
    item = {"target": "CCO"}
    assert g("Answer: CCO\n<answer>OCC</answer>", item) == 1.0  # same molecule twice
    assert g.explain("Answer: CCO\n<answer>CCN</answer>", item).reason is Reason.CONFLICTING
    assert MoleculeGrader(mode="lenient")("Answer: CCO (ethanol)", item) == 1.0


def test_reference_parsed_once() -> None:
    molecules.reference_molecule.cache_clear()
    g = MoleculeGrader()
    for answer in ("CCO", "CCN", "OCC", "C1CC"):
        g(f"Answer: {answer}", {"target": "CCO"})
    info = molecules.reference_molecule.cache_info()
    assert (info.misses, info.hits) == (1, 3)


def test_bad_reference_is_bad_item() -> None:
    g = MoleculeGrader()
    for item in ({"target": "C1CC"}, {"target": ""}, {"target": 3}, {}):
        assert g.explain("Answer: CCO", item).reason is Reason.BAD_ITEM


def test_valid_molecule() -> None:
    g = ValidMoleculeGrader()
    assert g("Answer: c1ccccc1", {}) == 1.0
    assert g.explain("Answer: c1cccc1", {}).reason is Reason.INVALID_MOLECULE
    assert g.explain("no answer here\nat all", {}).reason is Reason.NO_ANSWER


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [({"match": "smiles"}, "match"), ({"similarity": "dice"}, "similarity"), ({"partial_max": 1.5}, "partial_max")],
)
def test_bad_configuration(kwargs: dict[str, object], param: str) -> None:
    with pytest.raises(GraderError, match=param):
        MoleculeGrader(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["strict", "lenient"])
def test_refusals_are_no_answer(mode: str) -> None:
    grader = MoleculeGrader(mode=mode)
    for text in ("I cannot tell.", "unknown", "Answer: no idea", "I think it is ethanol"):
        assert grader.explain(text, {"target": "CCO"}).reason is Reason.NO_ANSWER, text
    assert grader("CCO", {"target": "CCO"}) == 1.0  # a bare SMILES is still an answer
