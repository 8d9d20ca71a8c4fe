"""Files, alpha graders and fine-tuning job routes for the fake OpenAI server.

:func:`register_rft_routes` adds them to a :class:`~tests.fakes.openai_server.FakeOpenAI`; the server calls it by
itself. Everything the routes remember lives in one :class:`RFTState` (``rft_state(fake)``), which tests read (the
exact bytes uploaded, the exact job body) and script (how jobs progress, which requests fail).

What the routes check, like the real service:

- request bodies against the ``openai`` SDK's own param types (``JobCreateParams``, the grader params), with
  unknown keys refused; a multi grader's ``graders`` is the documented ``{key: grader}`` dict (the SDK's type
  says a single grader; the API guides and Azure's docs use a dict);
- python graders compile and define ``grade``; ``/graders/run`` executes the source in a subprocess with a
  time-out and reports ``reward``, ``sub_rewards`` and ``metadata.errors``;
- a job's files exist, have purpose ``fine-tune`` and were processed.

Jobs progress by one tick per ``GET /fine_tuning/jobs/{id}``: ``validating_files`` -> ``queued`` -> ``running``
(one step per poll, a metrics event per step, a checkpoint every few steps) -> ``succeeded``, as scripted by
:class:`JobScript` (which can also fail the job or pause it as Azure does at USD 5,000).
"""

from __future__ import annotations

import ast
import functools
import json
import math
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from pydantic import TypeAdapter, ValidationError

if TYPE_CHECKING:
    from tests.fakes.openai_server import FakeOpenAI, Reply, Request

Json = dict[str, Any]
RFT_KEY = "rft"


# -- state ---------------------------------------------------------------------------------------------------
@dataclass
class JobScript:
    """How the next created jobs progress (one tick per retrieve)."""

    train_rewards: Sequence[float] = (0.30, 0.45, 0.60, 0.72)
    valid_rewards: Sequence[float] = (0.28, 0.42, 0.55, 0.66)
    queued_polls: int = 1
    checkpoint_every: int = 2
    fail_at_step: int | None = None
    failure: tuple[str, str] = ("grader_error", "Too many grader errors (python_grader_runtime_error).")
    pause_at_step: int | None = None


@dataclass
class FakeFile:
    id: str
    filename: str
    purpose: str
    content: bytes
    created_at: int
    polls_left: int
    error: str | None = None

    def status(self) -> str:
        if self.error is not None:
            return "error" if self.polls_left <= 0 else "uploaded"
        return "processed" if self.polls_left <= 0 else "uploaded"

    def to_json(self) -> Json:
        return {
            "id": self.id,
            "object": "file",
            "bytes": len(self.content),
            "created_at": self.created_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": self.status(),
            "status_details": self.error if self.status() == "error" else None,
        }


@dataclass
class FakeJob:
    id: str
    body: Json
    script: JobScript
    created_at: int
    status: str = "validating_files"
    step: int = 0
    queued_left: int = 0
    events: list[Json] = field(default_factory=list)  # oldest first
    checkpoints: list[Json] = field(default_factory=list)  # oldest first
    error: Json | None = None
    fine_tuned_model: str | None = None
    finished_at: int | None = None
    paused_once: bool = False

    @property
    def total_steps(self) -> int:
        return len(self.script.train_rewards)

    def event(self, message: str, level: str = "info", data: Json | None = None) -> None:
        self.events.append(
            {
                "id": f"ftevent-{uuid.uuid4().hex[:16]}",
                "object": "fine_tuning.job.event",
                "created_at": int(time.time()),
                "level": level,
                "message": message,
                "data": data,
                "type": "metrics" if data else "message",
            }
        )

    def advance(self) -> None:
        """One tick of the scripted life of the job."""
        s = self.script
        if self.status == "validating_files":
            self.status, self.queued_left = "queued", s.queued_polls
            self.event("Files validated, job enqueued")
        elif self.status == "queued":
            if self.queued_left > 0:
                self.queued_left -= 1
                return
            self.status = "running"
            self.event("Fine-tuning job started")
        elif self.status == "running":
            if self.step >= self.total_steps:
                self.status, self.finished_at = "succeeded", int(time.time())
                self.fine_tuned_model = (
                    f"ft:{self.body['model']}:biorft-tests:{self.body.get('suffix') or ''}:{self.id[-8:]}"
                )
                self.event("The job has successfully completed")
                return
            nxt = self.step + 1
            if s.fail_at_step == nxt:
                code, message = s.failure
                self.status, self.error, self.finished_at = (
                    "failed",
                    {"code": code, "message": message},
                    int(time.time()),
                )
                self.event(message, level="error")
                return
            if s.pause_at_step == nxt and not self.paused_once:
                self.status, self.paused_once = "paused", True
                self.event("Job paused: the job reached USD 5,000 of training and grading cost")
                return
            self.step = nxt
            metrics = {
                "step": nxt,
                "total_steps": self.total_steps,
                "train_reward_mean": s.train_rewards[nxt - 1],
                "valid_reward_mean": s.valid_rewards[nxt - 1],
                "train_reasoning_tokens_mean": 400.0 - 10 * nxt,
                "valid_reasoning_tokens_mean": 410.0 - 10 * nxt,
            }
            self.event(f"Step {nxt}/{self.total_steps}", data=metrics)
            if nxt % s.checkpoint_every == 0 or nxt == self.total_steps:
                tag = self.id[-8:]
                self.checkpoints.append(
                    {
                        "id": f"ftckpt-{uuid.uuid4().hex[:16]}",
                        "object": "fine_tuning.job.checkpoint",
                        "created_at": int(time.time()),
                        "fine_tuned_model_checkpoint": f"ft:{self.body['model']}:biorft-tests::{tag}:ckpt-step-{nxt}",
                        "fine_tuning_job_id": self.id,
                        "step_number": nxt,
                        "metrics": {k: v for k, v in metrics.items() if k != "total_steps"},
                    }
                )

    def to_json(self) -> Json:
        return {
            "id": self.id,
            "object": "fine_tuning.job",
            "created_at": self.created_at,
            "error": self.error,
            "fine_tuned_model": self.fine_tuned_model,
            "finished_at": self.finished_at,
            "hyperparameters": {},
            "model": self.body["model"],
            "organization_id": "org-biorft-tests",
            "result_files": [],
            "seed": self.body.get("seed") or 42,
            "status": self.status,
            "trained_tokens": None,
            "training_file": self.body["training_file"],
            "validation_file": self.body.get("validation_file"),
            "estimated_finish": None,
            "integrations": None,
            "metadata": self.body.get("metadata"),
            "method": self.body.get("method"),
        }


@dataclass
class RFTState:
    """What the RFT routes remember, and the knobs tests turn."""

    files: dict[str, FakeFile] = field(default_factory=dict)
    jobs: dict[str, FakeJob] = field(default_factory=dict)
    job_script: JobScript = field(default_factory=JobScript)
    processing_polls: int = 1  # retrieves before an uploaded file shows "processed"
    next_file_error: str | None = None  # the next upload ends in status "error" with these details
    create_job_denied: int | None = None  # 403 or 400: this account can no longer create fine-tuning jobs
    lose_next_create_reply: bool = False  # create the next job, then answer 500 as if the reply was lost
    api_key: str | None = None  # when set, any other key gets a 401 that echoes the key it was sent
    grader_timeout: float = 10.0
    graders_run: list[Json] = field(default_factory=list)  # bodies of /graders/run, in order


def rft_state(fake: FakeOpenAI) -> RFTState:
    return fake.state[RFT_KEY]  # type: ignore[no-any-return]


# -- validation against the SDK's param types -------------------------------------------------------------
@functools.cache
def _adapter(kind: str) -> TypeAdapter[Any]:
    from openai.types import graders
    from openai.types.fine_tuning import job_create_params

    types: dict[str, Any] = {
        "python": graders.PythonGraderParam,
        "string_check": graders.StringCheckGraderParam,
        "text_similarity": graders.TextSimilarityGraderParam,
        "score_model": graders.ScoreModelGraderParam,
        "label_model": graders.LabelModelGraderParam,
        "job": job_create_params.JobCreateParams,
    }
    return TypeAdapter(types[kind])


def _unknown_keys(raw: Any, clean: Any, path: str) -> list[str]:
    """Keys in ``raw`` that validation dropped (pydantic ignores unknown TypedDict keys; the API refuses them)."""
    if isinstance(raw, dict) and isinstance(clean, dict):
        out: list[str] = []
        for key, value in raw.items():
            if key not in clean:
                out.append(f"{path}.{key}: unknown parameter")
            else:
                out += _unknown_keys(value, clean[key], f"{path}.{key}")
        return out
    if isinstance(raw, list) and isinstance(clean, list):
        return [p for i, (a, b) in enumerate(zip(raw, clean)) for p in _unknown_keys(a, b, f"{path}[{i}]")]
    return []


def _typed_problems(value: Any, kind: str, path: str) -> list[str]:
    try:
        clean = _adapter(kind).validate_python(value)
    except ValidationError as exc:
        return [f"{path}.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    return _unknown_keys(value, clean, path)


_FUNCS = {
    "min": min,
    "max": max,
    "abs": abs,
    "floor": math.floor,
    "ceil": math.ceil,
    "exp": math.exp,
    "sqrt": math.sqrt,
    "log": math.log,
}


def _formula(expr: str, scores: dict[str, float]) -> float:
    """Evaluate a multi grader's ``calculate_output`` (keys, numbers, + - * / ^, the documented functions)."""

    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id in scores:
            return scores[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            return -ev(node.operand) if isinstance(node.op, ast.USub) else ev(node.operand)
        if isinstance(node, ast.BinOp):
            ops = {
                ast.Add: float.__add__,
                ast.Sub: float.__sub__,
                ast.Mult: float.__mul__,
                ast.Div: float.__truediv__,
                ast.Pow: float.__pow__,
            }
            if type(node.op) in ops:
                return float(ops[type(node.op)](ev(node.left), ev(node.right)))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS:
            return float(_FUNCS[node.func.id](*[ev(a) for a in node.args]))
        raise ValueError(f"unsupported expression {ast.dump(node)}")

    return ev(ast.parse(expr.replace("^", "**"), mode="eval"))


def grader_problems(grader: Any, path: str = "grader") -> list[str]:
    if not isinstance(grader, dict):
        return [f"{path}: must be an object"]
    kind = grader.get("type")
    if kind == "multi":
        problems = [
            f"{path}.{k}: unknown parameter" for k in grader if k not in {"type", "name", "graders", "calculate_output"}
        ]
        if not isinstance(grader.get("name"), str):
            problems.append(f"{path}.name: Field required")
        subs = grader.get("graders")
        if not isinstance(subs, dict) or not subs:
            return [*problems, f"{path}.graders: must be an object of named graders"]
        for key, sub in subs.items():
            problems += grader_problems(sub, f"{path}.graders.{key}")
        expr = grader.get("calculate_output")
        try:
            _formula(str(expr), {k: 1.0 for k in subs})
        except (ValueError, SyntaxError, ZeroDivisionError) as exc:
            problems.append(f"{path}.calculate_output: formula_parse_error: {exc}")
        return problems
    if kind not in {"python", "string_check", "text_similarity", "score_model", "label_model"}:
        return [f"{path}.type: unknown grader type {kind!r}"]
    problems = _typed_problems(grader, kind, path)
    if kind == "python" and not problems:
        try:
            tree = ast.parse(grader["source"])
        except SyntaxError as exc:
            return [f"{path}.source: SyntaxError line {exc.lineno}: {exc.msg}"]
        if not any(isinstance(n, ast.FunctionDef) and n.name == "grade" for n in tree.body):
            problems.append(f"{path}.source: no function named grade")
    return problems


# -- running graders -------------------------------------------------------------------------------------
_RUNNER = r"""
import contextlib, io, json, math, sys, traceback
payload = json.loads(sys.stdin.read())
ns = {"__name__": "grader"}
try:
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(payload["source"], "grader.py", "exec"), ns)
        score = ns["grade"](payload["sample"], payload["item"])
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
        raise TypeError(f"grade() returned {score!r}, not a finite number")
    out = {"ok": True, "score": float(score)}
except BaseException:
    out = {"ok": False, "error": traceback.format_exc(limit=4)}
sys.stdout.write(json.dumps(out))
"""

_ERROR_FLAGS = (
    "formula_parse_error",
    "invalid_variable_error",
    "model_grader_parse_error",
    "model_grader_refusal_error",
    "model_grader_server_error",
    "other_error",
    "python_grader_runtime_error",
    "python_grader_server_error",
    "sample_parse_error",
    "truncated_observation_error",
    "unresponsive_reward_error",
)
_TEMPLATE = re.compile(r"\{\{\s*(sample|item)\.([\w.]+)\s*\}\}")


def _render(text: str, sample: Json, item: Json) -> str:
    def lookup(m: re.Match[str]) -> str:
        value: Any = sample if m.group(1) == "sample" else item
        for part in m.group(2).split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value if isinstance(value, str) else json.dumps(value)

    return _TEMPLATE.sub(lookup, text)


def _score(grader: Json, sample: Json, item: Json, state: RFTState, errors: Json) -> float:
    kind = grader["type"]
    if kind == "python":
        payload = json.dumps({"source": grader["source"], "sample": sample, "item": item})
        try:
            proc = subprocess.run(
                [sys.executable, "-I", "-c", _RUNNER],
                input=payload,
                capture_output=True,
                text=True,
                timeout=state.grader_timeout,
                check=False,
            )
            out = json.loads(proc.stdout or "{}")
        except subprocess.TimeoutExpired:
            errors["unresponsive_reward_error"] = True
            return 0.0
        except ValueError:
            out = {"ok": False, "error": "grader process produced no result"}
        if not out.get("ok"):
            errors["python_grader_runtime_error"] = True
            errors["python_grader_runtime_error_details"] = out.get("error") or "unknown error"
            return 0.0
        return float(out["score"])
    if kind == "string_check":
        a, b = _render(grader["input"], sample, item), _render(grader["reference"], sample, item)
        op = grader["operation"]
        return float({"eq": a == b, "ne": a != b, "like": b in a, "ilike": b.lower() in a.lower()}[op])
    errors["other_error"] = True  # text_similarity / model graders are not simulated
    return 0.0


# -- routes ------------------------------------------------------------------------------------------------
def _reply(status: int = 200, body: Any = None) -> Reply:
    from tests.fakes.openai_server import Reply

    return Reply(status, body)


def _error(status: int, message: str, code: str | None = None) -> Reply:
    from tests.fakes.openai_server import error_body

    return _reply(status, error_body(status, message, code))


def _page(items: list[Json], query: str, default_limit: int = 20) -> Json:
    """Cursor pagination over ``items`` (already in the order the API lists them)."""
    q = parse_qs(query)
    limit = int(q.get("limit", [default_limit])[0])
    after = q.get("after", [None])[0]
    if after is not None:
        ids = [i["id"] for i in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    return {"object": "list", "data": items[:limit], "has_more": len(items) > limit}


def _multipart(req: Request) -> dict[str, tuple[str | None, bytes]]:
    """name -> (filename, exact bytes) of a multipart/form-data body."""
    ctype = req.headers.get("content-type", "")
    boundary = re.search(r"boundary=\"?([^\";]+)\"?", ctype)
    if boundary is None:
        raise ValueError(f"not multipart: {ctype!r}")
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in req.body.split(b"--" + boundary.group(1).encode())[1:]:
        if part.startswith(b"--"):
            break
        head, _, content = part.partition(b"\r\n\r\n")
        disposition = head.decode("utf-8", "replace")
        name = re.search(r'name="([^"]*)"', disposition)
        filename = re.search(r'filename="([^"]*)"', disposition)
        if name:
            fields[name.group(1)] = (
                filename.group(1) if filename else None,
                content[:-2] if content.endswith(b"\r\n") else content,
            )
    return fields


def _create_file(fake: FakeOpenAI, req: Request) -> Reply:
    state = rft_state(fake)
    try:
        form = _multipart(req)
    except ValueError as exc:
        return _error(400, str(exc))
    if "file" not in form or "purpose" not in form:
        return _error(400, "file and purpose are required")
    purpose = form["purpose"][1].decode()
    if purpose not in {"assistants", "batch", "fine-tune", "vision", "user_data", "evals"}:
        return _error(400, f"invalid purpose {purpose!r}")
    f = FakeFile(
        id=f"file-{uuid.uuid4().hex[:24]}",
        filename=form["file"][0] or "upload",
        purpose=purpose,
        content=form["file"][1],
        created_at=int(time.time()),
        polls_left=state.processing_polls,
        error=state.next_file_error,
    )
    state.next_file_error = None
    state.files[f.id] = f
    return _reply(200, f.to_json())


def _get_file(fake: FakeOpenAI, req: Request) -> Reply:
    f = rft_state(fake).files.get(req.match.group(1) if req.match else "")
    if f is None:
        return _error(404, "No such File object")
    f.polls_left -= 1
    return _reply(200, f.to_json())


def _file_content(fake: FakeOpenAI, req: Request) -> Reply:
    from tests.fakes.openai_server import Reply

    f = rft_state(fake).files.get(req.match.group(1) if req.match else "")
    if f is None:
        return _error(404, "No such File object")
    return Reply(200, f.content, {"Content-Type": "application/octet-stream"})


def _delete_file(fake: FakeOpenAI, req: Request) -> Reply:
    file_id = req.match.group(1) if req.match else ""
    if rft_state(fake).files.pop(file_id, None) is None:
        return _error(404, "No such File object")
    return _reply(200, {"id": file_id, "object": "file", "deleted": True})


def _list_files(fake: FakeOpenAI, req: Request) -> Reply:
    q = parse_qs(req.query)
    purpose = q.get("purpose", [None])[0]
    desc = q.get("order", ["desc"])[0] == "desc"
    # sorted() is stable: feed newest-first for "desc" so that files created within one second keep their order
    stored = list(rft_state(fake).files.values())
    files = sorted(reversed(stored) if desc else stored, key=lambda f: f.created_at, reverse=desc)
    return _reply(200, _page([f.to_json() for f in files if purpose is None or f.purpose == purpose], req.query, 10000))


def _validate_grader(fake: FakeOpenAI, req: Request) -> Reply:
    body = req.json()
    problems = grader_problems(body.get("grader"))
    if problems:
        return _error(400, "Invalid grader: " + "; ".join(problems))
    return _reply(200, {"grader": body["grader"]})


def _run_grader(fake: FakeOpenAI, req: Request) -> Reply:
    state = rft_state(fake)
    body = req.json()
    state.graders_run.append(body)
    grader = body.get("grader")
    problems = grader_problems(grader)
    if not isinstance(body.get("model_sample"), str):
        problems.append("model_sample: Field required")
    if problems:
        return _error(400, "Invalid grader run request: " + "; ".join(problems))
    text = body["model_sample"]
    try:
        output_json = json.loads(text)
    except ValueError:
        output_json = None
    sample = {"output_text": text, "output_json": output_json}
    item = body.get("item") or {}
    errors: Json = {flag: False for flag in _ERROR_FLAGS}
    started = time.perf_counter()
    sub_rewards: Json = {}
    if grader["type"] == "multi":
        for key, sub in grader["graders"].items():
            sub_rewards[key] = _score(sub, sample, item, state, errors)
        reward = _formula(grader["calculate_output"], sub_rewards)
    else:
        reward = _score(grader, sample, item, state, errors)
    return _reply(
        200,
        {
            "reward": reward,
            "sub_rewards": sub_rewards,
            "model_grader_token_usage_per_model": {},
            "metadata": {
                "errors": errors,
                "execution_time": time.perf_counter() - started,
                "name": grader["name"],
                "sampled_model_name": None,
                "scores": sub_rewards,
                "token_usage": None,
                "type": grader["type"],
            },
        },
    )


_PLACEHOLDER_GRADER = {"type": "python", "name": "placeholder", "source": "def grade(s, i):\n    return 0.0"}


def _create_job(fake: FakeOpenAI, req: Request) -> Reply:
    state = rft_state(fake)
    if state.create_job_denied == 403:
        return _error(
            403,
            "This organization can no longer create fine-tuning jobs: self-serve fine-tuning "
            "stopped accepting new jobs on 2027-01-06.",
            "fine_tuning_unavailable",
        )
    if state.create_job_denied == 400:
        return _error(
            400, "Fine-tuning is no longer available for new jobs on this account.", "fine_tuning_unavailable"
        )
    body = req.json()
    method = body.get("method") if isinstance(body.get("method"), dict) else {}
    rl = method.get("reinforcement") if isinstance(method.get("reinforcement"), dict) else None
    grader = rl.get("grader") if rl is not None else None
    typed = json.loads(json.dumps(body))
    if rl is not None and grader is not None:
        typed["method"]["reinforcement"]["grader"] = _PLACEHOLDER_GRADER  # checked below with its own rules
    problems = _typed_problems(typed, "job", "body")
    if method.get("type") == "reinforcement":
        if grader is None:
            problems.append("method.reinforcement.grader: Field required")
        else:
            problems += grader_problems(grader, "method.reinforcement.grader")
        if not body.get("validation_file"):
            problems.append("validation_file: reinforcement fine-tuning requires a validation file")
    for key in ("training_file", "validation_file"):
        file_id = body.get(key)
        if file_id is None:
            continue
        f = state.files.get(file_id)
        if f is None:
            problems.append(f"{key}: no such file {file_id!r}")
        elif f.purpose != "fine-tune" or f.status() != "processed":
            problems.append(f"{key}: file {file_id} has purpose {f.purpose!r} and status {f.status()!r}")
    if problems:
        return _error(400, "Invalid fine-tuning job: " + "; ".join(problems))
    job = FakeJob(f"ftjob-{uuid.uuid4().hex[:24]}", body, state.job_script, int(time.time()))
    job.event(f"Validating training file: {body['training_file']} and validation file: {body.get('validation_file')}")
    state.jobs[job.id] = job
    if state.lose_next_create_reply:
        state.lose_next_create_reply = False
        return _error(500, "The server had an error while processing your request.")
    return _reply(200, job.to_json())


def _job_or_404(fake: FakeOpenAI, req: Request) -> FakeJob | Reply:
    job = rft_state(fake).jobs.get(req.match.group(1) if req.match else "")
    return job if job is not None else _error(404, "No such fine-tuning job")


def _get_job(fake: FakeOpenAI, req: Request) -> Reply:
    job = _job_or_404(fake, req)
    if not isinstance(job, FakeJob):
        return job
    job.advance()
    return _reply(200, job.to_json())


def _list_jobs(fake: FakeOpenAI, req: Request) -> Reply:
    wanted = {m.group(1): v[0] for k, v in parse_qs(req.query).items() if (m := re.fullmatch(r"metadata\[(.+)\]", k))}
    jobs = sorted(reversed(list(rft_state(fake).jobs.values())), key=lambda j: j.created_at, reverse=True)
    items = [j.to_json() for j in jobs if all((j.body.get("metadata") or {}).get(k) == v for k, v in wanted.items())]
    return _reply(200, _page(items, req.query))


def _job_action(action: str) -> Any:
    allowed = {
        "cancel": {"validating_files", "queued", "running", "paused"},
        "pause": {"running"},
        "resume": {"paused"},
    }
    after = {"cancel": "cancelled", "pause": "paused", "resume": "running"}

    def handler(fake: FakeOpenAI, req: Request) -> Reply:
        job = _job_or_404(fake, req)
        if not isinstance(job, FakeJob):
            return job
        if job.status not in allowed[action]:
            return _error(400, f"Cannot {action} a job whose status is {job.status}")
        job.status = after[action]
        job.event(f"Job {after[action]}")
        return _reply(200, job.to_json())

    return handler


def _job_events(fake: FakeOpenAI, req: Request) -> Reply:
    job = _job_or_404(fake, req)
    if not isinstance(job, FakeJob):
        return job
    return _reply(200, _page(list(reversed(job.events)), req.query))


def _job_checkpoints(fake: FakeOpenAI, req: Request) -> Reply:
    job = _job_or_404(fake, req)
    if not isinstance(job, FakeJob):
        return job
    return _reply(200, _page(list(reversed(job.checkpoints)), req.query, 10))


def _authenticated(handler: Any) -> Any:
    """Wrap a route: when ``RFTState.api_key`` is set, any other key gets a 401 quoting the key it was sent."""

    def wrapped(fake: FakeOpenAI, req: Request) -> Reply:
        expected = rft_state(fake).api_key
        if expected is not None:
            sent = req.headers.get("api-key") or req.headers.get("authorization", "").removeprefix("Bearer ")
            if sent != expected:
                return _error(
                    401,
                    f"Incorrect API key provided: {sent}. You can find your API key at "
                    "https://platform.openai.com/account/api-keys.",
                    "invalid_api_key",
                )
        return handler(fake, req)

    return wrapped


def register_rft_routes(fake: FakeOpenAI) -> None:
    fake.state[RFT_KEY] = RFTState()
    routes = [
        ("POST", "/files", _create_file),
        ("GET", "/files", _list_files),
        ("GET", r"/files/([\w-]+)", _get_file),
        ("DELETE", r"/files/([\w-]+)", _delete_file),
        ("GET", r"/files/([\w-]+)/content", _file_content),
        ("POST", "/fine_tuning/alpha/graders/validate", _validate_grader),
        ("POST", "/fine_tuning/alpha/graders/run", _run_grader),
        ("POST", "/fine_tuning/jobs", _create_job),
        ("GET", "/fine_tuning/jobs", _list_jobs),
        ("GET", r"/fine_tuning/jobs/([\w-]+)", _get_job),
        ("POST", r"/fine_tuning/jobs/([\w-]+)/cancel", _job_action("cancel")),
        ("POST", r"/fine_tuning/jobs/([\w-]+)/pause", _job_action("pause")),
        ("POST", r"/fine_tuning/jobs/([\w-]+)/resume", _job_action("resume")),
        ("GET", r"/fine_tuning/jobs/([\w-]+)/events", _job_events),
        ("GET", r"/fine_tuning/jobs/([\w-]+)/checkpoints", _job_checkpoints),
    ]
    for method, pattern, handler in routes:
        fake.add_route(method, pattern, _authenticated(handler))
