"""Published results on bundled and downloadable tasks, carried in their dataset cards as reference rows.

One table, keyed by task name; curation copies a task's entries into its card (``DatasetCard.references``) and
reports show them beside the model as reference rows, never as runs. Every entry cites its source; where no
published number could be found, the entry has ``value=None`` and a note that says so.
"""

from __future__ import annotations

from biorft.schema import ReferenceResult

__all__ = ["REFERENCES", "references_for"]

_GENEFORMER_CITATION = (
    "Theodoris CV, Xiao L, Chopra A, et al. Transfer learning enables predictions in network biology. Nature 618, "
    "616-624 (2023). doi:10.1038/s41586-023-06139-9"
)
_GENEFORMER_URL = "https://doi.org/10.1038/s41586-023-06139-9"
_GENEFORMER_PROTOCOL = (
    "Geneformer (6 layers, pretrained on Genecorpus-30M) fine-tuned per task on single-cell transcriptomes; gene "
    "classification AUC (+/- sd) from 5-fold cross-validation, training on 80% of the gene labels and predicting "
    "the held-out 20% (paper's Methods); folds were not grouped by gene family"
)


def _figure_only(protocol: str, figure: str, shown_as: str) -> ReferenceResult:
    """A Geneformer result the paper gives only in a figure: no value, and a note that says so."""
    return ReferenceResult(
        model="Geneformer",
        metric="auroc",
        value=None,
        protocol=_GENEFORMER_PROTOCOL + protocol,
        citation=f"{_GENEFORMER_CITATION}, {figure}",
        url=_GENEFORMER_URL,
        note=(
            f"no published number found in text form: the paper shows this task as {shown_as} in a figure "
            f"({figure.split(' (')[0]}); no value is recorded rather than one read off an image"
        ),
    )


REFERENCES: dict[str, tuple[ReferenceResult, ...]] = {
    "genes/dosage_sensitive_tfs": (
        ReferenceResult(
            model="Geneformer",
            metric="auroc",
            value=0.91,
            protocol=_GENEFORMER_PROTOCOL + "; fine-tuned with about 10,000 cells (Fig. 2)",
            citation=_GENEFORMER_CITATION + ", Fig. 2 (dosage-sensitive vs -insensitive transcription factors)",
            url=_GENEFORMER_URL,
            note=(
                "the paper gives this AUC in a figure panel, not in the text; 0.91 is the value quoted in published "
                "summaries of the paper (e.g. mil152.github.io/posts/2024/12/blog-post-geneformer), its sd is not "
                "restated there; gene-level 5-fold CV without family grouping "
                "is not the family folds biorft uses, so the numbers are not strictly comparable"
            ),
        ),
    ),
    "genes/bivalent_vs_no_methylation": (
        _figure_only(
            "; fine-tuned on 80% of genome-wide loci, predicted on the other 20%",
            "Extended Data Fig. 8c (bivalent vs non-methylated genes)",
            "confusion matrices and F1 scores",
        ),
    ),
    "genes/bivalent_vs_lys4_only": (
        _figure_only(
            "; fine-tuned with about 15,000 embryonic stem cells",
            "Extended Data Fig. 8a-b (bivalent vs Lys4-only genes)",
            "ROC curves and confusion matrices",
        ),
    ),
}
"""Task name -> published results on that task (filled per task domain)."""


def references_for(task: str) -> tuple[ReferenceResult, ...]:
    """The published results recorded for a task (empty when none are recorded).

    Examples:
        >>> references_for("no/such_task")
        ()
        >>> [(r.model, r.value) for r in references_for("genes/dosage_sensitive_tfs")]
        [('Geneformer', 0.91)]
    """
    return REFERENCES.get(task, ())
