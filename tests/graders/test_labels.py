from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from biorft.errors import GraderError
from biorft.graders import LabelGrader, Reason, SetGrader

BBB = LabelGrader(["BBB+", "BBB-"])
GENES = LabelGrader(
    ["sensitive", "insensitive"], {"sensitive": ["dosage sensitive"], "insensitive": "dosage insensitive"}
)


@pytest.mark.parametrize(
    ("answer", "target", "score", "reason"),
    [
        ("BBB+", "BBB+", 1.0, Reason.CORRECT),
        ("bbb+", "BBB+", 1.0, Reason.CORRECT),
        ("`BBB+`.", "BBB+", 1.0, Reason.CORRECT),
        ("ＢＢＢ＋", "BBB+", 1.0, Reason.CORRECT),  # fullwidth forms fold under NFKC
        ("BBB-", "BBB+", 0.0, Reason.INCORRECT),
        ("BBB", "BBB+", 0.0, Reason.INCORRECT),  # the shared loose form is ambiguous, never a match
        ("BBB +", "BBB+", 0.0, Reason.INCORRECT),
        ("BBB+ or BBB-", "BBB+", 0.0, Reason.HEDGED),
        ("BBB+, BBB-", "BBB+", 0.0, Reason.HEDGED),
        ("It is BBB+", "BBB+", 0.0, Reason.FORMAT_ERROR),
        ("", "BBB+", 0.0, Reason.NO_ANSWER),
    ],
)
def test_bbb(answer: str, target: str, score: float, reason: Reason) -> None:
    result = BBB.explain(f"Thinking.\nAnswer: {answer}", {"target": target})
    assert (result.score, result.reason) == (score, reason), result


@pytest.mark.parametrize(
    ("answer", "score", "reason"),
    [
        ("sensitive", 1.0, Reason.CORRECT),
        ("Dosage-Sensitive", 1.0, Reason.CORRECT),
        ("dosage_sensitive", 1.0, Reason.CORRECT),
        ("DOSAGE   SENSITIVE", 1.0, Reason.CORRECT),
        ("insensitive", 0.0, Reason.INCORRECT),  # never a substring match
        ("Dosage insensitive", 0.0, Reason.INCORRECT),
        ("non-sensitive", 0.0, Reason.NO_ANSWER),  # a negation names no label
        ("sensitive or insensitive", 0.0, Reason.HEDGED),
        ("both", 0.0, Reason.HEDGED),
        ("either", 0.0, Reason.HEDGED),
        ("haploinsufficient", 0.0, Reason.INCORRECT),  # a stated answer that is not a label is wrong
        ("unknown", 0.0, Reason.NO_ANSWER),  # a refusal is unscorable, not wrong
        ("No idea", 0.0, Reason.NO_ANSWER),
    ],
)
def test_gene_labels_with_synonyms(answer: str, score: float, reason: Reason) -> None:
    result = GENES.explain({"output_text": f"Answer: {answer}"}, {"target": "sensitive"})
    assert (result.score, result.reason) == (score, reason), result


def test_unknown_label_is_recorded() -> None:
    result = BBB.explain("Answer: crosses", {"target": "BBB+"})
    assert result.answer == "crosses"
    assert "not one of the labels" in result.detail


def test_answer_is_the_canonical_label() -> None:
    assert GENES.explain("Answer: Dosage Sensitive", {"target": "sensitive"}).answer == "sensitive"


def test_json_answer_values() -> None:
    item = {"target": "BBB+"}
    assert BBB.explain('{"answer": ["BBB+"]}', item).score == 1.0
    assert BBB.explain('{"answer": ["BBB+", "BBB-"]}', item).reason is Reason.HEDGED
    assert BBB.explain('{"answer": null}', item).reason is Reason.NO_ANSWER
    assert BBB.explain('{"answer": {"x": 1}}', item).reason is Reason.FORMAT_ERROR
    assert LabelGrader(["1", "0"])('{"answer": 1}', {"target": "1"}) == 1.0


def test_lenient_mode() -> None:
    lenient = LabelGrader(["BBB+", "BBB-"], mode="lenient")
    item = {"target": "BBB+"}
    assert lenient("Answer: so the molecule is BBB+.", item) == 1.0  # one label among words, after a marker
    assert lenient("Reasoning\nAnswer: It is probably BBB+ overall", item) == 1.0
    assert lenient.explain("Answer: It is not BBB-", item).reason is Reason.NO_ANSWER
    assert lenient("Reasoning\nbbb+", item) == 1.0  # unmarked last line that is exactly a label
    assert BBB("bbb+", item) == 1.0  # a one-line output that is exactly a label, in both modes
    assert lenient.explain("Answer: BBB-\nWait.\nAnswer: BBB+", item).score == 1.0
    assert BBB.explain("Answer: BBB-\nWait.\nAnswer: BBB+", item).reason is Reason.CONFLICTING


def test_gold_given_as_synonym_and_bad_items() -> None:
    assert GENES("Answer: sensitive", {"target": "dosage sensitive"}) == 1.0
    for item in ({}, {"target": None}, {"target": "maybe"}, {"target": 3}, "not a dict", None):
        result = GENES.explain("Answer: sensitive", item)
        assert (result.score, result.reason) == (0.0, Reason.BAD_ITEM)


def test_custom_target_field() -> None:
    g = LabelGrader(["a", "b"], target_field="label")
    assert g.referenced_fields == frozenset({"label"})
    assert g("Answer: a", {"label": "a"}) == 1.0


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"labels": []}, "labels"),
        ({"labels": "ab"}, "labels"),
        ({"labels": ["a", " "]}, "labels"),
        ({"labels": ["a", "b"], "synonyms": {"c": ["x"]}}, "synonyms"),
        ({"labels": ["a", "b"], "synonyms": {"a": ["B"]}}, "synonyms"),
        ({"labels": ["Yes", "yes"]}, "synonyms / labels"),
        ({"labels": ["a", "b"], "synonyms": {"a": [""]}}, "synonyms"),
        ({"labels": ["a", "b"], "mode": "fuzzy"}, "mode"),
        ({"labels": ["a", "b"], "target_field": ""}, "target_field"),
    ],
)
def test_bad_configuration(kwargs: dict[str, object], param: str) -> None:
    with pytest.raises(GraderError, match=param.replace("/", "/").split()[0]):
        LabelGrader(**kwargs)  # type: ignore[arg-type]


TOX = SetGrader(["NR-AR", "NR-AhR", "SR-p53"], {"SR-p53": ["p53"]})


@pytest.mark.parametrize(
    ("answer", "target", "score"),
    [
        ('["NR-AR", "SR-p53"]', ["NR-AR", "SR-p53"], 1.0),
        ("NR-AR, SR-p53", ["SR-p53", "NR-AR"], 1.0),
        ("NR-AR and p53", ["SR-p53", "NR-AR"], 1.0),
        ("nr-ar; SR-p53 | NR-AhR", ["NR-AR"], 0.5),
        ("NR-AR", ["NR-AR", "SR-p53"], 2 / 3),
        ("none", [], 1.0),
        ("[]", [], 1.0),
        ("none", ["NR-AR"], 0.0),
        ("NR-AR, junk", ["NR-AR"], 2 / 3),
    ],
)
def test_set_f1(answer: str, target: list[str], score: float) -> None:
    assert TOX(f"Answer: {answer}", {"target": target}) == pytest.approx(score)


def test_set_jaccard_and_known_labels() -> None:
    g = SetGrader(["A", "B", "C"], metric="jaccard")
    assert g("Answer: A, B", {"target": ["A"]}) == 0.5
    # C was not measured: predicting it is neither right nor wrong.
    assert g("Answer: A, C", {"target": ["A"], "known_labels": ["A", "B"]}) == 1.0
    assert g("Answer: B", {"target": ["C"], "known_labels": ["A", "B"]}) == 0.0
    assert g.explain("Answer: A, C", {"target": ["A"]}).reason is Reason.PARTIAL
    assert g.explain("Answer: A", {"target": ["Z"]}).reason is Reason.BAD_ITEM
    with pytest.raises(GraderError, match="metric"):
        SetGrader(["A"], metric="dice")


@pytest.mark.parametrize("mode", ["strict", "lenient"])
@pytest.mark.parametrize(
    "text",
    [
        "I cannot tell.",
        "No idea",
        "unknown",
        "Sorry, I can't determine that.",
        "So the molecule is BBB+.",  # unmarked prose: the label may be part of unfinished reasoning
        "Reasoning\nIt is probably BBB+ overall",
        "Let me think about polarity.\nThe molecule has a high TPSA, so it is",  # truncated reasoning
        "Answer: no idea",  # a refusal after a marker: "no" is a BBB- synonym, but this is no answer
        "Answer: I don't know",
    ],
)
def test_unscorable_is_not_wrong(text: str, mode: str) -> None:
    grader = LabelGrader(["BBB+", "BBB-"], {"BBB-": ["no"], "BBB+": ["yes"]}, mode=mode)
    for target in ("BBB+", "BBB-"):
        result = grader.explain(text, {"target": target})
        assert (result.score, result.reason) == (0.0, Reason.NO_ANSWER), result


def test_bare_answers_that_are_exactly_a_label_still_count() -> None:
    grader = LabelGrader(["BBB+", "BBB-"], {"BBB-": ["no"], "BBB+": ["yes"]})
    assert grader("No", {"target": "BBB-"}) == 1.0
    assert grader("  **BBB+**  ", {"target": "BBB+"}) == 1.0
    assert grader.explain("BBB+ or BBB-", {"target": "BBB+"}).reason is Reason.NO_ANSWER
    assert grader.explain("Answer: BBB+ or BBB-", {"target": "BBB+"}).reason is Reason.HEDGED
    unknown_label = LabelGrader(["known", "unknown"])  # a label that reads like a refusal is still the label
    assert unknown_label("unknown", {"target": "unknown"}) == 1.0
    assert unknown_label("Answer: Unknown", {"target": "unknown"}) == 1.0


def test_set_refusals_and_bare_sets() -> None:
    grader = SetGrader(["NR-AR", "SR-p53"])
    item = {"target": ["NR-AR"]}
    assert grader.explain("unknown", item).reason is Reason.NO_ANSWER
    assert grader.explain("Answer: I cannot tell", item).reason is Reason.NO_ANSWER
    assert grader.explain("It is active on NR-AR I think", item).reason is Reason.NO_ANSWER
    assert grader("NR-AR", item) == 1.0
    assert grader("Answer: none", {"target": []}) == 1.0  # "none" is the empty set, not a refusal


_WORDS = st.sampled_from(["BBB+", "BBB-", "no", "yes", "idea", "not", "cannot", "tell", "maybe", "the", "is", "\n"])


@given(st.lists(_WORDS | st.text(max_size=8), max_size=8).map(" ".join), st.sampled_from(["strict", "lenient"]))
def test_unmarked_text_is_an_exact_label_or_no_answer(text: str, mode: str) -> None:
    lowered = text.lower()
    assume(not any(m in lowered for m in ("answer", "<", "{", "boxed")))
    grader = LabelGrader(["BBB+", "BBB-"], {"BBB-": ["no"], "BBB+": ["yes"]}, mode=mode)
    result = grader.explain(text, {"target": "BBB+"})
    assert result.reason in (Reason.CORRECT, Reason.INCORRECT, Reason.NO_ANSWER), result
    if result.reason is not Reason.NO_ANSWER:  # it was exactly a label: the same as stating it after a marker
        stated = text.strip().rsplit("\n", 1)[-1]
        marked = grader.explain(f"Answer: {stated}", {"target": "BBB+"})
        assert (marked.score, marked.reason) == (result.score, result.reason)


def test_boxed_labels() -> None:
    assert BBB("Polar surface area is low, so $\\boxed{\\text{BBB+}}$", {"target": "BBB+"}) == 1.0
    assert GENES("\\boxed{Dosage-Sensitive}", {"target": "sensitive"}) == 1.0
    assert BBB.explain("\\boxed{BBB+ or BBB-}", {"target": "BBB+"}).reason is Reason.HEDGED
