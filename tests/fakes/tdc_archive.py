"""TDC-shaped ADMET benchmark-group archives (``admet_group/<dataset>/{train_val,test}.csv``) made offline.

The molecules are real (the bundled molecule tasks' SMILES); the targets are synthetic: these files exercise the
download, build and split code paths and their cost, not the science. ``rows=None`` uses TDC's published sizes.
"""

from __future__ import annotations

import io
import math
import random
import zipfile
from collections.abc import Callable, Mapping

import biorft as br
from biorft.datasets._tdc import TDC_DATASETS, TDCDataset


def molecule_pool() -> list[tuple[str, str]]:
    """(SMILES, scaffold) of every bundled molecule, de-duplicated, in a fixed order."""
    seen: dict[str, str] = {}
    for name in ("molecules/bbb_b3db", "molecules/solubility_aqsoldb", "molecules/tox21"):
        frame = br.load_task(name).frame
        for smi, scaf in zip(frame["smiles"].to_list(), frame["scaffold"].to_list(), strict=True):
            seen.setdefault(smi, scaf or "")
    return sorted(seen.items())


def _value(d: TDCDataset, rng: random.Random) -> str:
    if d.kind == "binary":
        return str(int(rng.random() < 0.4))
    if d.log10:
        return repr(round(10 ** rng.gauss(0.5, 0.6), 4))
    return repr(round(rng.gauss(-3.0, 1.5), 4))


def dataset_files(
    d: TDCDataset, pool: list[tuple[str, str]], n: int, seed: int
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(train_val rows, test rows) of ``Drug_ID, Drug, Y``; the test part is ~20% of whole scaffold groups."""
    rng = random.Random(f"{d.key}-{seed}")
    chosen = rng.sample(pool, min(n, len(pool)))
    groups: dict[str, list[tuple[str, str]]] = {}
    for smi, scaf in chosen:
        groups.setdefault(scaf, []).append((smi, scaf))
    order = list(groups)
    rng.shuffle(order)
    test_target = math.ceil(0.2 * len(chosen))
    test: list[tuple[str, str, str]] = []
    train_val: list[tuple[str, str, str]] = []
    for scaf in order:
        rows = [(f"{d.key}-{len(test) + len(train_val)}", smi, _value(d, rng)) for smi, _ in groups[scaf]]
        (test if len(test) + len(rows) <= test_target and len(rows) < test_target / 4 else train_val).extend(rows)
    return train_val, test


def _csv(rows: list[tuple[str, str, str]]) -> str:
    return "Drug_ID,Drug,Y\n" + "".join(f'{i},"{s}",{y}\n' for i, s, y in rows)


def make_admet_archive(
    *,
    rows: int | None = 60,
    seed: int = 0,
    edit: Mapping[str, Callable[[list[tuple[str, str, str]], list[tuple[str, str, str]]], None]] | None = None,
) -> bytes:
    """The bytes of a TDC-shaped ``admet_group.zip`` with all 22 datasets.

    Args:
        rows: Rows per dataset (None: TDC's published size of each).
        seed: Seed of the molecule choice and targets.
        edit: Per TDC key, a function that edits ``(train_val, test)`` rows in place before writing.
    """
    pool = molecule_pool()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for d in TDC_DATASETS:
            train_val, test = dataset_files(d, pool, rows if rows is not None else d.rows or 1000, seed)
            if edit and d.key in edit:
                edit[d.key](train_val, test)
            archive.writestr(f"admet_group/{d.key}/train_val.csv", _csv(train_val))
            archive.writestr(f"admet_group/{d.key}/test.csv", _csv(test))
    return buf.getvalue()
