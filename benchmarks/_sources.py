"""The molecule source files the speed benchmarks read (``datasets.py``, ``peers.py``): path -> SMILES column."""

from __future__ import annotations

from pathlib import Path

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
SOURCES = {
    "molecules/b3db/B3DB_classification.tsv": "SMILES",
    "molecules/aqsoldb/data_curated.csv": "SMILES",
    "molecules/tox21/tox21.csv": "smiles",
    "molecules/moleculenet/bbbp.csv": "smiles",
    "molecules/moleculenet/bace.csv": "mol",
    "molecules/moleculenet/clintox.csv": "smiles",
    "molecules/moleculenet/delaney.csv": "smiles",
    "molecules/moleculenet/freesolv.csv": "smiles",
    "molecules/moleculenet/lipo.csv": "smiles",
    "molecules/moleculenet/sider.csv": "smiles",
}
