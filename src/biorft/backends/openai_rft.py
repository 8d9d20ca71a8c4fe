"""OpenAI (and Azure OpenAI) reinforcement fine-tuning: files, graders, jobs, events and checkpoints.

Three lines from a split to a running job::

    import biorft as br
    job = br.OpenAIRFT(client).submit(splits, grader=br.grader_for(splits.spec), model="o4-mini-2025-04-16")
    job.watch()

Everything is checked locally before anything is paid for; uploads are idempotent; 429 / 5xx answers are retried
with jitter within bounds; errors are [biorft.errors.BackendError][biorft.errors.BackendError] subclasses whose messages
say what to do;
the API key never appears in logs, reprs, errors or the state file. OpenAI accepts no new self-serve fine-tuning
jobs from 2027-01-06: [FineTuningUnavailable][biorft.errors.FineTuningUnavailable] then points at the TRL GRPO
backend; Azure OpenAI serves the same API through ``openai.AzureOpenAI``.

Examples:
    >>> from biorft.backends.openai_rft import OpenAIRFT, RFT_MODELS
    >>> "o4-mini-2025-04-16" in RFT_MODELS
    True
    >>> OpenAIRFT(state_path="/tmp/biorft-doc/files.json").job("ftjob-abc")
    JobHandle('ftjob-abc', status='?')
"""

from __future__ import annotations

from biorft.backends._client import GraderRun, OpenAIRFT
from biorft.backends._errors import (
    AuthenticationError,
    FileProcessingError,
    FineTuningUnavailable,
    GraderRunError,
    InvalidHyperparameter,
    InvalidRequest,
    JobFailed,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServiceUnavailable,
    UnsupportedModel,
    WatchTimeout,
)
from biorft.backends._job import JobHandle, JobSummary
from biorft.backends._metrics import MetricPoint, RewardGapWarning
from biorft.backends._models import DEFAULT_MODEL, RFT_MODELS
from biorft.backends._plan import PlannedUpload, SubmissionPlan
from biorft.backends._retry import RetryPolicy
from biorft.backends._state import default_state_path

__all__ = [
    "DEFAULT_MODEL",
    "RFT_MODELS",
    "AuthenticationError",
    "FileProcessingError",
    "FineTuningUnavailable",
    "GraderRun",
    "GraderRunError",
    "InvalidHyperparameter",
    "InvalidRequest",
    "JobFailed",
    "JobHandle",
    "JobSummary",
    "MetricPoint",
    "NotFound",
    "OpenAIRFT",
    "PermissionDenied",
    "PlannedUpload",
    "RateLimited",
    "RetryPolicy",
    "RewardGapWarning",
    "ServiceUnavailable",
    "SubmissionPlan",
    "UnsupportedModel",
    "WatchTimeout",
    "default_state_path",
]
