"""Molecule graders (RDKit): equivalence with Tanimoto partial credit, and validity."""

from __future__ import annotations

from typing import Any

from biorft.graders._base import MODES, Grader, check_choice, check_field, check_number

__all__ = ["MoleculeGrader", "ValidMoleculeGrader"]


class MoleculeGrader(Grader):
    """Grader for a molecule answer given as SMILES, against a reference SMILES.

    Both sides are standardised exactly as the datasets are (largest organic fragment, neutralised; one shared
    function) and compared by InChIKey (``match="inchikey"``) or by its first block, the connectivity skeleton that
    ignores stereochemistry and protonation (``match="skeleton"``). A different molecule earns ``partial_max *
    Tanimoto`` (Morgan fingerprints, radius 2, 2048 bits) with ``similarity="tanimoto"``, else 0. An answer RDKit
    cannot parse scores 0 with ``INVALID_MOLECULE``. The reference is parsed once per distinct SMILES (cached); each
    answer is parsed once. The exported grader imports RDKit, which OpenAI's grader image provides (rdkit 2024.9.6);
    scores do not depend on the RDKit release because canonical SMILES are never stored or compared across
    processes.

    Args:
        match: ``"inchikey"`` (default) or ``"skeleton"``.
        similarity: ``"tanimoto"`` (default) or ``"none"``.
        partial_max: Score of a different molecule with Tanimoto similarity 1 (default 0.5), in [0, 1].
        mode: ``"strict"`` (the answer must be one SMILES) or ``"lenient"`` (the first word is read).
        target_field: The item key holding the reference SMILES.
        name: Grader name (defaults to ``"molecule"``).

    Raises:
        GraderError: On an unknown ``match`` / ``similarity`` / ``mode`` or ``partial_max`` outside [0, 1].

    Examples:
        >>> g = MoleculeGrader()
        >>> item = {"target": "CC(=O)Oc1ccccc1C(=O)O"}
        >>> g("Answer: OC(=O)c1ccccc1OC(C)=O", item)
        1.0
        >>> g("Answer: [Na+].CC(=O)Oc1ccccc1C(=O)[O-]", item)
        1.0
        >>> 0 < g("Answer: CC(=O)Oc1ccccc1", item) < 0.5, g("Answer: C1CC", item)
        (True, 0.0)
    """

    def __init__(
        self,
        *,
        match: str = "inchikey",
        similarity: str = "tanimoto",
        partial_max: float = 0.5,
        mode: str = "strict",
        target_field: str = "target",
        name: str = "molecule",
    ) -> None:
        field = check_field("target_field", target_field)
        config: dict[str, Any] = {
            "type": "molecule",
            "name": str(name),
            "match": check_choice("match", match, ("inchikey", "skeleton")),
            "similarity": check_choice("similarity", similarity, ("tanimoto", "none")),
            "partial_max": check_number("partial_max", partial_max, high=1.0),
            "mode": check_choice("mode", mode, MODES),
            "target_field": field,
        }
        super().__init__(config, referenced_fields={field})


class ValidMoleculeGrader(Grader):
    """1 when the answer is a SMILES string that RDKit parses, else 0 (``INVALID_MOLECULE`` / ``NO_ANSWER``).

    Useful as a gate or a small shaping term for molecule-generation tasks; it reads no item field.

    Args:
        mode: ``"strict"`` or ``"lenient"``.
        name: Grader name (defaults to ``"valid_molecule"``).

    Examples:
        >>> g = ValidMoleculeGrader()
        >>> g("Answer: c1ccccc1O", {}), g("Answer: c1cccc1O(", {})
        (1.0, 0.0)
    """

    def __init__(self, *, mode: str = "strict", name: str = "valid_molecule") -> None:
        config = {"type": "valid_molecule", "name": str(name), "mode": check_choice("mode", mode, MODES)}
        super().__init__(config)
