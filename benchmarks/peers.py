"""biorft beside the tools users already know: TDC, DeepChem, datamol and TRL, on the same input.

1. Scaffold split of the same molecules by biorft (``molecule_task`` + ``split("scaffold")``, which also
   standardises and de-duplicates), TDC (``tdc.utils.split.create_scaffold_split``), DeepChem (``ScaffoldSplitter``)
   and datamol (``to_scaffold_murcko`` + DeepChem's greedy group assignment: datamol ships no splitter): time,
   peak memory, agreement of the scaffold groups with biorft's (and where they differ, why), scaffolds or molecules
   found in two parts.
2. Standardisation + de-duplication: biorft's build step against datamol's ``keep_largest_fragment`` +
   ``standardize_mol(uncharge=True)`` + ``to_inchikey`` pipeline: time, duplicates found, InChIKey agreement.
3. Grading throughput on a bundled binary task and a bundled regression task: biorft's ``grader_for(spec)`` (called
   directly and through the TRL reward adapter) against TRL's own ``accuracy_reward`` (math_verify) and a
   hand-written loop, on model-like completions in several answer styles; agreement with biorft's scores.

Also: where biorft's own time goes (cProfile, one process) beside an RDKit-only floor on the same rows.

Every tool runs in a fresh subprocess on the same CSV file; each peer in a virtual environment of its own, created
once and cached under ``~/.cache/biorft/peer-venvs`` (PyTDC + DeepChem share one, datamol and TRL have their own;
see _peers/venvs.py). A peer that cannot be installed is reported as such and the run goes on. biorft runs in the
current interpreter's environment (the project's venv).

Input: the SMILES of ../shared/data's molecule files plus the bundled tasks, shuffled, and repeated with a row
suffix (copy r gets r extra carbons, as in benchmarks/datasets.py; prepended where appending would make an invalid
SMILES) where N exceeds them.

The first run installs the peer environments: about 6 minutes and 5.4 GB here (PyTDC and TRL pull in CPU torch).

Run:
    python benchmarks/peers.py                 # 10,000 molecules (installs the peers the first time: minutes)
    python benchmarks/peers.py --n 100000      # the target run: biorft >= 2x faster than the fastest peer
    python benchmarks/peers.py --n 100000 --repeat 2 --raw /tmp/peers.json   # fastest of 2 rounds, keep raw data
    python benchmarks/peers.py --from-raw /tmp/peers.json [--remeasure tdc,datamol-std]   # re-render / re-run some
Writes benchmarks/results/peers.md (or --out).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _peers import logic  # noqa: E402
from _peers.venvs import ENVS, EnvStatus, ensure  # noqa: E402
from _sources import SHARED, SOURCES  # noqa: E402

RUNNER = HERE / "_peers" / "runner.py"
BUNDLED = ("molecules/bbb_b3db", "molecules/solubility_aqsoldb", "molecules/tox21")
GRADING_TASK = "molecules/bbb_b3db"
NUMERIC_TASK = "molecules/solubility_aqsoldb"
TARGET_SPEEDUP = 2.0
REPEATED = (
    " (repeated: copy r of a molecule gets r extra carbons, appended, or prepended where appending makes an "
    "invalid SMILES)"
)
Raw = dict[str, Any]  # the saved measurements (--raw / --from-raw)


def log(msg: str) -> None:
    print(f"[peers] {msg}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------------------- input
def base_smiles() -> tuple[list[str], list[str]]:
    """Unique SMILES strings of the source files and bundled tasks, and where they came from."""
    seen: dict[str, None] = {}
    used: list[str] = []
    csv.field_size_limit(1 << 24)
    for rel, col in SOURCES.items():
        path = SHARED / rel
        if not path.is_file():
            continue
        with path.open(newline="", encoding="utf-8", errors="replace") as fh:
            reader = csv.DictReader(fh, delimiter="\t" if rel.endswith(".tsv") else ",")
            seen.update(dict.fromkeys(s.strip() for row in reader if (s := row.get(col) or "").strip()))
        used.append(rel)
    try:
        import biorft

        for name in BUNDLED:
            seen.update(dict.fromkeys(biorft.load_task(name).frame["smiles"].to_list()))
            used.append(f"bundled {name}")
    except Exception as exc:  # before the datasets merge, or without the bundled data
        log(f"bundled tasks not used: {exc}")
    return list(seen), used


def rdkit_parses() -> Callable[[str], bool] | None:
    """``smiles -> RDKit parses it`` (for the row suffix of repeated copies); None without RDKit."""
    try:
        from rdkit import Chem, RDLogger
    except ImportError:
        return None
    RDLogger.DisableLog("rdApp.*")
    return lambda smi: Chem.MolFromSmiles(smi) is not None


def write_input(path: Path, n: int) -> tuple[int, list[str]]:
    base, used = base_smiles()
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["rid", "smiles", "y"])
        for i, smi in enumerate(logic.make_rows(base, n, valid=rdkit_parses())):
            out.writerow([f"m{i}", smi, "a"])  # one label: duplicates merge without label conflicts
    return len(base), used


# ------------------------------------------------------------------------------------------------------ subprocess
def run_task(
    python: Path | str, task: str, data: Path, jobs: int, tmp: Path, timeout: float, extra: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Run one runner task in a fresh interpreter; ``{"error": ...}`` instead of raising when it fails."""
    out = tmp / f"{task}-{jobs}.json"
    err = tmp / f"{task}-{jobs}.stderr"
    cmd = [str(python), str(RUNNER), task, "--csv", str(data), "--out", str(out), "--jobs", str(jobs), *extra]
    t0 = time.perf_counter()
    env = {**os.environ, "TQDM_DISABLE": "1", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}
    with err.open("w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return {"error": f"timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - t0
    if rc != 0 or not out.is_file():
        lines = [ln for ln in err.read_text(errors="replace").splitlines() if ln.strip()]
        return {"error": f"exit {rc}: " + " / ".join(lines[-2:])[:300]}
    result: dict[str, Any] = json.loads(out.read_text())
    result["wall_seconds"] = wall
    return result


# --------------------------------------------------------------------------------------------------------- report
def fmt_s(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}" if x < 10 else f"{x:.1f}"


def runs_cell(r: dict[str, Any], key: str = "seconds") -> str:
    """The reported (fastest) time, with every run's time when there were several."""
    runs = r.get("all_seconds", [])
    best = fmt_s(r[key])
    return best if len(runs) < 2 or key != "seconds" else f"{best} (runs: {', '.join(fmt_s(x) for x in runs)})"


def loads_cell(r: dict[str, Any]) -> str:
    return ", ".join(f"{x:.1f}" for x in r.get("loads", [])) or "-"


def mem(r: dict[str, Any], jobs: int) -> str:
    main, worker = r.get("peak_mb_main", 0.0), r.get("peak_mb_worker", 0.0)
    if jobs > 1 and worker > 1:
        return f"{main:.0f} + {jobs} x {worker:.0f} = {main + jobs * worker:.0f}"
    return f"{main:.0f}"


def as_map(values: list[Any] | None) -> dict[int, Any]:
    return {i: v for i, v in enumerate(values or []) if v is not None}


def machine_line(n: int, jobs: int, date: str) -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        )
    return (
        f"{n:,} molecules; {os.cpu_count()} cores ({cpu}), shared with other work; biorft and datamol use "
        f"{jobs} process(es), TDC and DeepChem are single-process by design; Python "
        f"{platform.python_version()}, {platform.system()} {platform.machine()}; {date}."
    )


class Report:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def split_section(
    rep: Report, res: dict[str, dict[str, Any]], envs: dict[str, EnvStatus], n: int, jobs: int
) -> dict[str, float]:
    """Tables for the scaffold split; returns the seconds of each tool that ran (for the target line)."""
    ref = res.get("reference", {})
    b = res.get("biorft")
    seconds: dict[str, float] = {}
    tools = [
        ("biorft", "biorft", jobs),
        ("biorft-1", "biorft", 1),
        ("tdc", "tdc-deepchem", 1),
        ("deepchem", "tdc-deepchem", 1),
        ("datamol", "datamol", jobs),
    ]
    label = {
        "biorft": f"biorft, {jobs} processes",
        "biorft-1": "biorft, 1 process",
        "tdc": "TDC",
        "deepchem": "DeepChem",
        "datamol": f"datamol, {jobs} processes",
    }
    what = {
        "biorft": "molecule_task (parse, standardise, InChIKey, connectivity + tautomer keys, compound groups, "
        "de-duplicate, card) + split('scaffold') keeping compound groups whole",
        "biorft-1": "same, n_jobs=1",
        "tdc": "tdc.utils.split.create_scaffold_split (chemprop's balanced scaffold split)",
        "deepchem": "dc.splits.ScaffoldSplitter().split(NumpyDataset)",
        "datamol": "dm.parallelized(to_mol + to_scaffold_murcko) + DeepChem's greedy assignment",
    }
    rep.add(
        "## 1. Scaffold split",
        "",
        "Time = read the CSV + split, in a fresh process after imports (import time apart); CPU = user + system "
        "seconds of the process and its workers over the same span (with 2 processes, CPU near the wall time "
        "means the workers mostly waited for a core). biorft's time "
        "includes its standardisation and de-duplication (the peers do neither); its split step alone is "
        "given in the notes. Peak memory = max RSS of the main process (+ processes x the largest worker).",
        "",
    )
    rows = []
    for key, env_name, procs in tools:
        r = res.get(key)
        if r is None:
            continue
        versions = r.get("versions") or (envs[env_name].versions if env_name in envs else {})
        hidden = {"tdc": "deepchem", "deepchem": "tdc"}.get(key)  # they share a venv: show each its own
        versions = {k: v for k, v in versions.items() if k != hidden}
        if "error" in r:
            rows.append(
                [label[key], logic.versions_cell(versions), what[key], procs, r["error"], "-", "-", "-", "-", "-", "-"]
            )
            continue
        seconds[key] = r["seconds"]
        ratio = logic.ratio(b["seconds"], r["seconds"]) if b and "error" not in b and key != "biorft" else "-"
        rows.append(
            [
                label[key],
                logic.versions_cell(versions),
                what[key],
                procs,
                runs_cell(r),
                fmt_s(r.get("cpu_seconds")),
                f"{n / r['seconds']:,.0f}",
                fmt_s(r.get("import_seconds")),
                mem(r, procs),
                ratio,
                loads_cell(r),
            ]
        )
    rep.add(
        *logic.md_table(
            [
                "tool",
                "versions",
                "what runs",
                "processes",
                "seconds",
                "CPU s",
                "molecules/s",
                "import s",
                "peak RSS MB",
                f"biorft ({jobs} proc.) / tool",
                "load avg. at start",
            ],
            rows,
        ),
        "",
    )
    for key in ("tdc", "deepchem", "datamol"):
        r = res.get(key) or {}
        if "crash" in r:
            rep.add(
                f"{label[key]} raised on the full input ({r['crash'][:200]}); its time is for a second run on the "
                f"{n - r['dropped']:,} rows its own scaffold function accepts (that filtering is not timed).",
                "",
            )
    if b and "error" not in b:
        rep.add(
            f"biorft's steps: build {fmt_s(b['build_seconds'])} s, split {fmt_s(b['split_seconds'])} s "
            f"(grouping by the scaffold computed during the build). Split notes: "
            + "; ".join(b.get("notes", []))
            + ".",
            "",
        )

    # agreement
    rep.add(
        "### Agreement",
        "",
        "Groups are compared as partitions of the input rows (which rows share a group), over the rows both "
        "tools kept; biorft's merged duplicates count in the group of the row they were merged into. "
        "'Scaffolds in 2+ parts' uses each tool's own scaffolds, then one generic reference for all "
        "(non-isomeric Murcko scaffold of the standardised parent); 'molecules in 2+ parts' counts standardised "
        "InChIKeys found in more than one part (the same compound in train and test).",
        "",
    )
    rows = []
    generic, ik = as_map(ref.get("std_noiso")), as_map(ref.get("std_inchikey"))
    bkeys = as_map(b.get("keys")) if b and "error" not in b else {}
    for key, _, _ in tools:
        r = res.get(key)
        if r is None or "error" in r or key == "biorft-1":
            continue
        keys, parts = as_map(r.get("keys")), as_map(r.get("parts"))
        sizes = logic.part_sizes(parts)
        if key == "biorft" or not bkeys:
            same = "-"
        else:
            d = logic.partition_diff(bkeys, keys)
            res.setdefault("_groups", {})[key] = {"same": d.same, "moved": d.rows_moved, "rows": d.rows}
            same = (
                "identical"
                if d.same
                else f"no: {d.rows_moved:,} of {d.rows:,} rows ({d.rows_moved / d.rows:.1%}) change group; "
                f"{d.groups_a - d.identical_groups:,} biorft groups ({d.rows_differing:,} rows) differ"
            )
        rows.append(
            [
                label[key],
                f"{len(keys):,}",
                f"{len(set(keys.values())):,}",
                same,
                f"{logic.cross_part_groups(keys, parts)} / "
                f"{logic.cross_part_groups(generic, parts) if generic else '-'}",
                f"{logic.cross_part_groups(ik, parts)}" if ik else "-",
                " / ".join(f"{sizes[p]:,}" for p in logic.PARTS),
            ]
        )
    rep.add(
        *logic.md_table(
            [
                "tool",
                "rows grouped",
                "scaffold groups",
                "same groups as biorft?",
                "scaffolds in 2+ parts (own / generic)",
                "molecules in 2+ parts",
                "train / valid / test rows",
            ],
            rows,
        ),
        "",
    )
    explain_differences(rep, res, ref)
    return seconds


def explain_differences(rep: Report, res: dict[str, dict[str, Any]], ref: dict[str, Any]) -> None:
    """Walk from biorft's scaffold definition to each peer's, one change at a time, counting rows that move."""
    b = res.get("biorft")
    if not ref or "error" in ref or not b or "error" in b:
        rep.add("(No explanation of the differences: the reference pass or biorft's run is missing.)", "")
        return
    m = {k: as_map(ref.get(k)) for k in ("raw_iso", "raw_noiso", "std_iso", "std_noiso")}
    bkeys = as_map(b["keys"])

    def d_keys(r: dict[str, Any]) -> dict[int, Any]:
        return as_map(r["keys"])

    def moved(a: dict[int, Any], c: dict[int, Any]) -> str:
        d = logic.partition_diff(a, c)
        return "0" if d.same else f"{d.rows_moved:,} ({d.rows_differing:,})"

    rep.add(
        "Where the groups differ, step by step from biorft's scaffold definition to the peers' (rows that change "
        "group at each step, and in brackets the rows of all groups touched; every step in biorft's RDKit except "
        "the last, which compares with the tool's own groups, computed in its own RDKit):",
        "",
    )
    rows = [
        [
            "biorft's groups vs its scaffold definition (stereo-free scaffold of the standardised parent) applied row "
            "by row (differs only where an InChIKey duplicate, e.g. a tautomer, has another scaffold than the row it "
            "was merged into)",
            moved(bkeys, m["std_noiso"]),
        ],
        [
            "no standardisation (raw molecule: salts, charges kept; TDC's and DeepChem's definition)",
            moved(m["std_noiso"], m["raw_noiso"]),
        ],
        ["keep stereo in the scaffold (isomeric SMILES; datamol's definition)", moved(m["raw_noiso"], m["raw_iso"])],
    ]
    for key, name, ref_key in (
        ("tdc", "TDC", "raw_noiso"),
        ("deepchem", "DeepChem", "raw_noiso"),
        ("datamol", "datamol", "raw_iso"),
    ):
        r = res.get(key)
        if r and "error" not in r:
            d = logic.partition_diff(m[ref_key], as_map(r["keys"]))
            res.setdefault("_groups", {}).setdefault(key, {})["same_definition"] = d.same
            rows.append([f"same definition as {name} ({ref_key}) vs {name}'s own groups", moved(m[ref_key], d_keys(r))])
    rep.add(*logic.md_table(["step", "rows that change group (rows in touched groups)"], rows), "")
    std_iso = moved(m["std_noiso"], m["std_iso"])
    rep.add(f"(Stereo-aware scaffolds of the standardised parent, as in bundled data 1.0.0: {std_iso} rows.)", "")


def profile_section(rep: Report, prof: dict[str, Any] | None) -> None:
    """Where biorft's build + split time goes, one process, beside the RDKit floor on the same rows."""
    if not prof:
        return
    rep.add("## Where biorft's time goes", "")
    if "error" in prof:
        rep.add(f"Profile could not run: {prof['error']}.", "")
        return
    rows = prof["rows"]
    rep.add(
        f"One process, first {rows:,} rows, molecule_task + split('scaffold') under cProfile (the profiler inflates "
        f"Python-level calls). Without the profiler: {prof['seconds']:.2f} s; the RDKit floor on the same rows (parse "
        "+ canonical SMILES + InChIKey + tautomer key + Murcko scaffold, nothing else, same process): "
        f"{prof['floor_seconds']:.2f} s, "
        f"so biorft / floor = **{prof['seconds'] / prof['floor_seconds']:.2f}x**.",
        "",
    )
    rep.add(*logic.md_table(["part", "share of profiled time"], [[k, f"{v:.0%}"] for k, v in prof["shares"].items()]))
    rep.add("", "Hottest functions (own time): " + "; ".join(f"{name} {share:.0%}" for name, share in prof["top"]), "")


def standardise_section(
    rep: Report, res: dict[str, dict[str, Any]], envs: dict[str, EnvStatus], n: int, jobs: int
) -> dict[str, float]:
    b, d = res.get("biorft"), res.get("datamol-std")
    rep.add(
        "## 2. Standardisation + de-duplication",
        "",
        "biorft: the build step of the run above (parse, largest organic fragment, neutralise, canonical "
        "SMILES, InChIKey, Murcko scaffold, de-duplicate by InChIKey, connectivity and canonical-tautomer keys, "
        "compound groups, dataset card). datamol: "
        "dm.parallelized(to_mol -> keep_largest_fragment -> standardize_mol(uncharge=True) -> to_inchikey), "
        "then unique InChIKeys (pandas).",
        "",
    )
    rows = []
    seconds: dict[str, float] = {}
    bik = as_map(b.get("inchikeys")) if b and "error" not in b else {}
    if b and "error" not in b:
        seconds["biorft"] = b["build_seconds"]
        rows.append(
            [
                f"biorft, {jobs} processes",
                logic.versions_cell(b.get("versions", {})),
                fmt_s(b["build_seconds"]),
                f"{n / b['build_seconds']:,.0f}",
                f"{b['dropped']:,}",
                f"{b['duplicates']:,}",
                f"{b['kept']:,}",
                "-",
                "-",
            ]
        )
    if d is not None:
        versions = envs["datamol"].versions if "datamol" in envs else {}
        if "error" in d:
            rows.append(
                [f"datamol, {jobs} processes", logic.versions_cell(versions), d["error"], "-", "-", "-", "-", "-", "-"]
            )
        else:
            seconds["datamol"] = d["seconds"]
            dik = as_map(d["inchikeys"])
            common = set(bik) & set(dik)
            agree = sum(bik[r] == dik[r] for r in common)
            ratio = logic.ratio(b["build_seconds"], d["seconds"]) if b and "error" not in b else "n/a"
            ratio += f"; CPU {d.get('cpu_seconds', 0):.1f} s" if d.get("cpu_seconds") else ""
            rows.append(
                [
                    f"datamol, {jobs} processes",
                    logic.versions_cell(versions),
                    runs_cell(d),
                    f"{n / d['seconds']:,.0f}",
                    f"{d['dropped']:,}",
                    f"{d['duplicates']:,}",
                    f"{d['kept']:,}",
                    f"{agree:,} of {len(common):,} ({agree / max(1, len(common)):.2%})" if common else "-",
                    ratio,
                ]
            )
    rep.add(
        *logic.md_table(
            [
                "tool",
                "versions",
                "seconds",
                "molecules/s",
                "rows rejected",
                "duplicates found",
                "unique molecules",
                "same InChIKey as biorft",
                f"biorft ({jobs} proc.) / tool",
            ],
            rows,
        ),
        "",
    )
    return seconds


def groups_verdict(groups: dict[str, dict[str, Any]]) -> str:
    """One sentence on whether the peers' scaffold groups are biorft's, and with the same definition."""
    names = {"tdc": "TDC", "deepchem": "DeepChem", "datamol": "datamol"}
    seen = {k: g for k, g in groups.items() if k in names and "same" in g}
    if not seen:
        return "not measured."
    parts = []
    for k, g in seen.items():
        if g["same"]:
            parts.append(f"{names[k]} has identical groups")
        else:
            parts.append(f"{names[k]} puts {g['moved']:,} rows ({g['moved'] / g['rows']:.1%}) in another group")
    as_is = ", ".join(parts)
    same_def = [names[k] for k, g in seen.items() if g.get("same_definition")]
    other = [names[k] for k, g in seen.items() if g.get("same_definition") is False]
    verdict = "yes" if all(g["same"] for g in seen.values()) else "**no**"
    text = f"{verdict}, as each tool defines scaffolds: compared with biorft's groups, {as_is}. "
    if same_def:
        text += "With each peer's own scaffold definition reproduced in biorft's RDKit, the groups are identical for "
        text += ", ".join(same_def) + (f" (not for {', '.join(other)})." if other else ".")
    text += (
        " biorft uses the peers' stereo-free Murcko scaffold (as TDC, DeepChem and Chemprop) but of the standardised "
        "parent (largest fragment, neutralised), so a salt joins its parent's group: by design, the only difference "
        "from TDC and DeepChem; datamol also keeps stereo."
    )
    return text


def target_section(
    rep: Report,
    split_s: dict[str, float],
    std_s: dict[str, float],
    n: int,
    groups: dict[str, dict[str, Any]],
    res: dict[str, dict[str, Any]],
) -> str:
    b = split_s.get("biorft")
    peers = {k: v for k, v in split_s.items() if k in ("tdc", "deepchem", "datamol")}
    if b is None or not peers or "datamol" not in std_s:
        verdict = "not measured (biorft or the peers did not run)"
        rep.add(
            "## Target",
            "",
            f"biorft >= {TARGET_SPEEDUP:g}x faster than the fastest peer on split + "
            f"standardise at 100,000 molecules: {verdict}.",
            "",
        )
        return verdict
    fastest = min(peers, key=lambda k: peers[k])
    peer_total = std_s["datamol"] + peers[fastest]
    speedup = peer_total / b
    met = speedup >= TARGET_SPEEDUP
    verdict = (
        f"{'MET' if met else 'NOT MET'} at {n:,} molecules: biorft {b:.1f} s vs datamol standardise "
        f"{std_s['datamol']:.1f} s + {fastest} split {peers[fastest]:.1f} s = {peer_total:.1f} s "
        f"({speedup:.2f}x)"
    )
    alone = peers[fastest] / b
    cpu_b = res["biorft"].get("cpu_seconds")
    cpu_std = res.get("datamol-std", {}).get("cpu_seconds")
    cpu_split = res.get(fastest, {}).get("cpu_seconds")
    cpu_line = "- CPU time: not recorded."
    if cpu_b and cpu_std and cpu_split:
        cpu_line = (
            f"- CPU time (user + system, all processes; insensitive to how busy the shared cores were): biorft "
            f"{cpu_b:.1f} s vs {cpu_std:.1f} + {cpu_split:.1f} = {cpu_std + cpu_split:.1f} s "
            f"(**{(cpu_std + cpu_split) / cpu_b:.2f}x** less work). On an idle machine where both use both cores "
            "equally well, the wall-time ratio would approach this. Cores used on average (CPU / wall): biorft "
            f"{cpu_b / b:.2f}, datamol {cpu_std / std_s['datamol']:.2f}."
        )
    rep.add(
        "## Target",
        "",
        f"biorft >= {TARGET_SPEEDUP:g}x faster than the fastest peer on split + standardise (target run: "
        f"100,000 molecules). A peer user standardises with datamol and splits with the fastest splitter; "
        f"biorft does both in one build + split.",
        "",
        f"- **{verdict}**{'' if n >= 100_000 else '; run with --n 100000 for the target size'}.",
        cpu_line,
        f"- Against the fastest split alone ({fastest}, which neither standardises nor de-duplicates): {alone:.2f}x.",
        "- Identical scaffold groups: " + groups_verdict(groups),
        "",
    )
    return verdict


def grading_section(
    rep: Report, n: int, tmp: Path, timeout: float, envs_wanted: bool, reinstall: bool, envs: dict[str, EnvStatus]
) -> None:
    rep.add("## 3. Grading throughput", "")
    try:
        import biorft
        from biorft import rewards
        from biorft.graders import grader_for
    except Exception as exc:
        rep.add(f"skipped: biorft graders not importable here ({type(exc).__name__}: {exc}).", "")
        return
    # TRL's accuracy_reward: in this interpreter when it has trl + math_verify, else in its own venv
    here = all(importlib.util.find_spec(m) is not None for m in ("trl", "math_verify"))
    trl_python: Path | str | None = sys.executable if here else None
    trl_versions: dict[str, str] = {}
    trl_error = None
    if not here and envs_wanted:
        st = envs.get("trl") or ensure(ENVS["trl"], reinstall=reinstall)
        envs["trl"] = st
        trl_python, trl_versions, trl_error = st.python, st.versions, st.error
    elif not here:
        trl_error = "TRL + math_verify not importable here, and the trl venv was skipped (--skip trl / --no-install)"
    rep.add(
        f"{n:,} model-like completions per task, graded in one process (biorft {biorft.__version__}); TRL's "
        f"accuracy_reward in its own process ({logic.versions_cell(trl_versions) if trl_versions else 'this venv'}). "
        "'Same score as biorft' compares each reward with biorft's grader completion by completion.",
        "",
    )
    for task_name, numeric in ((GRADING_TASK, False), (NUMERIC_TASK, True)):
        try:
            ds = biorft.load_task(task_name)
        except Exception as exc:
            rep.add(f"skipped {task_name}: bundled task not loadable ({type(exc).__name__}: {exc}).", "")
            continue
        spec = ds.spec
        grader = grader_for(spec)
        if numeric:
            tol = float(spec.tolerance or 0.5)
            comps_n = logic.make_numeric_completions([float(v) for v in ds.frame["target"].to_list()], tol, n)
            texts, targets, styles = [c[0] for c in comps_n], [c[1] for c in comps_n], [c[2] for c in comps_n]
            golds = [f"{y:.2f}" for y in targets]
            what = f"regression, tolerance {tol:g} {spec.units or ''}".strip()

            def hand(t: str, y: Any, tol: float = tol) -> float:
                return logic.hand_numeric_reward(t, float(y), tol)

            hand_how = "last 'Answer:' line as a float, within the tolerance"
        else:
            comps_l = logic.make_completions(
                [str(t) for t in ds.frame["target"].to_list()], list(spec.labels), dict(spec.label_synonyms), n
            )
            texts, styles = [c[0] for c in comps_l], [c[2] for c in comps_l]
            targets = golds = [c[1] for c in comps_l]  # type: ignore[assignment]
            what = f"binary, labels {' / '.join(spec.labels)}"

            def hand(t: str, y: Any) -> float:
                return logic.hand_reward(t, str(y))

            hand_how = "last 'Answer:' line == target (case-folded)"
        results: list[tuple[str, str, float, list[float | None]]] = []
        t0 = time.perf_counter()
        pairs = list(zip(texts, targets, strict=True))
        direct: list[float | None] = [grader({"output_text": t}, {"target": y}) for t, y in pairs]
        results.append(
            (
                f"biorft grader_for(spec): {type(grader).__name__}",
                "called per completion",
                time.perf_counter() - t0,
                direct,
            )
        )
        reward = rewards.trl(grader)
        t0 = time.perf_counter()
        batched = reward([[{"role": "assistant", "content": t}] for t in texts], target=list(targets))
        results.append(
            ("biorft rewards.trl(grader)", "TRL reward signature, one batch call", time.perf_counter() - t0, batched)
        )
        t0 = time.perf_counter()
        hand_scores: list[float | None] = [hand(t, y) for t, y in pairs]
        results.append(("hand-written loop", hand_how, time.perf_counter() - t0, hand_scores))
        if trl_python is not None:
            data = tmp / f"completions-{len(results)}-{numeric}.jsonl"
            lines = [json.dumps({"completion": t, "target": g}) for t, g in zip(texts, golds, strict=True)]
            data.write_text("\n".join(lines) + "\n")
            r = run_task(trl_python, "trl_reward", data, 1, tmp, timeout)
            if "error" in r:
                trl_error = r["error"]
            else:
                results.append(
                    (
                        "TRL accuracy_reward",
                        "math_verify parse + verify of gold and completion",
                        r["seconds"],
                        r["scores"],
                    )
                )
        rows = [
            [
                name,
                how,
                f"{n / sec:,.0f}",
                f"{sec / n * 1e6:,.1f}",
                f"{logic.agreement(direct, scores):.1%}",
                f"{sum(s or 0.0 for s in scores) / n:.3f}",
                f"{sum(s is None for s in scores):,}",
            ]
            for name, how, sec, scores in results
        ]
        if trl_error:
            rows.append(["TRL accuracy_reward", "could not run", trl_error, "-", "-", "-", "-"])
        style_names = logic.NUMERIC_STYLES if numeric else logic.STYLES
        rep.add(f"### `{task_name}` ({what})", "", f"Answer styles in turn: {', '.join(style_names)}.", "")
        header = [
            "reward",
            "how",
            "completions/s",
            "µs per completion",
            "same score as biorft",
            "mean reward",
            "unscorable (None)",
        ]
        rep.add(*logic.md_table(header, rows), "")
        first: dict[str, str] = {}
        for i, style in enumerate(styles):
            first.setdefault(style, " / ".join("-" if r[3][i] is None else f"{r[3][i]:g}" for r in results))
        rep.add(
            "Score of the first completion of each style ("
            + " / ".join(r[0].split(":")[0] for r in results)
            + "; - = None):",
            "",
        )
        rep.add(*logic.md_table(["style", "scores"], list(first.items())), "")


# ----------------------------------------------------------------------------------------------------------- main
def measure_all(
    args: argparse.Namespace,
    skip: set[str],
    jobs: int,
    envs: dict[str, EnvStatus],
    tmp: Path,
    only: set[str] | None = None,
    res: dict[str, dict[str, Any]] | None = None,
) -> Raw:
    """Every split / standardisation measurement (or those in ``only``), each in a fresh subprocess on one input."""
    res = {} if res is None else res
    data = tmp / "molecules.csv"
    n_base, used = write_input(data, args.n)
    log(f"input: {args.n:,} rows from {n_base:,} unique SMILES ({len(used)} sources)")

    plan: list[tuple[str, Path | str | None, str, int, str | None]] = [
        ("reference", sys.executable, "reference", jobs, None),
        ("biorft", sys.executable, "biorft_split", jobs, None),
    ]
    if "single" not in skip and jobs > 1:
        plan.append(("biorft-1", sys.executable, "biorft_split", 1, None))
    for key, env_name, task, procs in (
        ("tdc", "tdc-deepchem", "tdc_split", 1),
        ("deepchem", "tdc-deepchem", "deepchem_split", 1),
        ("datamol", "datamol", "datamol_split", jobs),
        ("datamol-std", "datamol", "datamol_standardize", jobs),
    ):
        if key.split("-")[0] not in skip and env_name in envs:
            plan.append((key, envs[env_name].python, task, procs, env_name))
    plan = [p for p in plan if only is None or p[0] in only]
    runs: dict[str, list[dict[str, Any]]] = {p[0]: [] for p in plan}
    # Rounds: every tool once per round, so a burst of other work on the shared machine hits all tools alike.
    for i in range(max(1, args.repeat)):
        for key, python, task, procs, env in plan:
            if python is None:
                runs[key] = [{"error": "not installed: " + ((envs[env].error or "?") if env else "?")}]
                continue
            if (key == "reference" and i) or any("error" in r for r in runs[key]):
                continue
            load = os.getloadavg()[0]
            log(f"{key}: {task} ({procs} process(es)), round {i + 1}, load average {load:.1f} ...")
            r = run_task(python, task, data, procs, tmp, args.timeout)
            r["load"] = load
            log(f"{key}: " + (r["error"] if "error" in r else f"{r['seconds']:.1f} s"))
            runs[key].append(r)
        if i == 0 and "profile" not in skip and (only is None or "profile" in only):
            log("biorft: profile (1 process) ...")
            limit = str(min(args.n, 10_000))
            res["profile"] = run_task(sys.executable, "biorft_profile", data, 1, tmp, args.timeout, ("--limit", limit))
    for key, key_runs in runs.items():
        ok = [r for r in key_runs if "error" not in r]
        best = min(ok, key=lambda r: r["seconds"]) if ok else key_runs[-1]
        best["all_seconds"] = [r["seconds"] for r in ok]
        best["loads"] = [r["load"] for r in key_runs if "load" in r]
        res[key] = best
    return {
        "n": args.n,
        "jobs": jobs,
        "repeat": args.repeat,
        "n_base": n_base,
        "used": used,
        "res": res,
        "date": dt.date.today().isoformat(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="molecules (default 10,000; the target: 100,000)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for biorft and datamol")
    parser.add_argument("--grade-n", type=int, default=10_000, help="completions for the grading section")
    parser.add_argument("--skip", default="", help="comma-separated: tdc,deepchem,datamol,trl,single,profile,grading")
    parser.add_argument("--no-install", action="store_true", help="use cached peer venvs only, install none")
    parser.add_argument("--reinstall", action="store_true", help="rebuild the peer venvs (and retry failed ones)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the fastest is reported")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per measurement (default 1800)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "peers.md")
    parser.add_argument("--raw", type=Path, help="also save the raw measurements (JSON) here")
    parser.add_argument("--from-raw", type=Path, help="write the report from saved raw measurements (re-grades only)")
    parser.add_argument(
        "--remeasure",
        default="",
        help="with --from-raw: measure these again (e.g. deepchem,datamol-std), keep the rest",
    )
    args = parser.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}

    envs: dict[str, EnvStatus] = {}
    if args.from_raw:
        raw: Raw = json.loads(args.from_raw.read_text())
        log(f"report from {args.from_raw}" + (f"; measuring again: {args.remeasure}" if args.remeasure else ""))
        for name, st in raw["envs"].items():
            envs[name] = EnvStatus(
                ENVS[name], Path(st["python"]) if st["python"] else None, st["versions"], st["error"]
            )
    else:
        wanted = {"tdc-deepchem": not {"tdc", "deepchem"} <= skip, "datamol": "datamol" not in skip}
        for name, want in wanted.items():
            if not want:
                continue
            env = ENVS[name]
            if args.no_install and not (env.path / ".ok").is_file():
                envs[name] = EnvStatus(env, None, {}, "not installed (--no-install)")
            else:
                envs[name] = ensure(env, reinstall=args.reinstall)
            if envs[name].error:
                log(f"{name}: {envs[name].error}")

    with tempfile.TemporaryDirectory(prefix="biorft-peers-") as tmp_name:
        tmp = Path(tmp_name)
        if args.from_raw and args.remeasure:
            only = {k.strip() for k in args.remeasure.split(",") if k.strip()}
            args.n = raw["n"]
            measure_all(args, skip, raw["jobs"], envs, tmp, only=only, res=raw["res"])
            raw["repeat"] = max(raw["repeat"], args.repeat)
            if args.raw:
                args.raw.write_text(json.dumps(raw))
                log(f"raw measurements in {args.raw}")
        if not args.from_raw:
            raw = measure_all(args, skip, max(1, args.jobs), envs, tmp)
            raw["envs"] = {
                name: {"python": str(st.python) if st.python else None, "versions": st.versions, "error": st.error}
                for name, st in envs.items()
            }
            if args.raw:
                args.raw.write_text(json.dumps(raw))
                log(f"raw measurements in {args.raw} (re-render with --from-raw)")
        res: dict[str, dict[str, Any]] = raw["res"]
        n, jobs, repeat, n_base, used = raw["n"], raw["jobs"], raw["repeat"], raw["n_base"], raw["used"]
        rep = Report()
        rep.add(
            "# biorft against its peers",
            "",
            machine_line(n, jobs, raw["date"]),
            "",
            f"Input: {n:,} rows drawn from {n_base:,} unique SMILES of {', '.join(used)}"
            f"{REPEATED if n > n_base else ''}. Same CSV file for every tool.",
            "",
            "Command: `python benchmarks/peers.py"
            + (f" --n {n}" if n != 10_000 else "")
            + (f" --repeat {repeat}" if repeat > 1 else "")
            + "`. "
            + (f"Times are the fastest of {repeat} runs; " if repeat > 1 else "")
            + "the load average (1 min) when each run started shows how busy the shared machine was: above "
            f"{os.cpu_count()}, other work competed for the cores and the times are inflated.",
            "",
        )
        missing = [f"{name} ({st.error})" for name, st in envs.items() if st.error]
        if missing:
            rep.add("Peers that could not be installed (their rows say so): " + "; ".join(missing) + ".", "")
        if "error" in res.get("biorft", {}):
            rep.add(f"biorft's split could not run: {res['biorft']['error']}.", "")
        split_s = split_section(rep, res, envs, n, jobs)
        std_s = standardise_section(rep, res, envs, n, jobs)
        verdict = target_section(rep, split_s, std_s, n, res.get("_groups", {}), res)
        profile_section(rep, res.get("profile"))
        if "grading" not in skip:
            log("grading ...")
            grading_section(
                rep, args.grade_n, tmp, args.timeout, "trl" not in skip and not args.no_install, args.reinstall, envs
            )
        rep.add("## Peer environments", "")
        rep.add(
            *logic.md_table(
                ["environment", "path", "versions", "status"],
                [
                    [st.env.name, f"`{st.env.path}`", logic.versions_cell(st.versions), st.error or "ok"]
                    for st in envs.values()
                ],
            ),
            "",
        )
    text = rep.text()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)
    log(f"target: {verdict}")
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
