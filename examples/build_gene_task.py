"""Turn your own gene list (symbols and Ensembl IDs mixed) into a task, a family split and training files.

What it shows: ``br.gene_task`` resolves every gene against the bundled gene table (symbols in any case, aliases
and previous symbols, Ensembl IDs with or without a version suffix) to one current symbol and one Ensembl ID, merges
a gene listed twice (by symbol and by ID) and quarantines what it cannot use with the reason: unknown genes (with
spelling suggestions), conflicting labels, missing labels. Rows in = kept + quarantined. Then a family split (whole
gene families per part), a leakage check, and export to OpenAI RFT, TRL and verl files.

The default input, ``examples/data/tf_genes.csv``, labels well-known human genes as sequence-specific transcription
factors (``yes``) or not (``no``), with the problems of a real list: Ensembl IDs with versions, lower-case symbols,
one gene twice under two names, one gene with both labels, common aliases (``OCT4`` is ``POU5F1``, ``HER2`` is
``ERBB2``), an invented gene and a blank label.

Run it::

    python examples/build_gene_task.py                            # writes ./tf_task/
    python examples/build_gene_task.py --csv my_genes.csv --gene symbol --target label --out my_task
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import biorft as br

DATA = Path(__file__).resolve().parent / "data" / "tf_genes.csv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DATA, help="CSV / TSV / parquet with genes and labels")
    parser.add_argument("--gene", default="gene", help="column with gene symbols or Ensembl IDs")
    parser.add_argument("--target", default="is_tf", help="label column (yes / no)")
    parser.add_argument("--name", default="user/tf_genes", help="task name")
    parser.add_argument("--out", type=Path, default=Path("tf_task"), help="output folder")
    args = parser.parse_args(argv)

    # 1. Build the task: genes are normalised, de-duplicated by Ensembl ID, and every unusable row is quarantined.
    ds = br.gene_task(
        args.csv,
        gene=args.gene,
        target=args.target,
        kind="binary",
        labels={"yes": "TF", "no": "non-TF"},  # raw value -> label the model answers with
        positive_label="TF",
        label_synonyms={"TF": ["transcription factor"], "non-TF": ["not a transcription factor"]},
        duplicates="majority",  # a gene listed twice with different labels and no majority is removed
        name=args.name,
        instructions=(
            "Is the human gene below a sequence-specific DNA-binding transcription factor (TF) or not (non-TF)?"
        ),
    )
    card = ds.card
    assert card.n_rows_in == len(ds) + card.n_quarantined  # the card's accounting, checked by biorft too
    print(f"{args.csv.name}: {card.n_rows_in} rows in, {len(ds)} genes kept, {card.n_quarantined} quarantined")
    print(f"labels: {ds.label_counts()}\n")
    with args.csv.open(newline="", encoding="utf-8") as fh:
        raw = [row[args.gene] for row in csv.DictReader(fh)]
    print("quarantined rows (0-based row of the input file, as written there):")
    for q in card.quarantined:
        print(f"  row {q.row:>3}  {raw[q.row]:<20} {q.reason}")
    table = br.datasets.gene_table()  # the bundled table gene_task resolved against
    print("\nresolved to another spelling:")
    for g in raw:
        match = table.resolve(g)  # a GeneMatch, or the reason the gene is unknown
        if isinstance(match, br.datasets.GeneMatch) and g != match.symbol:
            print(f"  {g:<20} -> {match.symbol} ({match.ensembl_id}, by {match.how})")
    print("\nfirst genes as the model sees them (entity = symbol, id = Ensembl ID):")
    print(ds.frame.select("id", "entity", "target").head(5))

    # 2. The canonical split keeps every gene in one part only; check that no id / symbol / Ensembl ID leaks.
    splits = ds.split()  # canonical for a gene task
    splits.check_leakage()
    print(f"\n{splits.stats.method} split: {splits.stats.sizes}; labels {splits.stats.label_counts}")

    # 3. Export for OpenAI RFT, TRL and verl; check the RFT files against the service's rules.
    grader = br.grader_for(ds.spec)
    rft = br.export.openai_rft(splits, args.out / "openai_rft", grader=grader)
    trl = br.export.trl(splits, args.out / "trl")
    verl = br.export.verl(splits, args.out / "verl", grader=grader)
    for part in ("train", "valid"):
        check = br.export.validate_rft_jsonl(rft[part], grader)
        check.raise_for_problems()
        print(f"{rft[part]}: {check.n_lines} lines, RFT rules ok, grader reads {sorted(check.referenced_fields)}")
    example = next(splits.test.examples())
    print(f"\na test prompt: {example.messages[-1]['content']!r} -> reference {example.item['target']!r}")
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
