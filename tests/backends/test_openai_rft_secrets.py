"""The API key never appears in logs, reprs, errors or the state file, whatever the key looks like."""

from __future__ import annotations

import logging
import string
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path

import httpx2
import openai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.backends._rft_helpers import StubGrader, make_client, write_export
from tests.fakes._rft import rft_state
from tests.fakes.openai_server import FakeOpenAI

from biorft.backends._redact import REDACTED, redact
from biorft.backends._retry import translate_error
from biorft.backends.openai_rft import AuthenticationError, GraderRunError, OpenAIRFT, RetryPolicy

KEY_CHARS = string.ascii_letters + string.digits + "-_"
keys = st.builds(
    lambda prefix, body: prefix + body,
    st.sampled_from(["sk-", "sk-proj-", "sk-admin-", "", "az-"]),
    st.text(alphabet=KEY_CHARS, min_size=20, max_size=90),
)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def shared_fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture(scope="module")
def export_folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield write_export(Path(tmp) / "export", n_train=2, n_valid=1)


def _everything(err: BaseException) -> str:
    return "\n".join([str(err), repr(err), *map(str, err.args), "".join(traceback.format_exception(err))])


@given(key=keys, status=st.sampled_from([400, 401, 403, 404, 429, 500, 503]))
def test_translated_errors_never_quote_the_key(key: str, status: int) -> None:
    request = httpx2.Request("POST", "http://127.0.0.1/v1/fine_tuning/jobs", headers={"Authorization": f"Bearer {key}"})
    response = httpx2.Response(status, request=request)
    body = {"message": f"Incorrect API key provided: {key}. Header was 'Authorization: Bearer {key}'", "code": None}
    sdk_error = openai.APIStatusError(f"Error code: {status} - {body}", response=response, body=body)
    err = translate_error(sdk_error, what="creating the job", secrets=[key], creating_job=True)
    assert key not in _everything(err)
    assert REDACTED in str(err)


@given(key=keys, noise=st.text(max_size=40))
def test_redact_removes_every_copy(key: str, noise: str) -> None:
    text = f"{noise}{key} and again {key}{noise}"
    assert key not in redact(text, secrets=[key])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=keys, azure=st.booleans())
def test_no_leak_end_to_end(shared_fake: FakeOpenAI, export_folder: Path, key: str, azure: bool) -> None:
    state = rft_state(shared_fake)
    records = _Records()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(records)
    root.setLevel(logging.DEBUG)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            state_path = Path(tmp) / "openai_files.json"
            client = make_client("azure" if azure else "openai", shared_fake, key=key)
            rft = OpenAIRFT(client, state_path=state_path, retry=RetryPolicy(sleep=lambda s: None))
            seen = [repr(rft), repr(rft.job("ftjob-x")), repr(rft.retry_policy), repr(rft.registry)]

            # the service rejects the key and quotes it back in full
            state.api_key = "sk-the-only-valid-key-000000000"
            with pytest.raises(AuthenticationError) as info:
                rft.jobs()
            seen.append(_everything(info.value))

            # the key is accepted: upload (state file written) and a grader error whose traceback quotes the key
            state.api_key = key
            rft.upload(export_folder / "valid.jsonl")
            leaky = StubGrader(source=f"def grade(sample, item):\n    raise ValueError('token {key}')\n")
            with pytest.raises(GraderRunError) as grader_info:
                rft.run_grader(leaky, "Answer: BBB+", {"target": "BBB+"})
            seen.append(_everything(grader_info.value))
            assert grader_info.value.details is not None
            seen.append(grader_info.value.details)
            seen.append(state_path.read_text())
    finally:
        root.removeHandler(records)
        root.setLevel(old_level)
        state.api_key = None
    seen.extend(records.lines)
    assert records.lines, "the test must capture the backend's logs"
    for text in seen:
        assert key not in text
