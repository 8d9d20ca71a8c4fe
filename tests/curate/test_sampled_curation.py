"""k = 8 samples for 2,000 prompts from a scripted server whose per-prompt accuracy is known exactly: the pass rates
come back exactly and by_pass_rate keeps exactly the prompts in the band, with the endpoint's n honoured (one
request per prompt), ignored (the runner asks for the rest) or not used (one request per sample)."""

from __future__ import annotations

from typing import Any

import openai
import pytest

import biorft as br
from biorft.curate import by_pass_rate, pass_rates
from biorft.evaluation import evaluate
from tests.curate.test_pass_rate import Scripted
from tests.fakes.openai_server import FakeOpenAI

K = 8
FAST: dict[str, Any] = {"progress": False, "n_boot": 50, "retry_base_delay": 0.01, "retry_max_delay": 0.05}


@pytest.fixture(scope="module")
def prompts():
    return br.load_task("molecules/bbb_b3db").head(2000)


@pytest.mark.parametrize(
    ("n_prompts", "n_mode", "batch", "requests_per_prompt"),
    [
        (2000, "honour", True, 1),  # the endpoint's n: one request carries a prompt's 8 samples
        (400, "ignore", True, K),  # a server that answers one choice whatever n says: the rest asked again
        (400, "honour", False, K),  # batch_samples=False: one request per sample
    ],
)
def test_known_pass_rates_recovered_and_the_band_selected_exactly(
    prompts, n_prompts: int, n_mode: str, batch: bool, requests_per_prompt: int
) -> None:
    data = prompts.head(n_prompts)
    # prompt j is answered right in exactly (j * 7) % 9 of its 8 samples: every rate 0/8 .. 8/8, mixed in order
    solved = {i: (j * 7) % (K + 1) for j, i in enumerate(data.ids)}
    with FakeOpenAI(Scripted(data, solved=solved), n_mode=n_mode) as fake:
        client = openai.OpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0)
        report = evaluate(data, "scripted", client, samples=K, batch_samples=batch, concurrency=16, **FAST)
        n_requests = fake.count("/v1/chat/completions")
    assert n_requests == n_prompts * requests_per_prompt
    assert report.usage["new_requests"] == n_requests
    assert report.failures == ()
    assert report.n_samples == n_prompts * K
    rates = pass_rates(report.records, spec=data.spec)
    assert {i: (r.n, r.passed) for i, r in rates.items()} == {i: (K, s) for i, s in solved.items()}
    for i, r in rates.items():
        assert r.ci_low <= solved[i] / K <= r.ci_high
    picked = by_pass_rate(data, report, low=0.25, high=0.75)
    assert picked.ids == [i for i in data.ids if 2 <= solved[i] <= 6]
    assert picked.card.curation is not None
    assert picked.card.curation.samples == K
    assert report.metrics["pass@1"].value == pytest.approx(sum(solved.values()) / (K * n_prompts))
