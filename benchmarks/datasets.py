"""Dataset building speed and memory: biorft's molecule pipeline next to the RDKit floor.

Pipeline: ``molecule_task`` (parse, standardise: largest fragment + neutralise, canonical SMILES, InChIKey, scaffold,
de-duplicate by InChIKey, connectivity and canonical-tautomer keys, compound groups, card) followed by the canonical
``split()`` (scaffold, compound groups kept whole). Floor: one RDKit parse + canonical SMILES + Murcko scaffold +
InChIKey + tautomer InChIKey (InChI ``/KET /15T``; the same keys, with biorft's options) per molecule on the same
input, nothing else. Both use every core (multiprocessing, same chunking). Targets: pipeline time within 1.5x of the
floor; peak memory under 2 GB for 1,000,000 molecules.

Input: the SMILES of the bundled tasks' source files and the MoleculeNet files in ../shared/data (or, without
them, the bundled frames), repeated to N rows; copy r >= 1 of a molecule gets a row-specific prefix, a silyl
chain "C" * r + "[SiH2]" bonded to one of its atoms, so de-duplication does not collapse the copies.

Run:
    python benchmarks/datasets.py                      # 100,000 molecules, all cores
    python benchmarks/datasets.py --n 1000000          # the 1,000,000-molecule memory target (slow on 2 cores)
    python benchmarks/datasets.py --jobs 1 --n 20000   # single core, smaller
Writes benchmarks/results/datasets.md (datasets-N.md for another --n).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _sources import SHARED, SOURCES  # noqa: E402


def unique_smiles() -> list[str]:
    import polars as pl

    seen: dict[str, None] = {}
    if SHARED.is_dir():
        for rel, col in SOURCES.items():
            path = SHARED / rel
            if path.is_file():
                sep = "\t" if rel.endswith(".tsv") else ","
                frame = pl.read_csv(path, separator=sep, infer_schema=False, columns=[col])
                seen.update(dict.fromkeys(s for s in frame[col].drop_nulls().to_list() if s))
    else:
        import biorft as br

        for name in ("molecules/bbb_b3db", "molecules/solubility_aqsoldb", "molecules/tox21"):
            seen.update(dict.fromkeys(br.load_task(name).frame["smiles"].to_list()))
    return list(seen)


def _rooted(smiles: str) -> str:
    """The SMILES written from an atom that has an implicit hydrogen, so a prefix can bond to it."""
    from rdkit import Chem, RDLogger

    RDLogger.DisableLog("rdApp.*")
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        return smiles
    for atom in mol.GetAtoms():
        if atom.GetNumImplicitHs() > 0 and not atom.GetNoImplicit():
            return str(Chem.MolToSmiles(mol, rootedAtAtom=atom.GetIdx(), canonical=False))
    return smiles


def make_input(n: int) -> Iterator[str]:
    """N SMILES: the unique source SMILES, then copies with a silyl chain of growing length bonded to them."""
    base = unique_smiles()
    rooted: list[str] = []
    for i in range(n):
        copy, j = divmod(i, len(base))
        if not copy:
            yield base[j]
            continue
        if len(rooted) < len(base):
            rooted.append(_rooted(base[j]))
        yield "C" * copy + "[SiH2]" + rooted[j]


def _floor_chunk(chunk: list[str]) -> int:
    from rdkit import Chem, RDLogger
    from rdkit.Chem.Scaffolds import MurckoScaffold

    RDLogger.DisableLog("rdApp.*")
    ok = 0
    for smi in chunk:
        mol = Chem.MolFromSmiles(smi)
        if mol is None:
            continue
        Chem.MolToSmiles(mol)
        Chem.MolToSmiles(MurckoScaffold.GetScaffoldForMol(mol), isomericSmiles=False)
        Chem.MolToInchiKey(mol, options="/AuxNone")  # standard InChIKey, as biorft computes it
        Chem.MolToInchiKey(mol, options="/KET /15T /SNon /AuxNone")  # the canonical-tautomer key, as biorft's
        ok += 1
    return ok


def run_floor(csv: Path, jobs: int) -> dict[str, float]:
    import multiprocessing as mp

    import polars as pl

    smiles = pl.read_csv(csv, infer_schema=False)["smiles"].to_list()
    chunks = [smiles[i : i + 2000] for i in range(0, len(smiles), 2000)]
    t0 = time.perf_counter()
    with mp.get_context("spawn").Pool(jobs) as pool:
        ok = sum(pool.imap(_floor_chunk, chunks))
    return {"seconds": time.perf_counter() - t0, "parsed": ok}


def run_pipeline(csv: Path, jobs: int) -> dict[str, float]:
    from biorft.datasets import molecule_task

    t0 = time.perf_counter()
    ds = molecule_task(
        csv, smiles="smiles", target="y", kind="binary", labels=["a", "b"], name="bench/molecules", n_jobs=jobs
    )
    t1 = time.perf_counter()
    splits = ds.split()  # canonical for a molecule task: scaffold, compound groups kept whole
    t2 = time.perf_counter()
    return {
        "seconds": t2 - t0,
        "build_seconds": t1 - t0,
        "split_seconds": t2 - t1,
        "kept": len(ds),
        "quarantined": ds.card.n_quarantined,
        "test": splits.stats.sizes["test"],
    }


def _rss_mb(pid: int | str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[str]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(entry.name)
    return out


class PeakSampler:
    """Samples the resident memory of this process and of its child processes (Linux /proc) every 0.2 s."""

    def __init__(self) -> None:
        import threading

        self.peak_main = 0.0
        self.peak_total = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        pid = os.getpid()
        while not self._stop.is_set():
            main = _rss_mb(pid)
            total = main + sum(_rss_mb(c) for c in _children(pid))
            self.peak_main = max(self.peak_main, main)
            self.peak_total = max(self.peak_total, total)
            self._stop.wait(0.2)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def worker(mode: str, csv: Path, jobs: int) -> None:
    with PeakSampler() as sampler:
        result = run_floor(csv, jobs) if mode == "floor" else run_pipeline(csv, jobs)
    result["peak_mb_main"] = max(sampler.peak_main, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result["peak_mb_total"] = max(sampler.peak_total, result["peak_mb_main"])
    print(json.dumps(result))


def spawn(mode: str, csv: Path, jobs: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", mode, "--csv", str(csv), "--jobs", str(jobs)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def load_times() -> dict[str, float]:
    code = (
        "import time, sys; t = time.perf_counter(); import biorft; biorft.load_task(sys.argv[1]); "
        "print(time.perf_counter() - t)"
    )
    import biorft as br

    return {
        t.name: float(
            subprocess.run([sys.executable, "-c", code, t.name], capture_output=True, text=True, check=True).stdout
        )
        for t in br.list_tasks()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="molecules (default 100,000)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes (default: all cores)")
    parser.add_argument("--worker", choices=["floor", "pipeline"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.csv, args.jobs)
        return
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "molecules.csv"
        with csv.open("w") as fh:  # streamed to disk: the input never sits in this process's memory
            fh.write("smiles,y\n")
            for i, smi in enumerate(make_input(args.n)):
                fh.write(f'"{smi}",{"ab"[i % 2]}\n')
        floor = spawn("floor", csv, args.jobs)
        pipe = spawn("pipeline", csv, args.jobs)
    ratio = pipe["seconds"] / floor["seconds"]
    peak = pipe["peak_mb_total"]
    loads = load_times()
    lines = [
        "# datasets benchmark",
        "",
        f"{args.n:,} molecules, {args.jobs} process(es), {os.cpu_count()} core(s), Python "
        f"{platform.python_version()}, {platform.machine()}",
        "",
        "| step | seconds | molecules/s | peak RSS: main process / all processes (MB) |",
        "|---|---|---|---|",
        f"| floor: parse + canonical SMILES + scaffold + InChIKey + tautomer key | {floor['seconds']:.1f} | "
        f"{args.n / floor['seconds']:,.0f} | {floor['peak_mb_main']:.0f} / {floor['peak_mb_total']:.0f} |",
        f"| biorft: molecule_task (standardise, identify, de-duplicate, identity keys and groups, card) + canonical "
        "scaffold split | "
        f"{pipe['seconds']:.1f} (build {pipe['build_seconds']:.1f}, split {pipe['split_seconds']:.2f}) | "
        f"{args.n / pipe['seconds']:,.0f} | {pipe['peak_mb_main']:.0f} / {pipe['peak_mb_total']:.0f} |",
        "",
        f"Pipeline / floor: **{ratio:.2f}x** (target <= 1.5x): {'OK' if ratio <= 1.5 else 'OVER TARGET'}. "
        f"Peak memory {peak:.0f} MB (main process plus workers, sampled every 0.2 s; "
        "target < 2,048 MB at 1,000,000 molecules"
        f"{'' if args.n >= 1_000_000 else ', run with --n 1000000'}).",
        f"Kept {pipe['kept']:,}, quarantined {pipe['quarantined']:,} (invalid SMILES, merged duplicates, conflicts).",
        "",
        "`load_task` in a fresh interpreter (import included; target < 1 s):",
        "",
        *[f"- {name}: {sec * 1000:.0f} ms" for name, sec in loads.items()],
        "",
    ]
    text = "\n".join(lines)
    print(text)
    out = HERE / "results" / ("datasets.md" if args.n == 100_000 else f"datasets-{args.n}.md")
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)


if __name__ == "__main__":
    main()
