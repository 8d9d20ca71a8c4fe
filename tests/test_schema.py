from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from biorft.errors import BiorftError, SchemaError
from biorft.schema import (
    DatasetCard,
    Example,
    Provenance,
    QuarantinedRow,
    SplitStats,
    TaskInfo,
    TaskKind,
    TaskSpec,
    reference_item,
)


def binary_spec(**kw: object) -> TaskSpec:
    base: dict[str, object] = dict(
        name="genes/demo",
        version="1.0.0",
        domain="genes",
        kind="binary",
        labels=("sensitive", "insensitive"),
        positive_label="sensitive",
        label_synonyms={"sensitive": ("dosage sensitive",)},
        instructions="Classify.",
    )
    base.update(kw)
    return TaskSpec(**base)  # type: ignore[arg-type]


label_text = st.text(alphabet=st.characters(categories=("L", "N")), min_size=1, max_size=12)


@st.composite
def specs(draw: st.DrawFn) -> TaskSpec:
    kind = draw(st.sampled_from(list(TaskKind)))
    if kind is TaskKind.REGRESSION:
        return TaskSpec(
            name=draw(st.from_regex(r"[a-z][a-z0-9_]{0,8}/[a-z][a-z0-9_]{0,8}", fullmatch=True)),
            domain=draw(st.sampled_from(["genes", "molecules", "other"])),
            kind=kind,
            instructions=draw(st.text(min_size=1, max_size=50)),
            units=draw(st.none() | st.text(max_size=10)),
            tolerance=draw(st.none() | st.floats(0, 10)),
            value_range=draw(st.none() | st.just((-12.0, 3.0))),
        )
    n = {TaskKind.BINARY: 2, TaskKind.MULTICLASS: draw(st.integers(2, 6))}.get(kind, draw(st.integers(1, 6)))
    labels = tuple(draw(st.lists(label_text, min_size=n, max_size=n, unique=True)))
    return TaskSpec(
        name="t/x",
        domain="molecules",
        kind=kind,
        labels=labels,
        positive_label=labels[0] if kind is TaskKind.BINARY else None,
        instructions="Answer.",
        metadata={"k": [1, "a", None]},
    )


@given(specs())
def test_taskspec_json_round_trip(spec: TaskSpec) -> None:
    assert TaskSpec.model_validate_json(spec.model_dump_json()) == spec
    assert TaskSpec.model_validate(json.loads(spec.model_dump_json())) == spec


@given(
    st.text(min_size=1, max_size=20),
    st.text(min_size=1, max_size=40),
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(min_size=1, max_size=10),
        st.lists(st.text(min_size=1, max_size=5), max_size=4),
    ),
)
def test_example_json_round_trip(id_: str, entity: str, target: object) -> None:
    ex = Example(id=id_, entity=entity, target=target, inputs={"smiles": entity}, metadata={"x": 1})
    again = Example.model_validate_json(ex.model_dump_json())
    assert again == ex
    if isinstance(target, list):
        assert again.target == tuple(sorted(target))


def test_models_are_frozen() -> None:
    spec = binary_spec()
    with pytest.raises(Exception, match="frozen"):
        spec.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kw", "field", "fragment"),
    [
        ({"labels": ("a", "b", "c")}, "TaskSpec", "exactly 2 labels"),
        ({"name": "Bad Name"}, "TaskSpec.name", "not a task name"),
        ({"version": "one"}, "TaskSpec.version", "semantic version"),
        ({"kind": "ranking"}, "TaskSpec.kind", "binary"),
        ({"positive_label": "maybe"}, "TaskSpec", "positive_label 'maybe'"),
        ({"tolerance": -1.0}, "TaskSpec.tolerance", ">= 0"),
        ({"label_synonyms": {"nope": ("x",)}}, "TaskSpec", "label_synonyms key 'nope'"),
        ({"instructions": ""}, "TaskSpec.instructions", "at least 1 character"),
        ({"colour": "red"}, "TaskSpec.colour", "Extra inputs"),
    ],
)
def test_taskspec_errors_name_the_field(kw: dict[str, object], field: str, fragment: str) -> None:
    with pytest.raises(SchemaError) as info:
        binary_spec(**kw)
    assert field in str(info.value)
    assert fragment in str(info.value)
    assert isinstance(info.value, BiorftError)


def test_regression_rejects_labels_and_bad_range() -> None:
    with pytest.raises(SchemaError, match="regression tasks take no labels"):
        TaskSpec(name="m/x", domain="molecules", kind="regression", labels=("a",), instructions="x")
    with pytest.raises(SchemaError, match="value_range"):
        TaskSpec(name="m/x", domain="molecules", kind="regression", value_range=(3, 1), instructions="x")


def test_model_validate_json_errors_are_schema_errors() -> None:
    with pytest.raises(SchemaError, match=r"Example\.target"):
        Example.model_validate_json('{"id": "1", "entity": "C", "target": {"a": 1}}')
    with pytest.raises(SchemaError, match=r"Example\.id"):
        Example.model_validate({"id": "", "entity": "C", "target": "a"})
    with pytest.raises(SchemaError, match="finite"):
        Example(id="1", entity="C", target=math.inf)


def test_check_target_by_kind() -> None:
    spec = binary_spec()
    assert spec.check_target("sensitive") == "sensitive"
    with pytest.raises(SchemaError, match="not one of labels"):
        spec.check_target("Sensitive")
    reg = TaskSpec(name="m/x", domain="molecules", kind="regression", instructions="x")
    assert reg.check_target(2) == 2.0
    for bad in ("1.0", True, math.nan, None):
        with pytest.raises(SchemaError):
            reg.check_target(bad)
    ml = TaskSpec(name="m/y", domain="molecules", kind="multilabel", labels=("a", "b"), instructions="x")
    assert ml.check_target({"b"}) == ("b",)
    with pytest.raises(SchemaError, match=r"\['z'\]"):
        ml.check_target(["a", "z"])
    with pytest.raises(SchemaError, match="list of labels"):
        ml.check_target("a")


def test_reference_item_contract() -> None:
    spec = binary_spec()
    item = reference_item(spec, Example(id="g1", entity="GATA4", target="sensitive"))
    assert item == {
        "id": "g1",
        "task": "genes/demo",
        "kind": "binary",
        "entity": "GATA4",
        "target": "sensitive",
    }
    ml = TaskSpec(name="m/y", domain="molecules", kind="multilabel", labels=("a", "b", "c"), instructions="x")
    item = reference_item(ml, Example(id="1", entity="C", target=["b"], metadata={"known_labels": ["a", "b"]}))
    assert item["target"] == ["b"]
    assert item["known_labels"] == ["a", "b"]
    json.dumps(item)


def test_dataset_card_counts_are_checked() -> None:
    q = (QuarantinedRow(row=3, id="x", reason="invalid SMILES", value="C1CC"),)
    card = DatasetCard(
        task="m/x",
        version="1.0.0",
        licence="CC0-1.0",
        n_rows_in=10,
        n_kept=9,
        n_quarantined=1,
        quarantined=q,
        sources=(Provenance(name="B3DB", licence="CC0-1.0", sha256="a" * 64),),
        splits=SplitStats(method="scaffold", fractions=(0.8, 0.1, 0.1), sizes={"train": 7, "valid": 1, "test": 1}),
    )
    assert DatasetCard.model_validate_json(card.model_dump_json()) == card
    with pytest.raises(SchemaError, match="n_rows_in"):
        DatasetCard(task="m/x", version="1.0.0", licence="x", n_rows_in=10, n_kept=8, n_quarantined=1, quarantined=q)
    with pytest.raises(SchemaError, match="quarantined lists 0"):
        DatasetCard(task="m/x", version="1.0.0", licence="x", n_rows_in=10, n_kept=9, n_quarantined=1)
    with pytest.raises(SchemaError, match="sha256"):
        Provenance(name="x", licence="y", sha256="XYZ")


@given(st.integers(0, 1000), st.integers(0, 1000))
def test_dataset_card_accounting_property(kept: int, quarantined: int) -> None:
    rows = tuple(QuarantinedRow(row=i, reason="r") for i in range(quarantined))
    card = DatasetCard(
        task="t",
        version="1.0.0",
        licence="x",
        n_rows_in=kept + quarantined,
        n_kept=kept,
        n_quarantined=quarantined,
        quarantined=rows,
    )
    assert card.n_rows_in == card.n_kept + card.n_quarantined


@pytest.mark.parametrize("model", [TaskSpec, Example, DatasetCard, TaskInfo, SplitStats])
def test_json_schema_published(model: type) -> None:
    schema = model.model_json_schema()  # type: ignore[attr-defined]
    assert schema["type"] == "object"
    assert schema["properties"]
    json.dumps(schema)
