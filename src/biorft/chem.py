"""The one RDKit boundary of biorft: parse, standardise, canonicalise, identify and scaffold molecules.

Nothing here raises on bad chemistry: [`parse`][biorft.chem.parse] returns ``None`` for SMILES RDKit rejects and
[standardize_smiles][biorft.chem.standardize_smiles] returns a [StandardizeFailure][biorft.chem.StandardizeFailure]
carrying the reason, so builders can quarantine the
row. RDKit's own log lines are silenced while biorft works ([`quiet_rdkit`][biorft.chem.quiet_rdkit]).

Standardisation ([standardize][biorft.chem.standardize]) keeps the largest organic fragment (drops counter-ions and
solvents),
neutralises charges where a neutral form exists, and returns the molecule from which the canonical SMILES, the
InChIKey (the identity used for de-duplication and leakage checks) and the Bemis-Murcko scaffold are computed.

Examples:
    >>> rec = standardize_smiles("[Na+].CC(=O)[O-]")
    >>> rec.smiles, rec.inchikey
    ('CC(=O)O', 'QTBSBXVTEAMEQO-UHFFFAOYSA-N')
    >>> standardize_smiles("c1ccccc1C(=O)Nc1ccccc1").scaffold
    'O=C(Nc1ccccc1)c1ccccc1'
    >>> parse("not a molecule") is None
    True
    >>> standardize_smiles("C1CC").reason
    'RDKit cannot parse the SMILES'
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

__all__ = [
    "StandardizeFailure",
    "StandardizedMolecule",
    "canonical_smiles",
    "inchikey",
    "murcko_scaffold",
    "parse",
    "quiet_rdkit",
    "rdkit_version",
    "read_sdf",
    "standardize",
    "standardize_many",
    "standardize_smiles",
]

Mol = Any  # rdkit.Chem.Mol; typed loosely because RDKit ships no type stubs


class StandardizedMolecule(NamedTuple):
    """A standardised molecule's identifiers.

    Attributes:
        smiles: Canonical isomeric SMILES of the standardised parent.
        inchikey: Standard InChIKey of the standardised parent (the identity used to de-duplicate).
        scaffold: Bemis-Murcko scaffold SMILES; ``""`` for acyclic molecules.
    """

    smiles: str
    inchikey: str
    scaffold: str

    @property
    def ok(self) -> bool:
        """Always True (a failure is a [`StandardizeFailure`][biorft.chem.StandardizeFailure])."""
        return True


class StandardizeFailure(NamedTuple):
    """Why a SMILES could not be standardised (a quarantine reason).

    Attributes:
        reason: One-line reason, e.g. ``"RDKit cannot parse the SMILES"``.
    """

    reason: str

    @property
    def ok(self) -> bool:
        """Always False."""
        return False


@contextlib.contextmanager
def quiet_rdkit() -> Iterator[None]:
    """Silence RDKit's log (parse errors, valence warnings) inside the block; restored afterwards.

    Examples:
        >>> with quiet_rdkit():
        ...     parse("C(C)(C)(C)(C)C") is None  # pentavalent carbon: RDKit would log an error
        True
    """
    from rdkit import rdBase

    blocker = rdBase.BlockLogs()
    try:
        yield
    finally:
        del blocker


def rdkit_version() -> str:
    """The installed RDKit version (recorded in dataset cards).

    Examples:
        >>> rdkit_version().count(".") >= 2
        True
    """
    from rdkit import rdBase

    return str(rdBase.rdkitVersion)


def parse(smiles: str) -> Mol | None:
    """Parse a SMILES string; ``None`` when RDKit rejects it (never raises, logs nothing).

    Args:
        smiles: The SMILES text.

    Returns:
        An RDKit molecule, or ``None``.

    Examples:
        >>> parse("CCO").GetNumAtoms()
        3
        >>> parse("") is None, parse("C1CC") is None
        (True, True)
    """
    if not isinstance(smiles, str) or not smiles.strip():
        return None
    from rdkit import Chem

    with quiet_rdkit():
        try:
            mol = Chem.MolFromSmiles(smiles.strip())
        except Exception:  # RDKit raises on a few pathological inputs
            return None
    if mol is None or mol.GetNumAtoms() == 0:
        return None
    return mol


@lru_cache(maxsize=1)
def _standardizers() -> tuple[Any, Any]:
    from rdkit.Chem.MolStandardize import rdMolStandardize

    return rdMolStandardize.LargestFragmentChooser(preferOrganic=True), rdMolStandardize.Uncharger()


_CHARGE = re.compile(r"[+-]\d*(?::\d+)?\]")


def standardize(mol: Mol) -> Mol | None:
    """Keep the largest (organic) fragment and neutralise charges; ``None`` if RDKit fails.

    Args:
        mol: A parsed molecule.

    Returns:
        The standardised molecule (a new object), or ``None``.

    Examples:
        >>> canonical_smiles(standardize(parse("C[NH3+].[Cl-]")))
        'CN'
    """
    with quiet_rdkit():
        return _standardize(mol, None)


def _standardize(mol: Mol, smiles: str | None) -> Mol | None:
    """Standardise; ``smiles`` (the parsed text) lets cheap string checks skip work on most molecules."""
    from rdkit import Chem

    chooser, uncharger = _standardizers()
    try:
        if "." in smiles if smiles is not None else len(Chem.GetMolFrags(mol)) > 1:
            mol = chooser.choose(mol)
        charged = (
            _CHARGE.search(smiles) is not None
            if smiles is not None
            else any(atom.GetFormalCharge() for atom in mol.GetAtoms())
        )
        if charged:
            mol = uncharger.uncharge(mol)
    except Exception:
        return None
    return mol


def canonical_smiles(mol: Mol) -> str:
    """Canonical isomeric SMILES of ``mol``.

    Examples:
        >>> canonical_smiles(parse("OCC"))
        'CCO'
    """
    from rdkit import Chem

    return str(Chem.MolToSmiles(mol))


def inchikey(mol: Mol) -> str | None:
    """Standard InChIKey of ``mol``; ``None`` when the InChI library cannot make one.

    Examples:
        >>> inchikey(parse("CCO"))
        'LFQSCWFLJHTTHZ-UHFFFAOYSA-N'
    """
    from rdkit import Chem

    to_key: Any = Chem.MolToInchiKey
    with quiet_rdkit():
        try:
            key = to_key(mol)
        except Exception:
            return None
    return str(key) or None


def murcko_scaffold(mol: Mol, *, stereo: bool = False) -> str:
    """Bemis-Murcko scaffold SMILES of ``mol`` (``""`` for an acyclic molecule).

    The scaffold is stereo-free by default, as in Chemprop, TDC and DeepChem
    (``MurckoScaffoldSmiles(mol=mol, includeChirality=False)``), so stereoisomers share one scaffold group and a
    scaffold split never puts two stereoisomers in different parts.

    Args:
        mol: A parsed (usually standardised) molecule.
        stereo: Keep stereo (and isotope) labels in the scaffold SMILES: stereoisomers then get different scaffolds.

    Examples:
        >>> murcko_scaffold(parse("CCc1ccccc1")), murcko_scaffold(parse("CCO"))
        ('c1ccccc1', '')
        >>> cis, trans = parse("N1([C@H]2CCC[C@H]2c2ccccc2)CCCC1"), parse("N1([C@H]2CCC[C@@H]2c2ccccc2)CCCC1")
        >>> murcko_scaffold(cis) == murcko_scaffold(trans) == "c1ccc(C2CCCC2N2CCCC2)cc1"
        True
        >>> murcko_scaffold(cis, stereo=True), murcko_scaffold(trans, stereo=True)
        ('c1ccc([C@@H]2CCC[C@@H]2N2CCCC2)cc1', 'c1ccc([C@H]2CCC[C@@H]2N2CCCC2)cc1')
    """
    with quiet_rdkit():
        return _scaffold(mol, stereo)


def _scaffold(mol: Mol, stereo: bool) -> str:
    """Scaffold SMILES (RDKit's log must already be silenced); ring-less molecules answer ``""`` at once."""
    from rdkit import Chem
    from rdkit.Chem.Scaffolds import MurckoScaffold

    try:
        if mol.GetRingInfo().NumRings() == 0:
            return ""
        scaffold_of: Any = MurckoScaffold.GetScaffoldForMol
        core = scaffold_of(mol)
        return str(Chem.MolToSmiles(core, isomericSmiles=stereo)) if core.GetNumAtoms() else ""
    except Exception:
        return ""


def standardize_smiles(smiles: str, *, stereo_scaffold: bool = False) -> StandardizedMolecule | StandardizeFailure:
    """Parse, standardise and identify one SMILES string.

    Args:
        smiles: The SMILES text as found in a source file.
        stereo_scaffold: Keep stereo in the scaffold (see [murcko_scaffold][biorft.chem.murcko_scaffold]); stereo-free
            by default.

    Returns:
        [StandardizedMolecule][biorft.chem.StandardizedMolecule] on success, else
        [StandardizeFailure][biorft.chem.StandardizeFailure] with the reason.

    Examples:
        >>> standardize_smiles("OCC").smiles
        'CCO'
        >>> standardize_smiles("").reason
        'empty SMILES'
    """
    if not isinstance(smiles, str) or not smiles.strip():
        return StandardizeFailure("empty SMILES")
    with quiet_rdkit():
        return _standardize_text(smiles.strip(), stereo_scaffold, None)


# Results by input text, per process (each worker has its own): standardisation is a pure function of the text, so
# a repeated SMILES is answered from the cache with an identical result. (InChIKeys are deliberately not cached by
# canonical SMILES: the two differ for some organometallics, e.g. cyclopentadienyl anions vs radicals.)
_Cache = dict[str, "StandardizedMolecule | StandardizeFailure"]
_CACHE_SIZE = 100_000
_WORKER_CACHES: dict[bool, _Cache] = {}  # per worker process, by stereo_scaffold


def _standardize_text(
    text: str, stereo_scaffold: bool, cache: _Cache | None
) -> StandardizedMolecule | StandardizeFailure:
    """Standardise stripped, non-empty SMILES text (RDKit's log must already be silenced)."""
    if cache is None:
        return _standardize_uncached(text, stereo_scaffold)
    hit = cache.get(text)
    if hit is not None:
        return hit
    result = _standardize_uncached(text, stereo_scaffold)
    if len(cache) >= _CACHE_SIZE:  # bound memory
        cache.clear()
    cache[text] = result
    return result


def _standardize_uncached(text: str, stereo_scaffold: bool) -> StandardizedMolecule | StandardizeFailure:
    from rdkit import Chem

    try:
        mol = Chem.MolFromSmiles(text)
    except Exception:
        mol = None
    if mol is None or mol.GetNumAtoms() == 0:
        return StandardizeFailure("RDKit cannot parse the SMILES")
    std = _standardize(mol, text)
    if std is None or std.GetNumAtoms() == 0:
        return StandardizeFailure("RDKit cannot standardise the molecule (largest fragment / neutralise)")
    try:
        to_key: Any = Chem.MolToInchiKey
        key = str(to_key(std))
    except Exception:
        key = ""
    if not key:
        return StandardizeFailure("no InChIKey can be computed for the molecule")
    scaffold = _scaffold(std, stereo_scaffold)
    return StandardizedMolecule(smiles=str(Chem.MolToSmiles(std)), inchikey=key, scaffold=scaffold)


def _standardize_chunk(
    chunk: Sequence[str], stereo_scaffold: bool = False, cache: _Cache | None = None
) -> list[StandardizedMolecule | StandardizeFailure]:
    """Standardise a chunk with RDKit's log silenced once; a worker process keeps its cache between chunks."""
    if cache is None:
        cache = _WORKER_CACHES.setdefault(stereo_scaffold, {})
    empty = StandardizeFailure("empty SMILES")
    with quiet_rdkit():
        return [
            _standardize_text(s.strip(), stereo_scaffold, cache) if isinstance(s, str) and s.strip() else empty
            for s in chunk
        ]


def standardize_many(
    smiles: Iterable[str], *, n_jobs: int | None = 1, chunk_size: int = 2000, stereo_scaffold: bool = False
) -> Iterator[StandardizedMolecule | StandardizeFailure]:
    """Standardise many SMILES in order, optionally on several processes.

    Results are streamed in input order, so memory stays bounded by ``n_jobs * chunk_size`` pending molecules
    (plus each process's bounded cache of SMILES already seen). Results are identical to calling
    [`standardize_smiles`][biorft.chem.standardize_smiles] on each input.

    Args:
        smiles: SMILES strings (any iterable; consumed lazily).
        n_jobs: Worker processes; ``1`` runs in this process, ``None`` or ``-1`` uses every core.
        chunk_size: SMILES per task sent to a worker.
        stereo_scaffold: Keep stereo in the scaffolds (see [murcko_scaffold][biorft.chem.murcko_scaffold]); stereo-free
            by default.

    Yields:
        One result per input, in input order.

    Examples:
        >>> [r.smiles if r.ok else r.reason for r in standardize_many(["OCC", "C1CC"])]
        ['CCO', 'RDKit cannot parse the SMILES']
    """
    import os

    jobs = (os.cpu_count() or 1) if n_jobs is None or n_jobs < 1 else n_jobs
    source = iter(smiles)

    def next_chunk() -> list[str]:
        return [s for _, s in zip(range(chunk_size), source, strict=False)]

    if jobs == 1:
        local: _Cache = {}  # this call's own: freed when it ends
        while chunk := next_chunk():
            yield from _standardize_chunk(chunk, stereo_scaffold, local)
        return
    import collections
    import multiprocessing as mp
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # "spawn": safe beside polars' and RDKit's threads (fork can deadlock) and the same on every platform. At most
    # 2 * jobs chunks are in flight, so memory stays bounded however long the input is.
    pending: collections.deque[tuple[list[str], Future[list[StandardizedMolecule | StandardizeFailure]]]]
    pending = collections.deque()
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn")) as pool:
            while True:
                while len(pending) < 2 * jobs:
                    chunk = next_chunk()
                    if not chunk:
                        break
                    pending.append((chunk, pool.submit(_standardize_chunk, chunk, stereo_scaffold)))
                if not pending:
                    return
                results = pending[0][1].result()
                pending.popleft()
                yield from results
    except BrokenProcessPool:  # workers cannot start (e.g. a script read from stdin): finish in this process
        local = {}
        for chunk, _ in pending:
            yield from _standardize_chunk(chunk, stereo_scaffold, local)
        while chunk := next_chunk():
            yield from _standardize_chunk(chunk, stereo_scaffold, local)


def read_sdf(path: str) -> list[dict[str, Any]]:
    """Read an SD file into rows: the molecule as ``smiles`` plus every SD property as a string.

    Records RDKit cannot read become rows whose ``smiles`` is ``""`` (so builders quarantine them with a reason
    instead of losing them); ``_sdf_error`` says why.

    Args:
        path: Path of the ``.sdf`` file.

    Returns:
        One dict per record, in file order.

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.sdf"
        >>> from rdkit import Chem
        >>> m = Chem.MolFromSmiles("CCO"); m.SetProp("y", "1.5")
        >>> w = Chem.SDWriter(str(p)); w.write(m); w.close()
        >>> read_sdf(str(p))
        [{'smiles': 'CCO', 'y': '1.5', '_sdf_error': ''}]
    """
    from rdkit import Chem

    rows: list[dict[str, Any]] = []
    with quiet_rdkit():
        supplier: Any = Chem.SDMolSupplier(path, sanitize=True, removeHs=True)
        mol: Any
        for mol in supplier:
            if mol is None:
                rows.append({"smiles": "", "_sdf_error": "RDKit cannot read this SD record"})
                continue
            row: dict[str, Any] = {"smiles": str(Chem.MolToSmiles(mol))}
            for key in mol.GetPropNames():
                row[str(key)] = mol.GetProp(key)
            row["_sdf_error"] = ""
            rows.append(row)
    return rows
