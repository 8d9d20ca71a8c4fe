"""Turn your own CSV of SMILES and labels into a task, a leakage-free scaffold split and training files.

What it shows: ``br.molecule_task`` standardises every SMILES with RDKit (salts and counter-ions stripped, charges
neutralised), identifies molecules by InChIKey, merges duplicates under a conflicting-label policy and quarantines
every row it cannot use, with the reason; nothing is dropped silently (rows in = kept + quarantined). Then a
Bemis-Murcko scaffold split, a leakage check, and export to OpenAI RFT, TRL and verl files, with the RFT files
checked against the service's rules.

The default input, ``examples/data/bbb_drugs.csv``, is a small table of drugs labelled blood-brain-barrier permeable
(1) or not (0), as B3DB (CC0-1.0) labels them, with the usual problems of hand-made tables: salts, the same molecule
written three ways with conflicting labels, broken SMILES, a missing and an unreadable label.

Run it::

    python examples/build_molecule_task.py                        # writes ./bbb_task/
    python examples/build_molecule_task.py --csv my.csv --smiles SMILES --target active --id compound_id --out my_task
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import biorft as br

DATA = Path(__file__).resolve().parent / "data" / "bbb_drugs.csv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DATA, help="CSV / TSV / parquet with SMILES and labels")
    parser.add_argument("--smiles", default="smiles", help="SMILES column")
    parser.add_argument("--target", default="bbb_permeable", help="label column (1 / 0)")
    parser.add_argument("--id", default="name", help="id column (default: the InChIKey when the column is absent)")
    parser.add_argument("--positive", default="BBB+", help="label for 1")
    parser.add_argument("--negative", default="BBB-", help="label for 0")
    parser.add_argument("--name", default="user/bbb_drugs", help="task name")
    parser.add_argument("--out", type=Path, default=Path("bbb_task"), help="output folder")
    args = parser.parse_args(argv)

    # 1. Build the task. Every row ends up either in the dataset or in card.quarantined with a reason.
    with args.csv.open(newline="", encoding="utf-8") as fh:
        has_id = args.id in (csv.DictReader(fh).fieldnames or [])
    ds = br.molecule_task(
        args.csv,
        smiles=args.smiles,
        target=args.target,
        id=args.id if has_id else None,
        kind="binary",
        labels={1: args.positive, 0: args.negative},  # raw value -> label the model answers with
        positive_label=args.positive,
        duplicates="majority",  # one InChIKey, several rows: keep the majority label ("drop", "error" also exist)
        mixtures="largest",  # salts: keep the largest fragment ("quarantine" for salt-form properties)
        name=args.name,
        instructions="Does the molecule below cross the blood-brain barrier (BBB+) or not (BBB-)?",
        licence="CC0-1.0",
    )
    card = ds.card
    assert card.n_rows_in == len(ds) + card.n_quarantined  # the card's accounting, checked by biorft too
    print(f"{args.csv.name}: {card.n_rows_in} rows in, {len(ds)} molecules kept, {card.n_quarantined} quarantined")
    print(f"labels: {ds.label_counts()}\n")
    print("quarantined rows (0-based row of the input file):")
    for q in card.quarantined:
        print(f"  row {q.row:>3}  {q.id or '-':<28} {q.reason}")

    # Salts and mixtures were reduced to their largest fragment (the parent drug): show what changed.
    with args.csv.open(newline="", encoding="utf-8") as fh:
        raw = {row[args.id]: row[args.smiles] for row in csv.DictReader(fh)} if has_id else {}
    kept = dict(zip(ds.frame["id"].to_list(), ds.frame["entity"].to_list(), strict=True))
    salts = [(i, raw[i], kept[i]) for i in kept if "." in raw.get(i, "")]
    if salts:
        print("\nstandardised salts and mixtures:")
        for i, before, after in salts:
            print(f"  {i}: {before}  ->  {after}")

    # 2. Split by scaffold, so test molecules have ring systems the model never trained on, and check for leaks.
    splits = ds.split()  # canonical for a molecule task: scaffold split, compound groups kept whole
    splits.check_leakage()  # raises DatasetError naming shared molecules or scaffolds
    print(f"\nscaffold split: {splits.stats.sizes}; labels {splits.stats.label_counts}")
    for note in splits.stats.notes:
        print(f"  note: {note}")

    # 3. Export: OpenAI RFT (JSONL + grader.json), TRL (JSONL with a conversational prompt), verl (parquet + reward).
    grader = br.grader_for(ds.spec)  # the task's default grader: labels plus the synonyms in ds.spec
    rft = br.export.openai_rft(splits, args.out / "openai_rft", grader=grader)
    trl = br.export.trl(splits, args.out / "trl")
    verl = br.export.verl(splits, args.out / "verl", grader=grader)
    for part in ("train", "valid"):
        check = br.export.validate_rft_jsonl(rft[part], grader)
        check.raise_for_problems()  # last message from the user, grader fields on every line, ...
        print(f"{rft[part]}: {check.n_lines} lines, RFT rules ok, grader reads {sorted(check.referenced_fields)}")
    print("\nwritten:")
    for paths in (rft, trl, verl):
        for path in paths.values():
            print(f"  {path}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except br.BiorftError as exc:  # missing column, unreadable file, ...: one line, no traceback
        sys.exit(f"error: {exc}")
