"""The fake OpenAI server answers the real ``openai`` client, and scripted failures happen as scripted."""

from __future__ import annotations

import openai
import pytest

from tests.fakes.openai_server import Failure, FakeOpenAI


def test_chat_and_responses_through_real_client() -> None:
    with FakeOpenAI(answer=lambda body: "Answer: sensitive") as fake:
        client = openai.OpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0)
        out = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}], n=2)
        assert [c.message.content for c in out.choices] == ["Answer: sensitive"] * 2
        assert out.usage is not None
        assert out.usage.total_tokens > 0
        resp = client.responses.create(model="m", input="hi")
        assert resp.output_text == "Answer: sensitive"


def test_scripted_failures() -> None:
    with FakeOpenAI() as fake:
        fake.inject(Failure("status", status=429, headers={"Retry-After": "0"}), Failure("status", status=500))
        client = openai.OpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0)
        with pytest.raises(openai.RateLimitError):
            client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
        with pytest.raises(openai.InternalServerError):
            client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
        ok = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
        assert ok.choices[0].message.content == "Answer: 0"
        retrying = openai.OpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=2)
        fake.inject(Failure("status", status=503, headers={"Retry-After": "0"}))
        assert retrying.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}]).choices


def test_die_after() -> None:
    fake = FakeOpenAI().start()
    client = openai.OpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0, timeout=2)
    fake.die_after(1)
    client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    with pytest.raises(openai.APIConnectionError):
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    fake.stop()
