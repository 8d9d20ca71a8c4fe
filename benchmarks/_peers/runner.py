"""One measurement in one fresh interpreter: ``python runner.py TASK --csv IN --out OUT.json [--jobs N]``.

Runs under a peer's own environment (or biorft's, for the biorft tasks and the reference pass), so at module level
it needs nothing but the standard library and the stdlib-only ``logic.py`` beside it. The timed region of a split
or standardisation task starts before the input file is read and ends when the tool's result is in hand; imports
are timed separately; per-row results (scaffold key, part, InChIKey) are collected after the clock stops, except
where the tool computes them itself (then they are recorded without extra work).

Output JSON: ``seconds``, ``import_seconds``, ``peak_mb_main`` / ``peak_mb_worker`` (max RSS of this process and
of its largest finished child, at the end of the timed region), per-row lists ``keys`` / ``parts`` / ``inchikeys``
(``null`` = the tool dropped the row), and task-specific numbers.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from logic import greedy_scaffold_parts

FRACTIONS = (0.8, 0.1, 0.1)
SEED = 0


_CPU0 = [0.0]


def _cpu() -> float:
    """CPU seconds (user + system) of this process and of its finished, reaped children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _start() -> float:
    """Start the clock of the timed region (wall and CPU)."""
    _CPU0[0] = _cpu()
    return time.perf_counter()


def _peak() -> dict[str, float]:
    return {
        "peak_mb_main": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_mb_worker": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "cpu_seconds": _cpu() - _CPU0[0],
    }


def _read_smiles(path: str) -> list[str]:
    with open(path, newline="") as fh:
        return [row["smiles"] for row in csv.DictReader(fh)]


# ---------------------------------------------------------------------------------------------------------- biorft
def biorft_split(args: argparse.Namespace) -> dict[str, Any]:
    t = time.perf_counter()
    import biorft
    from biorft.datasets import molecule_task

    out: dict[str, Any] = {"import_seconds": time.perf_counter() - t, "versions": {"biorft": biorft.__version__}}
    from biorft.chem import rdkit_version

    out["versions"]["rdkit"] = rdkit_version()
    t0 = _start()
    ds = molecule_task(
        args.csv,
        smiles="smiles",
        target="y",
        kind="binary",
        labels=["a", "b"],
        id="rid",
        name="bench/peers",
        n_jobs=args.jobs,
    )
    t1 = time.perf_counter()
    splits = ds.split("scaffold", fractions=FRACTIONS, seed=SEED)
    t2 = time.perf_counter()
    out.update(_peak(), seconds=t2 - t0, build_seconds=t1 - t0, split_seconds=t2 - t1)
    # per input row: kept rows directly, merged duplicates through the InChIKey they were merged into
    n = ds.card.n_rows_in
    keys: list[str | None] = [None] * n
    parts: list[str | None] = [None] * n
    iks: list[str | None] = [None] * n
    by_ik: dict[str, tuple[str, str]] = {}
    row_of = {f"m{i}": i for i in range(n)}
    for part, sub in splits:
        for rid, scaffold, ik in sub.frame.select("id", "scaffold", "inchikey").iter_rows():
            r = row_of[rid]
            keys[r], parts[r], iks[r] = scaffold, part, ik
            by_ik[ik] = (scaffold, part)
    n_dup = n_bad = 0
    for q in ds.card.quarantined:
        if q.reason.startswith("duplicate of") and q.value in by_ik:
            keys[q.row], parts[q.row] = by_ik[q.value]
            iks[q.row] = q.value
            n_dup += 1
        else:
            n_bad += 1
    out.update(
        keys=keys,
        parts=parts,
        inchikeys=iks,
        kept=len(ds),
        duplicates=n_dup,
        dropped=n_bad,
        notes=list(splits.stats.notes),
    )
    return out


def biorft_profile(args: argparse.Namespace) -> dict[str, Any]:
    """Where biorft's build + split time goes (cProfile, one process), beside an RDKit-only floor on the same rows."""
    import cProfile
    import pstats
    import tempfile

    from rdkit import Chem
    from rdkit.Chem.Scaffolds import MurckoScaffold

    from biorft import chem
    from biorft.datasets import molecule_task

    with open(args.csv, newline="") as fh:
        rows = list(csv.reader(fh))[: args.limit + 1]
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as fh:
        csv.writer(fh).writerows(rows)
    smiles = [r[1] for r in rows[1:]]
    t0 = time.perf_counter()
    with chem.quiet_rdkit():
        for smi in smiles:
            mol = Chem.MolFromSmiles(smi)
            if mol is not None:
                Chem.MolToSmiles(mol)
                Chem.MolToInchiKey(mol, options="/AuxNone")
                Chem.MolToInchiKey(mol, options=chem.TAUTOMER_INCHI_OPTIONS)
                Chem.MolToSmiles(MurckoScaffold.GetScaffoldForMol(mol))
    floor = time.perf_counter() - t0
    t0 = time.perf_counter()
    molecule_task(fh.name, smiles="smiles", target="y", kind="binary", labels=["a", "b"], id="rid", n_jobs=1)
    plain = time.perf_counter() - t0
    prof = cProfile.Profile()
    prof.enable()
    ds = molecule_task(fh.name, smiles="smiles", target="y", kind="binary", labels=["a", "b"], id="rid", n_jobs=1)
    ds.split("scaffold", fractions=FRACTIONS, seed=SEED)
    prof.disable()
    os.unlink(fh.name)
    stats: Any = pstats.Stats(prof)
    total = max(stats.total_tt, 1e-9)
    # chem's two builder passes call RDKit directly; Boost.Python calls are not profiled apart, so the own time of
    # chem._parent is RDKit's parse, that of chem._canonical the canonical SMILES + binary, that of
    # chem._describe_chunk reading the binary; the other steps are Python functions.
    labels = {
        "parse": "RDKit parse, canonical SMILES, binary copy of the parent (own time of chem._parent, chem._canonical, "
        "chem._describe_chunk)",
        "standardize": "standardize_mol (LargestFragmentChooser, Uncharger where the text has '.' or a charge)",
        "inchikey": "InChIKey and tautomer key (MolToInchiKey, twice per distinct molecule)",
        "scaffold": "chem._scaffold (ring check, GetScaffoldForMol + MolToSmiles)",
        "split": "split('scaffold')",
    }
    cum = dict.fromkeys(labels.values(), 0.0)
    hot: list[tuple[float, str]] = []
    for (file, _line, func), (_cc, _nc, tt, ct, _callers) in stats.stats.items():
        key = None
        if "biorft" in file and func in ("standardize_mol", "_scaffold", "split_dataset"):
            key = {"standardize_mol": "standardize", "_scaffold": "scaffold", "split_dataset": "split"}[func]
        elif func == "MolToInchiKey" and file.endswith("inchi.py"):
            key = "inchikey"
        elif "biorft" in file and func in ("_parent", "_canonical", "_describe_chunk"):  # RDKit calls inside
            ct = tt
            key = "parse"
        if key is not None:
            cum[labels[key]] += ct
        hot.append((tt, f"{Path(file).name}:{func}"))
    shares = {k: v / total for k, v in cum.items()}
    shares["everything else (reading, frame building, de-duplication, card, caches)"] = max(
        0.0, 1 - sum(shares.values())
    )
    top = [(name, tt / total) for tt, name in sorted(hot, reverse=True)[:8]]
    return {"rows": len(smiles), "floor_seconds": floor, "seconds": plain, "shares": shares, "top": top}


def _reference_chunk(chunk: list[str]) -> list[tuple[str | None, ...]]:
    from rdkit.Chem.Scaffolds import MurckoScaffold

    from biorft import chem

    def generic(mol: Any) -> str:
        return str(MurckoScaffold.MurckoScaffoldSmiles(mol=mol, includeChirality=False))

    rows: list[tuple[str | None, ...]] = []
    with chem.quiet_rdkit():
        for smi in chunk:
            raw = chem.parse(smi)
            if raw is None:
                rows.append((None, None, None, None, None))
                continue
            std = chem.standardize(raw)
            raw_iso = chem.murcko_scaffold(raw, stereo=True)
            raw_noiso = generic(raw)
            if std is None:
                rows.append((raw_iso, raw_noiso, None, None, None))
                continue
            rows.append((raw_iso, raw_noiso, chem.murcko_scaffold(std, stereo=True), generic(std), chem.inchikey(std)))
    return rows


def reference(args: argparse.Namespace) -> dict[str, Any]:
    """Scaffold keys under several definitions, all in biorft's RDKit, to explain where the tools' groups differ."""
    import multiprocessing as mp

    smiles = _read_smiles(args.csv)
    chunks = [smiles[i : i + 2000] for i in range(0, len(smiles), 2000)]
    t0 = time.perf_counter()
    with mp.get_context("spawn").Pool(args.jobs) as pool:
        rows = [r for chunk in pool.imap(_reference_chunk, chunks) for r in chunk]
    names = ("raw_iso", "raw_noiso", "std_iso", "std_noiso", "std_inchikey")
    return {"seconds": time.perf_counter() - t0, **{k: [r[i] for r in rows] for i, k in enumerate(names)}}


# ------------------------------------------------------------------------------------------------------------- TDC
def tdc_split(args: argparse.Namespace) -> dict[str, Any]:
    t = time.perf_counter()
    import pandas as pd
    from rdkit.Chem.Scaffolds import MurckoScaffold
    from tdc.utils.split import create_scaffold_split

    out: dict[str, Any] = {"import_seconds": time.perf_counter() - t}
    # Record the scaffold TDC computes for each row (it returns only the three frames): a thin wrapper around the
    # very function it calls, costing one list append per row.
    seen: list[str | None] = []
    original = MurckoScaffold.MurckoScaffoldSmiles

    def recording(*a: Any, **kw: Any) -> str:
        try:
            key = original(*a, **kw)
        except Exception:
            seen.append(None)
            raise
        seen.append(key)
        return key

    MurckoScaffold.MurckoScaffoldSmiles = recording
    t0 = _start()
    df = pd.read_csv(args.csv, dtype={"smiles": str, "rid": str, "y": str}, keep_default_na=False)
    df = df.rename(columns={"smiles": "Drug", "y": "Y"})
    frames = create_scaffold_split(df, SEED, list(FRACTIONS), "Drug")
    seconds = time.perf_counter() - t0
    MurckoScaffold.MurckoScaffoldSmiles = original
    out.update(_peak(), seconds=seconds)
    parts: list[str | None] = [None] * len(df)
    for part, frame in frames.items():
        for rid in frame["rid"]:
            parts[int(rid[1:])] = part
    out.update(keys=seen, parts=parts, dropped=sum(p is None for p in parts))
    return out


# -------------------------------------------------------------------------------------------------------- DeepChem
def deepchem_split(args: argparse.Namespace) -> dict[str, Any]:
    t = time.perf_counter()
    import logging

    import deepchem as dc
    import numpy as np
    import pandas as pd

    logging.getLogger("deepchem").setLevel(logging.WARNING)
    out: dict[str, Any] = {"import_seconds": time.perf_counter() - t}
    splitter = dc.splits.ScaffoldSplitter()
    captured: dict[str, list[list[int]]] = {}
    generate = splitter.generate_scaffolds

    def capture(dataset: Any, log_every_n: int = 1000) -> list[list[int]]:  # keeps DeepChem's own groups
        captured["sets"] = generate(dataset, log_every_n)
        return captured["sets"]

    splitter.generate_scaffolds = capture  # type: ignore[method-assign]

    def run(rows: list[int] | None) -> tuple[Any, ...]:
        df = pd.read_csv(args.csv, dtype={"smiles": str, "rid": str, "y": str}, keep_default_na=False)
        smiles = df["smiles"].to_numpy() if rows is None else df["smiles"].to_numpy()[rows]
        dataset = dc.data.NumpyDataset(X=np.zeros((len(smiles), 1)), ids=smiles)
        return len(df), splitter.split(
            dataset, frac_train=FRACTIONS[0], frac_valid=FRACTIONS[1], frac_test=FRACTIONS[2], seed=SEED
        )

    t0 = _start()
    try:
        n, (train, valid, test) = run(None)
        rows = None
    except Exception as exc:  # DeepChem does not catch RDKit errors in its scaffold function
        out["crash"] = f"{type(exc).__name__}: {exc}"
        from deepchem.splits.splitters import _generate_scaffold

        rows = []
        for i, smi in enumerate(_read_smiles(args.csv)):  # untimed: the rows DeepChem's scaffold code accepts
            try:
                _generate_scaffold(smi)
            except Exception:
                continue
            rows.append(i)
        t0 = _start()
        n, (train, valid, test) = run(rows)
    out.update(_peak(), seconds=time.perf_counter() - t0)
    back = rows if rows is not None else list(range(n))
    keys: list[str | None] = [None] * n
    for g, members in enumerate(captured["sets"]):
        for i in members:
            keys[back[i]] = f"g{g}"  # DeepChem keeps the groups, not their SMILES
    parts: list[str | None] = [None] * n
    for part, idx in zip(("train", "valid", "test"), (train, valid, test), strict=True):
        for i in idx:
            parts[back[int(i)]] = part
    out.update(keys=keys, parts=parts, dropped=sum(p is None for p in parts))
    return out


# --------------------------------------------------------------------------------------------------------- datamol
def _dm_scaffold(smi: str) -> str | None:
    import datamol as dm

    mol = dm.to_mol(smi)
    if mol is None:
        return None
    return str(dm.to_smiles(dm.to_scaffold_murcko(mol)))


def _dm_standard_key(smi: str) -> str | None:
    import datamol as dm

    mol = dm.to_mol(smi)
    if mol is None:
        return None
    try:
        mol = dm.keep_largest_fragment(mol)
        mol = dm.standardize_mol(mol, uncharge=True)
        key = dm.to_inchikey(mol)
    except Exception:
        return None
    return str(key) if key else None


def _dm_shutdown() -> None:
    try:  # joblib keeps its workers for reuse: stop (and reap) them so their peak memory is counted
        from joblib.externals.loky import get_reusable_executor

        get_reusable_executor().shutdown(wait=True)
    except Exception:
        pass


def datamol_split(args: argparse.Namespace) -> dict[str, Any]:
    t = time.perf_counter()
    import datamol as dm
    import pandas as pd

    dm.disable_rdkit_log()
    out: dict[str, Any] = {"import_seconds": time.perf_counter() - t}
    t0 = _start()
    df = pd.read_csv(args.csv, dtype={"smiles": str, "rid": str, "y": str}, keep_default_na=False)
    keys = dm.parallelized(_dm_scaffold, df["smiles"].tolist(), n_jobs=args.jobs, progress=False)
    parts = greedy_scaffold_parts(keys, FRACTIONS)
    seconds = time.perf_counter() - t0
    _dm_shutdown()
    out.update(_peak(), seconds=seconds, keys=keys, parts=parts, dropped=sum(p is None for p in parts))
    return out


def datamol_standardize(args: argparse.Namespace) -> dict[str, Any]:
    t = time.perf_counter()
    import datamol as dm
    import pandas as pd

    dm.disable_rdkit_log()
    out: dict[str, Any] = {"import_seconds": time.perf_counter() - t}
    t0 = _start()
    df = pd.read_csv(args.csv, dtype={"smiles": str, "rid": str, "y": str}, keep_default_na=False)
    iks = dm.parallelized(_dm_standard_key, df["smiles"].tolist(), n_jobs=args.jobs, progress=False)
    unique = pd.Series([k for k in iks if k is not None]).drop_duplicates()
    seconds = time.perf_counter() - t0
    _dm_shutdown()
    out.update(
        _peak(),
        seconds=seconds,
        inchikeys=iks,
        kept=len(unique),
        dropped=sum(k is None for k in iks),
        duplicates=sum(k is not None for k in iks) - len(unique),
    )
    return out


# ------------------------------------------------------------------------------------------------------------- TRL
def trl_reward(args: argparse.Namespace) -> dict[str, Any]:
    t = time.perf_counter()
    from trl.rewards import accuracy_reward

    out: dict[str, Any] = {"import_seconds": time.perf_counter() - t}
    rows = [json.loads(line) for line in Path(args.csv).read_text().splitlines() if line.strip()]
    completions = [[{"role": "assistant", "content": r["completion"]}] for r in rows]
    solutions = [r["target"] for r in rows]
    t0 = _start()
    scores = accuracy_reward(completions, solutions)
    out.update(_peak(), seconds=time.perf_counter() - t0, scores=scores)
    return out


TASKS = {
    f.__name__: f
    for f in (
        biorft_split,
        biorft_profile,
        reference,
        tdc_split,
        deepchem_split,
        datamol_split,
        datamol_standardize,
        trl_reward,
    )
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--csv", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--limit", type=int, default=10_000, help="rows for biorft_profile")
    args = parser.parse_args()
    try:
        result = TASKS[args.task](args)
    except ImportError as exc:  # e.g. a biorft piece not merged yet: the report says so instead of crashing
        result = {"error": f"skipped: {type(exc).__name__}: {exc}"}
    Path(args.out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
