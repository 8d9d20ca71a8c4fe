"""A real HTTP server on 127.0.0.1 that speaks enough of the OpenAI wire protocol for biorft's tests.

The real ``openai`` client talks to it through ``base_url``. Routes are registered per area so that each part of
biorft adds the endpoints it needs without touching the others:

- chat completions and responses (this module): scripted answers for evaluation tests;
- files, fine-tuning jobs and alpha graders (``tests/fakes/_rft.py``, registered with :func:`register_rft_routes`
  when that module exists).

Failures are scripted with :meth:`FakeOpenAI.inject` (one per request) or drawn at random with
:meth:`FakeOpenAI.chaos` (a share of all requests, seeded), and :meth:`FakeOpenAI.die_after` stops the server
mid-run. The fault kinds (:data:`FAULT_KINDS`) cover what misbehaving endpoints and proxies do: error statuses with
``Retry-After``, HTML error pages, 200 answers whose JSON is cut off, with no choices or with ``content: null``,
bodies that drip one byte at a time, bodies shorter than their ``Content-Length``, dropped connections, requests
that hang, and error messages that echo the request's ``Authorization`` header.

Example::

    with FakeOpenAI(answer=lambda body: "Answer: sensitive") as fake:
        client = openai.OpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0)
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
"""

from __future__ import annotations

import contextlib
import importlib
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Json = dict[str, Any]
Handler = Callable[["FakeOpenAI", "Request"], "Reply"]
AnswerFn = Callable[[Json], str]


@dataclass
class Request:
    """One request as the fake saw it."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    match: re.Match[str] | None = None

    def json(self) -> Json:
        return json.loads(self.body or b"{}")


@dataclass
class Reply:
    """What a route answers."""

    status: int = 200
    body: Any = None  # dict/list -> JSON; bytes -> raw
    headers: dict[str, str] = field(default_factory=dict)


FAULT_KINDS = (
    "status",  # answer `status` with an OpenAI error body (and `headers`, e.g. Retry-After)
    "delay",  # sleep `seconds`, then answer normally
    "drop",  # close the connection without answering
    "hang",  # sleep `seconds` without answering, then close
    "html",  # answer `status` with an HTML page (a proxy's error page)
    "truncated",  # 200 whose JSON body is cut off mid-way (Content-Length matches the cut body)
    "short_body",  # 200 announcing more bytes than it sends, then closing
    "empty_choices",  # 200 with "choices": []
    "null_content",  # 200 whose message content is null (no refusal)
    "drip",  # 200 whose body arrives one byte every `seconds`
    "echo_auth",  # answer `status` with an error message that echoes the Authorization header
    "echo_auth_answer",  # 200 whose answer text echoes the Authorization header
    "null_choice",  # 200 whose last choice (of the n asked, n > 1) has content null, the others usable
)

#: How the chat route treats the ``n`` parameter (:attr:`FakeOpenAI.n_mode`): ``"honour"`` answers ``n`` choices
#: (OpenAI chat completions, vLLM), ``"ignore"`` answers one choice whatever ``n`` says (many OpenAI-compatible
#: servers), ``"reject"`` answers HTTP 400 naming ``n`` when it is above 1 (OpenAI reasoning models).
N_MODES = ("honour", "ignore", "reject")

#: The faults of the soak benchmark and of the mixed-fault tests: each ends in a retry.
MIXED_FAULTS = ("429", "500", "502_html", "truncated", "empty_choices", "null_content", "drop", "short_body")


@dataclass
class Failure:
    """A scripted failure, consumed by the next matching request.

    kind: one of :data:`FAULT_KINDS`.
    """

    kind: str
    status: int = 500
    seconds: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    path: str = ""  # prefix of the path this failure applies to ("" = any)
    message: str = "scripted failure"


def error_body(status: int, message: str, code: str | None = None, param: str | None = None) -> Json:
    etype = {
        400: "invalid_request_error",
        401: "authentication_error",
        403: "permission_error",
        404: "not_found_error",
        429: "rate_limit_error",
    }.get(status, "server_error")
    return {"error": {"message": message, "type": etype, "param": param, "code": code}}


class FakeOpenAI:
    """A threaded local HTTP server faking the OpenAI API.

    Args:
        answer: Maps a chat-completions / responses request body to the assistant's text. The default answers
            ``"Answer: 0"``.
        latency: Seconds to sleep before every answer (for throughput benchmarks).
        rft: Also register the files / fine-tuning / graders routes from ``tests/fakes/_rft.py`` if present.
        n_mode: How chat completions treat ``n`` (one of :data:`N_MODES`; settable later as ``fake.n_mode``).
        max_n: Answer at most this many choices (a server that caps ``n``); None: no cap.
    """

    def __init__(
        self,
        answer: AnswerFn | None = None,
        *,
        latency: float = 0.0,
        rft: bool = True,
        n_mode: str = "honour",
        max_n: int | None = None,
    ) -> None:
        if n_mode not in N_MODES:
            raise ValueError(f"n_mode must be one of {N_MODES}, got {n_mode!r}")
        self.answer: AnswerFn = answer or (lambda body: "Answer: 0")
        self.latency = latency
        self.n_mode = n_mode
        self.max_n = max_n
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.requests: list[Request] = []
        self.failures: list[Failure] = []
        self.state: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._die_after: int | None = None
        self._served = 0
        self._chaos: tuple[float, tuple[str, ...], Any] | None = None
        self.faults_injected = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None
        register_chat_routes(self)
        if rft:
            with contextlib.suppress(ModuleNotFoundError):
                importlib.import_module("tests.fakes._rft").register_rft_routes(self)

    # -- configuration -------------------------------------------------------------------------------------
    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        """Register ``handler`` for ``method`` and a regex on the path (after ``/v1``)."""

        def deco(handler: Handler) -> Handler:
            self.routes.append((method.upper(), re.compile(f"^{pattern}$"), handler))
            return handler

        return deco

    def add_route(self, method: str, pattern: str, handler: Handler) -> None:
        self.route(method, pattern)(handler)

    def inject(self, *failures: Failure) -> None:
        """Queue failures; each is consumed by the next request whose path starts with its ``path``."""
        with self._lock:
            self.failures.extend(failures)

    def chaos(self, rate: float, kinds: tuple[str, ...] = MIXED_FAULTS, *, seed: int = 0) -> None:
        """Inject a random fault from ``kinds`` (names of :data:`MIXED_FAULTS`) into a share ``rate`` of requests."""
        import random

        with self._lock:
            self._chaos = (rate, kinds, random.Random(seed))

    def _chaos_failure(self) -> Failure | None:
        with self._lock:
            if self._chaos is None:
                return None
            rate, kinds, rng = self._chaos
            if rng.random() >= rate:
                return None
            kind = rng.choice(kinds)
            self.faults_injected += 1
        return {
            "429": Failure("status", status=429, headers={"Retry-After": "0.01"}),
            "500": Failure("status", status=500),
            "502_html": Failure("html", status=502),
            "truncated": Failure("truncated"),
            "empty_choices": Failure("empty_choices"),
            "null_content": Failure("null_content"),
            "drop": Failure("drop"),
            "short_body": Failure("short_body"),
        }[kind]

    def die_after(self, n_requests: int) -> None:
        """Stop answering (close the listening socket) once ``n_requests`` more requests were served."""
        with self._lock:
            self._die_after = self._served + n_requests

    # -- lifecycle -----------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self.port is not None, "start() the server first"
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, port: int = 0) -> FakeOpenAI:
        fake = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # answer small JSON bodies at once (46 ms -> 2 ms a request)

            def log_message(self, format: str, *args: Any) -> None:  # silence
                return

            def _handle(self) -> None:
                fake._dispatch(self)

            do_GET = do_POST = do_DELETE = do_PUT = _handle  # noqa: N815

        server = ThreadingHTTPServer(("127.0.0.1", port), _H, bind_and_activate=False)
        server.daemon_threads = True
        server.request_queue_size = 1024  # listen() backlog: must be set before server_activate()
        try:
            server.server_bind()
            server.server_activate()
        except OSError:
            server.server_close()
            raise
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._lock:  # stop() may race with the die_after thread: take the server out exactly once
            server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- dispatch ------------------------------------------------------------------------------------------
    def _next_failure(self, path: str) -> Failure | None:
        with self._lock:
            for i, f in enumerate(self.failures):
                if path.startswith(f.path) or path.startswith("/v1" + f.path):
                    return self.failures.pop(i)
        return None

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        path, _, query = h.path.partition("?")
        req = Request(h.command, path, query, {k.lower(): v for k, v in h.headers.items()}, body)
        with self._lock:
            self.requests.append(req)
            self._served += 1
            dying = self._die_after is not None and self._served > self._die_after
        if dying:
            self._drop(h)
            threading.Thread(target=self.stop, daemon=True).start()
            return
        failure = self._next_failure(path) or (
            self._chaos_failure() if "/chat/" in path or "/responses" in path else None
        )
        if failure is not None:
            if failure.kind == "drop":
                self._drop(h)
                return
            if failure.kind == "hang":
                time.sleep(failure.seconds)
                self._drop(h)
                return
            if failure.kind == "delay":
                time.sleep(failure.seconds)
            elif failure.kind == "status":
                self._send(h, Reply(failure.status, error_body(failure.status, failure.message), failure.headers))
                return
            elif failure.kind == "echo_auth":
                auth = req.headers.get("authorization", "")
                message = f"{failure.message}: invalid credentials in header Authorization: {auth}"
                self._send(h, Reply(failure.status, error_body(failure.status, message), failure.headers))
                return
            elif failure.kind == "html":
                page = f"<html><head><title>{failure.status} Bad Gateway</title></head><body>nginx</body></html>"
                self._send(h, Reply(failure.status, page.encode(), {"Content-Type": "text/html"}))
                return
            else:
                self._misbehave(h, req, failure)
                return
        if self.latency:
            time.sleep(self.latency)
        sub = path[3:] if path.startswith("/v1") else path
        for method, pattern, handler in reversed(self.routes):
            m = pattern.match(sub)
            if m and method == h.command:
                req.match = m
                try:
                    reply = handler(self, req)
                except Exception as exc:  # a bug in a route: answer 500 with the message
                    reply = Reply(500, error_body(500, f"fake server error: {exc!r}"))
                self._send(h, reply)
                return
        self._send(h, Reply(404, error_body(404, f"no fake route for {h.command} {path}")))

    def _misbehave(self, h: BaseHTTPRequestHandler, req: Request, failure: Failure) -> None:
        """The 200 answers that are not usable results."""
        body = req.json()
        if failure.kind == "empty_choices":
            self._send(h, Reply(200, {"id": "chatcmpl-x", "object": "chat.completion", "choices": [], "usage": None}))
            return
        if failure.kind == "null_content":
            choice = {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": None}}
            self._send(h, Reply(200, {"id": "chatcmpl-x", "object": "chat.completion", "choices": [choice]}))
            return
        if failure.kind == "echo_auth_answer":
            auth = h.headers.get("Authorization", "")
            text = f"{self.answer(body)}\n(debug: you sent {auth})"
            choice = {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}
            self._send(h, Reply(200, {"id": "chatcmpl-x", "object": "chat.completion", "choices": [choice]}))
            return
        if failure.kind == "null_choice":
            reply = _chat_completions(self, req)
            if reply.status == 200 and len(reply.body["choices"]) > 1:
                reply.body["choices"][-1]["message"]["content"] = None
            self._send(h, reply)
            return
        full = json.dumps(_chat_completions(self, req).body).encode()
        try:
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            if failure.kind == "truncated":
                cut = full[: len(full) // 2]
                h.send_header("Content-Length", str(len(cut)))
                h.end_headers()
                h.wfile.write(cut)
            elif failure.kind == "short_body":
                h.send_header("Content-Length", str(len(full)))
                h.end_headers()
                h.wfile.write(full[: len(full) // 2])
                h.wfile.flush()
                self._drop(h)
            elif failure.kind == "drip":
                h.send_header("Content-Length", str(len(full)))
                h.end_headers()
                for i in range(len(full)):
                    h.wfile.write(full[i : i + 1])
                    h.wfile.flush()
                    time.sleep(failure.seconds)
            else:  # pragma: no cover - a typo in a test
                raise ValueError(f"unknown fault kind {failure.kind!r}")
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass

    @staticmethod
    def _drop(h: BaseHTTPRequestHandler) -> None:
        h.close_connection = True
        with contextlib.suppress(OSError):
            h.connection.shutdown(socket.SHUT_RDWR)

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, reply: Reply) -> None:
        if isinstance(reply.body, bytes | bytearray):
            payload = bytes(reply.body)
            ctype = reply.headers.get("Content-Type", "application/octet-stream")
        else:
            payload = json.dumps(reply.body if reply.body is not None else {}).encode()
            ctype = "application/json"
        try:
            h.send_response(reply.status)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(payload)))
            h.send_header("x-request-id", f"req_{uuid.uuid4().hex[:12]}")
            for k, v in reply.headers.items():
                if k.lower() != "content-type":
                    h.send_header(k, v)
            h.end_headers()
            h.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass

    # -- helpers for tests ---------------------------------------------------------------------------------
    def count(self, path_prefix: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path.startswith(path_prefix))


def _usage(prompt: str, completion: str) -> Json:
    p, c = max(1, len(prompt) // 4), max(1, len(completion) // 4)
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


def _chat_completions(fake: FakeOpenAI, req: Request) -> Reply:
    body = req.json()
    if "model" not in body or "messages" not in body:
        return Reply(400, error_body(400, "model and messages are required"))
    n = int(body.get("n") or 1)
    if n > 1 and fake.n_mode == "reject":
        message = f"Unsupported value: 'n' does not support {n} with this model. Supported values are: 1."
        return Reply(400, error_body(400, message, code="unsupported_value", param="n"))
    if fake.n_mode == "ignore":
        n = 1
    if fake.max_n is not None:
        n = min(n, fake.max_n)
    prompt = json.dumps(body["messages"])
    choices = []
    texts = []
    for i in range(n):
        text = fake.answer({**body, "_sample_index": i})
        texts.append(text)
        choices.append(
            {
                "index": i,
                "finish_reason": "stop",
                "logprobs": None,
                "message": {"role": "assistant", "content": text, "refusal": None},
            }
        )
    return Reply(
        200,
        {
            "id": f"chatcmpl-{uuid.uuid4().hex[:16]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": choices,
            "usage": _usage(prompt, "".join(texts)),
        },
    )


def _responses(fake: FakeOpenAI, req: Request) -> Reply:
    body = req.json()
    if "model" not in body or "input" not in body:
        return Reply(400, error_body(400, "model and input are required"))
    text = fake.answer(body)
    prompt = json.dumps(body["input"])
    u = _usage(prompt, text)
    return Reply(
        200,
        {
            "id": f"resp_{uuid.uuid4().hex[:16]}",
            "object": "response",
            "created_at": int(time.time()),
            "model": body["model"],
            "status": "completed",
            "output": [
                {
                    "type": "message",
                    "id": f"msg_{uuid.uuid4().hex[:12]}",
                    "status": "completed",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": text, "annotations": []}],
                }
            ],
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
            "usage": {
                "input_tokens": u["prompt_tokens"],
                "output_tokens": u["completion_tokens"],
                "total_tokens": u["total_tokens"],
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens_details": {"reasoning_tokens": 0},
            },
        },
    )


def _models(fake: FakeOpenAI, req: Request) -> Reply:
    return Reply(
        200,
        {"object": "list", "data": [{"id": "fake-model", "object": "model", "created": 0, "owned_by": "biorft-tests"}]},
    )


def register_chat_routes(fake: FakeOpenAI) -> None:
    fake.add_route("POST", "/chat/completions", _chat_completions)
    fake.add_route("POST", "/responses", _responses)
    fake.add_route("GET", "/models", _models)


@contextlib.contextmanager
def running(answer: AnswerFn | None = None, **kw: Any) -> Iterator[FakeOpenAI]:
    """Context manager: a started fake, stopped on exit."""
    fake = FakeOpenAI(answer, **kw).start()
    try:
        yield fake
    finally:
        fake.stop()
