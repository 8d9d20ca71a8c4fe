"""Molecule answers (SMILES): validity, equivalence by standardised InChIKey, Tanimoto partial credit.

RDKit is imported on first use, so graders that do not score molecules never need it. `standardize_mol` is
the one molecule standardiser of biorft: the datasets (``biorft.chem``) and the graders (in-process and exported)
both call it, so a dataset's canonical SMILES and the raw SMILES it came from are the same molecule to the grader. It
keeps the largest organic fragment (salts, counter-ions, solvents and inorganic acids dropped; the largest fragment
when none is organic) and neutralises charges where a neutral form exists; equivalence is decided on the InChIKey of
the standardised molecule (its first block only with ``match="skeleton"``, which ignores stereochemistry and
protonation). Canonical SMILES are compared only between two molecules parsed in the same process, as a quick path
to "equal" (identical canonical SMILES imply identical InChIKeys); they are never stored or compared across RDKit
releases. Partial credit is ``partial_max`` times the Tanimoto similarity of Morgan fingerprints (radius 2,
2048 bits). The reference side is parsed once per distinct SMILES (``lru_cache``); an answer is parsed once.
"""

from __future__ import annotations

import functools
import re
from typing import Any, NamedTuple

from biorft.graders._rt.text import clip, is_refusal, negated, norm_loose, retraction

MAX_SMILES = 2000
"""Longer answers are not parsed (no real answer molecule needs that many characters)."""

_RDKIT: dict[str, Any] = {}
_SMILES_STRIP = " \t\r\n\"'`*.,;"
_CHARGED_ATOM = re.compile(r"[+-]\d*(?::\d+)?\]")
"""A charged bracket atom in SMILES text (``[NH3+]``, ``[O-]``, ``[Fe+2]``): formal charges appear only there."""
_SMILES_WORD_MAX = 16  # words of a several-word answer tried as SMILES
_MOLECULE_HEDGES = frozenset({"or", "either", "both", "maybe", "possibly", "perhaps", "vs", "versus", "alternatively"})


def _rdkit() -> dict[str, Any]:
    """RDKit modules and reusable objects, imported and built on first use."""
    if not _RDKIT:
        from rdkit import Chem, DataStructs, rdBase
        from rdkit.Chem import rdFingerprintGenerator
        from rdkit.Chem.MolStandardize import rdMolStandardize

        _RDKIT.update(
            Chem=Chem,
            DataStructs=DataStructs,
            BlockLogs=rdBase.BlockLogs,
            fpgen=rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048),
            chooser=rdMolStandardize.LargestFragmentChooser(preferOrganic=True),
            uncharger=rdMolStandardize.Uncharger(),
        )
    return _RDKIT


class MolRecord(NamedTuple):
    """A parsed, standardised molecule: canonical SMILES (this process only) and the RDKit molecule."""

    canonical: str
    mol: Any


def smiles_text(value: Any, lenient: bool) -> tuple[str | None, str, str]:
    """The SMILES string of an extracted answer: ``(smiles, reason, detail)``; reason ``""`` when usable."""
    if value is None:
        return None, "no_answer", "the answer is null"
    if isinstance(value, list):
        if len(value) == 1:
            return smiles_text(value[0], lenient)
        return None, "hedged" if value else "no_answer", f"the answer is a list of {len(value)} values"
    if not isinstance(value, str):
        return None, "invalid_molecule", f"the answer is a {type(value).__name__}, not a SMILES string"
    text = value.strip(_SMILES_STRIP)
    if text[:7].lower() == "smiles:":
        text = text[7:].strip(_SMILES_STRIP)
    if not text:
        return None, "no_answer", "the answer is empty"
    if is_refusal(text):
        return None, "no_answer", "the answer declines to answer"
    if len(text) > MAX_SMILES:
        return None, "invalid_molecule", f"the answer is {len(text)} characters long, not a SMILES string"
    return text, "", ""


def standardize_mol(mol: Any, smiles: str | None = None) -> Any:
    """The standardised parent of a parsed molecule: largest organic fragment, charges neutralised.

    The fragment chooser prefers organic fragments (RDKit's ``LargestFragmentChooser(preferOrganic=True)``), so
    oxalic acid, not molybdic acid, is the parent of ``O=C(O)C(=O)O.O=[Mo](=O)(=O)(O)O``; among organic fragments
    (or among inorganic ones when there is no organic fragment) the largest wins. ``Uncharger`` then neutralises
    charges where a valid neutral form exists (a quaternary ammonium stays charged). ``smiles`` (the text ``mol`` was
    parsed from) only lets cheap string checks skip the steps that cannot change the molecule; the result is the
    same with or without it. Returns ``None`` when RDKit fails; RDKit's log must already be silenced.
    """
    rd = _rdkit()
    try:
        if "." in smiles if smiles is not None else len(rd["Chem"].GetMolFrags(mol)) > 1:
            mol = rd["chooser"].choose(mol)
        charged = (
            _CHARGED_ATOM.search(smiles) is not None
            if smiles is not None
            else any(atom.GetFormalCharge() for atom in mol.GetAtoms())
        )
        if charged:
            mol = _neutral_or_charged(mol)
    except Exception:
        return None
    return mol


def _neutral_or_charged(mol: Any) -> Any:
    """``Uncharger``'s neutral form when it is a valid molecule, else ``mol`` as charged.

    Uncharging can leave a structure RDKit itself rejects (a cyclopentadienide ligand becomes a non-kekulisable
    aromatic ring, ``[SbH6+3]`` becomes ``[SbH9]``), whose SMILES no longer parses; the charged form is kept then,
    so the canonical SMILES of every standardised molecule parses back to the same molecule.
    """
    rd = _rdkit()
    neutral = rd["uncharger"].uncharge(mol)
    try:
        rd["Chem"].SanitizeMol(neutral)
    except Exception:
        return mol
    return neutral


def several_words(text: str, lenient: bool) -> tuple[MolRecord | None, str, str]:
    """Read an answer of several words: ``(molecule, reason, detail)``; reason ``""`` when it names one molecule.

    Each word that could be a SMILES is parsed. Two or more different molecules, or words such as *or* / *either*,
    are a hedge; a negation (*not*, *non*) or a retraction (*actually*) names no molecule. Lenient mode takes the
    one molecule named among other words; strict mode needs the answer to be one SMILES (``format_error``).
    """
    cue = retraction(text)
    if cue:
        return None, "conflicting", f"the answer retracts itself ({cue!r}): state one SMILES"
    words = [w.strip(_SMILES_STRIP) for w in text.split()]
    found: dict[str, MolRecord] = {}
    others: list[str] = []
    for i, word in enumerate(words):
        if not word:
            continue
        if i < _SMILES_WORD_MAX and not (word.isalpha() and word.islower() and len(word) > 1):
            record = parse_molecule(word)
            if record is not None:
                found.setdefault(record.canonical, record)
                continue
        others.append(word)
    tokens = norm_loose(" ".join(others)).split()
    if len(found) > 1 or not _MOLECULE_HEDGES.isdisjoint(tokens):
        return None, "hedged", f"the answer names several molecules or hedges: {clip(text)!r}"
    if negated(tokens):
        return None, "no_answer", f"the answer negates instead of naming a molecule: {clip(text)!r}"
    if not lenient:
        return None, "format_error", "the answer has several words; give one SMILES string"
    if not found:
        return None, "invalid_molecule", f"no SMILES that RDKit can parse in {clip(text)!r}"
    return next(iter(found.values())), "", ""


def parse_molecule(smiles: str) -> MolRecord | None:
    """Parse and standardise one SMILES (`standardize_mol`); ``None`` when RDKit rejects it."""
    rd = _rdkit()
    with rd["BlockLogs"]():
        try:
            mol = rd["Chem"].MolFromSmiles(smiles)
        except Exception:
            return None
        if mol is None or mol.GetNumAtoms() == 0:
            return None
        mol = standardize_mol(mol, smiles)
        if mol is None or mol.GetNumAtoms() == 0:
            return None
        return MolRecord(rd["Chem"].MolToSmiles(mol), mol)


def inchikey(mol: Any) -> str:
    """InChIKey of a parsed molecule (``""`` when InChI cannot be computed)."""
    rd = _rdkit()
    with rd["BlockLogs"]():
        try:
            return str(rd["Chem"].MolToInchiKey(mol))
        except Exception:
            return ""


def fingerprint(mol: Any) -> Any:
    """Morgan fingerprint (radius 2, 2048 bits)."""
    return _rdkit()["fpgen"].GetFingerprint(mol)


@functools.lru_cache(maxsize=8192)
def reference_molecule(smiles: str) -> tuple[str, str, Any] | None:
    """The reference side, parsed once per distinct SMILES: ``(canonical, inchikey, fingerprint)`` or ``None``."""
    record = parse_molecule(smiles)
    if record is None:
        return None
    return record.canonical, inchikey(record.mol), fingerprint(record.mol)


def molecule_score(answer: MolRecord, reference: tuple[str, str, Any], cfg: dict[str, Any]) -> tuple[float, str, str]:
    """Score a parsed answer against a parsed reference: ``(score, reason, detail)``."""
    ref_canonical, ref_key, ref_fp = reference
    if answer.canonical == ref_canonical:
        return 1.0, "correct", "same molecule"
    key = inchikey(answer.mol)
    if key and ref_key:
        same = key[:14] == ref_key[:14] if cfg["match"] == "skeleton" else key == ref_key
        if same:
            return 1.0, "correct", f"same standardised InChIKey{' skeleton' if cfg['match'] == 'skeleton' else ''}"
    if cfg["similarity"] != "tanimoto" or cfg["partial_max"] <= 0.0:
        return 0.0, "incorrect", "a different molecule"
    similarity = float(_rdkit()["DataStructs"].TanimotoSimilarity(fingerprint(answer.mol), ref_fp))
    score = cfg["partial_max"] * similarity
    detail = f"a different molecule (Tanimoto {similarity:.3f})"
    return (score, "partial", detail) if score > 0.0 else (0.0, "incorrect", detail)
