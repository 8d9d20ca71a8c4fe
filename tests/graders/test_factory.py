from __future__ import annotations

import pytest

from biorft.errors import GraderError
from biorft.graders import LabelGrader, NumericGrader, Reason, SetGrader, grader_for
from biorft.schema import Example, TaskSpec, reference_item


def spec(**kw: object) -> TaskSpec:
    base: dict[str, object] = {"name": "t/demo", "domain": "molecules", "instructions": "Do it."}
    return TaskSpec(**(base | kw))  # type: ignore[arg-type]


def test_binary_and_multiclass() -> None:
    binary = spec(kind="binary", labels=("BBB+", "BBB-"), label_synonyms={"BBB+": ("permeable",)})
    g = grader_for(binary)
    assert isinstance(g, LabelGrader)
    assert g.name == "t/demo"
    item = reference_item(binary, Example(id="1", entity="CCO", target="BBB+"))
    assert g("Answer: permeable", item) == 1.0
    multi = grader_for(spec(kind="multiclass", labels=("a", "b", "c")), mode="lenient")
    assert multi.config["mode"] == "lenient"


def test_multilabel_uses_known_labels() -> None:
    s = spec(kind="multilabel", labels=("A", "B", "C"))
    g = grader_for(s)
    assert isinstance(g, SetGrader)
    item = reference_item(s, Example(id="1", entity="CCO", target=["A"], metadata={"known_labels": ["A", "B"]}))
    assert g("Answer: A, C", item) == 1.0
    assert g.referenced_fields == frozenset({"target", "known_labels"})


def test_regression() -> None:
    s = spec(kind="regression", units="log10(mol/L)", tolerance=0.5)
    g = grader_for(s)
    assert isinstance(g, NumericGrader)
    cfg = g.config
    assert (cfg["abs_tol"], cfg["width"], cfg["scale"], cfg["units"]) == (0.5, 0.5, "linear", ["log10(mol/L)"])
    assert g("Answer: -2.3 log10(mol/L)", {"target": -2.0}) == 1.0
    assert grader_for(spec(kind="regression", value_range=(-10.0, 10.0))).config["width"] == 2.0
    assert grader_for(spec(kind="regression")).config["width"] == 1.0


def test_log_scale_for_concentrations() -> None:
    assert grader_for(spec(kind="regression", units="nM", tolerance=0.3)).config["scale"] == "log"
    assert grader_for(spec(kind="regression", units="μM")).config["scale"] == "log"
    assert grader_for(spec(kind="regression", units="pIC50")).config["scale"] == "linear"
    assert grader_for(spec(kind="regression", metadata={"scale": "log"})).config["scale"] == "log"


def test_bad_options_name_the_task() -> None:
    with pytest.raises(GraderError, match=r"t/demo.*mode"):
        grader_for(spec(kind="binary", labels=("a", "b")), mode="fuzzy")
    with pytest.raises(GraderError, match=r"t/demo.*bad option"):
        grader_for(spec(kind="binary", labels=("a", "b")), nonsense=1)
    with pytest.raises(GraderError, match=r"t/demo.*same text"):
        grader_for(spec(kind="binary", labels=("a", "b"), label_synonyms={"a": ("B",)}))


def test_readme_example() -> None:
    s = spec(
        kind="binary",
        domain="genes",
        labels=("dosage sensitive", "dosage insensitive"),
        label_synonyms={"dosage sensitive": ("sensitive",)},
    )
    item = reference_item(s, Example(id="g", entity="GATA4", target="dosage sensitive"))
    assert grader_for(s)({"output_text": "... Answer: dosage sensitive"}, item) == 1.0
    assert grader_for(s).explain({"output_text": "... Answer: insensitive"}, item).reason is Reason.INCORRECT
