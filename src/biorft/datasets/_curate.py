"""Deterministic curation of the bundled task files from the shared source data.

Run once when the sources or the curation change (the tests re-run it and compare)::

    python -m biorft.datasets._curate --shared ../shared/data --out src/biorft/datasets/data

It reads only the source files marked "vendor: yes" in ``shared/data/README.md``, builds every bundled task with the
same builders users call ([molecule_task][biorft.datasets.molecule_task], [gene_task][biorft.datasets.gene_task]),
and writes per task a zstd parquet frame and a JSON dataset card (with the frame's sha256), plus a copy of the gene
table (vendored by ``python -m biorft.datasets._gene_sources``) and ``index.json`` (the registry's list of tasks with
their specs). Gene task cards pin their canonical split (``card.splits``: method ``family``) and name the genes
whose labels contradict another bundled task.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from biorft.datasets._references import references_for
from biorft.datasets._specs import BUNDLED, EXCLUSIVE_GENE_LABELS, TOX21_ASSAY_TASKS, TOX21_ASSAYS
from biorft.errors import DatasetError
from biorft.schema import DatasetCard, Provenance, TaskSpec

if TYPE_CHECKING:
    import polars as pl

    from biorft.datasets._dataset import TaskDataset

__all__ = ["curate", "main", "sha256_file"]

INDEX_FORMAT = 1
SOURCES = {
    "dosage": "genes/geneformer/dosage_sens_tf_labels.csv",
    "bivalent": "genes/geneformer/bivalent_gene_labels.txt",
    "no_methylation": "genes/geneformer/no_methylation_gene_labels.txt",
    "lys4_only": "genes/geneformer/lys4_only_gene_labels.txt",
    "b3db": "molecules/b3db/B3DB_classification.tsv",
    "aqsoldb": "molecules/aqsoldb/data_curated.csv",
    "tox21": "molecules/tox21/tox21.csv",
}


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file.

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "x"; _ = p.write_bytes(b"")
        >>> sha256_file(p)[:12]
        'e3b0c44298fc'
    """
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_parquet(frame: pl.DataFrame, path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path, compression="zstd", compression_level=19, statistics=False)
    return sha256_file(path)


def _provenance(shared: Path, key: str, source: dict[str, Any]) -> Provenance:
    rel = SOURCES[key]
    return Provenance(
        name=source["name"],
        url=source["url"],
        citation=source["citation"],
        licence=source["licence"],
        sha256=sha256_file(shared / rel),
        file=rel,
    )


def _read_list(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def _gene_sources(shared: Path) -> dict[str, list[tuple[str, list[str]]]]:
    import polars as pl

    dosage = pl.read_csv(shared / SOURCES["dosage"], infer_schema=False)
    lists = {k: _read_list(shared / SOURCES[k]) for k in ("bivalent", "no_methylation", "lys4_only")}
    return {
        "genes/dosage_sensitive_tfs": [
            ("dosage-sensitive", dosage["dosage_sensitive"].drop_nulls().to_list()),
            ("dosage-insensitive", dosage["dosage_insensitive"].drop_nulls().to_list()),
        ],
        "genes/bivalent_vs_no_methylation": [
            ("bivalent", lists["bivalent"]),
            ("non-methylated", lists["no_methylation"]),
        ],
        "genes/bivalent_vs_lys4_only": [("bivalent", lists["bivalent"]), ("lys4-only", lists["lys4_only"])],
    }


def _gene_table() -> tuple[pl.DataFrame, bytes]:
    """The vendored gene table (built by ``biorft.datasets._gene_sources``), as a frame and as its file's bytes."""
    import io

    import polars as pl

    from biorft.datasets._genes import GENE_TABLE_FILE

    raw = resources.files("biorft.datasets").joinpath("data", *GENE_TABLE_FILE.split("/")).read_bytes()
    return pl.read_parquet(io.BytesIO(raw)), raw


def _gene_table_provenance() -> list[Provenance]:
    from biorft.datasets._gene_sources import GENE_TABLE_SOURCES

    return [
        Provenance(
            name=info["name"],
            url=info["url"],
            citation=info["citation"],
            licence=info["licence"],
            sha256=info["sha256"],
            file=f"oncoref/data/{name}",
        )
        for name, info in GENE_TABLE_SOURCES.items()
    ]


def _label_conflicts(datasets: dict[str, TaskDataset]) -> dict[str, list[str]]:
    """Card notes naming the genes that one group of exclusive labels (e.g. chromatin states) labels twice."""
    notes: dict[str, list[str]] = {}
    for group in EXCLUSIVE_GENE_LABELS:
        tasks = [t for t in group["tasks"] if t in datasets]
        labels: dict[str, dict[str, str]] = {}
        for t in tasks:
            f = datasets[t].frame
            for sym, y in zip(f["symbol"].to_list(), f["target"].to_list(), strict=True):
                labels.setdefault(sym, {})[t] = str(y)
        clash = {g: v for g, v in sorted(labels.items()) if len(set(v.values())) > 1}
        if not clash:
            continue
        listed = "; ".join(f"{g} ({', '.join(f'{y} in {t}' for t, y in v.items())})" for g, v in clash.items())
        note = f"{len(clash)} gene(s) whose labels contradict another bundled task, kept as sourced: {listed}. Reason: "
        for t in tasks:
            notes.setdefault(t, []).append(note + group["reason"])
    return notes


def _finish(ds: TaskDataset, spec: TaskSpec, checksums: dict[str, str]) -> tuple[TaskDataset, DatasetCard]:
    """The bundled card: the spec's version and description, file checksums, references and the canonical split.

    The canonical split (``card.splits``) is the domain's canonical method (see
    ``CANONICAL_SPLITS``) with seed 0, pinned by the checksums of each part's
    sorted ids; ``ds.split()`` reproduces and verifies it.
    """
    from biorft.datasets._dataset import TaskDataset
    from biorft.datasets._splits import CANONICAL_SPLITS, split_dataset

    method, seed, fractions = CANONICAL_SPLITS[spec.domain.value]
    pin = split_dataset(TaskDataset(spec, ds.frame, ds.card), method, fractions, seed).stats
    card = DatasetCard(
        **{
            **ds.card.model_dump(),
            "version": spec.version,
            "description": spec.description,
            "checksums": checksums,
            "references": [r.model_dump() for r in references_for(spec.name)],
            "splits": pin.model_dump(),
        }
    )
    return TaskDataset(spec, ds.frame, card), card


def build_all(shared: Path, *, n_jobs: int | None = 1) -> tuple[dict[str, TaskDataset], pl.DataFrame]:
    """Build every bundled task from the shared sources (cards without file checksums yet)."""
    import polars as pl

    from biorft.datasets._dataset import TaskDataset
    from biorft.datasets._genes import GeneTable, gene_task
    from biorft.datasets._molecules import molecule_task

    missing = [rel for rel in SOURCES.values() if not (shared / rel).is_file()]
    if missing:
        raise DatasetError(f"source files missing under {shared}: {missing}; pass --shared <path to shared/data>")
    gene_lists = _gene_sources(shared)
    table_frame, _ = _gene_table()
    table = GeneTable(table_frame, name="bundled gene table")
    out: dict[str, TaskDataset] = {}
    for name, parts in gene_lists.items():
        spec: TaskSpec = BUNDLED[name]["spec"]
        source = BUNDLED[name]["source"]
        frame = pl.DataFrame(
            {"gene": [g for _, genes in parts for g in genes], "label": [lab for lab, genes in parts for _ in genes]}
        )
        keys = ["dosage"] if name.endswith("tfs") else ["bivalent", name.rsplit("_vs_", 1)[1]]
        offsets, start = [], 0
        for lab, genes in parts:
            offsets.append(f"{lab}: rows {start}-{start + len(genes) - 1}")
            start += len(genes)
        out[name] = gene_task(
            frame,
            gene="gene",
            target="label",
            kind="binary",
            name=name,
            version=spec.version,
            labels=spec.labels,
            duplicates="drop",
            gene_table=table,
            positive_label=spec.positive_label,
            instructions=spec.instructions,
            licence=source["licence"],
            citation=source["citation"],
            sources=[*(_provenance(shared, k, source) for k in keys), *_gene_table_provenance()],
            notes=[
                "source lists concatenated in this order, rows numbered from 0: " + "; ".join(offsets),
                "a gene listed twice in one class is merged; a gene in both classes is a conflict and removed",
                "symbols are current (Ensembl release 115); a gene listed under two Ensembl IDs is one row",
            ],
        )
    for name, extra in _label_conflicts(out).items():
        ds = out[name]
        out[name] = TaskDataset(
            ds.spec, ds.frame, DatasetCard(**{**ds.card.model_dump(), "notes": (*ds.card.notes, *extra)})
        )
    b3db = pl.read_csv(shared / SOURCES["b3db"], separator="\t", infer_schema=False)
    b3db = b3db.select(
        ("B3DB-" + pl.col("NO.")).alias("id"),
        pl.col("SMILES").alias("smiles"),
        pl.col("BBB+/BBB-").alias("label"),
        pl.col("compound_name").alias("name"),
        pl.col("logBB").cast(pl.Float64, strict=False).alias("logbb"),
        pl.col("group").alias("b3db_category"),
    )
    spec = BUNDLED["molecules/bbb_b3db"]["spec"]
    src = BUNDLED["molecules/bbb_b3db"]["source"]
    out["molecules/bbb_b3db"] = molecule_task(
        b3db,
        smiles="smiles",
        target="label",
        id="id",
        kind="binary",
        name=spec.name,
        labels=spec.labels,
        positive_label=spec.positive_label,
        instructions=spec.instructions,
        duplicates="majority",
        conflicts="majority",
        version=spec.version,
        keep_columns=["name", "logbb", "b3db_category"],
        licence=src["licence"],
        citation=src["citation"],
        n_jobs=n_jobs,
        sources=[_provenance(shared, "b3db", src)],
    )
    aq = pl.read_csv(shared / SOURCES["aqsoldb"], infer_schema=False)
    aq = aq.select(
        pl.col("ID").alias("id"),
        pl.col("SMILES").alias("smiles"),
        pl.col("Solubility").alias("logs"),
        pl.col("Name").alias("name"),
        pl.col("SD").cast(pl.Float64, strict=False).alias("sd"),
        pl.col("Occurrences").cast(pl.Float64, strict=False).alias("occurrences"),
        pl.col("Group").alias("reliability"),
    )
    spec = BUNDLED["molecules/solubility_aqsoldb"]["spec"]
    src = BUNDLED["molecules/solubility_aqsoldb"]["source"]
    out[spec.name] = molecule_task(
        aq,
        smiles="smiles",
        target="logs",
        id="id",
        kind="regression",
        name=spec.name,
        units=spec.units,
        tolerance=spec.tolerance,
        value_range=spec.value_range,
        instructions=spec.instructions,
        duplicates="mean",
        conflicts="majority",
        version=spec.version,
        mixtures="quarantine",
        keep_columns=["name", "sd", "occurrences", "reliability"],
        licence=src["licence"],
        citation=src["citation"],
        n_jobs=n_jobs,
        sources=[_provenance(shared, "aqsoldb", src)],
    )
    tox = pl.read_csv(shared / SOURCES["tox21"], infer_schema=False)
    tox = tox.with_columns(pl.format("tox21-{}", pl.int_range(pl.len()).cast(pl.String).str.zfill(5)).alias("id"))
    spec = BUNDLED["molecules/tox21"]["spec"]
    src = BUNDLED["molecules/tox21"]["source"]
    tox_common: dict[str, Any] = {
        "smiles": "smiles",
        "id": "id",
        "version": spec.version,
        "duplicates": "majority",
        "conflicts": "majority",
        "licence": src["licence"],
        "citation": src["citation"],
        "n_jobs": n_jobs,
        "sources": [_provenance(shared, "tox21", src)],
    }
    out[spec.name] = molecule_task(
        tox,
        target=list(TOX21_ASSAYS),
        kind="multilabel",
        name=spec.name,
        instructions=spec.instructions,
        notes=["blank assay cells are 'not measured' (known_labels lists the measured assays), not negatives"],
        **tox_common,
    )
    for name, assay in TOX21_ASSAY_TASKS.items():
        spec = BUNDLED[name]["spec"]
        tested = tox.filter(pl.col(assay).is_not_null() & (pl.col(assay).str.strip_chars() != ""))
        out[name] = molecule_task(
            tested.select("id", "smiles", assay),
            target=assay,
            kind="binary",
            name=name,
            labels={1: "active", 0: "inactive"},
            positive_label=spec.positive_label,
            instructions=spec.instructions,
            label_synonyms=spec.label_synonyms,
            notes=[
                f"only the {tested.height} of {tox.height} source rows tested in {assay} (ids as in molecules/tox21); "
                f"the {tox.height - tested.height} untested rows are not part of this task"
            ],
            **tox_common,
        )
    return out, table_frame


def curate(shared: Path, out: Path, *, n_jobs: int | None = 1) -> dict[str, str]:
    """Build every bundled task from ``shared`` and write the package data files under ``out``.

    Args:
        shared: The ``shared/data`` folder with the source files.
        out: The output folder (``src/biorft/datasets/data`` for the package).
        n_jobs: Processes for RDKit work.

    Returns:
        ``{relative file path: sha256}`` of every data file written (cards and index included).
    """
    import polars as pl

    from biorft.chem import rdkit_version

    datasets, table_frame = build_all(shared, n_jobs=n_jobs)
    written: dict[str, str] = {}
    table_rel = "genes/gene_table.parquet"
    (out / table_rel).parent.mkdir(parents=True, exist_ok=True)
    (out / table_rel).write_bytes(_gene_table()[1])  # vendored, copied as it is
    written[table_rel] = sha256_file(out / table_rel)
    entries = []
    for name, ds in datasets.items():
        spec: TaskSpec = BUNDLED[name]["spec"]
        rel = f"{name}.parquet"
        sha = _write_parquet(ds.frame, out / rel)
        checksums = {rel: sha}
        if spec.domain.value == "genes":
            checksums[table_rel] = written[table_rel]
        ds, card = _finish(ds, spec, checksums)
        card_rel = f"{name}.card.json"
        (out / card_rel).write_text(card.model_dump_json(indent=1) + "\n")
        written[rel] = sha
        written[card_rel] = sha256_file(out / card_rel)
        entries.append(
            {
                "name": name,
                "version": spec.version,
                "domain": spec.domain.value,
                "kind": spec.kind.value,
                "size": len(ds),
                "licence": card.licence,
                "description": spec.description,
                "file": rel,
                "sha256": sha,
                "card": card_rel,
                "spec": spec.model_dump(mode="json"),
            }
        )
    index = {
        "format": INDEX_FORMAT,
        "curated_with": {"rdkit": rdkit_version(), "polars": pl.__version__},
        "command": "python -m biorft.datasets._curate --shared ../shared/data --out src/biorft/datasets/data",
        "gene_table": {"file": table_rel, "sha256": written[table_rel], "rows": table_frame.height},
        "tasks": entries,
    }
    (out / "index.json").write_text(json.dumps(index, indent=1, ensure_ascii=False) + "\n")
    written["index.json"] = sha256_file(out / "index.json")
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m biorft.datasets._curate --shared DIR --out DIR``."""
    parser = argparse.ArgumentParser(description="Curate biorft's bundled task files from shared/data.")
    parser.add_argument("--shared", type=Path, required=True, help="the shared/data folder")
    parser.add_argument("--out", type=Path, required=True, help="output folder (src/biorft/datasets/data)")
    parser.add_argument("--jobs", type=int, default=1, help="processes for RDKit work (default 1)")
    args = parser.parse_args(argv)
    for rel, sha in curate(args.shared, args.out, n_jobs=args.jobs).items():
        print(f"{sha}  {rel}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
