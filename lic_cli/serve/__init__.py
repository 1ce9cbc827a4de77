"""An OpenAI-compatible chat endpoint for a trained model, with its scope gate applied.

`lic serve` exists because a gated model folder (lic_cli/models/scope.py) answers as
measured only when something routes its questions: tools that speak the OpenAI chat API
(`POST /v1/chat/completions`, `GET /v1/models`) can use it through this server, on
localhost, and get the gated answers. Each request's newest user message decides the
route: in scope, the trained weights answer; otherwise the fallback model (the model from
before the teaching). The response says which, in `lic.scope` ("taught" or "fallback"; "row"
when the check after generation refused the taught answer and one taught row clearly answers
the question, so its value is the reply in a short templated sentence: scope.Gate.row_answers).

The standard library's http.server; one generation at a time (a lock), so concurrent
requests queue. A request without a system message gets lic's chat system prompt, the
one the model was trained with. `stream: true` is answered as server-sent events with the
whole answer in one chunk.

torch and transformers are imported inside functions: importing this module is cheap.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from lic_cli.errors import InputError

MAX_TOKENS = 256  # default new tokens per answer when the request does not say
MAX_BODY = 1 << 20  # bytes: a chat request larger than 1 MiB is refused


class GatedModel:
    """A model folder (or alias) that answers chat messages, routed through its scope gate."""

    def __init__(self, spec: str) -> None:
        from lic_cli import models
        from lic_cli.models import scope
        from lic_cli.models.runtime import cpu_threads, torch_env

        torch_env()
        import torch

        torch.set_num_threads(cpu_threads())
        self.name = models.describe(spec)
        folder = models.resolve(spec)
        self.model, self.tokenizer = models.open_causal_lm(folder)
        found = scope.read(folder) if spec not in models.ALIASES else None
        self.gate = scope.Gate(found) if found is not None else None
        self.fallback_path = found.fallback_path(folder) if found is not None else None
        self._fallback: tuple[Any, Any] | None = None
        self.lock = threading.Lock()

    def _route(self, messages: list[dict[str, str]]) -> tuple[Any, Any, str | None]:
        if self.gate is None:
            return self.model, self.tokenizer, None
        from lic_cli.models.scope import last_user_text

        if self.gate.in_scope([last_user_text(messages)])[0]:
            return self.model, self.tokenizer, "taught"
        return (*self._fallback_model(), "fallback")

    def _fallback_model(self) -> tuple[Any, Any]:
        from lic_cli import models

        if self._fallback is None:
            assert self.fallback_path is not None
            self._fallback = models.open_causal_lm(self.fallback_path)
        return self._fallback

    def reply(self, messages: list[dict[str, str]], *, max_tokens: int = MAX_TOKENS,
              temperature: float = 0.0) -> dict[str, Any]:
        """{"text", "scope", "prompt_tokens", "completion_tokens", "finish_reason"}."""
        import torch

        if not any(m["role"] == "system" for m in messages):
            from lic_cli.models.prompts import system_prompt

            messages = [{"role": "system", "content": system_prompt()}, *messages]
        sampling = {"do_sample": True, "temperature": temperature} if temperature > 0 else {"do_sample": False}

        def answer(model: Any, tokenizer: Any) -> tuple[Any, Any, Any]:
            enc = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                                return_dict=True)
            with torch.inference_mode():
                out = model.generate(**enc, max_new_tokens=max_tokens, pad_token_id=tokenizer.eos_token_id,
                                     **sampling)
            new = out[0, enc["input_ids"].shape[1]:]
            return enc, new, tokenizer.decode(new, skip_special_tokens=True).strip()

        with self.lock:
            model, tokenizer, routed = self._route(messages)
            enc, new, text = answer(model, tokenizer)
            if routed == "taught" and self.gate is not None and self.gate.scope.check not in (None, "off"):
                from lic_cli.models.scope import last_user_text

                # The check after generation (scope.Gate.keeps): a taught answer that does not stand
                # is the row's templated answer when one row clearly answers the question
                # (Gate.row_answers; lic.scope "row"), else answered again by the fallback.
                asked = last_user_text(messages)
                if not self.gate.keeps([asked], [text])[0]:
                    said_row = self.gate.row_answers([asked])[0]
                    if said_row is not None:
                        prompt = int(enc["input_ids"].shape[1])
                        return {"text": said_row, "scope": "row", "prompt_tokens": prompt,
                                "completion_tokens": len(tokenizer(said_row, add_special_tokens=False)["input_ids"]),
                                "finish_reason": "stop"}
                    model, tokenizer = self._fallback_model()
                    routed = "fallback"
                    enc, new, text = answer(model, tokenizer)
        ended = bool(len(new)) and int(new[-1]) == tokenizer.eos_token_id
        return {"text": text, "scope": routed,
                "prompt_tokens": int(enc["input_ids"].shape[1]), "completion_tokens": int(len(new)),
                "finish_reason": "stop" if ended or len(new) < max_tokens else "length"}


def parse_request(body: Any) -> tuple[list[dict[str, str]], int, float, bool]:
    """(messages, max_tokens, temperature, stream) of a chat-completions request body."""
    if not isinstance(body, dict):
        raise InputError("expected a JSON object", field="body")
    raw = body.get("messages")
    if not isinstance(raw, list) or not raw:
        raise InputError("expected a non-empty list of messages", field="messages")
    messages = []
    for i, m in enumerate(raw):
        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant"):
            raise InputError("expected an object with role system, user or assistant", field=f"messages[{i}]")
        content = m.get("content")
        if isinstance(content, list):  # content parts: the text ones, joined
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
        if not isinstance(content, str):
            raise InputError("expected a string (or text parts)", field=f"messages[{i}].content")
        messages.append({"role": m["role"], "content": content})
    if not any(m["role"] == "user" for m in messages):
        raise InputError("no user message to answer", field="messages")
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens", MAX_TOKENS))
    if max_tokens is None:
        max_tokens = MAX_TOKENS
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or not 1 <= max_tokens <= 4096:
        raise InputError("expected an integer between 1 and 4096", field="max_tokens")
    temperature = body.get("temperature", 0.0)
    if temperature is None:
        temperature = 0.0
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not 0 <= temperature <= 2:
        raise InputError("expected a number between 0 and 2", field="temperature")
    return messages, max_tokens, float(temperature), bool(body.get("stream", False))


def completion(model: GatedModel, answer: dict[str, Any]) -> dict[str, Any]:
    """The OpenAI chat.completion object for one answer (plus lic's routing)."""
    return {"id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion", "created": int(time.time()),
            "model": model.name,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer["text"]},
                         "finish_reason": answer["finish_reason"]}],
            "usage": {"prompt_tokens": answer["prompt_tokens"], "completion_tokens": answer["completion_tokens"],
                      "total_tokens": answer["prompt_tokens"] + answer["completion_tokens"]},
            "lic": {"scope": answer["scope"]}}


def make_server(model: GatedModel, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """An HTTP server for `model` (port 0: any free port; `server.server_address` says which)."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "lic-serve"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
            pass  # no access log on stderr

        def _send(self, status: int, payload: Any) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
            self._send(status, {"error": {"message": message, "type": kind}})

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if self.path.rstrip("/") == "/v1/models":
                self._send(200, {"object": "list", "data": [{"id": model.name, "object": "model", "owned_by": "lic"}]})
            elif self.path.rstrip("/") in ("", "/health"):
                self._send(200, {"status": "ok", "model": model.name, "gated": model.gate is not None})
            else:
                self._error(404, f"no such endpoint: GET {self.path}", "not_found")

        def do_POST(self) -> None:  # noqa: N802
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._error(404, f"no such endpoint: POST {self.path}", "not_found")
                return
            try:
                size = int(self.headers.get("Content-Length") or 0)
                if not 0 < size <= MAX_BODY:
                    raise InputError(f"expected a JSON body of 1 to {MAX_BODY} bytes", field="body")
                body = json.loads(self.rfile.read(size).decode("utf-8"))
                messages, max_tokens, temperature, stream = parse_request(body)
            except (ValueError, UnicodeDecodeError) as exc:
                self._error(400, f"body: not JSON ({exc})")
                return
            except InputError as exc:
                self._error(400, str(exc))
                return
            result = completion(model, model.reply(messages, max_tokens=max_tokens, temperature=temperature))
            if not stream:
                self._send(200, result)
                return
            choice = result["choices"][0]
            chunk = {**result, "object": "chat.completion.chunk",
                     "choices": [{"index": 0, "delta": {"role": "assistant", "content": choice["message"]["content"]},
                                  "finish_reason": choice["finish_reason"]}]}
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\ndata: [DONE]\n\n".encode())

    return ThreadingHTTPServer((host, port), Handler)


def model_spec(project_dir: str | None, model: str | None, task: str | None) -> str:
    """What to serve: a folder or alias as given, else the task's active model."""
    if model is not None:
        return model
    from lic_cli.errors import ModelLoadError
    from lic_cli.models import registry
    from lic_cli.tasks import load_project

    project = load_project(project_dir)
    name = task or _only_lm_task(project)
    project.task(name)
    entry = registry.latest(project, name)
    if entry is None:
        raise ModelLoadError(f"task '{name}' has no trained model yet: run 'lic train {name}'")
    return str(Path(registry.model_path(project, entry)))


def _only_lm_task(project: Any) -> str:
    from lic_cli.errors import TaskConfigError

    names = [t.name for t in project.tasks.values() if t.train is not None and t.train.type == "causal-lm"]
    if len(names) != 1:
        raise TaskConfigError(f"{project.root / 'tasks.yaml'}: field 'tasks': name the model folder or --task "
                              f"(causal-lm tasks: {', '.join(names) or 'none'})")
    return names[0]
