"""The TDC ADMET benchmark group as biorft tasks: ``load_task("tdc/<dataset>")``.

The 22 datasets of the Therapeutics Data Commons ADMET benchmark group (Huang et al. 2021) are downloaded once, on
first use, from the file TDC itself downloads (the ``admet_group`` archive on Harvard Dataverse, file id
``4426004``), cached in the biorft data folder and verified (see [_fetch][biorft.datasets._fetch]). Each dataset
becomes a molecule task through [molecule_task][biorft.datasets.molecule_task] (standardised, de-duplicated by InChIKey,
carded), with TDC's metric as the task's primary metric and TDC's benchmark protocol as its splits:

- the **test set is TDC's fixed test set** (``test.csv``, a scaffold split made by TDC);
- **train / valid** come from TDC's ``train_val.csv`` with TDC's own algorithm (``create_scaffold_split`` with
  fractions 0.875 / 0.125 on TDC's raw SMILES, Python's ``random.Random(seed)``), for seeds 1-5 as the leaderboard
  asks: `TDCTask.benchmark_splits`. ``ds.split()`` with no arguments is seed 1.

Where biorft's curation differs from TDC's raw files it says so in the card: duplicate molecules are merged
(TDC scores every row), and a training row that is the same compound as a test row (same InChIKey, or the same
InChIKey connectivity block: a stereo-isomer) is quarantined so that the fixed test set stays leak-free.

Four targets with TDC metric Spearman and heavy-tailed units (VDss, half-life, the two clearances) are given as
log10 of TDC's value: Spearman, the benchmark metric, does not change under that transform, and the tolerance of a
correct answer becomes a factor (0.3 log units: within a factor of 2).
"""

from __future__ import annotations

import io
import math
import random
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from biorft.datasets._dataset import TaskDataset
from biorft.datasets._fetch import FetchedFile, RemoteFile, fetch
from biorft.datasets._references import references_for
from biorft.errors import DatasetError
from biorft.schema import DatasetCard, Provenance, QuarantinedRow, SplitStats, TaskKind, TaskSpec

if TYPE_CHECKING:
    import polars as pl

    from biorft.datasets._splits import Splits

__all__ = [
    "ADMET_GROUP",
    "TDC_DATASETS",
    "TDCDataset",
    "TDCTask",
    "load_tdc",
    "tdc_scaffold_split",
    "tdc_task_names",
]

TDC_CITATION = (
    "Huang K, Fu T, Gao W, Zhao Y, Roohani Y, Leskovec J, Coley CW, Xiao C, Sun J, Zitnik M. Therapeutics Data "
    "Commons: Machine Learning Datasets and Tasks for Drug Discovery and Development. NeurIPS Datasets and "
    "Benchmarks (2021)"
)
TDC_LICENCE = "CC-BY-4.0"
ADMET_GROUP = RemoteFile(
    name="tdc/admet_group.zip",
    url="https://dataverse.harvard.edu/api/access/datafile/4426004",
    sha256=None,  # not published by TDC: trusted on first use and recorded beside the file
    size=None,
    description="the TDC ADMET benchmark group archive (admet_group.zip)",
)
TRAIN_VALID_FRACTIONS = (0.875, 0.125, 0.0)
BENCHMARK_SEEDS = (1, 2, 3, 4, 5)
_EXPERT = "You are an expert medicinal chemist and pharmacologist."


@dataclass(frozen=True)
class TDCDataset:
    """One dataset of the TDC ADMET benchmark group.

    Attributes:
        tdc_name: TDC's name (``"Caco2_Wang"``).
        kind: ``"binary"`` or ``"regression"``.
        metric: TDC's metric as a biorft metric name (``auroc``, ``auprc``, ``mae``, ``spearman``).
        tdc_metric: TDC's own metric name (``roc-auc``, ``pr-auc``, ``mae``, ``spearman``).
        what: What is predicted, for instructions.
        labels: ``(positive, negative)`` labels of a binary task (TDC's ``Y = 1`` is the positive).
        units: Unit of a regression target (after ``log10`` when ``log10`` is set).
        tolerance: Absolute error counted as correct for a regression target.
        log10: Whether the target is ``log10`` of TDC's value.
        rows: TDC's published number of rows (``tdc.metadata.name2stats``).
        source: Citation of the original data.
    """

    tdc_name: str
    kind: str
    metric: str
    tdc_metric: str
    what: str
    labels: tuple[str, str] | None = None
    units: str | None = None
    tolerance: float | None = None
    log10: bool = False
    rows: int | None = None
    source: str = ""

    @property
    def key(self) -> str:
        """TDC's lowercase key, the folder name in the archive (``caco2_wang``)."""
        return self.tdc_name.lower()

    @property
    def task_name(self) -> str:
        """The biorft task name (``tdc/caco2_wang``)."""
        return f"tdc/{self.key}"


_VEITH = (
    "Veith H, Southall N, Huang R, et al. Comprehensive characterization of cytochrome P450 isozyme selectivity "
    "across chemical libraries. Nat Biotechnol 27, 1050-1055 (2009)"
)
_CARBON = (
    "Carbon-Mangels M, Hutter MC. Selecting relevant descriptors for classification by Bayesian estimates: a "
    "comparison with decision trees and support vector machines approaches for disparate data sets. Mol Inform 30, "
    "885-895 (2011)"
)
_AZ = "AstraZeneca experimental data deposited in ChEMBL (CC-BY-SA 3.0), as distributed by TDC"


def _b(name: str, metric: str, what: str, labels: tuple[str, str], rows: int, source: str) -> TDCDataset:
    tdc = {"auroc": "roc-auc", "auprc": "pr-auc"}[metric]
    return TDCDataset(name, "binary", metric, tdc, what, labels=labels, rows=rows, source=source)


def _r(
    name: str, metric: str, what: str, units: str, tol: float, rows: int, source: str, *, log10: bool = False
) -> TDCDataset:
    return TDCDataset(name, "regression", metric, metric, what, units=units, tolerance=tol, log10=log10, rows=rows,
                      source=source)  # fmt: skip


TDC_DATASETS: tuple[TDCDataset, ...] = (
    _r("Caco2_Wang", "mae", "the Caco-2 cell effective permeability (log10 of Papp in cm/s)", "log10(cm/s)", 0.5,
       906, "Wang NN, Dong J, Deng YH, et al. ADME properties evaluation in drug discovery: prediction of Caco-2 "
       "cell permeability using a combination of NSGA-II and boosting. J Chem Inf Model 56, 763-773 (2016)"),
    _b("HIA_Hou", "auroc", "whether the drug is well absorbed from the human intestine (HIA >= 30%)",
       ("HIA+", "HIA-"), 578, "Hou T, Wang J, Zhang W, Xu X. ADME evaluation in drug discovery. 7. Prediction of "
       "oral absorption by correlation and classification. J Chem Inf Model 47, 208-218 (2007)"),
    _b("Pgp_Broccatelli", "auroc", "whether the molecule inhibits P-glycoprotein (ABCB1)",
       ("inhibitor", "non-inhibitor"), 1212, "Broccatelli F, Carosati E, Neri A, et al. A novel approach for "
       "predicting P-glycoprotein (ABCB1) inhibition using molecular interaction fields. J Med Chem 54, 1740-1751 "
       "(2011)"),
    _b("Bioavailability_Ma", "auroc", "whether the oral bioavailability in humans is at least 20%",
       ("F>=20%", "F<20%"), 640, "Ma CY, Yang SY, Zhang H, et al. Prediction models of human plasma protein "
       "binding rate and oral bioavailability derived by using GA-CG-SVM method. J Pharm Biomed Anal 47, 677-682 "
       "(2008)"),
    _r("Lipophilicity_AstraZeneca", "mae", "the lipophilicity as logD at pH 7.4 (octanol/water)", "logD7.4", 0.5,
       4200, _AZ),
    _r("Solubility_AqSolDB", "mae", "the aqueous solubility as LogS (log10 of mol/L)", "log10(mol/L)", 0.5, 9982,
       "Sorkun MC, Khetan A, Er S. AqSolDB, a curated reference set of aqueous solubility and 2D descriptors for "
       "a diverse set of compounds. Sci Data 6, 143 (2019)"),
    _b("BBB_Martins", "auroc", "whether the molecule penetrates the blood-brain barrier", ("BBB+", "BBB-"), 1975,
       "Martins IF, Teixeira AL, Pinheiro L, Falcao AO. A Bayesian approach to in silico blood-brain barrier "
       "penetration modeling. J Chem Inf Model 52, 1686-1697 (2012)"),
    _r("PPBR_AZ", "mae", "the human plasma protein binding rate (percentage of the drug bound)", "%", 10.0, 1797,
       _AZ),
    _r("VDss_Lombardo", "spearman", "the volume of distribution at steady state in humans (log10 of L/kg)",
       "log10(L/kg)", 0.3, 1130, "Lombardo F, Jing Y. In silico prediction of volume of distribution in humans. "
       "Extensive data set and the exploration of linear and nonlinear methods coupled with molecular interaction "
       "fields descriptors. J Chem Inf Model 56, 2042-2052 (2016)", log10=True),
    _b("CYP2C9_Veith", "auprc", "whether the molecule inhibits cytochrome P450 2C9", ("inhibitor", "non-inhibitor"),
       12092, _VEITH),
    _b("CYP2D6_Veith", "auprc", "whether the molecule inhibits cytochrome P450 2D6", ("inhibitor", "non-inhibitor"),
       13130, _VEITH),
    _b("CYP3A4_Veith", "auprc", "whether the molecule inhibits cytochrome P450 3A4", ("inhibitor", "non-inhibitor"),
       12328, _VEITH),
    _b("CYP2C9_Substrate_CarbonMangels", "auprc", "whether the drug is a substrate of cytochrome P450 2C9",
       ("substrate", "non-substrate"), 666, _CARBON),
    _b("CYP2D6_Substrate_CarbonMangels", "auprc", "whether the drug is a substrate of cytochrome P450 2D6",
       ("substrate", "non-substrate"), 664, _CARBON),
    _b("CYP3A4_Substrate_CarbonMangels", "auroc", "whether the drug is a substrate of cytochrome P450 3A4",
       ("substrate", "non-substrate"), 667, _CARBON),
    _r("Half_Life_Obach", "spearman", "the terminal half-life in humans after intravenous dosing (log10 of hours)",
       "log10(h)", 0.3, 667, "Obach RS, Lombardo F, Waters NJ. Trend analysis of a database of intravenous "
       "pharmacokinetic parameters in humans for 670 drug compounds. Drug Metab Dispos 36, 1385-1405 (2008)",
       log10=True),
    _r("Clearance_Hepatocyte_AZ", "spearman",
       "the intrinsic clearance in human hepatocytes (log10 of uL/min/10^6 cells)", "log10(uL/min/10^6 cells)", 0.3,
       1020, _AZ, log10=True),
    _r("Clearance_Microsome_AZ", "spearman", "the intrinsic clearance in human liver microsomes (log10 of mL/min/g)",
       "log10(mL/min/g)", 0.3, 1102, _AZ, log10=True),
    _r("LD50_Zhu", "mae", "the acute oral toxicity in rats as -log10(LD50 in mol/kg)", "-log10(mol/kg)", 0.5, 7385,
       "Zhu H, Martin TM, Ye L, et al. Quantitative structure-activity relationship modeling of rat acute toxicity "
       "by oral exposure. Chem Res Toxicol 22, 1913-1921 (2009)"),
    _b("hERG", "auroc", "whether the molecule blocks the hERG potassium channel", ("blocker", "non-blocker"), 648,
       "Wang S, Sun H, Liu H, et al. ADMET evaluation in drug discovery. 16. Predicting hERG blockers by combining "
       "multiple pharmacophores and machine learning approaches. Mol Pharm 13, 2855-2866 (2016)"),
    _b("AMES", "auroc", "whether the molecule is mutagenic in the Ames test", ("mutagenic", "non-mutagenic"), 7255,
       "Xu C, Cheng F, Chen L, et al. In silico prediction of chemical Ames mutagenicity. J Chem Inf Model 52, "
       "2840-2847 (2012)"),
    _b("DILI", "auroc", "whether the drug causes drug-induced liver injury", ("DILI+", "DILI-"), 475,
       "Xu Y, Dai Z, Chen F, et al. Deep learning for drug-induced liver injury. J Chem Inf Model 55, 2085-2093 "
       "(2015)"),
)  # fmt: skip
_BY_KEY = {d.key: d for d in TDC_DATASETS}


def tdc_task_names() -> list[str]:
    """The biorft names of the 22 TDC ADMET benchmark-group tasks, in TDC's order.

    Examples:
        >>> names = tdc_task_names()
        >>> len(names), names[0], names[-1]
        (22, 'tdc/caco2_wang', 'tdc/dili')
    """
    return [d.task_name for d in TDC_DATASETS]


def dataset_for(name: str) -> TDCDataset | None:
    """The TDC dataset behind ``"tdc/<dataset>"`` (any case: ``tdc/Caco2_Wang`` or ``tdc/caco2_wang``), or None.

    Examples:
        >>> dataset_for("tdc/Caco2_Wang").metric, dataset_for("tdc/nope")
        ('mae', None)
    """
    prefix, _, rest = name.partition("/")
    if prefix.lower() != "tdc":
        return None
    return _BY_KEY.get(rest.lower())


# -- TDC's scaffold split (the train / valid part of the benchmark protocol) ------------------------------------
def _tdc_scaffold(smiles: str) -> str | None:
    from rdkit import Chem
    from rdkit.Chem.Scaffolds import MurckoScaffold

    murcko: Any = MurckoScaffold.MurckoScaffoldSmiles
    mol: Any = Chem.MolFromSmiles(smiles)
    if mol is None:
        return None
    try:
        return str(murcko(mol=mol, includeChirality=False))
    except Exception:  # TDC omits a molecule RDKit fails on; so does this
        return None


def tdc_scaffold_split(
    scaffolds: Sequence[str | None], seed: int, frac: Sequence[float] = TRAIN_VALID_FRACTIONS
) -> tuple[list[int], list[int], list[int]]:
    """Row indices of train, valid and test as TDC's ``create_scaffold_split`` assigns them.

    The same algorithm as PyTDC (``tdc.utils.split.create_scaffold_split``): rows are grouped by Bemis-Murcko
    scaffold (first appearance order; rows whose scaffold is None are omitted), groups larger than half the valid
    or test size are shuffled first and the rest after them (``random.Random(seed)``), then each group goes to
    train if it fits, else to valid if it fits, else to test (with a zero test fraction: else to valid).

    Args:
        scaffolds: Scaffold SMILES per row (``MurckoScaffoldSmiles(includeChirality=False)`` of the raw SMILES).
        seed: TDC's seed (the ADMET leaderboard uses 1-5).
        frac: Train, valid and test fractions (TDC's benchmark uses 0.875, 0.125, 0 on ``train_val``).

    Returns:
        Train, valid and test row indices (each sorted).

    Examples:
        >>> tr, va, te = tdc_scaffold_split(["c1ccccc1", "c1ccccc1", "", "C1CC1", "C1CCC1", "", "C1CCCC1", ""], 1)
        >>> sorted(tr + va) == list(range(8)), te
        (True, [])
    """
    groups: dict[str, list[int]] = {}
    errors = 0
    for i, s in enumerate(scaffolds):
        if s is None:
            errors += 1
            continue
        groups.setdefault(s, []).append(i)
    n = len(scaffolds) - errors
    train_size = int(n * frac[0])
    val_size = int(n * frac[1])
    test_size = n - train_size - val_size
    big = [g for g in groups.values() if len(g) > val_size / 2 or len(g) > test_size / 2]
    small = [g for g in groups.values() if not (len(g) > val_size / 2 or len(g) > test_size / 2)]
    rng = random.Random(seed)
    rng.seed(seed)
    rng.shuffle(big)
    rng.shuffle(small)
    train: list[int] = []
    val: list[int] = []
    test: list[int] = []
    for group in big + small:
        if len(train) + len(group) <= train_size:
            train += group
        elif frac[2] == 0 or len(val) + len(group) <= val_size:
            val += group
        else:
            test += group
    return sorted(train), sorted(val), sorted(test)


# -- the task ---------------------------------------------------------------------------------------------------
class TDCTask(TaskDataset):
    """A TDC ADMET benchmark-group task: a [TaskDataset][biorft.datasets.TaskDataset] that knows TDC's benchmark split.

    Build one with ``biorft.load_task("tdc/<dataset>")``. Derived datasets (``head``, ``subset``, the parts of a
    split) are plain [TaskDataset][biorft.datasets.TaskDataset] objects.
    """

    def __init__(
        self,
        spec: TaskSpec,
        frame: pl.DataFrame,
        card: DatasetCard,
        *,
        train_val_scaffolds: Sequence[str | None],
        train_val_ids: Sequence[str | None],
    ) -> None:
        super().__init__(spec, frame, card)
        self._scaffolds = tuple(train_val_scaffolds)
        self._row_ids = tuple(train_val_ids)

    @property
    def tdc(self) -> TDCDataset:
        """The TDC dataset definition (name, metric, units)."""
        found = dataset_for(self.spec.name)
        if found is None:  # pragma: no cover - TDCTask is only built for known datasets
            raise DatasetError(f"{self.spec.name} is not a TDC ADMET benchmark-group task")
        return found

    def benchmark_splits(
        self,
        seeds: int | Sequence[int] = 5,
        *,
        method: str | None = None,
        test_fraction: float | None = None,
        valid_fraction: float = 0.1,
    ) -> list[Splits]:
        """TDC's benchmark splits: the fixed test set and one seeded scaffold train / valid split per seed.

        Args:
            seeds: How many seeds (``5`` = TDC's seeds 1-5), or the seeds themselves.
            method: None for TDC's protocol; any other method (with ``test_fraction`` / ``valid_fraction``) gives
                the generic benchmark splits of every task instead.
            test_fraction: Generic benchmark splits only.
            valid_fraction: Generic benchmark splits only.

        Returns:
            One [Splits][biorft.datasets.Splits] per seed; every ``test`` part is TDC's test set.

        Raises:
            DatasetError: For a bad ``seeds`` value.
        """
        if method is not None or test_fraction is not None or valid_fraction != 0.1:
            return super().benchmark_splits(
                seeds, method=method, test_fraction=test_fraction, valid_fraction=valid_fraction
            )
        if isinstance(seeds, bool):
            raise DatasetError(f"seeds must be a count or a list of integers, got {seeds!r}")
        chosen = list(range(1, seeds + 1)) if isinstance(seeds, int) else [int(s) for s in seeds]
        if not chosen:
            raise DatasetError(f"seeds must name at least one seed, got {seeds!r}")
        return [self._benchmark_split(s) for s in chosen]

    def split(
        self, method: str | None = None, fractions: Sequence[float] | None = None, seed: int | None = None
    ) -> Splits:
        """TDC's benchmark split for ``seed`` (default 1) with no ``method``; any other method as for every task.

        Examples:
            >>> # ds = biorft.load_task("tdc/caco2_wang"); ds.split() == ds.benchmark_splits([1])[0]
        """
        if method in (None, "tdc"):
            return self._benchmark_split(1 if seed is None else seed)
        return super().split(method, fractions or (0.8, 0.1, 0.1), 0 if seed is None else seed)

    def _benchmark_split(self, seed: int) -> Splits:
        import polars as pl

        from biorft.datasets._dataset import _label_counts
        from biorft.datasets._splits import Splits, _checksum

        train_rows, valid_rows, _ = tdc_scaffold_split(self._scaffolds, seed)
        train_ids = {i for i in (self._row_ids[r] for r in train_rows) if i is not None}
        valid_ids = {i for i in (self._row_ids[r] for r in valid_rows) if i is not None}
        frame = self.frame
        part = pl.col("_tdc_part")
        frames = {
            "train": frame.filter((part == "train_val") & pl.col("id").is_in(sorted(train_ids))),
            "valid": frame.filter((part == "train_val") & pl.col("id").is_in(sorted(valid_ids))),
            "test": frame.filter(part == "test"),
        }
        n = frame.height
        notes = [
            f"TDC ADMET benchmark protocol, seed {seed}: test = TDC's fixed test set; train / valid = TDC's "
            f"create_scaffold_split(train_val, seed={seed}, frac=[0.875, 0.125, 0.0]) on TDC's raw SMILES"
        ]
        keys = {name: set(f["inchikey"].str.slice(0, 14).to_list()) for name, f in frames.items()}
        shared = keys["train"] & keys["valid"]
        if shared:
            notes.append(
                f"{len(shared)} stereo-isomer group(s) (InChIKey connectivity block) sit in both train and valid, "
                f"as in TDC's split: {sorted(shared)[:3]}"
            )
        stats = SplitStats(
            method="tdc_benchmark",
            seed=seed,
            fractions=(0.7, 0.1, 0.2),
            sizes={k: f.height for k, f in frames.items()},
            achieved={k: round(f.height / n, 6) if n else 0.0 for k, f in frames.items()},
            label_counts={k: _label_counts(self.spec, f) for k, f in frames.items()},
            checksums={k: _checksum(sorted(str(x) for x in f["id"].to_list())) for k, f in frames.items()},
            notes=tuple(notes),
        )
        card = DatasetCard(**{**self.card.model_dump(), "splits": stats.model_dump()})
        parts = {k: TaskDataset(self.spec, f, card) for k, f in frames.items()}
        return Splits(train=parts["train"], valid=parts["valid"], test=parts["test"], stats=stats)


def _spec(d: TDCDataset) -> TaskSpec:
    kind = TaskKind.BINARY if d.kind == "binary" else TaskKind.REGRESSION
    if kind is TaskKind.BINARY:
        assert d.labels is not None
        ask = f"Decide {d.what}: answer {d.labels[0]} or {d.labels[1]}."
    else:
        ask = f"Predict {d.what}."
    transform = " The target is log10 of TDC's value (Spearman, TDC's metric, is unchanged)." if d.log10 else ""
    return TaskSpec(
        name=d.task_name,
        version="1.0.0",
        domain="molecules",
        kind=kind,
        labels=d.labels or (),
        positive_label=d.labels[0] if d.labels else None,
        units=d.units,
        tolerance=d.tolerance,
        description=(
            f"TDC ADMET benchmark group: {d.tdc_name} ({d.what}). TDC's fixed scaffold test set and five seeded "
            f"train / valid splits; TDC metric {d.tdc_metric}.{transform}"
        ),
        instructions=f"{_EXPERT} {ask}",
        metadata={
            "primary_metric": d.metric,
            "tdc_name": d.tdc_name,
            "tdc_metric": d.tdc_metric,
            "benchmark": "TDC ADMET benchmark group",
            "target_transform": "log10" if d.log10 else None,
        },
    )


def _read_member(archive: zipfile.ZipFile, key: str, part: str, where: str) -> pl.DataFrame:
    import polars as pl

    suffix = f"{key}/{part}.csv"
    names = [n for n in archive.namelist() if n.lower().endswith(suffix)]
    if not names:
        raise DatasetError(
            f"{where} has no {suffix}; it is not TDC's admet_group archive. Delete it so biorft downloads it again"
        )
    frame = pl.read_csv(io.BytesIO(archive.read(names[0])), infer_schema=False)
    missing = [c for c in ("Drug", "Y") if c not in frame.columns]
    if missing:
        raise DatasetError(f"{where}:{names[0]} lacks column(s) {missing}; TDC files have Drug_ID, Drug, Y")
    return frame


def _target(d: TDCDataset, raw: str | None) -> str | None:
    if raw is None:
        return None
    try:
        y = float(raw)
    except ValueError:
        return raw  # quarantined by the builder with the bad value named
    if not math.isfinite(y):
        return None
    if d.kind == "binary":
        return str(int(y)) if y in (0.0, 1.0) else raw
    if d.log10:
        return repr(math.log10(y)) if y > 0 else f"non-positive {y!r} (log10 undefined)"
    return repr(y)


def build_tdc_task(d: TDCDataset, fetched: FetchedFile, *, url: str = ADMET_GROUP.url) -> TDCTask:
    """Build one TDC task from the verified archive (no network)."""
    import polars as pl

    from biorft.datasets._dataset import _label_counts
    from biorft.datasets._molecules import molecule_task

    where = str(fetched.path)
    with zipfile.ZipFile(fetched.path) as archive:
        test = _read_member(archive, d.key, "test", where)
        train_val = _read_member(archive, d.key, "train_val", where)
    n_test, n_tv = test.height, train_val.height

    def rows(frame: pl.DataFrame, part: str) -> pl.DataFrame:
        drug_id = pl.col("Drug_ID") if "Drug_ID" in frame.columns else pl.lit(None, dtype=pl.String)
        return frame.select(
            (pl.lit(f"{part}-") + pl.int_range(pl.len()).cast(pl.String)).alias("id"),
            pl.col("Drug").alias("smiles"),
            pl.col("Y").map_elements(lambda y: _target(d, y), return_dtype=pl.String).alias("y"),
            pl.lit(part).alias("_tdc_part"),
            drug_id.alias("tdc_drug_id"),
        )

    spec = _spec(d)
    provenance = [
        Provenance(
            name=f"TDC ADMET benchmark group: {d.tdc_name}",
            url=url,
            citation=f"{d.source}; {TDC_CITATION}",
            licence=TDC_LICENCE,
            sha256=fetched.sha256,
            file=f"{ADMET_GROUP.name}:admet_group/{d.key}/{{test,train_val}}.csv",
        )
    ]
    notes = [
        f"source rows 0-{n_test - 1} are TDC's test.csv rows, rows {n_test}-{n_test + n_tv - 1} its train_val.csv "
        "rows (ids 'test-<i>' / 'train_val-<i>' give the row in each file)",
        f"archive verified: {fetched.size} bytes, sha256 {fetched.sha256} ("
        + (
            "pinned in biorft)"
            if fetched.trust == "pinned"
            else "trusted on first use: TDC publishes no checksum; recorded when this copy first arrived)"
        ),
        "test.csv and train_val.csv are built separately (duplicates merged within each file only), so no training "
        "row can change a test label",
    ]
    if d.rows is not None and d.rows != n_test + n_tv:
        notes.append(f"TDC's metadata lists {d.rows} rows for {d.tdc_name}; its benchmark files hold {n_test + n_tv}")
    if d.log10:
        notes.append("target = log10 of TDC's Y; non-positive values cannot be logged and are quarantined")
    built = [
        molecule_task(
            rows(part_frame, part),
            smiles="smiles",
            target="y",
            id="id",
            kind=spec.kind,
            name=spec.name,
            labels={"1": d.labels[0], "0": d.labels[1]} if d.labels else None,
            positive_label=spec.positive_label,
            duplicates="majority" if d.kind == "binary" else "mean",
            instructions=spec.instructions,
            description=spec.description,
            units=spec.units,
            tolerance=spec.tolerance,
            licence=TDC_LICENCE,
            citation=f"{d.source}; {TDC_CITATION}",
            keep_columns=["_tdc_part", "tdc_drug_id"],
            sources=provenance,
            notes=notes,
        )
        for part, part_frame in (("test", test), ("train_val", train_val))
    ]
    frame = pl.concat([b.frame for b in built], how="vertical_relaxed")
    quarantined = [
        *built[0].card.quarantined,
        *(QuarantinedRow(**{**q.model_dump(), "row": q.row + n_test}) for q in built[1].card.quarantined),
    ]
    card = DatasetCard(
        **{
            **built[0].card.model_dump(),
            "n_rows_in": n_test + n_tv,
            "n_kept": frame.height,
            "n_quarantined": len(quarantined),
            "quarantined": [q.model_dump() for q in quarantined],
        }
    )
    frame, card = _drop_test_compounds_from_train(frame, card, spec, n_test)
    kept_tv = set(frame.filter(pl.col("_tdc_part") == "train_val")["id"].to_list())
    from biorft.chem import quiet_rdkit

    with quiet_rdkit():
        scaffolds = [_tdc_scaffold(s) if s else None for s in train_val["Drug"].to_list()]
    row_ids = [f"train_val-{i}" if f"train_val-{i}" in kept_tv else None for i in range(n_tv)]
    n_test_kept = int((frame["_tdc_part"] == "test").sum())
    card = DatasetCard(
        **{
            **card.model_dump(),
            "description": spec.description,
            "checksums": {ADMET_GROUP.name: fetched.sha256},
            "references": [r.model_dump() for r in references_for(spec.name)],
            "label_counts": _label_counts(spec, frame),
            "notes": (*card.notes, f"TDC test rows kept in the test part: {n_test_kept} of {n_test}"),
        }
    )
    task = TDCTask(spec, frame, card, train_val_scaffolds=scaffolds, train_val_ids=row_ids)
    pinned = task._benchmark_split(1).stats
    card = DatasetCard(**{**card.model_dump(), "splits": pinned.model_dump()})
    return TDCTask(spec, frame, card, train_val_scaffolds=scaffolds, train_val_ids=row_ids)


def _drop_test_compounds_from_train(
    frame: pl.DataFrame, card: DatasetCard, spec: TaskSpec, n_test: int
) -> tuple[pl.DataFrame, DatasetCard]:
    """Quarantine train_val rows whose compound (InChIKey connectivity block) is in TDC's test set."""
    import polars as pl

    from biorft.datasets._dataset import _label_counts

    block = pl.col("inchikey").str.slice(0, 14)
    test_blocks = set(frame.filter(pl.col("_tdc_part") == "test").select(block)["inchikey"].to_list())
    leaking = frame.filter((pl.col("_tdc_part") == "train_val") & block.is_in(sorted(test_blocks)))
    if leaking.height == 0:
        return frame, card
    extra = [
        QuarantinedRow(
            row=n_test + int(str(r["id"]).rpartition("-")[2]),
            id=str(r["id"]),
            value=str(r["inchikey"]),
            reason=(
                f"same compound (InChIKey connectivity block {str(r['inchikey'])[:14]}) as a molecule of TDC's fixed "
                "test set; removed from train / valid so the test set stays leak-free"
            ),
        )
        for r in leaking.iter_rows(named=True)
    ]
    kept = frame.filter(~pl.col("id").is_in(leaking["id"].to_list()))
    quarantined = sorted([*card.quarantined, *extra], key=lambda q: (q.row, q.reason))
    return kept, DatasetCard(
        **{
            **card.model_dump(),
            "n_kept": kept.height,
            "n_quarantined": len(quarantined),
            "quarantined": [q.model_dump() for q in quarantined],
            "label_counts": _label_counts(spec, kept),
        }
    )


def load_tdc(name: str, *, download: bool = True) -> TDCTask:
    """Build ``tdc/<dataset>`` from the cached TDC archive, downloading it first when needed.

    Args:
        name: ``"tdc/<dataset>"``, any case (``tdc/Caco2_Wang``).
        download: Allow the one-time download (False: use a cached or hand-placed archive only).

    Returns:
        The `TDCTask`.

    Raises:
        DatasetError: Unknown dataset (listing the 22), or [DownloadError][biorft.errors.DownloadError] when the archive
            cannot be fetched or verified (naming the URL and where to place the file by hand).
    """
    d = dataset_for(name)
    if d is None:
        from biorft.datasets._io import did_you_mean

        raise DatasetError(
            f"unknown TDC task {name!r}{did_you_mean(name.lower(), tdc_task_names())}; the TDC ADMET benchmark "
            f"group has {', '.join(tdc_task_names())}"
        )
    return build_tdc_task(d, fetch(ADMET_GROUP, download=download))


def task_info_fields(d: TDCDataset) -> dict[str, Any]:
    """The [TaskInfo][biorft.schema.TaskInfo] fields of a TDC task, without downloading anything."""
    return {
        "name": d.task_name,
        "domain": "molecules",
        "kind": d.kind,
        "version": "1.0.0",
        "size": d.rows or 0,
        "licence": TDC_LICENCE,
        "description": f"TDC ADMET benchmark group: {d.tdc_name} (downloaded on first use)",
    }
