"""The pure helpers of benchmarks/peers.py (no peer library, no venv, no RDKit)."""

from __future__ import annotations

import pytest
from benchmarks._peers import logic
from hypothesis import given
from hypothesis import strategies as st

keys_st = st.lists(st.integers(0, 5), min_size=0, max_size=40)


def as_map(keys: list[int]) -> dict[int, int]:
    return dict(enumerate(keys))


# ------------------------------------------------------------------------------------------------------ make_rows
def test_make_rows_shuffles_base_then_repeats_with_suffix() -> None:
    base = ["CCO", "c1ccccc1", "CN"]
    rows = list(logic.make_rows(base, 8))
    assert sorted(rows[:3]) == sorted(base)
    assert rows[3:6] == [s + "C" for s in rows[:3]]
    assert rows[6:] == [s + "CC" for s in rows[:2]]
    assert list(logic.make_rows(base, 8)) == rows  # deterministic
    assert list(logic.make_rows(base, 2)) == rows[:2]


def test_make_rows_prepends_the_carbons_where_appending_is_invalid() -> None:
    def valid(smi: str) -> bool:  # stand-in for RDKit: a carbon may not follow a double-bonded oxygen
        return not smi.startswith("O=") and "=OC" not in smi

    rows = list(logic.make_rows(["CC=O", "CCO"], 6, valid=valid))
    copies = dict(zip(rows[:2], rows[2:4], strict=True))
    assert copies == {"CC=O": "CCC=O", "CCO": "CCOC"}  # "CC=OC" is invalid: prefixed instead
    assert all(valid(r) for r in rows)
    bad = list(logic.make_rows(["O=C=O"], 2, valid=lambda s: s == "O=C=O"))
    assert bad == ["O=C=O", "O=C=OC"]  # neither form valid: the plain suffix, left for the tools to reject


def test_make_rows_without_input_says_so() -> None:
    with pytest.raises(ValueError, match="no input SMILES"):
        list(logic.make_rows([], 1))
    assert list(logic.make_rows([], 0)) == []


# -------------------------------------------------------------------------------------------------- partitions
def test_partition_diff_ignores_key_spelling() -> None:
    a = {0: "c1ccccc1", 1: "c1ccccc1", 2: "C1CCCCC1"}
    b = {0: "g7", 1: "g7", 2: "g1"}
    d = logic.partition_diff(a, b)
    assert d.same
    assert (d.rows, d.groups_a, d.groups_b, d.identical_groups, d.rows_differing, d.rows_moved) == (3, 2, 2, 2, 0, 0)


def test_partition_diff_counts_rows_of_split_or_merged_groups() -> None:
    # a: {0,1,2} {3} {4};  b: {0,1} {2,3} {4}
    a = {0: "x", 1: "x", 2: "x", 3: "y", 4: "z"}
    b = {0: 1, 1: 1, 2: 2, 3: 2, 4: 3}
    d = logic.partition_diff(a, b)
    assert not d.same
    assert d.identical_groups == 1  # only {4}
    assert d.rows_differing == 4
    assert d.rows_moved == 1  # row 2 changes company


def test_partition_diff_counts_merges_and_splits_as_moves() -> None:
    big = {i: "benzene" for i in range(10)}
    one_left = {**big, 9: "benzene.tosylate"}  # one salt leaves a group of ten
    d = logic.partition_diff(big, one_left)
    assert (d.rows_differing, d.rows_moved) == (10, 1)
    merged = {0: "a", 1: "a", 2: "b", 3: "b", 4: "c"}
    d = logic.partition_diff(merged, {r: "x" for r in merged})  # three groups merge into one
    assert (d.rows_differing, d.rows_moved) == (5, 3)


def test_partition_diff_compares_only_rows_both_kept() -> None:
    a = {0: "x", 1: "x", 2: "y"}
    b = {0: "p", 1: "p", 5: "q"}  # row 2 dropped by b, row 5 unknown to a
    d = logic.partition_diff(a, b)
    assert d.rows == 2
    assert d.same


@given(keys_st, keys_st)
def test_partition_diff_is_symmetric_and_zero_iff_same_partition(ka: list[int], kb: list[int]) -> None:
    n = min(len(ka), len(kb))
    a, b = as_map(ka[:n]), as_map(kb[:n])
    ab, ba = logic.partition_diff(a, b), logic.partition_diff(b, a)
    assert ab.rows_differing == ba.rows_differing
    assert ab.rows_moved == ba.rows_moved
    assert ab.identical_groups == ba.identical_groups

    def blocks(m: dict[int, int]) -> set[frozenset[int]]:
        return {frozenset(r for r in m if m[r] == k) for k in set(m.values())}

    assert ab.same == (blocks(a) == blocks(b)) == (ab.rows_moved == 0)
    assert 0 <= ab.rows_moved <= ab.rows_differing <= n


@given(keys_st)
def test_partition_diff_of_a_relabelling_is_same(ka: list[int]) -> None:
    a = as_map(ka)
    relabelled = {r: f"scaffold-{k * 7 + 3}" for r, k in a.items()}
    assert logic.partition_diff(a, relabelled).same


def test_cross_part_groups() -> None:
    keys = {0: "x", 1: "x", 2: "y", 3: "y", 4: "z"}
    parts = {0: "train", 1: "test", 2: "valid", 3: "valid", 4: "train", 9: "test"}
    assert logic.cross_part_groups(keys, parts) == 1
    assert logic.cross_part_groups(keys, {0: "train", 1: "train"}) == 0


def test_part_sizes_and_duplicates() -> None:
    assert logic.part_sizes({0: "test", 1: "train", 2: "test"}) == {"train": 1, "valid": 0, "test": 2}
    assert logic.duplicates_found(["A", "B", None, "A", None, "A"]) == 2


# --------------------------------------------------------------------------------------------- greedy assignment
def deepchem_reference(keys: list[int | None], fractions: tuple[float, float, float]) -> list[str | None]:
    """DeepChem 2.8 ScaffoldSplitter.split, transcribed (over the rows that have a scaffold)."""
    sets: dict[int, list[int]] = {}
    for i, k in enumerate(keys):
        if k is not None:
            sets.setdefault(k, []).append(i)
    n = sum(len(v) for v in sets.values())
    ordered = [v for _, v in sorted(sets.items(), key=lambda x: (len(x[1]), x[1][0]), reverse=True)]
    train: list[int] = []
    valid: list[int] = []
    test: list[int] = []
    for s in ordered:
        if len(train) + len(s) > fractions[0] * n:
            if len(train) + len(valid) + len(s) > (fractions[0] + fractions[1]) * n:
                test += s
            else:
                valid += s
        else:
            train += s
    out: list[str | None] = [None] * len(keys)
    for name, idx in (("train", train), ("valid", valid), ("test", test)):
        for i in idx:
            out[i] = name
    return out


@given(st.lists(st.one_of(st.none(), st.integers(0, 12)), max_size=60))
def test_greedy_parts_match_deepchem_and_keep_groups_whole(keys: list[int | None]) -> None:
    parts = logic.greedy_scaffold_parts(keys, (0.8, 0.1, 0.1))
    assert parts == deepchem_reference(keys, (0.8, 0.1, 0.1))
    assert all((p is None) == (k is None) for p, k in zip(parts, keys, strict=True))
    kept = {i: k for i, k in enumerate(keys) if k is not None}
    assert logic.cross_part_groups(kept, {i: p for i, p in enumerate(parts) if p is not None}) == 0


def test_greedy_parts_put_the_largest_group_in_train() -> None:
    keys = ["a"] * 6 + ["b"] * 2 + ["c", "d"]
    parts = logic.greedy_scaffold_parts(keys, (0.8, 0.1, 0.1))
    assert parts[:6] == ["train"] * 6
    assert logic.part_sizes(dict(enumerate(parts))) == {"train": 8, "valid": 1, "test": 1}  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------------- cells
def test_ratio_cells() -> None:
    assert logic.ratio(1.0, 4.0) == "0.25 (4.0x faster)"
    assert logic.ratio(3.0, 1.5) == "2.00 (2.0x slower)"
    assert logic.ratio(None, 1.0) == "n/a"
    assert logic.ratio(1.0, 0.0) == "n/a"


def test_md_table_escapes_pipes() -> None:
    lines = logic.md_table(["a", "b"], [["x|y", 2]])
    assert lines == ["| a | b |", "|---|---|", "| x\\|y | 2 |"]
    assert logic.versions_cell({"tdc": "1.1.15", "rdkit": "2023.09.6"}) == "tdc 1.1.15, rdkit 2023.09.6"
    assert logic.versions_cell({}) == "-"


# ----------------------------------------------------------------------------------------------------- grading
def test_make_completions_cycle_styles_and_targets() -> None:
    comps = logic.make_completions(["BBB+", "BBB-", "BBB-"], ["BBB+", "BBB-"], {"BBB+": ["permeable"]}, 23)
    assert len(comps) == 23
    assert [c[2] for c in comps[:10]] == list(logic.STYLES)
    assert [c[1] for c in comps[:4]] == ["BBB+", "BBB-", "BBB-", "BBB+"]
    by_style = {style: (text, target) for text, target, style in comps}
    text, target = by_style["wrong label"]
    assert text.endswith("Answer: BBB+" if target == "BBB-" else "Answer: BBB-")
    assert by_style["boxed"][0].endswith(f"$\\boxed{{{by_style['boxed'][1]}}}$.")
    with pytest.raises(ValueError, match="two labels"):
        logic.make_completions(["a"], ["a"], {}, 1)


@pytest.mark.parametrize(
    ("text", "target", "score"),
    [
        ("thinking...\nAnswer: BBB+", "BBB+", 1.0),
        ("Answer: BBB-\nanswer: bbb+", "BBB+", 1.0),  # the last answer line counts
        ("Answer: BBB+.", "BBB+", 0.0),  # exact match: a trailing period fails
        ('{"answer": "BBB+"}', "BBB+", 0.0),
        ("no answer here", "BBB+", 0.0),
        ("The Answer is: BBB+", "BBB+", 0.0),
    ],
)
def test_hand_reward(text: str, target: str, score: float) -> None:
    assert logic.hand_reward(text, target) == score


def test_agreement() -> None:
    assert logic.agreement([1.0, 0.0, None, None], [1.0, 1.0, None, 0.0]) == 0.5
    assert logic.agreement([], []) == 1.0
    with pytest.raises(ValueError, match="differ in length"):
        logic.agreement([1.0], [])
