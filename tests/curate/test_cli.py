"""``biorft curate``: the CLI over a saved multi-sample report of the training part."""

from __future__ import annotations

import csv
import json

import biorft as br
from biorft.cli import main
from biorft.evaluation import EvalRecord, EvalReport


def test_curate_writes_rates_card_plot_and_curated_export(tmp_path, capsys) -> None:
    ds = br.load_task("genes/bivalent_vs_no_methylation")
    train = ds.split().train
    recs = [
        EvalRecord(
            id=ex.id, sample=s, output_text="", score=float(s < n % 5), reason="correct", target=ex.item["target"]
        )
        for n, ex in enumerate(train.examples())
        for s in range(4)
    ]
    EvalReport.from_records(ds.spec, "m", recs, n_boot=0).to_json(tmp_path / "report.json")
    code = main(
        ["curate", str(tmp_path / "report.json"), "--low", "0.25", "--high", "0.75", "--out", str(tmp_path / "c")]
    )
    assert code == 0
    out = capsys.readouterr().out
    expected = [ex.id for n, ex in enumerate(train.examples()) if 1 <= n % 5 <= 3]
    assert f"kept {len(expected)} of {len(train)}" in out
    with (tmp_path / "c" / "pass_rates.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows if r["selected"] == "True"] == expected
    card = json.loads((tmp_path / "c" / "card.json").read_text())
    assert card["curation"]["n_selected"] == len(expected)
    assert (tmp_path / "c" / "pass_rates.png").stat().st_size > 1000
    train_lines = (tmp_path / "c" / "export" / "train.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["id"] for line in train_lines) == sorted(expected)


def test_curate_rejects_an_inverted_band(tmp_path, capsys) -> None:
    assert main(["curate", str(tmp_path / "none.json"), "--low", "0.9", "--high", "0.1", "--out", str(tmp_path)]) == 1
    assert "--low" in capsys.readouterr().err
    assert main(["curate", "x", "--low", "2", "--out", str(tmp_path)]) == 2
