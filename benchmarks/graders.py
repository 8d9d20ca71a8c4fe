"""Grader throughput on 100,000 model outputs, next to the floor of `json.loads` + dict lookup.

Targets: label and numeric graders within 5x of the floor on the same JSON outputs; molecule graders
bounded by one RDKit parse per output (the reference side is parsed once per distinct SMILES and cached).

Run: python benchmarks/graders.py [--n 100000] [--seed 0]
Writes benchmarks/results/graders.md. Molecules come from ../shared/data (B3DB) when present, else a built-in list.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from biorft.graders import LabelGrader, MoleculeGrader, NumericGrader
from biorft.graders._rt import engine

ROOT = Path(__file__).resolve().parents[1]
B3DB = ROOT.parent / "shared" / "data" / "molecules" / "b3db" / "B3DB_classification.tsv"
WORDS = [
    "the",
    "molecule",
    "is",
    "small",
    "and",
    "lipophilic",
    "with",
    "few",
    "hydrogen",
    "bond",
    "donors",
    "so",
    "passive",
    "diffusion",
    "across",
    "the",
    "endothelium",
    "is",
    "likely",
    "although",
    "efflux",
    "by",
    "P-glycoprotein",
    "could",
    "limit",
    "exposure",
]
FALLBACK_SMILES = [
    "CCO",
    "CC(=O)Oc1ccccc1C(=O)O",
    "CN1CCC[C@H]1c1cccnc1",
    "CN1C=NC2=C1C(=O)N(C)C(=O)N2C",
    "CC(C)Cc1ccc(cc1)C(C)C(=O)O",
    "c1ccc2c(c1)cccc2",
    "O=C(O)c1ccccc1O",
    "CCN(CC)CCOC(=O)c1ccc(N)cc1",
    "Clc1ccc(cc1)C(c1ccccc1)N1CCNCC1",
    "COc1ccc2[nH]cc(CCN(C)C)c2c1",
]


def reasoning(rng: random.Random, n_words: int = 30) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n_words))


def timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def floor_time(outputs: list[str]) -> float:
    return timed(lambda: [json.loads(o)["answer"] for o in outputs])


def grade_time(grader: Any, samples: list[dict[str, Any]], items: list[dict[str, Any]]) -> float:
    return timed(lambda: [grader(s, i) for s, i in zip(samples, items, strict=True)])


def label_corpus(rng: random.Random, n: int) -> tuple[list[str], list[dict[str, Any]]]:
    answers = ["BBB+", "BBB-", "bbb+", "BBB- ", "permeable", "BBB+ or BBB-"]
    outputs = [
        json.dumps({"reasoning": reasoning(rng), "answer": rng.choice(answers), "confidence": round(rng.random(), 2)})
        for _ in range(n)
    ]
    return outputs, [{"target": rng.choice(["BBB+", "BBB-"])} for _ in range(n)]


def numeric_corpus(rng: random.Random, n: int) -> tuple[list[str], list[dict[str, Any]]]:
    outputs = []
    for _ in range(n):
        value = rng.uniform(-8, 2)
        shown = rng.choice([f"{value:.2f}", f"{value:.3g} log(mol/L)", f"{value:.2e}", f"\u2212{abs(value):.2f}"])
        outputs.append(json.dumps({"reasoning": reasoning(rng), "answer": shown}))
    return outputs, [{"target": round(rng.uniform(-8, 2), 2)} for _ in range(n)]


def text_variant(outputs: list[str]) -> list[str]:
    """The same answers as free text: reasoning, then a final `Answer:` line."""
    out = []
    for o in outputs:
        d = json.loads(o)
        out.append(f"{d['reasoning']}.\n\nAnswer: {d['answer']}")
    return out


def molecule_pool(limit: int = 2000) -> tuple[list[str], str]:
    if B3DB.is_file():
        with B3DB.open(newline="", encoding="utf-8") as fh:
            rows = [r["SMILES"] for r in csv.DictReader(fh, delimiter="\t") if r.get("SMILES")]
        return rows[:limit], f"B3DB ({min(limit, len(rows))} molecules)"
    return FALLBACK_SMILES, f"built-in list ({len(FALLBACK_SMILES)} molecules)"


def molecule_corpus(rng: random.Random, n: int) -> tuple[list[str], list[dict[str, Any]], str]:
    from rdkit import Chem, RDLogger

    RDLogger.DisableLog("rdApp.*")
    pool, source = molecule_pool()
    parsed = [(s, Chem.MolFromSmiles(s)) for s in pool]
    parsed = [(s, m) for s, m in parsed if m is not None]
    outputs, items = [], []
    for _ in range(n):
        target, mol = rng.choice(parsed)
        roll = rng.random()
        if roll < 0.5:
            answer = Chem.MolToSmiles(mol, doRandom=True)  # the same molecule, written differently
        elif roll < 0.9:
            answer = rng.choice(parsed)[0]  # another molecule
        else:
            answer = target[:-2] + "(("  # not a valid SMILES
        outputs.append(json.dumps({"reasoning": reasoning(rng, 10), "answer": answer}))
        items.append({"target": target})
    return outputs, items, source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    n = args.n
    rows: list[tuple[str, float, float | None, str]] = []

    label_outputs, label_items = label_corpus(rng, n)
    label = LabelGrader(["BBB+", "BBB-"], {"BBB+": ["permeable"]})
    floor = floor_time(label_outputs)
    t = grade_time(label, [{"output_text": o} for o in label_outputs], label_items)
    rows.append(("label (JSON outputs)", t, t / floor, "within 5x" if t / floor <= 5 else "OVER TARGET"))
    t_text = grade_time(label, [{"output_text": o} for o in text_variant(label_outputs)], label_items)
    rows.append(("label (reasoning + `Answer:` line)", t_text, t_text / floor, "informative"))

    num_outputs, num_items = numeric_corpus(rng, n)
    numeric = NumericGrader(abs_tol=0.5, units=["log(mol/L)"])
    num_floor = floor_time(num_outputs)
    t = grade_time(numeric, [{"output_text": o} for o in num_outputs], num_items)
    rows.append(("numeric (JSON outputs)", t, t / num_floor, "within 5x" if t / num_floor <= 5 else "OVER TARGET"))
    t_text = grade_time(numeric, [{"output_text": o} for o in text_variant(num_outputs)], num_items)
    rows.append(("numeric (reasoning + `Answer:` line)", t_text, t_text / num_floor, "informative"))

    mol_outputs, mol_items, mol_source = molecule_corpus(rng, n)
    from rdkit import Chem

    answers = [json.loads(o)["answer"] for o in mol_outputs]
    mol_floor = floor_time(mol_outputs)
    parse_only = timed(lambda: [Chem.MolFromSmiles(a) for a in answers])
    calls = {"n": 0}
    real_parse = engine.parse_molecule

    def counting_parse(smiles: str) -> Any:
        calls["n"] += 1
        return real_parse(smiles)

    engine.parse_molecule = counting_parse  # type: ignore[assignment]
    try:
        from biorft.graders._rt import molecules

        molecules.reference_molecule.cache_clear()
        molecule = MoleculeGrader()
        t = grade_time(molecule, [{"output_text": o} for o in mol_outputs], mol_items)
        reference_parses = molecules.reference_molecule.cache_info().misses
    finally:
        engine.parse_molecule = real_parse  # type: ignore[assignment]
    per_output = calls["n"] / n
    verdict = "one parse per output" if per_output <= 1.0 else "OVER TARGET"
    rows.append(("molecule (JSON outputs)", t, t / mol_floor, verdict))

    lines = [
        "# grader throughput",
        "",
        f"{n:,} outputs per grader; floor = `json.loads(output)['answer']` on the same outputs.",
        "",
        "| grader | time (s) | outputs/s | x floor | target |",
        "|---|---:|---:|---:|---|",
    ]
    for name, seconds, ratio, verdict_ in rows:
        lines.append(f"| {name} | {seconds:.2f} | {n / seconds:,.0f} | {ratio:.1f} | {verdict_} |")
    lines += [
        "",
        f"Floors: label {floor:.2f} s, numeric {num_floor:.2f} s, molecule {mol_floor:.2f} s.",
        f"Molecules: {mol_source}; 50% the reference written differently, 40% another molecule, 10% invalid.",
        f"RDKit answer parses per output: {per_output:.2f}; reference parses: {reference_parses} "
        f"(one per distinct reference SMILES, cached). `Chem.MolFromSmiles` alone on the answers: {parse_only:.2f} s "
        f"({t / parse_only:.1f}x of that for the whole grader: standardisation, InChIKey for non-identical answers, "
        "fingerprints for partial credit).",
        "",
        f"Python {platform.python_version()} on {platform.machine()}, {sys.platform}.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(__file__).parent / "results" / "graders.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)


if __name__ == "__main__":
    main()
