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
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from biorft.graders._rt.molecules import standardize_mol

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

__all__ = [
    "StandardizeFailure",
    "StandardizedMolecule",
    "canonical_smiles",
    "connectivity_key",
    "identity_keys_many",
    "inchikey",
    "murcko_scaffold",
    "parse",
    "quiet_rdkit",
    "rdkit_version",
    "read_sdf",
    "standardize",
    "standardize_many",
    "standardize_smiles",
    "tautomer_key",
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


def standardize(mol: Mol) -> Mol | None:
    """Keep the largest organic fragment and neutralise charges; ``None`` if RDKit fails.

    This is the graders' own standardiser (the molecule graders and their exported sources run the same function),
    so a dataset's canonical SMILES and the raw SMILES it came from are one molecule to every grader. Organic
    fragments win over inorganic ones (oxalic acid, not molybdic acid, is the parent of
    ``O=C(O)C(=O)O.O=[Mo](=O)(=O)(O)O``); the largest fragment wins among them.

    Args:
        mol: A parsed molecule.

    Returns:
        The standardised molecule (a new object), or ``None``.

    Examples:
        >>> canonical_smiles(standardize(parse("C[NH3+].[Cl-]")))
        'CN'
        >>> canonical_smiles(standardize(parse("O=C(O)C(=O)O.O=[Mo](=O)(=O)(O)O")))
        'O=C(O)C(=O)O'
    """
    with quiet_rdkit():
        return standardize_mol(mol)


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
# a repeated SMILES is answered from the cache with an identical result.
_Cache = dict[str, "StandardizedMolecule | StandardizeFailure"]
_CACHE_SIZE = 100_000
_WORKER_CACHES: dict[bool, _Cache] = {}  # per worker process, by stereo_scaffold


def _standardize_text(
    text: str, stereo_scaffold: bool, cache: _Cache | None
) -> StandardizedMolecule | StandardizeFailure:
    """Standardise stripped, non-empty SMILES text (RDKit's log must already be silenced)."""
    if cache is None:
        return _standardize_uncached(text, stereo_scaffold)
    return _cached(cache, text, functools.partial(_standardize_uncached, stereo_scaffold=stereo_scaffold))


_V = TypeVar("_V")


def _cached(store: dict[str, _V], text: str, compute: Callable[[str], _V]) -> _V:
    """``compute(text)``, remembered in ``store``."""
    hit = store.get(text)
    if hit is None:
        hit = compute(text)
        _remember(store, text, hit)
    return hit


def _remember(store: dict[str, _V], text: str, value: _V) -> None:
    """``store[text] = value``, the store cleared first when full (to bound memory)."""
    if len(store) >= _CACHE_SIZE:
        store.clear()
    store[text] = value


def _standardize_uncached(text: str, stereo_scaffold: bool) -> StandardizedMolecule | StandardizeFailure:
    std = _parent(text)
    if isinstance(std, StandardizeFailure):
        return std
    key = _inchikey(std)
    if key is None:
        return _NO_KEY
    from rdkit import Chem

    return StandardizedMolecule(
        smiles=str(Chem.MolToSmiles(std)), inchikey=key, scaffold=_scaffold(std, stereo_scaffold)
    )


_NO_KEY = StandardizeFailure("no InChIKey can be computed for the molecule")


def _parent(text: str) -> Mol | StandardizeFailure:
    """Parse and standardise stripped SMILES text (RDKit's log must already be silenced)."""
    from rdkit import Chem

    try:
        mol = Chem.MolFromSmiles(text)
    except Exception:
        mol = None
    if mol is None or mol.GetNumAtoms() == 0:
        return StandardizeFailure("RDKit cannot parse the SMILES")
    std = standardize_mol(mol, text)
    if std is None or std.GetNumAtoms() == 0:
        return StandardizeFailure("RDKit cannot standardise the molecule (largest fragment / neutralise)")
    return std


def _inchikey(std: Mol) -> str | None:
    """The standard InChIKey, or None (``/AuxNone`` only leaves out the auxiliary output: the InChI is standard)."""
    from rdkit import Chem

    to_key: Any = Chem.MolToInchiKey
    try:
        return str(to_key(std, options="/AuxNone")) or None
    except Exception:
        return None


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
    local: _Cache = {}  # used in this process only (a worker keeps its own cache between chunks)

    def in_process(chunk: list[str]) -> list[StandardizedMolecule | StandardizeFailure]:
        return _standardize_chunk(chunk, stereo_scaffold, local)

    yield from _map_chunks(
        functools.partial(_standardize_chunk, stereo_scaffold=stereo_scaffold),
        in_process,
        smiles,
        n_jobs=n_jobs,
        chunk_size=chunk_size,
    )


_T = TypeVar("_T")
_R = TypeVar("_R")


def _map_chunks(
    remote: Callable[[list[_T]], list[_R]],
    local: Callable[[list[_T]], list[_R]],
    items: Iterable[_T],
    *,
    n_jobs: int | None,
    chunk_size: int,
) -> Iterator[_R]:
    """Map chunk functions over ``items`` in order on a pool of its own (see [`_Workers`][biorft.chem._Workers])."""
    with _Workers(n_jobs) as workers:
        yield from workers.map(remote, local, items, chunk_size=chunk_size)


def _broken_pool() -> type[Exception]:
    from concurrent.futures.process import BrokenProcessPool

    return BrokenProcessPool


class _Workers:
    """Worker processes for one build (in this process when ``n_jobs`` is 1).

    Chunks are mapped in order, at most ``2 * n_jobs`` in flight, so memory stays bounded however long the input
    is. Workers are started with "spawn" (safe beside polars' and RDKit's threads, the same on every platform) when
    the first chunk is sent; when they cannot start (e.g. a script read from stdin) the work finishes in this process.
    With ``claims=True`` the workers share a [`_Claims`][biorft.chem._Claims] file.
    """

    def __init__(self, n_jobs: int | None, *, claims: bool = False) -> None:
        import os

        self.jobs = (os.cpu_count() or 1) if n_jobs is None or n_jobs < 1 else n_jobs
        self._pool: ProcessPoolExecutor | None = None
        self._broken = False
        self._claims = claims
        self._claims_path: str | None = None

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        import os

        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        if self._claims_path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._claims_path)
            self._claims_path = None

    def _start(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            setup: dict[str, Any] = {}
            if self._claims:
                self._claims_path = _Claims.create()
                setup = {"initializer": _Claims.attach, "initargs": (self._claims_path,)}
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=mp.get_context("spawn"), **setup)
        return self._pool

    def map(
        self,
        remote: Callable[[list[_T]], list[_R]],
        local: Callable[[list[_T]], list[_R]],
        items: Iterable[_T],
        *,
        chunk_size: int,
    ) -> Iterator[_R]:
        """Results of ``remote`` (on the workers) or ``local`` (here) over chunks of ``items``, in input order."""
        source = iter(items)

        def next_chunk() -> list[_T]:
            return [s for _, s in zip(range(chunk_size), source, strict=False)]

        if self.jobs == 1 or self._broken:
            while chunk := next_chunk():
                yield from local(chunk)
            return
        import collections

        pending: collections.deque[tuple[list[_T], Future[list[_R]]]] = collections.deque()
        try:
            pool = self._start()
            while True:
                while len(pending) < 2 * self.jobs:
                    chunk = next_chunk()
                    if not chunk:
                        break
                    pending.append((chunk, pool.submit(remote, chunk)))
                if not pending:
                    return
                results = pending[0][1].result()
                pending.popleft()
                yield from results
        except _broken_pool():
            self._broken = True
            for chunk, _ in pending:
                yield from local(chunk)
            while chunk := next_chunk():
                yield from local(chunk)


# -- identity keys ----------------------------------------------------------------------------------------------
# The tautomer key is the first block of a non-standard InChIKey computed with InChI's keto-enol (KET) and 1,5-shift
# (15T) tautomerism on top of the standard mobile-H layer: canonical by construction (every tautomer InChI knows gets
# the same key) at the cost of one more InChI (about that of the InChIKey itself). RDKit's TautomerEnumerator
# canonical tautomer was measured at 2-14 ms per drug-like molecule (10-45 times an InChIKey) depending on its
# MaxTautomers / MaxTransforms bounds, and once those bounds truncate the enumeration two tautomers of one compound
# can get different "canonical" forms; so biorft uses InChI's. Stereo is left out (/SNon): the first block hashes the
# main layer only (formula, connections, hydrogens), so the key is the same with or without it, and InChI's stereo
# perception, about an eighth of the time, is saved; /AuxNone only leaves out InChI's auxiliary output.
TAUTOMER_INCHI_OPTIONS = "/KET /15T /SNon /AuxNone"


def connectivity_key(key: str) -> str:
    """The stereo-free connectivity key of an InChIKey: its first block (the skeleton, without stereo or isotopes).

    Stereoisomers (enantiomers, diastereomers, cis/trans isomers) of one compound share it.

    Examples:
        >>> connectivity_key("XUKUURHRXDUEBC-KAYWLYCHSA-N")
        'XUKUURHRXDUEBC'
    """
    return key.split("-", 1)[0]


def tautomer_key(mol: Mol) -> str | None:
    """A stereo-free canonical-tautomer key: the first block of the InChIKey with InChI's KET and 15T options.

    Tautomers InChI recognises (mobile hydrogens between heteroatoms, keto-enol, 1,5-shifts) share it, e.g. phenol
    and its keto form, 2-pyridone and 2-hydroxypyridine, the diketo and enol forms of acetylacetone. Computed on
    the standardised parent; ``None`` when InChI cannot describe the molecule.

    Examples:
        >>> tautomer_key(parse("Oc1ccccc1")) == tautomer_key(parse("O=C1CC=CC=C1"))
        True
        >>> tautomer_key(parse("CC(=O)CC(C)=O")) == tautomer_key(parse("CC(O)=CC(C)=O"))
        True
        >>> tautomer_key(parse("Oc1ccccc1")) == tautomer_key(parse("Oc1ccccc1C"))
        False
    """
    with quiet_rdkit():
        return _tautomer_key(mol)


def _tautomer_key(mol: Mol) -> str | None:
    from rdkit import Chem

    to_key: Any = Chem.MolToInchiKey
    try:
        key = str(to_key(mol, options=TAUTOMER_INCHI_OPTIONS))
    except Exception:
        return None
    return key.split("-", 1)[0] if key else None


def _identity_chunk(chunk: list[str]) -> list[str | None]:
    """Tautomer keys of canonical SMILES (RDKit's log silenced once per chunk)."""
    from rdkit import Chem

    out: list[str | None] = []
    with quiet_rdkit():
        for smi in chunk:
            try:
                mol = Chem.MolFromSmiles(smi)
            except Exception:
                mol = None
            out.append(_tautomer_key(mol) if mol is not None else None)
    return out


def identity_keys_many(
    smiles: Iterable[str], *, n_jobs: int | None = 1, chunk_size: int = 2000
) -> Iterator[str | None]:
    """Tautomer keys (`tautomer_key`) of many canonical SMILES, in order, optionally on several processes.

    The builders call it once on the standardised, de-duplicated molecules; with the InChIKey (whose first block is
    `connectivity_key`) it gives every row its three identity keys.

    Args:
        smiles: Canonical SMILES of standardised molecules.
        n_jobs: Worker processes; ``1`` runs in this process, ``None`` or ``-1`` uses every core.
        chunk_size: SMILES per task sent to a worker.

    Yields:
        One key (or ``None``) per input, in input order.

    Examples:
        >>> a, b = identity_keys_many(["O=c1cccc[nH]1", "Oc1ccccn1"])
        >>> a == b
        True
    """
    yield from _map_chunks(_identity_chunk, _identity_chunk, smiles, n_jobs=n_jobs, chunk_size=chunk_size)


# -- the builders' pass ---------------------------------------------------------------------------------------
# A builder needs every row's canonical SMILES but InChIKey, scaffold and tautomer key (two InChIs and a scaffold,
# three quarters of the work) once per distinct molecule. Each row is parsed, standardised and written as canonical
# SMILES with its molecular formula; the first process to meet a molecule (canonical SMILES and formula) claims it
# in a set all workers share (`_Claims`) and describes it from the parent in hand, so no molecule is described
# twice however the duplicates fall into chunks, and no molecule is sent between processes. InChI and the
# scaffold's canonical SMILES do not depend on atom order, so every row gets the values `standardize_smiles` and
# `tautomer_key` give for its own molecule whichever copy was described (tested on every bundled and benchmark
# molecule); the formula (hydrogen count and charge included) keeps apart molecules whose SMILES agree while InChI
# tells them apart (a ring carbon's radical against its hydrogen, found once in organometallic ligands).
_Described = tuple[str, str, str | None] | StandardizeFailure  # InChIKey, scaffold, tautomer key; or the failure
_Identified = tuple[str, str, "_Described | None"] | StandardizeFailure  # canonical, formula, description if claimed
_CANONICAL_CACHE: dict[str, tuple[str, str] | StandardizeFailure] = {}  # per worker process, by input text


class _Claims:
    """Molecules already claimed for description: a Bloom filter in a file every worker maps (no lock needed).

    Two workers claiming one molecule at the same instant both describe it (equal results; rare); a false
    "claimed" (about one in a million at 1,000,000 molecules) leaves a molecule undescribed, and the builder
    describes it itself. In a single process a Python set is used instead.
    """

    SIZE = 1 << 25  # bytes: 2**28 bits, three per molecule
    _map: Any = None  # this worker's mapping of the file

    @staticmethod
    def create() -> str:
        """A new, zeroed claims file (sparse); its path."""
        import os
        import tempfile

        fd, path = tempfile.mkstemp(prefix="biorft-claims-")
        os.ftruncate(fd, _Claims.SIZE)
        os.close(fd)
        return path

    @staticmethod
    def attach(path: str) -> None:
        """Map the claims file in this worker (the pool's initializer)."""
        import mmap

        with open(path, "r+b") as fh:
            _Claims._map = mmap.mmap(fh.fileno(), _Claims.SIZE)

    @staticmethod
    def claim(molecule: str) -> bool:
        """Mark ``molecule``; True when it was not marked yet (the caller describes it)."""
        import zlib

        buf = _Claims._map
        data = molecule.encode()
        h1, h2 = zlib.crc32(data), zlib.adler32(data) | 1
        fresh = False
        for i in range(3):
            bit = (h1 + i * h2) % (_Claims.SIZE * 8)
            byte, mask = bit >> 3, 1 << (bit & 7)
            value = buf[byte]
            if not value & mask:
                buf[byte] = value | mask
                fresh = True
        return fresh


def _identify_chunk(
    chunk: Sequence[str],
    claim: Callable[[str], bool] | None = None,
    cache: dict[str, tuple[str, str] | StandardizeFailure] | None = None,
) -> list[_Identified]:
    """Each SMILES text as ``(canonical SMILES, formula, description or None)``, or the failure.

    The description is given by the process that claims the molecule first (``claim``: the shared claims of a
    worker by default).
    """
    claims = _Claims.claim if claim is None else claim
    store = _CANONICAL_CACHE if cache is None else cache
    empty = StandardizeFailure("empty SMILES")
    out: list[_Identified] = []
    with quiet_rdkit():
        for s in chunk:
            text = s.strip() if isinstance(s, str) else ""
            if not text:
                out.append(empty)
                continue
            known = store.get(text)  # a text this process has read: its molecule is claimed already
            if known is not None:
                out.append(known if isinstance(known, StandardizeFailure) else (*known, None))
                continue
            found = _identify_text(text, claims)
            _remember(store, text, found if isinstance(found, StandardizeFailure) else found[:2])
            out.append(found)
    return out


def _identify_text(text: str, claim: Callable[[str], bool]) -> _Identified:
    from rdkit import Chem
    from rdkit.Chem import rdMolDescriptors

    std = _parent(text)
    if isinstance(std, StandardizeFailure):
        return std
    canonical, formula = str(Chem.MolToSmiles(std)), str(rdMolDescriptors.CalcMolFormula(std))
    return canonical, formula, _describe(std) if claim(f"{canonical} {formula}") else None


def _describe(std: Mol) -> _Described:
    """``(InChIKey, scaffold, tautomer key)`` of a standardised parent, or why it has no InChIKey."""
    key = _inchikey(std)
    return _NO_KEY if key is None else (key, _scaffold(std, False), _tautomer_key(std))


def _describe_text(text: str) -> _Described:
    """The description of the molecule of a SMILES text (for a molecule no process claimed)."""
    with quiet_rdkit():
        std = _parent(text.strip())
        return std if isinstance(std, StandardizeFailure) else _describe(std)


def _identify_many(smiles: Iterable[str], workers: _Workers, *, chunk_size: int = 2000) -> Iterator[_Identified]:
    """The builders' pass over many SMILES on ``workers`` (made with ``claims=True``), in input order.

    Examples:
        >>> with _Workers(1) as workers:
        ...     rows = list(_identify_many(["[Na+].CC(=O)[O-]", "OC(C)=O", "C1CC"], workers))
        >>> rows[0]
        ('CC(=O)O', 'C2H4O2', ('QTBSBXVTEAMEQO-UHFFFAOYSA-N', '', 'QTBSBXVTEAMEQO'))
        >>> rows[1], rows[2].reason  # the same molecule: described once
        (('CC(=O)O', 'C2H4O2', None), 'RDKit cannot parse the SMILES')
    """
    claimed: set[str] = set()  # this process's claims, when the work runs here

    def claim_here(molecule: str) -> bool:
        if molecule in claimed:
            return False
        claimed.add(molecule)
        return True

    local = functools.partial(_identify_chunk, claim=claim_here, cache={})
    yield from workers.map(_identify_chunk, local, smiles, chunk_size=chunk_size)


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
