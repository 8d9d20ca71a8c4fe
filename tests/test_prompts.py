from __future__ import annotations

import json

import pytest

from biorft.prompts import answer_instructions, render_messages, response_format, system_prompt
from biorft.schema import Example, TaskKind, TaskSpec

SPECS = {
    "binary": TaskSpec(
        name="t/b",
        domain="molecules",
        kind="binary",
        labels=("BBB+", "BBB-"),
        positive_label="BBB+",
        instructions="Cross the BBB?",
    ),
    "multiclass": TaskSpec(name="t/m", domain="genes", kind="multiclass", labels=("a", "b", "c"), instructions="Pick."),
    "multilabel": TaskSpec(
        name="t/ml", domain="molecules", kind="multilabel", labels=("NR-AR", "SR-p53"), instructions="Which assays?"
    ),
    "regression": TaskSpec(
        name="t/r",
        domain="molecules",
        kind="regression",
        units="log10(mol/L)",
        value_range=(-14.0, 3.0),
        tolerance=0.5,
        instructions="Predict LogS.",
    ),
}


@pytest.mark.parametrize("kind", list(SPECS))
def test_messages_shape(kind: str) -> None:
    spec = SPECS[kind]
    target: object = {"binary": "BBB+", "multiclass": "a", "multilabel": ["NR-AR"], "regression": -2.0}[kind]
    ex = Example(id="x", entity="CCO", inputs={"smiles": "CCO"}, target=target)
    msgs = render_messages(spec, ex)
    assert [m["role"] for m in msgs] == ["system", "user"]
    assert msgs[0]["content"].startswith(spec.instructions)
    assert "Answer:" in msgs[0]["content"]
    # the reference answer never leaks into the prompt
    assert json.dumps(target) not in json.dumps(msgs) or kind in ("binary", "multiclass", "multilabel")
    assert str(target) not in msgs[1]["content"]


def test_every_label_is_offered() -> None:
    for spec in SPECS.values():
        text = answer_instructions(spec)
        for lab in spec.labels:
            assert lab in text


def test_binary_invites_confidence_only_for_binary() -> None:
    assert "Confidence:" in answer_instructions(SPECS["binary"])
    assert "Confidence:" not in answer_instructions(SPECS["multiclass"])


def test_regression_mentions_units_and_range() -> None:
    text = system_prompt(SPECS["regression"])
    assert "log10(mol/L)" in text
    assert "between -14 and 3" in text


def test_gene_prompt_carries_symbol_and_ensembl() -> None:
    spec = TaskSpec(name="g/x", domain="genes", kind="binary", labels=("y", "n"), instructions="Q?")
    ex = Example(id="g", entity="GATA4", target="y", inputs={"symbol": "GATA4", "ensembl_id": "ENSG00000136574"})
    assert render_messages(spec, ex)[1]["content"] == "Gene: GATA4 (Ensembl ID ENSG00000136574)"


def test_custom_answer_instructions_win() -> None:
    spec = TaskSpec(
        name="t/c",
        domain="other",
        kind="binary",
        labels=("y", "n"),
        instructions="Q?",
        answer_instructions="Reply y or n.",
    )
    assert system_prompt(spec).endswith("Reply y or n.")


@pytest.mark.parametrize("kind", list(SPECS))
def test_response_format_is_strict_json_schema(kind: str) -> None:
    fmt = response_format(SPECS[kind])
    schema = fmt["json_schema"]["schema"]
    assert fmt["type"] == "json_schema"
    assert set(schema["required"]) == set(schema["properties"])
    assert schema["additionalProperties"] is False
    answer = schema["properties"]["answer"]
    if SPECS[kind].kind is TaskKind.REGRESSION:
        assert answer == {"type": "number"}
    elif SPECS[kind].kind is TaskKind.MULTILABEL:
        assert answer["items"]["enum"] == list(SPECS[kind].labels)
    else:
        assert answer["enum"] == list(SPECS[kind].labels)
