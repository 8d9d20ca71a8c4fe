"""``OpenAIRFT``: files, graders and reinforcement fine-tuning jobs through any sync ``openai`` client.

A thin wrapper over ``client.files``, ``client.fine_tuning.alpha.graders`` and ``client.fine_tuning.jobs`` that
adds what a user otherwise learns the expensive way: local checks before anything is paid for, idempotent
uploads, bounded retries, errors that say what to do, and a watcher that survives Ctrl-C.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
import logging
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, overload
from urllib.parse import urlsplit

import openai
from openai.types import FileObject
from openai.types.fine_tuning import FineTuningJob

from biorft._audit import check_reward
from biorft._redact import client_secrets, redact
from biorft._version import __version__
from biorft.backends._errors import (
    AuthenticationError,
    FileProcessingError,
    GraderRunError,
    InvalidRequest,
    NotFound,
)
from biorft.backends._grader import GraderPayload, grader_payload
from biorft.backends._job import JobHandle
from biorft.backends._models import DEFAULT_MODEL, check_hyperparameters, check_model
from biorft.backends._plan import PlannedUpload, SubmissionPlan
from biorft.backends._retry import RetryPolicy, call_with_retries
from biorft.backends._state import FileRegistry, default_state_path
from biorft.errors import BackendError, DatasetError
from biorft.export._validate import validate_rft_jsonl

__all__ = ["GraderRun", "OpenAIRFT"]

log = logging.getLogger("biorft.backends.openai_rft")

T = TypeVar("T")

#: OpenAI's self-serve fine-tuning accepts no new jobs from this day (see the docs page on OpenAI's grader sandbox).
SELF_SERVE_END = _dt.date(2027, 1, 6)
_SCAN_LIMIT = 1000  # files listed when looking for an earlier upload of the same bytes
_MAX_DETAILS = 2000


@dataclass(frozen=True)
class GraderRun:
    """One answer of the grader run endpoint.

    Attributes:
        reward: The grader's score for the sample.
        sub_rewards: Scores of a multi grader's parts.
        errors: Names of the ``metadata.errors`` flags that were set (empty when the run was clean).
        details: The service's details for a python grader error (traceback text, secrets removed).
        execution_time: Seconds the grader ran, as reported.

    Examples:
        >>> GraderRun(reward=1.0).ok
        True
    """

    reward: float
    sub_rewards: dict[str, Any] = field(default_factory=dict)
    errors: tuple[str, ...] = ()
    details: str | None = None
    execution_time: float | None = None

    @property
    def ok(self) -> bool:
        """True when no error flag was set."""
        return not self.errors


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _prompts(path: Path) -> dict[str, int]:
    """Canonical prompt text -> first line number, for the train / valid overlap check."""
    out: dict[str, int] = {}
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                obj = json.loads(raw)
            except ValueError:
                continue
            if isinstance(obj, dict) and "messages" in obj:
                out.setdefault(json.dumps(obj["messages"], sort_keys=True), number)
    return out


class OpenAIRFT:
    """Reinforcement fine-tuning on OpenAI or Azure OpenAI through the official ``openai`` SDK.

    Args:
        client: A sync ``openai.OpenAI`` or ``openai.AzureOpenAI`` client. When None, one is built on first use
            from the environment: ``OPENAI_API_KEY`` (and ``OPENAI_BASE_URL``, ``OPENAI_ORG_ID``,
            ``OPENAI_PROJECT_ID``), else Azure's ``AZURE_OPENAI_ENDPOINT`` + ``AZURE_OPENAI_API_KEY`` +
            ``OPENAI_API_VERSION``. Nothing is read at import or construction time.
        state_path: The upload registry (JSON) that makes [upload][biorft.backends.openai_rft.OpenAIRFT.upload]
            idempotent; see
            `default_state_path`.
        retry: Retry policy for 429 / 5xx / time-outs (biorft retries; the client is copied with
            ``max_retries=0``).
        file_timeout: Seconds to wait for an uploaded file to be processed.

    Examples:
        >>> rft = OpenAIRFT(state_path="/tmp/biorft-doc/openai_files.json")  # no request, no key needed yet
        >>> rft
        OpenAIRFT(client=<from environment, not built yet>, state_path='/tmp/biorft-doc/openai_files.json')
    """

    def __init__(
        self,
        client: openai.OpenAI | None = None,
        *,
        state_path: str | Path | None = None,
        retry: RetryPolicy | None = None,
        file_timeout: float = 1800.0,
    ) -> None:
        given: object = client
        if given is not None and not isinstance(given, openai.OpenAI):
            kind = type(given).__name__
            hint = " (async clients are not supported: pass the sync one)" if "Async" in kind else ""
            raise BackendError(f"client must be an openai.OpenAI or openai.AzureOpenAI client, got {kind}{hint}")
        self._given = client
        self._client: openai.OpenAI | None = client.with_options(max_retries=0) if client is not None else None
        self.registry = FileRegistry(Path(state_path) if state_path is not None else default_state_path())
        self.retry_policy = retry or RetryPolicy()
        self.file_timeout = file_timeout

    # -- client ----------------------------------------------------------------------------------------------
    def __repr__(self) -> str:
        if self._client is None:
            what = "<from environment, not built yet>"
        else:
            what = f"{type(self._client).__name__}(base_url={str(self._client.base_url)!r})"
        return f"OpenAIRFT(client={what}, state_path={str(self.registry.path)!r})"

    @property
    def client(self) -> openai.OpenAI:
        """The client biorft calls (a copy of the given one with ``max_retries=0``), built on first use."""
        if self._client is None:
            self._client = self._client_from_env()
        return self._client

    @staticmethod
    def _client_from_env() -> openai.OpenAI:
        try:
            if os.environ.get("OPENAI_API_KEY"):
                return openai.OpenAI(max_retries=0)
            if os.environ.get("AZURE_OPENAI_ENDPOINT") and os.environ.get("AZURE_OPENAI_API_KEY"):
                return openai.AzureOpenAI(max_retries=0)
        except openai.OpenAIError as exc:
            secrets = [v for k in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY") if (v := os.environ.get(k))]
            raise AuthenticationError(
                f"cannot build an OpenAI client from the environment: {redact(str(exc), secrets)}"
            ) from None
        raise AuthenticationError(
            "no OpenAI client: set OPENAI_API_KEY (and OPENAI_BASE_URL for another endpoint), or "
            "AZURE_OPENAI_ENDPOINT + AZURE_OPENAI_API_KEY + OPENAI_API_VERSION for Azure OpenAI, or pass "
            "OpenAIRFT(client=openai.OpenAI(...))"
        )

    def _call(
        self,
        fn: Callable[[], T],
        what: str,
        *,
        recover: Callable[[], T | None] | None = None,
        creating_job: bool = False,
    ) -> T:
        return call_with_retries(
            fn,
            what=what,
            policy=self.retry_policy,
            secrets=self._secrets(),
            recover=recover,
            creating_job=creating_job,
        )

    def _secrets(self) -> tuple[str, ...]:
        client = self._client if self._client is not None else self._given
        env = tuple(
            v for k in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "OPENAI_ADMIN_KEY") if (v := os.environ.get(k))
        )
        return (client_secrets(client) if client is not None else ()) + env

    def _endpoint(self) -> str:
        c = self.client
        parts = [str(c.base_url).rstrip("/")]
        for attr in ("organization", "project"):
            value = getattr(c, attr, None)
            if isinstance(value, str) and value:
                parts.append(f"{attr}={value}")
        return " ".join(parts)

    # -- files -------------------------------------------------------------------------------------------------
    def upload(self, path_or_split: str | Path | Any, *, wait: bool = True) -> str:
        """Upload a JSONL file (purpose ``fine-tune``) once; later calls with the same bytes reuse its id.

        The sha256 of the exact bytes is looked up in the registry (and, failing that, among this endpoint's
        fine-tune files by the content-tagged file name) and the file is reused while it still exists on the
        service. Waits for the file's ``processed`` status with back-off.

        Args:
            path_or_split: A JSONL path, or a dataset with ``examples()`` (e.g. ``splits.train``), written as RFT
                lines (``messages`` plus the grader item fields).
            wait: Wait until the service has processed the file.

        Returns:
            The file id.

        Raises:
            FileProcessingError: The service could not process the file, or not in ``file_timeout``.
            BackendError: A subclass for HTTP failures.

        Examples:
            >>> rft = OpenAIRFT()  # doctest: +SKIP
            >>> rft.upload("rft/bbbp/train.jsonl")  # doctest: +SKIP
            'file-abc123'
            >>> rft.upload("rft/bbbp/train.jsonl")  # same bytes: no second upload  # doctest: +SKIP
            'file-abc123'
        """
        data, stem = self._read_upload(path_or_split)
        sha = _sha256(data)
        filename = f"{stem}-{sha[:12]}.jsonl"
        endpoint = self._endpoint()
        file_id = self._reuse(endpoint, sha, filename, len(data))
        if file_id is None:
            file_obj = self._call(
                lambda: self.client.files.create(file=(filename, data, "application/jsonl"), purpose="fine-tune"),
                f"uploading {filename}",
                recover=lambda: self._find_uploaded(filename, len(data)),
            )
            file_id = file_obj.id
            log.info("uploaded %s (%d bytes) as %s", filename, len(data), file_id)
            self.registry.put(
                endpoint,
                sha,
                {"file_id": file_id, "bytes": len(data), "filename": filename, "uploaded_at": int(time.time())},
            )
        if wait:
            try:
                self.wait_for_file(file_id)
            except FileProcessingError:
                self.registry.forget(endpoint, sha)
                raise
        return file_id

    @staticmethod
    def _read_upload(source: Any) -> tuple[bytes, str]:
        if isinstance(source, str | Path):
            path = Path(source)
            try:
                return path.read_bytes(), path.stem
            except OSError as exc:
                raise DatasetError(f"cannot read {path}: {exc.strerror or exc}") from None
        if hasattr(source, "examples"):
            lines = []
            for ex in source.examples():
                item = dict(ex.item)
                if "messages" in item:
                    raise DatasetError(f"example {ex.id}: the grader item may not have a field named 'messages'")
                lines.append(json.dumps({"messages": ex.messages, **item}, ensure_ascii=False))
            spec = getattr(source, "spec", None)
            stem = str(getattr(spec, "name", "dataset")).replace("/", "_")
            return ("\n".join(lines) + "\n").encode("utf-8"), stem
        raise DatasetError(
            f"cannot upload a {type(source).__name__}: pass the path of a JSONL file or a dataset split "
            "(e.g. splits.train)"
        )

    def _reuse(self, endpoint: str, sha: str, filename: str, size: int) -> str | None:
        entry = self.registry.get(endpoint, sha)
        if entry is not None and isinstance(entry.get("file_id"), str):
            file_id = str(entry["file_id"])
            try:
                obj = self._call(lambda: self.client.files.retrieve(file_id), f"checking uploaded file {file_id}")
            except NotFound:
                obj = None
            if obj is not None and obj.status != "error" and obj.bytes == size:
                log.info("reusing %s for %s (same sha256)", file_id, filename)
                return file_id
            self.registry.forget(endpoint, sha)
        found = self._find_uploaded(filename, size)
        if found is not None:
            log.info("reusing %s for %s (found on the service)", found.id, filename)
            self.registry.put(
                endpoint,
                sha,
                {"file_id": found.id, "bytes": size, "filename": filename, "uploaded_at": found.created_at},
            )
            return found.id
        return None

    def _find_uploaded(self, filename: str, size: int) -> FileObject | None:
        """A fine-tune file with this content-tagged name and size that the service still holds."""
        seen = 0
        after: str | None = None
        while seen < _SCAN_LIMIT:
            kwargs: dict[str, Any] = {"purpose": "fine-tune", "limit": 100, "order": "desc"}
            if after is not None:
                kwargs["after"] = after
            page = self._call(functools.partial(self.client.files.list, **kwargs), "listing uploaded files")
            for f in page.data:
                if f.filename == filename and f.bytes == size and f.status != "error":
                    return f
            seen += len(page.data)
            if not page.has_more or not page.data:
                return None
            after = page.data[-1].id
        return None

    def wait_for_file(self, file_id: str, timeout: float | None = None) -> FileObject:
        """Poll a file until the service has processed it.

        Args:
            file_id: The file id.
            timeout: Seconds to wait; ``file_timeout`` when None.

        Returns:
            The processed file object.

        Raises:
            FileProcessingError: The file ended in status ``error`` (with the service's details) or the time ran
                out.

        Examples:
            >>> OpenAIRFT().wait_for_file("file-abc123").status  # doctest: +SKIP
            'processed'
        """
        limit = self.file_timeout if timeout is None else timeout
        started = time.monotonic()
        delay = 0.5
        while True:
            obj = self._call(lambda: self.client.files.retrieve(file_id), f"checking uploaded file {file_id}")
            if obj.status == "processed":
                return obj
            if obj.status in ("error", "failed", "deleted"):
                details = redact(obj.status_details or "no details given", self._secrets())
                raise FileProcessingError(
                    f"the service could not process {obj.filename} ({file_id}): {details}. Check the file with "
                    "`biorft validate FILE`, fix it and upload again"
                )
            if time.monotonic() - started > limit:
                raise FileProcessingError(
                    f"{obj.filename} ({file_id}) was still {obj.status!r} after {limit:.0f} s; the service may be "
                    "busy: call upload() again later (it reuses the file)"
                )
            self.retry_policy.sleep(delay)
            delay = min(10.0, delay * 1.5)

    # -- graders -----------------------------------------------------------------------------------------------
    def validate_grader(self, grader: Any) -> dict[str, Any]:
        """Check a grader locally, then with the service's grader validation endpoint (free).

        Args:
            grader: A biorft grader (``to_openai()``), a grader dict or the path of a ``grader.json``.

        Returns:
            The grader as sent (the exact dict a job will get).

        Raises:
            GraderError: A documented rule is broken (checked before any request).
            InvalidRequest: The service rejected the grader; the message quotes why.

        Examples:
            >>> OpenAIRFT().validate_grader("rft/bbbp/grader.json")["type"]  # doctest: +SKIP
            'python'
        """
        payload = grader_payload(grader)
        self._call(
            lambda: self.client.fine_tuning.alpha.graders.validate(grader=payload.body),  # type: ignore[arg-type]
            f"validating grader {payload.name!r}",
        )
        return payload.body

    @overload
    def run_grader(
        self,
        grader: Any,
        samples: str | Mapping[str, Any],
        item: Mapping[str, Any] | None = None,
        *,
        raise_on_error: bool = True,
    ) -> GraderRun: ...

    @overload
    def run_grader(
        self,
        grader: Any,
        samples: Sequence[tuple[str | Mapping[str, Any], Mapping[str, Any]]],
        item: None = None,
        *,
        raise_on_error: bool = True,
    ) -> list[GraderRun]: ...

    def run_grader(
        self,
        grader: Any,
        samples: str | Mapping[str, Any] | Sequence[tuple[str | Mapping[str, Any], Mapping[str, Any]]],
        item: Mapping[str, Any] | None = None,
        *,
        raise_on_error: bool = True,
    ) -> GraderRun | list[GraderRun]:
        """Score samples with the service's grader run endpoint, exactly as training will (free).

        Args:
            grader: A biorft grader, a grader dict or the path of a ``grader.json``.
            samples: One model output (text, or ``{"output_text": ...}`` / ``{"output_json": ...}``) scored
                against ``item``; or a list of ``(sample, item)`` pairs.
            item: The dataset item (the JSONL line minus ``messages``) for a single sample.
            raise_on_error: Raise [GraderRunError][biorft.errors.GraderRunError] when the service reports an error.

        Returns:
            A [`GraderRun`][biorft.backends.openai_rft.GraderRun] for one sample, a list for a list of pairs.

        Raises:
            GraderRunError: ``metadata.errors`` had a flag set (e.g. ``python_grader_runtime_error``), naming
                the sample and the details.

        Examples:
            >>> run = OpenAIRFT().run_grader(grader, "Answer: BBB+", {"target": "BBB+"})  # doctest: +SKIP
            >>> run.reward, run.ok  # doctest: +SKIP
            (1.0, True)
        """
        payload = grader_payload(grader)
        if isinstance(samples, str | Mapping):
            return self._run_one(payload, samples, item or {}, 0, raise_on_error)
        return [self._run_one(payload, s, it, i, raise_on_error) for i, (s, it) in enumerate(samples)]

    def _run_one(
        self,
        payload: GraderPayload,
        sample: str | Mapping[str, Any],
        item: Mapping[str, Any],
        index: int,
        raise_on_error: bool,
    ) -> GraderRun:
        if isinstance(sample, Mapping):
            text = sample.get("output_text")
            if not isinstance(text, str):
                text = json.dumps(sample.get("output_json"))
        else:
            text = sample
        resp = self._call(
            lambda: self.client.fine_tuning.alpha.graders.run(
                grader=payload.body,  # type: ignore[arg-type]
                model_sample=text,
                item=dict(item),
            ),
            f"running grader {payload.name!r}",
        )
        errors_obj = resp.metadata.errors
        flags = errors_obj.model_dump(by_alias=True)
        set_flags = tuple(sorted(k for k, v in flags.items() if v is True))
        details = None
        for key in (
            "python_grader_runtime_error_details",
            "model_grader_server_error_details",
            "python_grader_server_error_type",
        ):
            value = flags.get(key)
            if isinstance(value, str) and value:
                details = redact(value, self._secrets())[:_MAX_DETAILS]
                break
        run = GraderRun(float(resp.reward), dict(resp.sub_rewards), set_flags, details, resp.metadata.execution_time)
        if set_flags and raise_on_error:
            raise GraderRunError(
                f"grader {payload.name!r} reported {', '.join(set_flags)} on sample {index}"
                + (f": {details}" if details else "")
                + ". Make grade() catch every exception and return a number in [0, 1]: too many grader errors fail "
                "the whole training job",
                errors=set_flags,
                details=details,
            )
        return run

    # -- jobs --------------------------------------------------------------------------------------------------
    @overload
    def submit(
        self,
        data: Any,
        grader: Any = None,
        model: str = DEFAULT_MODEL,
        hyperparameters: Mapping[str, Any] | None = None,
        suffix: str | None = None,
        seed: int | None = None,
        *,
        metadata: Mapping[str, str] | None = None,
        allow_any_model: bool = False,
        validate_grader: bool = True,
        out_dir: str | Path | None = None,
        dry_run: Literal[False] = False,
        allow_hackable: bool = False,
    ) -> JobHandle: ...

    @overload
    def submit(
        self,
        data: Any,
        grader: Any = None,
        model: str = DEFAULT_MODEL,
        hyperparameters: Mapping[str, Any] | None = None,
        suffix: str | None = None,
        seed: int | None = None,
        *,
        metadata: Mapping[str, str] | None = None,
        allow_any_model: bool = False,
        validate_grader: bool = True,
        out_dir: str | Path | None = None,
        dry_run: Literal[True],
        allow_hackable: bool = False,
    ) -> SubmissionPlan: ...

    def submit(
        self,
        data: Any,
        grader: Any = None,
        model: str = DEFAULT_MODEL,
        hyperparameters: Mapping[str, Any] | None = None,
        suffix: str | None = None,
        seed: int | None = None,
        *,
        metadata: Mapping[str, str] | None = None,
        allow_any_model: bool = False,
        validate_grader: bool = True,
        out_dir: str | Path | None = None,
        dry_run: bool = False,
        allow_hackable: bool = False,
    ) -> JobHandle | SubmissionPlan:
        """Check everything locally, upload the data, and create a reinforcement fine-tuning job.

        Order: model and hyperparameters are checked, the grader passes the documented rules, both JSONL files
        pass the RFT data rules (last message from the user, no assistant turns, the grader's item fields on
        every line) and share no prompt; then the grader is validated by the service (free), the files are
        uploaded (idempotent), and the job is created with ``method={"type": "reinforcement", ...}``. Nothing
        that costs money happens before all checks pass. A retried creation never makes a second job.

        Args:
            data: A ``Splits`` (exported with ``biorft.export.openai_rft`` into ``out_dir``), an export folder
                holding ``train.jsonl`` / ``valid.jsonl`` (and ``grader.json``), or a ``(train, valid)`` pair of
                JSONL paths.
            grader: A biorft grader, grader dict or ``grader.json`` path. Default: the task's default grader for
                a ``Splits``, else the ``grader.json`` beside the data.
            model: The base model (see ``RFT_MODELS``).
            hyperparameters: RFT hyperparameters (``n_epochs``, ``batch_size``, ``learning_rate_multiplier``,
                ``eval_interval``, ``eval_samples``, ``compute_multiplier``, ``reasoning_effort``).
            suffix: Up to 64 characters added to the fine-tuned model's name.
            seed: The job's seed, for reproducibility.
            metadata: Up to 14 extra string pairs stored on the job (biorft adds two).
            allow_any_model: Skip the model allow-list.
            validate_grader: Ask the service's grader validation endpoint first.
            out_dir: Where a ``Splits`` is exported (default: a new temporary folder, kept).
            dry_run: Run every local check, then return the `SubmissionPlan` (the exact job-create request,
                the files with their sha256) instead of validating the grader with the service, uploading and
                creating the job: no request is sent. Files uploaded earlier (local registry) keep their ids.
            allow_hackable: Submit even when the reward-hacking audit (run first, in seconds, on the training data:
                constant, hedged and garbage answers against the prior baseline) finds the grader hackable.

        Returns:
            A [JobHandle][biorft.backends.openai_rft.JobHandle]; call ``.watch()`` to follow it. With ``dry_run=True``,
            a `SubmissionPlan`.

        Raises:
            UnsupportedModel: ``model`` is not on the allow-list.
            InvalidHyperparameter: An unknown or invalid hyperparameter.
            DatasetError: The data breaks the RFT rules (line numbers in the message).
            GraderError: The grader breaks a documented rule.
            HackableGraderError: The audit found a degenerate answer the grader pays (``allow_hackable=False``).
            FineTuningUnavailable: The account can no longer create fine-tuning jobs.

        Examples:
            >>> plan = OpenAIRFT().submit("rft/bbbp", suffix="bbbp", dry_run=True)  # doctest: +SKIP
            >>> [(f.role, f.sha256[:8], f.file_id) for f in plan.files]  # doctest: +SKIP
            [('training_file', '3f2a9c1e', None), ('validation_file', '9b0d4e77', None)]
            >>> job = OpenAIRFT().submit("rft/bbbp", model="o4-mini-2025-04-16", suffix="bbbp")  # doctest: +SKIP
            >>> job.watch().fine_tuned_model  # doctest: +SKIP
            'ft:o4-mini-2025-04-16:acme:bbbp:AbC123'
        """
        model = check_model(model, allow_any_model=allow_any_model)
        hp = check_hyperparameters(hyperparameters)
        if suffix is not None and (not isinstance(suffix, str) or not 0 < len(suffix) <= 64):
            raise InvalidRequest(f"suffix must be 1 to 64 characters, got {suffix!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise InvalidRequest(f"seed must be an integer, got {seed!r}")
        meta = self._metadata(metadata)
        train, valid, grader = self._resolve_data(data, grader, out_dir)
        payload = grader_payload(grader)
        for path in (train, valid):
            validate_rft_jsonl(path, payload).raise_for_problems()
        self._check_overlap(train, valid)
        audit = check_reward(data, grader, allow_hackable=allow_hackable, where="OpenAIRFT.submit")
        if dry_run:
            files = (self._plan_upload("training_file", train), self._plan_upload("validation_file", valid))
            request = self._job_request(
                model,
                files[0].file_id or files[0].placeholder,
                files[1].file_id or files[1].placeholder,
                payload.body,
                hp,
                meta,
                suffix,
                seed,
            )
            return SubmissionPlan(request, files, payload.name, audit)
        self._warn_if_closed()
        if validate_grader:
            self.validate_grader(payload.body)
        train_id = self.upload(train)
        valid_id = self.upload(valid)
        kwargs = self._job_request(model, train_id, valid_id, payload.body, hp, meta, suffix, seed)
        job = self._call(
            lambda: self.client.fine_tuning.jobs.create(**kwargs),
            f"creating the fine-tuning job (model {model})",
            recover=lambda: self._find_job(meta["biorft_submission"]),
            creating_job=True,
        )
        log.info("created fine-tuning job %s (model %s, grader %r)", job.id, model, payload.name)
        return JobHandle(self, job.id, job)

    @staticmethod
    def _job_request(
        model: str,
        training_file: str,
        validation_file: str,
        grader: dict[str, Any],
        hp: Mapping[str, Any],
        meta: dict[str, str],
        suffix: str | None,
        seed: int | None,
    ) -> dict[str, Any]:
        """The keyword arguments of ``client.fine_tuning.jobs.create`` (one builder for real and dry runs)."""
        method: dict[str, Any] = {"type": "reinforcement", "reinforcement": {"grader": grader}}
        if hp:
            method["reinforcement"]["hyperparameters"] = dict(hp)
        kwargs: dict[str, Any] = {
            "model": model,
            "training_file": training_file,
            "validation_file": validation_file,
            "method": method,
            "metadata": meta,
        }
        if suffix is not None:
            kwargs["suffix"] = suffix
        if seed is not None:
            kwargs["seed"] = seed
        return kwargs

    def _plan_upload(self, role: str, path: Path) -> PlannedUpload:
        """What [upload][biorft.backends.openai_rft.OpenAIRFT.upload] would do with ``path`` (no request sent)."""
        data, stem = self._read_upload(path)
        sha = _sha256(data)
        file_id = None
        try:
            entry = self.registry.get(self._endpoint(), sha)  # builds a client from the environment at most
        except BackendError:
            entry = None  # no client configured: nothing is known about earlier uploads
        if entry is not None and isinstance(entry.get("file_id"), str):
            file_id = str(entry["file_id"])
        lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
        return PlannedUpload(role, path, f"{stem}-{sha[:12]}.jsonl", sha, len(data), lines, file_id)

    @staticmethod
    def _metadata(extra: Mapping[str, str] | None) -> dict[str, str]:
        meta = {"biorft_submission": uuid.uuid4().hex, "biorft_version": __version__}
        for key, value in (extra or {}).items():
            if not isinstance(key, str) or not isinstance(value, str) or len(key) > 64 or len(value) > 512:
                raise InvalidRequest(
                    f"metadata {key!r}: keys must be strings of at most 64 characters and values strings of at most 512"
                )
            meta[key] = value
        if len(meta) > 16:
            raise InvalidRequest(f"metadata has {len(meta)} keys with biorft's two; the API allows 16")
        return meta

    def _resolve_data(self, data: Any, grader: Any, out_dir: str | Path | None) -> tuple[Path, Path, Any]:
        if all(hasattr(data, a) for a in ("train", "valid", "spec")):  # a Splits
            from biorft.export import openai_rft  # type: ignore[attr-defined,unused-ignore]

            folder = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="biorft-rft-"))
            openai_rft(data, folder, grader=grader)
            log.info("exported the splits to %s", folder)
            return (
                folder / "train.jsonl",
                folder / "valid.jsonl",
                grader if grader is not None else folder / "grader.json",
            )
        if isinstance(data, str | Path) and Path(data).is_dir():
            folder = Path(data)
            train, valid = folder / "train.jsonl", folder / "valid.jsonl"
        elif isinstance(data, Sequence) and not isinstance(data, str) and len(data) == 2:
            train, valid = Path(data[0]), Path(data[1])
        else:
            raise DatasetError(
                f"cannot submit a {type(data).__name__}: pass a Splits, an export folder with train.jsonl and "
                "valid.jsonl, or a (train_path, valid_path) pair (RFT needs both a training and a validation file)"
            )
        for path in (train, valid):
            if not path.is_file():
                raise DatasetError(f"{path} does not exist; export with biorft.export.openai_rft(splits, folder)")
        if grader is None:
            default = train.parent / "grader.json"
            if not default.is_file():
                raise DatasetError(
                    f"no grader given and no {default}; pass grader=... (a biorft grader, a dict or a grader.json path)"
                )
            grader = default
        return train, valid, grader

    @staticmethod
    def _check_overlap(train: Path, valid: Path) -> None:
        t, v = _prompts(train), _prompts(valid)
        shared = set(t) & set(v)
        if shared:
            first = min(shared, key=lambda k: t[k])
            raise DatasetError(
                f"{len(shared)} prompt(s) appear in both {train.name} and {valid.name} (first: {train.name} line "
                f"{t[first]} = {valid.name} line {v[first]}); the validation file must hold unseen examples: "
                "split with biorft (splits.check_leakage()) and export again"
            )

    def _warn_if_closed(self) -> None:
        host = urlsplit(str(self.client.base_url)).hostname or ""
        if host == "api.openai.com" and _dt.date.today() >= SELF_SERVE_END:
            log.warning(
                "OpenAI stopped accepting new self-serve fine-tuning jobs on %s; job creation will likely be "
                "refused. The TRL GRPO backend (biorft.backends.trl) trains on the same data and graders",
                SELF_SERVE_END.isoformat(),
            )

    def _find_job(self, submission: str) -> FineTuningJob | None:
        try:
            page = self._call(
                lambda: self.client.fine_tuning.jobs.list(limit=20, metadata={"biorft_submission": submission}),
                "looking for a job created by a failed request",
            )
        except BackendError:
            return None
        for job in page.data:
            if (job.metadata or {}).get("biorft_submission") == submission:
                return job
        return None

    def job(self, job_id: str) -> JobHandle:
        """A handle on an existing job (re-attach after Ctrl-C, or from another process).

        Args:
            job_id: The job id (``ftjob-...``).

        Returns:
            The handle (no request is made until it is used).

        Examples:
            >>> OpenAIRFT(state_path="/tmp/biorft-doc/files.json").job("ftjob-abc123")
            JobHandle('ftjob-abc123', status='?')
        """
        if not isinstance(job_id, str) or not job_id.strip():
            raise InvalidRequest("job_id must be a non-empty string such as 'ftjob-abc123'")
        return JobHandle(self, job_id.strip())

    def jobs(self, limit: int = 20) -> list[JobHandle]:
        """The most recent fine-tuning jobs of this key's organisation / project, newest first.

        Args:
            limit: How many jobs to list (1 to 100).

        Returns:
            Handles with their job objects loaded.

        Examples:
            >>> [(h.id, h.job.status) for h in OpenAIRFT().jobs(limit=2)]  # doctest: +SKIP
            [('ftjob-abc123', 'running'), ('ftjob-def456', 'succeeded')]
        """
        if not 1 <= limit <= 100:
            raise InvalidRequest(f"limit must be between 1 and 100, got {limit}")
        page = self._call(lambda: self.client.fine_tuning.jobs.list(limit=limit), "listing fine-tuning jobs")
        return [JobHandle(self, j.id, j) for j in page.data]
