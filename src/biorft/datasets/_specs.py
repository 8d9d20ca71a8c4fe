"""Definitions of the bundled tasks: specs, sources, licences and citations (used by the curation script).

The registry does not import this module: it reads the specs that curation wrote to ``data/index.json``.
"""

from __future__ import annotations

from typing import Any

from biorft.schema import TaskSpec

__all__ = [
    "BUNDLED",
    "EXCLUSIVE_GENE_LABELS",
    "GENEFORMER",
    "MOLECULE_DATA_VERSION",
    "TOX21_ASSAYS",
    "TOX21_ASSAY_TASKS",
]

#: Version of the bundled molecule tasks (every molecule card and index entry carries it).
MOLECULE_DATA_VERSION = "2.0.0"

GENEFORMER: dict[str, Any] = {
    "name": "Geneformer example input files",
    "url": "https://huggingface.co/ctheodoris/Geneformer",
    "licence": "Apache-2.0",
    "citation": (
        "Theodoris CV, Xiao L, Chopra A, et al. Transfer learning enables predictions in network biology. "
        "Nature 618, 616-624 (2023). doi:10.1038/s41586-023-06139-9"
    ),
}
B3DB: dict[str, Any] = {
    "name": "B3DB",
    "url": "https://github.com/theochem/B3DB",
    "licence": "CC0-1.0",
    "citation": (
        "Meng F, Xi Y, Huang J, Ayers PW. A curated diverse molecular database of blood-brain barrier "
        "permeability with chemical descriptors. Sci Data 8, 289 (2021). doi:10.1038/s41597-021-01069-5"
    ),
}
AQSOLDB: dict[str, Any] = {
    "name": "AqSolDB",
    "url": "https://doi.org/10.7910/DVN/OVHAW8",
    "licence": "CC0-1.0",
    "citation": (
        "Sorkun MC, Khetan A, Er S. AqSolDB, a curated reference set of aqueous solubility and 2D descriptors "
        "for a diverse set of compounds. Sci Data 6, 143 (2019). doi:10.1038/s41597-019-0151-1"
    ),
}
TOX21: dict[str, Any] = {
    "name": "Tox21 Data Challenge 2014 (MoleculeNet CSV)",
    "url": "https://tripod.nih.gov/tox21/challenge/",
    "licence": "public domain (US government work)",
    "citation": (
        "Huang R, Xia M, Nguyen D-T, et al. Tox21 Challenge to build predictive models of nuclear receptor and "
        "stress response pathways as mediated by exposure to environmental chemicals and drugs. Front Environ Sci "
        "3, 85 (2016); Wu Z, Ramsundar B, Feinberg EN, et al. MoleculeNet. Chem Sci 9, 513-530 (2018)"
    ),
}

EXCLUSIVE_GENE_LABELS: tuple[dict[str, Any], ...] = (
    {
        "tasks": ("genes/bivalent_vs_no_methylation", "genes/bivalent_vs_lys4_only"),
        "reason": (
            "the labels are promoter chromatin states of one cell type (human embryonic stem cells) and exclude each "
            "other (bivalent: H3K4me3 and H3K27me3; lys4-only: H3K4me3 without H3K27me3; non-methylated: neither), "
            "yet Geneformer's source lists (lys4_only_gene_labels.txt and no_methylation_gene_labels.txt) both hold "
            "these genes; at most one label can be right, so treat their examples as noisy"
        ),
    },
)
"""Groups of bundled gene tasks whose labels are mutually exclusive states of one property: a gene labelled
differently in two of them is a cross-task conflict, listed in both cards with the reason."""

TOX21_ASSAYS = (
    "NR-AR", "NR-AR-LBD", "NR-AhR", "NR-Aromatase", "NR-ER", "NR-ER-LBD", "NR-PPAR-gamma",
    "SR-ARE", "SR-ATAD5", "SR-HSE", "SR-MMP", "SR-p53",
)  # fmt: skip

_GENE_EXPERT = "You are an expert in human genetics, gene regulation and chromatin biology."
_CHEM_EXPERT = "You are an expert medicinal chemist and toxicologist."

_BIVALENT_SYN = ("bivalent promoter", "bivalently marked", "bivalent chromatin", "H3K4me3 and H3K27me3")

BUNDLED: dict[str, dict[str, Any]] = {
    "genes/dosage_sensitive_tfs": {
        "spec": TaskSpec(
            name="genes/dosage_sensitive_tfs",
            version="2.0.0",
            domain="genes",
            kind="binary",
            labels=("dosage-sensitive", "dosage-insensitive"),
            positive_label="dosage-sensitive",
            label_synonyms={
                "dosage-sensitive": ("dosage sensitive", "sensitive", "dosage_sensitive", "haploinsufficient", "yes"),
                "dosage-insensitive": (
                    "dosage insensitive",
                    "insensitive",
                    "dosage_insensitive",
                    "dosage-tolerant",
                    "no",
                ),
            },
            description=(
                "Dosage-sensitive (122) versus dosage-insensitive (366) human transcription factors, the gene "
                "classification benchmark of Geneformer (Theodoris et al. 2023). Genes are current symbols mapped "
                "offline from Ensembl IDs (one row per gene). Most insensitive genes are zinc fingers: the canonical "
                "split keeps gene families in one part."
            ),
            instructions=(
                f"{_GENE_EXPERT} Decide whether the human transcription factor below is dosage-sensitive (a change "
                "of its copy number, such as losing one copy, is poorly tolerated: haploinsufficient or "
                "triplosensitive genes, often linked to dominant disease) or dosage-insensitive."
            ),
            metadata={"source": "Geneformer dosage_sens_tf_labels.csv"},
        ),
        "source": GENEFORMER,
    },
    "genes/bivalent_vs_no_methylation": {
        "spec": TaskSpec(
            name="genes/bivalent_vs_no_methylation",
            version="2.0.0",
            domain="genes",
            kind="binary",
            labels=("bivalent", "non-methylated"),
            positive_label="bivalent",
            label_synonyms={
                "bivalent": _BIVALENT_SYN,
                "non-methylated": (
                    "no methylation",
                    "no-methylation",
                    "no_methylation",
                    "unmethylated",
                    "not methylated",
                    "nonmethylated",
                ),
            },
            description=(
                "Genes whose promoters are bivalent (H3K4me3 + H3K27me3) versus non-methylated (neither mark) in "
                "human embryonic stem cells: Geneformer's chromatin-state benchmark (Theodoris et al. 2023)."
            ),
            instructions=(
                f"{_GENE_EXPERT} In human embryonic stem cells, is the promoter of the gene below bivalent "
                "(carrying both the activating H3K4me3 and the repressive H3K27me3 histone marks) or "
                "non-methylated (carrying neither H3K4me3 nor H3K27me3)?"
            ),
            metadata={"source": "Geneformer bivalent_gene_labels.txt, no_methylation_gene_labels.txt"},
        ),
        "source": GENEFORMER,
    },
    "genes/bivalent_vs_lys4_only": {
        "spec": TaskSpec(
            name="genes/bivalent_vs_lys4_only",
            version="2.0.0",
            domain="genes",
            kind="binary",
            labels=("bivalent", "lys4-only"),
            positive_label="bivalent",
            label_synonyms={
                "bivalent": _BIVALENT_SYN,
                "lys4-only": (
                    "lys4 only",
                    "lys4_only",
                    "Lys4-only",
                    "H3K4me3-only",
                    "H3K4me3 only",
                    "K4-only",
                    "H3K4me3 alone",
                ),
            },
            description=(
                "Genes whose promoters are bivalent (H3K4me3 + H3K27me3) versus Lys4-only (H3K4me3 without "
                "H3K27me3) in human embryonic stem cells: Geneformer's chromatin-state benchmark."
            ),
            instructions=(
                f"{_GENE_EXPERT} In human embryonic stem cells, is the promoter of the gene below bivalent "
                "(carrying both H3K4me3 and H3K27me3) or lys4-only (carrying H3K4me3 but not H3K27me3)?"
            ),
            metadata={"source": "Geneformer bivalent_gene_labels.txt, lys4_only_gene_labels.txt"},
        ),
        "source": GENEFORMER,
    },
    "molecules/bbb_b3db": {
        "spec": TaskSpec(
            name="molecules/bbb_b3db",
            version=MOLECULE_DATA_VERSION,
            domain="molecules",
            kind="binary",
            labels=("BBB+", "BBB-"),
            positive_label="BBB+",
            label_synonyms={
                "BBB+": ("BBB positive", "permeable", "BBB-permeable", "penetrant", "crosses", "yes"),
                "BBB-": ("BBB negative", "impermeable", "non-permeable", "BBB-impermeable", "non-penetrant", "no"),
            },
            description=(
                "Blood-brain-barrier permeability (BBB+ / BBB-) of small molecules from B3DB (Meng et al. 2021), "
                "standardised with RDKit and de-duplicated by InChIKey; stereoisomers and tautomers of one compound "
                "form one group (a split never separates them; a group with conflicting labels keeps its majority "
                "label). Source quality kept as metadata: logbb (measured logBB, when B3DB has one) and "
                "b3db_category (B3DB's data category A-D)."
            ),
            instructions=(
                f"{_CHEM_EXPERT} Decide whether the molecule below crosses the blood-brain barrier: BBB+ "
                "(permeable; logBB >= -1 or known to reach the central nervous system) or BBB- (not permeable)."
            ),
            metadata={"source": "B3DB_classification.tsv"},
        ),
        "source": B3DB,
    },
    "molecules/solubility_aqsoldb": {
        "spec": TaskSpec(
            name="molecules/solubility_aqsoldb",
            version=MOLECULE_DATA_VERSION,
            domain="molecules",
            kind="regression",
            units="log10(mol/L)",
            tolerance=0.5,
            value_range=(-14.0, 3.0),
            description=(
                "Aqueous solubility LogS (log10 of mol/L) from AqSolDB (Sorkun et al. 2019); single-component "
                "molecules only (salts and mixtures quarantined: their solubility is that of the salt form), "
                "standardised with RDKit, duplicates averaged; stereoisomers and tautomers of one compound form one "
                "group (rows further than 0.5 log units from their group's median are quarantined). Source quality "
                "kept as metadata: sd (spread of the merged measurements), occurrences and reliability (AqSolDB's "
                "reliability group G1-G5). An answer within 0.5 log units counts as correct."
            ),
            instructions=(
                f"{_CHEM_EXPERT} Predict the aqueous solubility of the molecule below at room temperature as LogS, "
                "the base-10 logarithm of its solubility in mol/L."
            ),
            metadata={"source": "AqSolDB data_curated.csv"},
        ),
        "source": AQSOLDB,
    },
    "molecules/tox21": {
        "spec": TaskSpec(
            name="molecules/tox21",
            version=MOLECULE_DATA_VERSION,
            domain="molecules",
            kind="multilabel",
            labels=TOX21_ASSAYS,
            description=(
                "Tox21 Data Challenge: activity in 12 nuclear-receptor (NR) and stress-response (SR) assays. Not "
                "every molecule was tested in every assay: each example lists the assays measured "
                "(known_labels); a missing result is not a negative."
            ),
            instructions=(
                f"{_CHEM_EXPERT} Which of the Tox21 assays below is the molecule active in? NR-AR (androgen "
                "receptor, full length), NR-AR-LBD (androgen receptor ligand-binding domain), NR-AhR (aryl "
                "hydrocarbon receptor), NR-Aromatase (aromatase inhibition), NR-ER (estrogen receptor alpha, full "
                "length), NR-ER-LBD (estrogen receptor ligand-binding domain), NR-PPAR-gamma (PPAR-gamma "
                "agonism), SR-ARE (antioxidant response element), SR-ATAD5 (genotoxicity, ATAD5), SR-HSE (heat "
                "shock response), SR-MMP (mitochondrial membrane potential disruption), SR-p53 (p53 DNA-damage "
                "response)."
            ),
            metadata={"source": "tox21.csv (MoleculeNet)"},
        ),
        "source": TOX21,
    },
}


_TOX21_ASSAY_TEXT = {
    "NR-AR": "activates the androgen receptor (full-length receptor, cell-based agonist assay)",
    "NR-AR-LBD": "activates the androgen receptor ligand-binding domain (agonist assay)",
    "NR-AhR": "activates the aryl hydrocarbon receptor (agonist assay)",
    "NR-Aromatase": "inhibits aromatase (CYP19A1)",
    "NR-ER": "activates estrogen receptor alpha (full-length receptor, agonist assay)",
    "NR-ER-LBD": "activates the estrogen receptor ligand-binding domain (agonist assay)",
    "NR-PPAR-gamma": "activates PPAR-gamma (agonist assay)",
    "SR-ARE": "activates the antioxidant response element (oxidative stress)",
    "SR-ATAD5": "induces ATAD5 (genotoxicity)",
    "SR-HSE": "activates the heat shock response element",
    "SR-MMP": "disrupts the mitochondrial membrane potential",
    "SR-p53": "activates p53 signalling (DNA damage response)",
}


def _tox21_assay_spec(assay: str) -> TaskSpec:
    return TaskSpec(
        name=f"molecules/tox21/{assay.lower()}",
        version=MOLECULE_DATA_VERSION,
        domain="molecules",
        kind="binary",
        labels=("active", "inactive"),
        positive_label="active",
        label_synonyms={"active": ("positive", "yes", "toxic"), "inactive": ("negative", "no", "non-toxic")},
        description=(
            f"Tox21 Data Challenge assay {assay}: is the molecule active (it {_TOX21_ASSAY_TEXT[assay]})? One of "
            "the 12 per-assay binary tasks (scored by ROC-AUC in MoleculeNet and TDC); molecules not tested in "
            "this assay are left out."
        ),
        instructions=(
            f"{_CHEM_EXPERT} Is the molecule below active in the Tox21 {assay} assay (active: the molecule "
            f"{_TOX21_ASSAY_TEXT[assay]})? Answer active or inactive."
        ),
        metadata={"source": "tox21.csv (MoleculeNet)", "assay": assay},
    )


#: Tox21 per-assay binary tasks: task name -> assay column.
TOX21_ASSAY_TASKS: dict[str, str] = {f"molecules/tox21/{a.lower()}": a for a in TOX21_ASSAYS}
for _assay in TOX21_ASSAYS:
    BUNDLED[f"molecules/tox21/{_assay.lower()}"] = {"spec": _tox21_assay_spec(_assay), "source": TOX21}
