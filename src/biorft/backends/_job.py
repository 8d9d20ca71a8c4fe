"""A handle on one fine-tuning job: status, events, checkpoints, metrics, cancel, and a resumable ``watch``.

Everything a handle knows lives on the service, so a handle can be dropped and re-created at any time
(``OpenAIRFT().job("ftjob-...")``): that is how ``watch`` resumes after Ctrl-C.

Examples:
    >>> s = JobSummary("ftjob-1", "succeeded", "o4-mini-2025-04-16", "ft:o4-mini-2025-04-16:org::x", None, (), ())
    >>> s.ok, s.fine_tuned_model
    (True, 'ft:o4-mini-2025-04-16:org::x')
"""

from __future__ import annotations

import functools
import logging
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from openai.types.fine_tuning import FineTuningJob, FineTuningJobEvent
from openai.types.fine_tuning.jobs import FineTuningJobCheckpoint

from biorft.backends._errors import JobFailed, WatchTimeout
from biorft.backends._metrics import MetricPoint, RewardGapWarning, merge_points, metric_from_data, reward_gap_warning

if TYPE_CHECKING:
    from biorft.backends._client import OpenAIRFT

__all__ = ["STOPPED", "TERMINAL", "JobHandle", "JobSummary"]

log = logging.getLogger("biorft.backends.openai_rft")

TERMINAL = frozenset({"succeeded", "failed", "cancelled"})
#: States where ``watch`` returns: terminal, or paused (Azure pauses RFT jobs at USD 5,000; resume to go on).
STOPPED = TERMINAL | {"paused"}
_PAGE = 100


@dataclass(frozen=True)
class JobSummary:
    """What a job came to: status, model, error, the metric history and any warnings.

    Attributes:
        job_id: The job's id.
        status: ``succeeded``, ``failed``, ``cancelled``, ``paused`` or a running state.
        model: The base model.
        fine_tuned_model: The trained model's name once the job succeeded.
        error: ``"code: message"`` of a failed job.
        history: Metric points by step (events and checkpoints merged).
        warnings: Human-readable warnings (widening train/valid reward gap, paused job).
    """

    job_id: str
    status: str
    model: str
    fine_tuned_model: str | None
    error: str | None
    history: tuple[MetricPoint, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when the job succeeded."""
        return self.status == "succeeded"

    @property
    def last(self) -> MetricPoint | None:
        """The latest metric point, if any."""
        return self.history[-1] if self.history else None

    def __str__(self) -> str:
        lines = [f"job {self.job_id}: {self.status} (base model {self.model})"]
        if self.fine_tuned_model:
            lines.append(f"  fine-tuned model: {self.fine_tuned_model}")
        if self.error:
            lines.append(f"  error: {self.error}")
        last = self.last
        if last is not None:
            lines.append(f"  step {last.step}: {_fmt_rewards(last)}")
        lines.extend(f"  warning: {w}" for w in self.warnings)
        return "\n".join(lines)


def _fmt_rewards(p: MetricPoint) -> str:
    parts = []
    if p.train_reward_mean is not None:
        parts.append(f"train_reward_mean={p.train_reward_mean:.3f}")
    if p.valid_reward_mean is not None:
        parts.append(f"valid_reward_mean={p.valid_reward_mean:.3f}")
    return ", ".join(parts) or "no reward reported yet"


class JobHandle:
    """One fine-tuning job on the service.

    Get one from [OpenAIRFT.submit][biorft.backends.openai_rft.OpenAIRFT.submit],
    [OpenAIRFT.job][biorft.backends.openai_rft.OpenAIRFT.job] or
    [OpenAIRFT.jobs][biorft.backends.openai_rft.OpenAIRFT.jobs]; all its methods ask the service (no local state),
    so two handles on the same id agree.

    Args:
        rft: The backend whose client and retry policy the handle uses.
        job_id: The job's id (``ftjob-...``).
        job: The job object when the caller already has it.
    """

    def __init__(self, rft: OpenAIRFT, job_id: str, job: FineTuningJob | None = None) -> None:
        self._rft = rft
        self._id = job_id
        self._job = job

    def __repr__(self) -> str:
        status = self._job.status if self._job is not None else "?"
        return f"JobHandle({self._id!r}, status={status!r})"

    @property
    def id(self) -> str:
        """The job id."""
        return self._id

    def refresh(self) -> FineTuningJob:
        """Fetch the job from the service.

        Returns:
            The SDK's ``FineTuningJob``.

        Examples:
            >>> job.refresh().status  # doctest: +SKIP
            'running'
        """
        job_id = self._id
        self._job = self._rft._call(
            lambda: self._rft.client.fine_tuning.jobs.retrieve(job_id), f"retrieving fine-tuning job {job_id}"
        )
        return self._job

    @property
    def job(self) -> FineTuningJob:
        """The last fetched job object (fetched now if never fetched)."""
        return self._job if self._job is not None else self.refresh()

    def status(self) -> str:
        """The job's current status (asks the service).

        Returns:
            ``validating_files``, ``queued``, ``running``, ``succeeded``, ``failed``, ``cancelled`` (or
            ``paused`` on Azure).

        Examples:
            >>> OpenAIRFT().job("ftjob-abc123").status()  # doctest: +SKIP
            'queued'
        """
        return str(self.refresh().status)

    @property
    def fine_tuned_model(self) -> str | None:
        """The fine-tuned model's name once the job succeeded, else None (asks the service unless terminal)."""
        job = self._job
        if job is None or job.status not in TERMINAL:
            job = self.refresh()
        return job.fine_tuned_model

    def _events_page(self, after: str | None) -> tuple[list[FineTuningJobEvent], bool]:
        kwargs: dict[str, Any] = {"limit": _PAGE}
        if after is not None:
            kwargs["after"] = after
        jobs = self._rft.client.fine_tuning.jobs
        page = self._rft._call(
            functools.partial(jobs.list_events, self._id, **kwargs), f"listing events of job {self._id}"
        )
        return list(page.data), bool(page.has_more)

    def _new_events(self, seen: set[str]) -> list[FineTuningJobEvent]:
        """Events not in ``seen``, oldest first (the service lists newest first)."""
        fresh: list[FineTuningJobEvent] = []
        after: str | None = None
        while True:
            data, has_more = self._events_page(after)
            stop = False
            for ev in data:
                if ev.id in seen:
                    stop = True
                    break
                fresh.append(ev)
            if stop or not has_more or not data:
                break
            after = data[-1].id
        fresh.reverse()
        seen.update(ev.id for ev in fresh)
        return fresh

    def events(self) -> list[FineTuningJobEvent]:
        """All events of the job, oldest first.

        Returns:
            The SDK's ``FineTuningJobEvent`` objects (``message``, ``level``, ``type``, ``data``).

        Examples:
            >>> job.events()[0].message  # doctest: +SKIP
            'Validating training file: file-abc and validation file: file-def'

        """
        return self._new_events(set())

    def checkpoints(self) -> list[FineTuningJobCheckpoint]:
        """The job's checkpoints, oldest first.

        Returns:
            The SDK's ``FineTuningJobCheckpoint`` objects; ``fine_tuned_model_checkpoint`` can be deployed.

        Examples:
            >>> [c.step_number for c in job.checkpoints()]  # doctest: +SKIP
            [10, 20, 30]
        """
        job_id = self._id
        out: list[FineTuningJobCheckpoint] = []
        after: str | None = None
        cps = self._rft.client.fine_tuning.jobs.checkpoints
        while True:
            kwargs: dict[str, Any] = {"limit": _PAGE}
            if after is not None:
                kwargs["after"] = after
            page = self._rft._call(
                functools.partial(cps.list, job_id, **kwargs), f"listing checkpoints of job {job_id}"
            )
            out.extend(page.data)
            if not page.has_more or not page.data:
                break
            after = page.data[-1].id
        out.sort(key=lambda c: (c.step_number, c.created_at))
        return out

    @staticmethod
    def _points(
        events: Sequence[FineTuningJobEvent], checkpoints: Sequence[FineTuningJobCheckpoint]
    ) -> list[MetricPoint]:
        points = [p for ev in events if (p := metric_from_data(ev.data)) is not None]
        for cp in checkpoints:
            p = metric_from_data(cp.metrics.model_dump(exclude_none=True), step=cp.step_number)
            if p is not None:
                points.append(p)
        return points

    def metrics(self) -> tuple[MetricPoint, ...]:
        """The metric history from events and checkpoints, one point per step.

        Returns:
            Points sorted by step.

        Examples:
            >>> job.metrics()[-1].valid_reward_mean  # doctest: +SKIP
            0.61
        """
        return merge_points(self._points(self.events(), self.checkpoints()))

    def summary(self) -> JobSummary:
        """The job's status, model, error, metric history and warnings (asks the service).

        Returns:
            A [`JobSummary`][biorft.backends.openai_rft.JobSummary].

        Examples:
            >>> print(job.summary())  # doctest: +SKIP
            job ftjob-abc123: running (base model o4-mini-2025-04-16)
              step 20: train_reward_mean=0.640, valid_reward_mean=0.610
        """
        return self._summarize(self.refresh(), self.metrics())

    def _summarize(self, job: FineTuningJob, history: tuple[MetricPoint, ...]) -> JobSummary:
        notes: list[str] = []
        gap = reward_gap_warning(history)
        if gap is not None:
            notes.append(gap)
        if str(job.status) == "paused":
            notes.append(
                "the job is paused (Azure OpenAI pauses RFT jobs at USD 5,000 of training plus grading cost): "
                "deploy the latest checkpoint, or call job.resume() to continue (billing then has no cost limit)"
            )
        error = None
        if job.error is not None and (job.error.code or job.error.message):
            error = f"{job.error.code}: {job.error.message}"
        return JobSummary(job.id, str(job.status), job.model, job.fine_tuned_model, error, history, tuple(notes))

    def _post(self, action: str) -> str:
        job_id = self._id
        jobs = self._rft.client.fine_tuning.jobs
        fn: Callable[[], FineTuningJob] = {
            "cancel": lambda: jobs.cancel(job_id),
            "pause": lambda: jobs.pause(job_id),
            "resume": lambda: jobs.resume(job_id),
        }[action]
        self._job = self._rft._call(fn, f"{action} of fine-tuning job {job_id}")
        log.info("job %s: %s -> %s", job_id, action, self._job.status)
        return str(self._job.status)

    def cancel(self) -> str:
        """Cancel the job (checkpoints already written stay usable).

        Returns:
            The status the service reports after cancelling (``cancelled``).

        Examples:
            >>> OpenAIRFT().job("ftjob-abc123").cancel()  # doctest: +SKIP
            'cancelled'
        """
        return self._post("cancel")

    def pause(self) -> str:
        """Pause a running job (inspect checkpoints, then [`resume`][biorft.backends.openai_rft.JobHandle.resume]).

        Returns:
            The new status.

        Examples:
            >>> job.pause()  # doctest: +SKIP
            'paused'
        """
        return self._post("pause")

    def resume(self) -> str:
        """Resume a paused job (e.g. after Azure's USD 5,000 pause; billing then continues without a limit).

        Returns:
            The new status.

        Examples:
            >>> job.resume()  # doctest: +SKIP
            'running'
        """
        return self._post("resume")

    def watch(
        self,
        poll: float = 10.0,
        timeout: float | None = None,
        progress: bool = True,
        *,
        max_poll: float = 60.0,
        raise_on_failure: bool = True,
        on_update: Callable[[FineTuningJob, list[FineTuningJobEvent]], None] | None = None,
    ) -> JobSummary:
        """Follow the job until it stops; show step and rewards; resumable after Ctrl-C.

        Polls the job and its new events every ``poll`` seconds, backing off by 1.5x up to ``max_poll`` while
        nothing changes. The progress bar (tqdm, on stderr) shows the step out of the total and the latest
        ``train_reward_mean`` / ``valid_reward_mean``; with ``progress=False`` new events are logged instead.
        Ctrl-C stops watching, not the job: re-attach with ``OpenAIRFT().job(job_id).watch()`` or
        ``biorft rft watch <job_id>``.

        Args:
            poll: Seconds between polls while the job moves.
            timeout: Give up watching after this many seconds (the job goes on); None waits for ever.
            progress: Show a progress bar.
            max_poll: Longest wait between polls.
            raise_on_failure: Raise [JobFailed][biorft.errors.JobFailed] when the job fails (else return its summary).
            on_update: Called after every poll with the job and its new events (oldest first).

        Returns:
            The [JobSummary][biorft.backends.openai_rft.JobSummary] once the job succeeded, was cancelled or paused (or
            failed, when
            ``raise_on_failure`` is False). A widening train/valid reward gap adds a warning to the summary and
            emits [RewardGapWarning][biorft.errors.RewardGapWarning].

        Raises:
            JobFailed: The job failed (with its error code and message).
            WatchTimeout: ``timeout`` passed first.

        Examples:
            >>> summary = OpenAIRFT().job("ftjob-abc123").watch(poll=30)  # doctest: +SKIP
            >>> summary.ok, summary.fine_tuned_model  # doctest: +SKIP
            (True, 'ft:o4-mini-2025-04-16:acme:bbbp:AbC123')
        """
        from tqdm.auto import tqdm

        sleep = self._rft.retry_policy.sleep
        started = time.monotonic()
        interval = poll
        seen: set[str] = set()
        points: list[MetricPoint] = []
        last_status: str | None = None
        bar = tqdm(desc=self._id, unit="step", disable=not progress, file=sys.stderr, dynamic_ncols=True)
        try:
            while True:
                job = self.refresh()
                new = self._new_events(seen)
                for ev in new:
                    p = metric_from_data(ev.data)
                    if p is not None:
                        points.append(p)
                    elif not progress:
                        log.info("job %s: %s", self._id, ev.message)
                changed = bool(new) or job.status != last_status
                last_status = str(job.status)
                self._draw(bar, job, merge_points(points))
                if on_update is not None:
                    on_update(job, new)
                if job.status in STOPPED:
                    break
                if timeout is not None and time.monotonic() - started >= timeout:
                    raise WatchTimeout(
                        f"job {self._id} is still {job.status} after {timeout:.0f} s of watching; it keeps running on "
                        f"the service: re-attach with OpenAIRFT().job({self._id!r}).watch() or "
                        f"`biorft rft watch {self._id}`"
                    )
                interval = poll if changed else min(max_poll, interval * 1.5)
                if timeout is not None:
                    interval = max(0.0, min(interval, timeout - (time.monotonic() - started)))
                sleep(interval)
        except KeyboardInterrupt:
            bar.close()
            sys.stderr.write(
                f"\nstopped watching; job {self._id} keeps running on the service. Re-attach with "
                f"OpenAIRFT().job({self._id!r}).watch() or `biorft rft watch {self._id}`; stop it with "
                f"`biorft rft cancel {self._id}`\n"
            )
            raise
        finally:
            bar.close()
        history = merge_points([*points, *self._points([], self.checkpoints())])
        summary = self._summarize(job, history)
        for note in summary.warnings:
            log.warning("job %s: %s", self._id, note)
        if reward_gap_warning(history) is not None:
            warnings.warn(f"job {self._id}: {summary.warnings[0]}", RewardGapWarning, stacklevel=2)
        if job.status == "failed" and raise_on_failure:
            code = job.error.code if job.error is not None else None
            raise JobFailed(
                f"fine-tuning job {self._id} failed: {summary.error or 'no error given'}. Fix what the error names "
                "(data: `biorft validate FILE`; grader: OpenAIRFT.run_grader on a few samples), then submit again",
                job_id=self._id,
                code=code,
            )
        return summary

    @staticmethod
    def _draw(bar: Any, job: FineTuningJob, history: tuple[MetricPoint, ...]) -> None:
        last = history[-1] if history else None
        if last is not None:
            if last.total_steps and bar.total != last.total_steps:
                bar.total = last.total_steps
            bar.n = last.step
        postfix: dict[str, str] = {"status": str(job.status)}
        for p in reversed(history):
            if p.train_reward_mean is not None:
                postfix.setdefault("train_reward", f"{p.train_reward_mean:.3f}")
            if p.valid_reward_mean is not None:
                postfix.setdefault("valid_reward", f"{p.valid_reward_mean:.3f}")
        bar.set_postfix(postfix, refresh=False)
        bar.refresh()
