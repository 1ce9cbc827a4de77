"""A chat backend for any OpenAI-compatible server (ollama, vLLM, llama.cpp server, ...).

POST /v1/chat/completions with `"stream": true` and read the server-sent events, with the
standard library only. The key, if the server wants one, comes from $LIC_ENDPOINT_KEY.
`stream` yields the pieces; `generate` hands them to a callback like the local backend.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

from lic_cli.errors import ModelLoadError
from lic_cli.safeload import MAX_EVENT_BYTES, MAX_REPLY_BYTES, check_endpoint, read_reply

TIMEOUT = 120.0  # seconds without a byte from the server


def completions_url(url: str) -> str:
    base = url.rstrip("/")
    if base.endswith("/chat/completions"):
        return base
    return base + ("/chat/completions" if base.endswith("/v1") else "/v1/chat/completions")


class EndpointLM:
    def __init__(self, url: str, *, model: str | None = None, max_new_tokens: int = 128,
                 timeout: float = TIMEOUT) -> None:
        try:  # http(s) only; a warning before a key goes over plain http (lic_cli/safeload.py)
            check_endpoint(url, sends_key=bool(os.environ.get("LIC_ENDPOINT_KEY")), env="LIC_ENDPOINT_KEY")
        except ValueError as exc:
            raise ModelLoadError(str(exc)) from None
        self.url = completions_url(url)
        self.model = model or self._first_model()
        self.name = f"{self.model}@{url.rstrip('/')}"
        self.max_new_tokens = max_new_tokens
        self.timeout = timeout
        self.last_tokens = 0  # content events of the latest reply (servers send about one per token)

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        key = os.environ.get("LIC_ENDPOINT_KEY")
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _models_url(self) -> str:
        return self.url.removesuffix("/chat/completions") + "/models"

    def _first_model(self) -> str:
        """The server's first model (GET /v1/models); servers with one model ignore the name."""
        try:
            req = urllib.request.Request(self._models_url(), headers=self._headers())
            with urllib.request.urlopen(req, timeout=10) as resp:
                data = json.loads(read_reply(resp, self.url)).get("data") or []
        except (urllib.error.URLError, OSError, ValueError, AttributeError):
            return "default"
        first = data[0] if data and isinstance(data[0], dict) else {}
        return str(first.get("id") or "default")

    def check(self) -> None:
        """Fail now, in one line, when nothing answers at the URL (any HTTP answer will do:
        not every server has /v1/models)."""
        try:
            req = urllib.request.Request(self._models_url(), headers=self._headers())
            with urllib.request.urlopen(req, timeout=10):
                pass
        except urllib.error.HTTPError:
            pass
        except (urllib.error.URLError, OSError) as exc:
            raise ModelLoadError(f"endpoint {self.url}: {getattr(exc, 'reason', exc)}") from None

    def stream(self, messages: list[dict[str, str]], *, stop: threading.Event | None = None,
               grounded: bool = False) -> Iterator[str]:
        body: dict[str, Any] = {"model": self.model, "messages": messages, "stream": True,
                                "max_tokens": self.max_new_tokens, "temperature": 0}
        req = urllib.request.Request(self.url, data=json.dumps(body).encode("utf-8"), headers=self._headers(),
                                     method="POST")
        try:
            resp = urllib.request.urlopen(req, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            detail = exc.read(300).decode("utf-8", "replace").strip()
            raise ModelLoadError(f"endpoint {self.url}: HTTP {exc.code} {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise ModelLoadError(f"endpoint {self.url}: {getattr(exc, 'reason', exc)}") from None
        self.last_tokens = 0
        received = 0
        deadline = time.monotonic() + self.timeout * 4  # a server that trickles forever
        with resp:
            while True:  # one SSE line at a time: "data: {...}", blank lines between events
                raw = resp.readline(MAX_EVENT_BYTES + 1)
                if not raw:
                    return
                received += len(raw)
                if len(raw) > MAX_EVENT_BYTES or received > MAX_REPLY_BYTES:
                    raise ModelLoadError(f"endpoint {self.url}: reply larger than {MAX_REPLY_BYTES:,} bytes")
                if time.monotonic() > deadline:
                    raise ModelLoadError(f"endpoint {self.url}: no end of the reply after {self.timeout * 4:g} s")
                if stop is not None and stop.is_set():
                    return
                if self.last_tokens >= self.max_new_tokens:
                    return  # --max-new-tokens, whatever the server does with max_tokens
                line = raw.decode("utf-8", "replace").strip()
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                try:
                    event = json.loads(data)
                except json.JSONDecodeError:
                    raise ModelLoadError(f"endpoint {self.url}: not a JSON event: {data[:80]}") from None
                if isinstance(event, dict) and event.get("error"):
                    raise ModelLoadError(f"endpoint {self.url}: {event['error']}")
                for choice in (event.get("choices") or []) if isinstance(event, dict) else []:
                    piece = (choice.get("delta") or {}).get("content") if isinstance(choice, dict) else None
                    if piece:
                        self.last_tokens += 1
                        yield piece
                        if self.last_tokens >= self.max_new_tokens:
                            return

    def generate(self, messages: list[dict[str, str]], emit, *, grounded: bool = False) -> None:
        """The backend interface (lic_cli/chat/backend.py): on Ctrl-C the connection is closed."""
        stream = self.stream(messages, grounded=grounded)
        try:
            for piece in stream:
                emit(piece)
        finally:
            stream.close()

    def reply(self, messages: list[dict[str, str]], *, grounded: bool = False) -> str:
        return "".join(self.stream(messages, grounded=grounded)).strip()
