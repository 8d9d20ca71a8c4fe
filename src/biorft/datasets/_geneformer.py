"""More of Geneformer's gene classification tasks, as optional downloads: long- vs short-range TFs, N1 targets.

The label files are Python pickles in Genecorpus-30M (Theodoris et al. 2023, Apache-2.0) on Hugging Face. They
are fetched once through [_fetch][biorft.datasets._fetch] (cached, size and SHA-256 trusted on first use and checked
on every later load) and read with a restricted unpickler that only rebuilds plain containers and strings (never
arbitrary objects: a pickle can otherwise run code). Ensembl IDs resolve through the bundled gene table; IDs it does
not know are quarantined with the reason, like every gene task.

- ``genes/tf_regulatory_range``: transcription factors whose binding regulates genes at long range (distal
  enhancers) versus short range (promoter-proximal), Geneformer's ``tf_regulatory_range.pickle``.
- ``genes/notch1_targets``: NOTCH1 (N1) targets versus non-targets in endothelial cells, Geneformer's
  ``n1_target.pickle``.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from biorft.datasets._fetch import FetchedFile, RemoteFile, fetch, source_url
from biorft.datasets._references import references_for
from biorft.errors import DatasetError

if TYPE_CHECKING:
    from biorft.datasets._dataset import TaskDataset

__all__ = ["GENEFORMER_DOWNLOADS", "GeneformerDownload", "load_geneformer", "read_label_pickle"]

_BASE = (
    "https://huggingface.co/datasets/ctheodoris/Genecorpus-30M/resolve/main/example_input_files/gene_classification/"
)
_CITATION = (
    "Theodoris CV, Xiao L, Chopra A, et al. Transfer learning enables predictions in network biology. Nature 618, "
    "616-624 (2023). doi:10.1038/s41586-023-06139-9"
)
_EXPERT = "You are an expert in human genetics, gene regulation and chromatin biology."


@dataclass(frozen=True)
class GeneformerDownload:
    """One downloadable Geneformer gene task.

    Attributes:
        task_name: biorft task name.
        remote: The label file.
        labels: ``pickle key -> biorft label`` in the order (positive, negative).
        instructions: The task instruction.
        description: For people.
    """

    task_name: str
    remote: RemoteFile
    labels: Mapping[str, str]
    instructions: str
    description: str


GENEFORMER_DOWNLOADS: dict[str, GeneformerDownload] = {
    d.task_name: d
    for d in (
        GeneformerDownload(
            task_name="genes/tf_regulatory_range",
            remote=RemoteFile(
                name="geneformer/tf_regulatory_range.pickle",
                url=_BASE + "tf_regulatory_range/tf_regulatory_range.pickle",
                description="Geneformer's long- vs short-range TF labels (tf_regulatory_range.pickle)",
            ),
            labels={"long_range": "long-range", "short_range": "short-range"},
            instructions=(
                f"{_EXPERT} Does the human transcription factor below regulate its targets mainly at long range "
                "(through distal enhancers, far from the transcription start site) or at short range (near the "
                "promoter)? Answer long-range or short-range."
            ),
            description=(
                "Long-range versus short-range transcription factors: Geneformer's gene classification task "
                "(Theodoris et al. 2023), downloaded once from Genecorpus-30M."
            ),
        ),
        GeneformerDownload(
            task_name="genes/notch1_targets",
            remote=RemoteFile(
                name="geneformer/n1_target.pickle",
                url=_BASE + "notch1_network/n1_target.pickle",
                description="Geneformer's NOTCH1 target labels (n1_target.pickle)",
            ),
            labels={},  # the file's two keys, positive first (see read_label_pickle)
            instructions=(
                f"{_EXPERT} In human endothelial cells, is the gene below a direct target of NOTCH1 (N1) "
                "signalling? Answer with one of the labels given."
            ),
            description=(
                "NOTCH1 (N1) targets versus non-targets in endothelial cells: Geneformer's gene classification task "
                "(Theodoris et al. 2023), downloaded once from Genecorpus-30M."
            ),
        ),
    )
}


class _PlainUnpickler(pickle.Unpickler):
    """Rebuilds dicts, lists, tuples, sets and strings only; any class reference is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise DatasetError(
            f"the label file asks to load {module}.{name}; biorft only reads pickles of plain lists and strings "
            "(a pickle can run code), so it is not loaded"
        )


def read_label_pickle(data: bytes, *, where: str) -> dict[str, list[str]]:
    """A Geneformer label pickle as ``{class: [gene ids]}`` (only plain containers and strings are accepted).

    Raises:
        DatasetError: A pickle with objects, or not a mapping of class -> list of strings.

    Examples:
        >>> import pickle
        >>> read_label_pickle(pickle.dumps({"long_range": ["ENSG1"], "short_range": ("ENSG2",)}), where="x")
        {'long_range': ['ENSG1'], 'short_range': ['ENSG2']}
        >>> read_label_pickle(pickle.dumps(object()), where="x")
        Traceback (most recent call last):
        ...
        biorft.errors.DatasetError: the label file asks to load builtins.object; biorft only reads pickles of \
plain lists and strings (a pickle can run code), so it is not loaded
    """
    try:
        obj = _PlainUnpickler(io.BytesIO(data)).load()
    except DatasetError:
        raise
    except Exception as exc:
        raise DatasetError(f"{where} is not a readable pickle ({exc}); delete it so biorft downloads it again") from exc
    if not isinstance(obj, dict) or not all(
        isinstance(k, str) and isinstance(v, list | tuple | set) and all(isinstance(g, str) for g in v)
        for k, v in obj.items()
    ):
        raise DatasetError(f"{where} does not hold {{class: [gene ids]}}; got {type(obj).__name__}")
    return {k: [str(g) for g in v] for k, v in obj.items()}


def _label(key: str) -> str:
    return key.strip().replace("_", "-").replace(" ", "-").lower()


def build_geneformer_task(d: GeneformerDownload, fetched: FetchedFile) -> TaskDataset:
    """Build the task from the verified label file (no network)."""
    import polars as pl

    from biorft.datasets._dataset import TaskDataset
    from biorft.datasets._genes import gene_task
    from biorft.schema import DatasetCard, Provenance

    classes = read_label_pickle(fetched.path.read_bytes(), where=str(fetched.path))
    if d.labels:
        missing = [k for k in d.labels if k not in classes]
        if missing:
            raise DatasetError(f"{fetched.path} lacks the classes {missing}; it has {sorted(classes)}")
        mapping = dict(d.labels)
    else:
        if len(classes) != 2:
            raise DatasetError(f"{fetched.path} should hold two classes, it has {sorted(classes)}")
        mapping = {k: _label(k) for k in classes}
    order = list(mapping)
    frame = pl.DataFrame(
        {
            "gene": [g for k in order for g in classes[k]],
            "label": [mapping[k] for k in order for _ in classes[k]],
        }
    )
    offsets, start = [], 0
    for k in order:
        offsets.append(f"{mapping[k]} ({k}): rows {start}-{start + len(classes[k]) - 1}")
        start += len(classes[k])
    labels = tuple(mapping[k] for k in order)
    trust = "pinned in biorft" if fetched.trust == "pinned" else "trusted on first use: recorded when this copy arrived"
    ds = gene_task(
        frame,
        gene="gene",
        target="label",
        kind="binary",
        name=d.task_name,
        labels=labels,
        positive_label=labels[0],
        duplicates="drop",
        instructions=d.instructions + (f" Labels: {labels[0]} or {labels[1]}." if not d.labels else ""),
        description=d.description,
        licence="Apache-2.0",
        citation=_CITATION,
        sources=[
            Provenance(
                name=f"Genecorpus-30M {d.remote.name.rsplit('/', 1)[-1]}",
                url=d.remote.url,
                citation=_CITATION,
                licence="Apache-2.0",
                sha256=fetched.sha256,
                file=d.remote.name,
            )
        ],
        notes=[
            "classes concatenated in this order, rows numbered from 0: " + "; ".join(offsets),
            f"label file verified: {fetched.size} bytes, sha256 {fetched.sha256} ({trust}); fetched from "
            f"{source_url(d.remote)}",
            "a gene listed in both classes is a conflict and removed",
        ],
    )
    card = DatasetCard(
        **{
            **ds.card.model_dump(),
            "checksums": {d.remote.name: fetched.sha256},
            "references": [r.model_dump() for r in references_for(d.task_name)],
        }
    )
    return TaskDataset(ds.spec, ds.frame, card)


def load_geneformer(name: str, *, download: bool = True) -> TaskDataset:
    """Build ``genes/tf_regulatory_range`` or ``genes/notch1_targets``, downloading the label file once.

    Raises:
        DatasetError: Unknown name, or [DownloadError][biorft.errors.DownloadError] when the file cannot be fetched or
            verified (naming the URL and where to place the file by hand).
    """
    d = GENEFORMER_DOWNLOADS.get(name)
    if d is None:
        raise DatasetError(f"{name!r} is not a downloadable Geneformer task; use one of {sorted(GENEFORMER_DOWNLOADS)}")
    return build_geneformer_task(d, fetch(d.remote, download=download))


def geneformer_task_names() -> Sequence[str]:
    """The downloadable Geneformer task names.

    Examples:
        >>> list(geneformer_task_names())
        ['genes/tf_regulatory_range', 'genes/notch1_targets']
    """
    return list(GENEFORMER_DOWNLOADS)
