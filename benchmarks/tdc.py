"""Building the 22 TDC ADMET benchmark-group tasks from the cached archive, beside PyTDC's own loader and splitter.

Input: a TDC-shaped ``admet_group.zip`` (``admet_group/<dataset>/{train_val,test}.csv`` with ``Drug_ID, Drug, Y``).
By default a synthetic one of TDC's published sizes (79,000 rows in all) is made offline from the bundled molecules
(real molecules, synthetic targets: the targets do not change the cost of loading and splitting); pass
``--archive PATH`` to time the real archive instead (download it once with ``biorft.load_task("tdc/caco2_wang")``;
it sits in the biorft data folder as ``tdc/admet_group.zip``).

Measured, each in a fresh subprocess on the same archive:

- **biorft**: ``load_task`` of all 22 tasks from the cached archive (verification, standardisation,
  de-duplication, cards, the raw-SMILES scaffolds TDC's split needs) and ``benchmark_splits(5)`` of each.
- **PyTDC** (its cached venv, see _peers/venvs.py): ``admet_group(path).get(name)`` for each dataset and
  ``get_train_valid_split(benchmark=name, seed=s)`` for seeds 1-5: TDC's own loader and splitter.

Reported: wall and CPU seconds and peak memory of each, and whether biorft's train / valid / test parts match
PyTDC's for every dataset and seed, compared as sets of ``Drug_ID`` and leaving out the rows biorft quarantined
(invalid SMILES, duplicates, test compounds in train_val). The synthetic archive gives the rows of one scaffold
group one ``Drug_ID``; both tools move whole scaffold groups, so equal ``Drug_ID`` sets mean equal rows.

Run:
    python benchmarks/tdc.py                       # synthetic archive of TDC's sizes
    python benchmarks/tdc.py --archive ~/.cache/biorft/tdc/admet_group.zip
    python benchmarks/tdc.py --raw /tmp/tdc.json   # keep biorft's results; a rerun only re-measures PyTDC
Writes benchmarks/results/tdc.md (or --out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from _peers.venvs import ENVS, ensure  # noqa: E402

BIORFT_RUN = r"""
import json, os, resource, sys, time
t0, c0 = time.perf_counter(), time.process_time()
from biorft.datasets._tdc import TDC_DATASETS, load_tdc
out = {"tasks": {}}
for d in TDC_DATASETS:
    t = time.perf_counter()
    ds = load_tdc(d.task_name, download=False)
    t_load = time.perf_counter() - t
    t = time.perf_counter()
    runs = ds.benchmark_splits(5)
    t_split = time.perf_counter() - t
    drug = dict(zip(ds.frame["id"].to_list(), ds.frame["tdc_drug_id"].to_list()))
    out["tasks"][d.key] = {
        "rows_in": ds.card.n_rows_in, "kept": len(ds), "quarantined": ds.card.n_quarantined,
        "load_s": t_load, "split_s": t_split,
        "splits": {str(r.stats.seed): {p: sorted(drug[i] for i in part.ids) for p, part in (("train", r.train),
                   ("valid", r.valid), ("test", r.test))} for r in runs},
    }
out["wall_s"] = time.perf_counter() - t0
out["cpu_s"] = time.process_time() - c0
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""

TDC_RUN = r"""
import json, resource, sys, time, io, contextlib
t0, c0 = time.perf_counter(), time.process_time()
from tdc.benchmark_group import admet_group
from tdc.metadata import admet_metrics
path = sys.argv[1]
out = {"tasks": {}}
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    group = admet_group(path=path)
    for name in group.dataset_names:
        t = time.perf_counter()
        benchmark = group.get(name)
        t_load = time.perf_counter() - t
        t = time.perf_counter()
        splits = {}
        for seed in [1, 2, 3, 4, 5]:
            train, valid = group.get_train_valid_split(benchmark=benchmark["name"], split_type="default", seed=seed)
            parts = {"train": train, "valid": valid, "test": benchmark["test"]}
            splits[str(seed)] = {k: sorted(map(str, v["Drug_ID"])) for k, v in parts.items()}
        out["tasks"][name] = {"load_s": t_load, "split_s": time.perf_counter() - t, "splits": splits,
                              "rows": len(benchmark["train_val"]) + len(benchmark["test"])}
out["wall_s"] = time.perf_counter() - t0
out["cpu_s"] = time.process_time() - c0
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def _run(python: str, code: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    proc = subprocess.run(
        [python, "-c", code, *args], capture_output=True, text=True, env=env, timeout=7200, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{python} failed:\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _agreement(ours: dict[str, Any], theirs: dict[str, Any]) -> tuple[int, int, list[str]]:
    """(seeds x parts that match, compared, differences); biorft's quarantined rows are left out of PyTDC's."""
    match = total = 0
    diffs: list[str] = []
    for key, mine in ours["tasks"].items():
        peer = theirs["tasks"].get(key)
        if peer is None:
            diffs.append(f"{key}: not in PyTDC's group")
            continue
        kept = {i for part in mine["splits"]["1"].values() for i in part}
        for seed, parts in mine["splits"].items():
            for part in ("train", "valid", "test"):
                total += 1
                want = set(peer["splits"][seed][part]) & kept
                if set(parts[part]) == want:
                    match += 1
                else:
                    diffs.append(f"{key} seed {seed} {part}: biorft {len(parts[part])}, PyTDC {len(want)}")
    return match, total, diffs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, help="a TDC admet_group.zip (default: a synthetic one, TDC sizes)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "tdc.md")
    parser.add_argument("--no-peer", action="store_true", help="skip PyTDC")
    parser.add_argument("--raw", type=Path, help="keep biorft's raw results here; reuse them when the file exists")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        (data / "tdc").mkdir(parents=True)
        archive = data / "tdc" / "admet_group.zip"
        if args.archive:
            archive.write_bytes(args.archive.read_bytes())
            source = f"{args.archive} ({archive.stat().st_size:,} bytes)"
        else:
            from tests.fakes.tdc_archive import make_admet_archive

            archive.write_bytes(make_admet_archive(rows=None))
            source = f"synthetic TDC-shaped archive of TDC's published sizes ({archive.stat().st_size:,} bytes)"
        env = {**os.environ, "BIORFT_DATA_DIR": str(data), "BIORFT_OFFLINE": "1"}
        if args.raw and args.raw.is_file():
            ours = json.loads(args.raw.read_text())
        else:
            ours = _run(sys.executable, BIORFT_RUN, env=env)
            if args.raw:
                args.raw.write_text(json.dumps(ours))
        peer: dict[str, Any] | None = None
        versions: dict[str, str] = {}
        peer_error = None
        if not args.no_peer:
            status = ensure(ENVS["tdc-deepchem"])
            if status.python is None:
                peer_error = status.error
            else:
                versions = status.versions
                extracted = Path(tmp) / "tdc"
                with zipfile.ZipFile(archive) as z:
                    z.extractall(extracted)
                peer = _run(str(status.python), TDC_RUN, str(extracted))
    rows = sum(t["rows_in"] for t in ours["tasks"].values())
    lines = [
        "# TDC ADMET benchmark group: building all 22 tasks (biorft beside PyTDC)",
        "",
        f"{dt.date.today()}, Python {platform.python_version()}, {os.cpu_count()} CPUs (shared), input: {source}, "
        f"{rows:,} rows.",
        "",
        "| tool | what | wall s | CPU s (main process) | peak MB (main process) |",
        "|---|---|---|---|---|",
        f"| biorft | load_task x 22 (verify, standardise, de-duplicate, card) + benchmark_splits(5) x 22 | "
        f"{ours['wall_s']:.1f} | {ours['cpu_s']:.1f} | {ours['peak_mb']:.0f} |",
    ]
    if peer is not None:
        lines.append(
            f"| PyTDC {versions.get('tdc', '?')} | admet_group.get x 22 + get_train_valid_split x 5 seeds x 22 | "
            f"{peer['wall_s']:.1f} | {peer['cpu_s']:.1f} | {peer['peak_mb']:.0f} |"
        )
    lines += [
        "",
        "biorft load and split seconds per task: "
        + ", ".join(f"{k} {v['load_s']:.1f}+{v['split_s']:.1f}" for k, v in ours["tasks"].items()),
        "",
    ]
    if peer is not None:
        match, total, diffs = _agreement(ours, peer)
        lines.append(
            f"Split agreement with PyTDC (sets of Drug_ID, biorft's quarantined rows left out): {match}/{total} "
            "dataset x seed x part."
        )
        lines += [f"- {d}" for d in diffs[:20]]
    else:
        lines.append(f"PyTDC not run: {peer_error or 'skipped (--no-peer)'}.")
    quarantined = sum(t["quarantined"] for t in ours["tasks"].values())
    lines += ["", f"biorft quarantined {quarantined:,} of {rows:,} rows (reasons in each card)."]
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
