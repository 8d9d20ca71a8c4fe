"""A catalogue of graders (every kind and option family) and hypothesis strategies for their inputs."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from biorft.graders import (
    FormatGrader,
    Gate,
    Grader,
    LabelGrader,
    MaxOf,
    MinOf,
    MoleculeGrader,
    NumericGrader,
    SetGrader,
    ValidMoleculeGrader,
    WeightedSum,
    grader_for,
)
from biorft.schema import TaskSpec

BBB = ("BBB+", "BBB-")
GENES = ("sensitive", "insensitive")
GENE_SYNONYMS = {"sensitive": ("dosage sensitive", "haploinsufficient"), "insensitive": ("dosage insensitive",)}
TOX = ("NR-AR", "NR-AhR", "SR-p53", "SR-MMP")
TOX_PREVALENCE = {"NR-AR": 0.05, "NR-AhR": 0.12, "SR-p53": 0.5, "SR-MMP": 0.7}
RETRACTIONS = (
    "Actually no, it is something else.",
    "Wait, scratch that.",
    "No, the other one.",
    "Correction: see above",
)
SMILES = (
    "CCO",
    "OCC",
    "c1ccccc1O",
    "Oc1ccccc1",
    "CC(=O)Oc1ccccc1C(=O)O",
    "OC(=O)c1ccccc1OC(C)=O",
    "CC(=O)Oc1ccccc1C(=O)[O-].[Na+]",
    "C[C@H](N)C(=O)O",
    "C[C@@H](N)C(=O)O",
    "CC(N)C(=O)O",
    "CCN(CC)CC",
    "CC[NH+](CC)CC.[Cl-]",
    "c1ccc2ccccc2c1",
    "O=C(O)c1ccccc1",
    "CN1CCC[C@H]1c1cccnc1",
    "Oc1ccc(cc1)/C=C/c1cc(O)cc(O)c1",
    "C1CC",
    "c1cccc1",
    "not a smiles",
    "[Xx]",
    "",
)


def catalogue() -> dict[str, Grader]:
    """Named graders covering every kind, mode and option family."""
    bbb = LabelGrader(BBB, name="bbb")
    genes = LabelGrader(GENES, GENE_SYNONYMS, name="genes")
    logs = NumericGrader(abs_tol=0.5, units=["log(mol/L)"], name="logs")
    spec = TaskSpec(
        name="molecules/conc",
        domain="molecules",
        kind="regression",
        units="nM",
        tolerance=0.3,
        instructions="Predict the IC50.",
    )
    return {
        "label_strict": bbb,
        "label_lenient": LabelGrader(BBB, {"BBB+": ["permeable"], "BBB-": ["impermeable"]}, mode="lenient"),
        "label_synonyms": genes,
        "label_multiclass": LabelGrader(["low", "medium", "high", "very high"], mode="lenient", name="mc"),
        "set_f1": SetGrader(TOX, name="tox"),
        "set_jaccard_lenient": SetGrader(TOX, metric="jaccard", mode="lenient"),
        "set_balanced": SetGrader(TOX, metric="balanced", prevalence=TOX_PREVALENCE, name="tox_balanced"),
        "set_balanced_lenient": SetGrader(TOX, metric="balanced", prevalence=TOX_PREVALENCE, mode="lenient"),
        "number_exp": logs,
        "number_linear_rel": NumericGrader(rel_tol=0.1, decay="linear", width=2.0),
        "number_gauss_log": NumericGrader(abs_tol=0.2, decay="gaussian", scale="log", mode="lenient"),
        "number_none_bounds": NumericGrader(abs_tol=1.0, decay="none", bounds=(-10.0, 10.0)),
        "number_for_spec": grader_for(spec),
        "molecule": MoleculeGrader(),
        "molecule_skeleton_lenient": MoleculeGrader(match="skeleton", partial_max=0.8, mode="lenient"),
        "molecule_no_partial": MoleculeGrader(similarity="none"),
        "valid_molecule": ValidMoleculeGrader(),
        "format": FormatGrader(),
        "format_json_lenient": FormatGrader(["json", "output_json"], mode="lenient"),
        "weighted": WeightedSum([(0.8, genes), (0.2, FormatGrader(["json"]))]),
        "gate": Gate(FormatGrader(["tag", "json"]), bbb),
        "min": MinOf([logs, NumericGrader(abs_tol=0.1, decay="linear", target_field="alt")]),
        "max": MaxOf([MoleculeGrader(), ValidMoleculeGrader()]),
    }


KIND_OF = {
    "label_strict": "bbb",
    "label_lenient": "bbb",
    "label_synonyms": "genes",
    "label_multiclass": "multiclass",
    "set_f1": "set",
    "set_jaccard_lenient": "set",
    "set_balanced": "set",
    "set_balanced_lenient": "set",
    "number_exp": "number",
    "number_linear_rel": "number",
    "number_gauss_log": "positive",
    "number_none_bounds": "number",
    "number_for_spec": "positive",
    "molecule": "molecule",
    "molecule_skeleton_lenient": "molecule",
    "molecule_no_partial": "molecule",
    "valid_molecule": "molecule",
    "format": "bbb",
    "format_json_lenient": "bbb",
    "weighted": "genes",
    "gate": "bbb",
    "min": "number",
    "max": "molecule",
}

# ---- strategies -----------------------------------------------------------------------------------------------

# Reasoning text that cannot contain an answer marker, tag, JSON object or confidence line.
reasoning = st.text(
    alphabet=st.characters(blacklist_characters=':<>{}"`\uff1a', blacklist_categories=("Cs",)), max_size=200
).map(lambda s: s.replace("\r", " "))


def _case_variants(word: str) -> st.SearchStrategy[str]:
    return st.sampled_from([word, word.upper(), word.lower(), word.title(), f" {word} ", f"**{word}**", f"{word}."])


def _label_answers(
    labels: tuple[str, ...], synonyms: dict[str, tuple[str, ...]] | None = None
) -> st.SearchStrategy[str]:
    spellings = list(labels) + [s for v in (synonyms or {}).values() for s in v]
    variants = st.sampled_from(spellings).flatmap(_case_variants)
    joined = st.sampled_from(spellings).flatmap(lambda w: st.just(w.replace(" ", "-")))
    hedges = st.tuples(st.sampled_from(spellings), st.sampled_from(spellings)).map(
        lambda ab: st.sampled_from([f"{ab[0]} or {ab[1]}", f"{ab[0]}/{ab[1]}", "both", f"either {ab[0]}"])
    )
    return st.one_of(variants, joined, hedges.flatmap(lambda s: s), st.text(max_size=20), st.sampled_from(["", "BBB"]))


def _number_answers(positive: bool = False) -> st.SearchStrategy[str]:
    floats = st.floats(min_value=1e-6 if positive else -1e6, max_value=1e6, allow_nan=False)
    formats = st.sampled_from(
        ["{:g}", "{!r}", "{:.3e}", "{:,.2f}", "~{:.2f} log(mol/L)", "{:.2f} nM", "{:.1f}-{:.1f}", "\u2212{:.2f}"]
    )
    formatted = st.tuples(formats, floats, floats).map(
        lambda t: t[0].format(t[1], t[2]) if "-{" in t[0] else t[0].format(t[1])
    )
    return st.one_of(formatted, st.sampled_from(["nan", "inf", "-inf", "1e999", "3.2 x 10^-4", "1 234", "", "abc"]))


def _set_answers() -> st.SearchStrategy[Any]:
    labels = st.lists(st.sampled_from([*TOX, "nr-ar", "SR p53", "junk"]), max_size=5)
    return st.one_of(labels, labels.map(", ".join), labels.map(json.dumps), labels.map(" and ".join), st.just("none"))


def answers(kind: str) -> st.SearchStrategy[Any]:
    if kind == "bbb":
        return _label_answers(BBB, {"BBB+": ("permeable",)})
    if kind == "genes":
        return _label_answers(GENES, GENE_SYNONYMS)
    if kind == "multiclass":
        return _label_answers(("low", "medium", "high", "very high"))
    if kind == "set":
        return _set_answers()
    if kind in ("number", "positive"):
        return st.one_of(_number_answers(kind == "positive"), st.floats(allow_nan=True), st.integers())
    return st.one_of(st.sampled_from(SMILES), st.text(alphabet="CNOc1()=[]+-@#.", max_size=15))


def _wrap(answer: Any, form: str, confidence: float | None) -> str:
    text = answer if isinstance(answer, str) else json.dumps(answer)
    conf = f"\nConfidence: {confidence}" if confidence is not None else ""
    if form == "line":
        return f"Answer: {text}{conf}"
    if form == "bold":
        return f"**Final answer:** {text}{conf}"
    if form == "tag":
        return f"<answer>{text}</answer>{conf}"
    if form == "json":
        body: dict[str, Any] = {"answer": answer}
        if confidence is not None:
            body["confidence"] = confidence
        return json.dumps(body, ensure_ascii=False)
    if form == "boxed":
        return f"Thus $\\boxed{{{text}}}$.{conf}"
    if form == "fence":
        return f"```json\n{json.dumps({'answer': answer})}\n```{conf}"
    if form == "dupjson":  # the answer key twice: json.loads keeps the last value
        return f'{{"answer": {json.dumps(answer)}, "answer": {json.dumps(text + " x")}}}'
    return text


forms = st.sampled_from(["line", "bold", "tag", "json", "fence", "boxed", "bare", "dupjson"])
confidences = st.one_of(
    st.none(), st.floats(min_value=0, max_value=1), st.sampled_from([1.5, -0.1, 1e-9, "80%", "150%", "2.5e-1"])
)


def outputs(kind: str) -> st.SearchStrategy[str]:
    """Model outputs: reasoning, then one or two stated answers in any form, plus junk and raw text."""
    stated = st.builds(_wrap, answers(kind), forms, confidences)
    structured = st.builds(
        lambda pre, first, second, post: "\n".join(p for p in (pre, first, second, post) if p),
        reasoning,
        stated,
        st.one_of(st.just(""), stated),
        st.sampled_from(["", "\n\n", "Thanks.", *RETRACTIONS]),
    )
    return st.one_of(structured, st.text(max_size=300), stated)


def samples(kind: str) -> st.SearchStrategy[Any]:
    text = outputs(kind)
    with_json = st.builds(lambda t, a: {"output_text": t, "output_json": {"answer": a}}, text, answers(kind))
    return st.one_of(
        text, text.map(lambda t: {"output_text": t}), with_json, st.just({}), st.just({"output_text": None})
    )


def items(kind: str) -> st.SearchStrategy[Any]:
    if kind == "bbb":
        target: st.SearchStrategy[Any] = st.sampled_from(BBB)
    elif kind == "genes":
        target = st.sampled_from(GENES)
    elif kind == "multiclass":
        target = st.sampled_from(["low", "medium", "high", "very high"])
    elif kind == "set":
        target = st.lists(st.sampled_from(TOX), unique=True, max_size=4)
    elif kind == "number":
        target = st.floats(min_value=-1e3, max_value=1e3)
    elif kind == "positive":
        target = st.floats(min_value=1e-3, max_value=1e4)
    else:
        target = st.sampled_from([s for s in SMILES[:16]])
    good = st.builds(lambda t, alt: {"id": "x1", "target": t, "alt": alt}, target, st.floats(-10, 10))
    known = st.builds(
        lambda d, k: {**d, "known_labels": k}, good, st.lists(st.sampled_from(TOX), unique=True, max_size=4)
    )
    bad = st.sampled_from([{}, {"target": None}, {"target": [1, 2]}, {"target": "???"}, {"target": float("nan")}])
    return st.one_of(good, known if kind == "set" else good, bad)
