"""An OpenAI-compatible chat endpoint (`POST <url>/chat/completions`), with the stdlib only.

Works with llama.cpp's server, vLLM, Ollama, LM Studio and hosted APIs. Greedy
(temperature 0). Any failure to get an answer raises ModelLoadError with one line
naming the endpoint; a missing or odd answer is a reply the caller validates.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from lic_cli.errors import ModelLoadError
from lic_cli.extract.generate import Completion, Messages
from lic_cli.safeload import check_endpoint, read_reply

API_KEY_ENV = "LIC_API_KEY"


def chat_url(url: str) -> str:
    """Accept the server root, its /v1, or the full /chat/completions URL."""
    url = url.rstrip("/")
    if url.endswith("/chat/completions"):
        return url
    if not url.endswith("/v1"):
        url += "/v1"
    return url + "/chat/completions"


class EndpointGenerator:
    """Same `complete` interface as `generate.ChatGenerator`, over HTTP."""

    def __init__(self, url: str, *, model: str = "default", api_key: str | None = None, timeout: float = 60.0,
                 max_new_tokens: int = 256, workers: int = 4) -> None:
        self.api_key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
        try:  # http(s) only; a warning before a key goes over plain http (lic_cli/safeload.py)
            check_endpoint(url, sends_key=bool(self.api_key), env=API_KEY_ENV)
        except ValueError as exc:
            raise ModelLoadError(str(exc)) from None
        self.url = chat_url(url)
        self.model = model
        self.timeout = timeout
        self.max_new_tokens = max_new_tokens
        self.workers = max(1, workers)
        self.name = f"{model}@{self.url}"

    def complete(self, conversations: list[Messages]) -> list[Completion]:
        if len(conversations) <= 1 or self.workers == 1:
            return [self._one(m) for m in conversations]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(conversations))) as pool:
            return list(pool.map(self._one, conversations))

    def _one(self, messages: Messages) -> Completion:
        body = json.dumps({"model": self.model, "messages": messages, "temperature": 0,
                           "max_tokens": self.max_new_tokens}).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = read_reply(resp, self.url)  # at most MAX_REPLY_BYTES
        except urllib.error.HTTPError as exc:
            detail = exc.read(200).decode("utf-8", "replace").strip()
            raise ModelLoadError(f"endpoint {self.url}: HTTP {exc.code} {exc.reason}"
                                 + (f" ({detail})" if detail else "")) from None
        except TimeoutError:
            raise ModelLoadError(f"endpoint {self.url}: no answer within {self.timeout:g} s (--timeout)") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise ModelLoadError(f"endpoint {self.url}: no answer within {self.timeout:g} s "
                                     "(--timeout)") from None
            raise ModelLoadError(f"endpoint {self.url}: cannot connect ({reason})") from None
        except OSError as exc:
            raise ModelLoadError(f"endpoint {self.url}: {exc}") from None
        except ValueError as exc:  # a reply over the size limit
            raise ModelLoadError(str(exc)) from None
        return Completion(_content(raw, self.url), _tokens(raw))


def _content(raw: bytes, url: str) -> str:
    try:
        doc: Any = json.loads(raw)
        content = doc["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise ModelLoadError(f"endpoint {url}: not an OpenAI chat completion response: "
                             f"{raw[:120].decode('utf-8', 'replace')!r}") from None
    return content if isinstance(content, str) else ""


def _tokens(raw: bytes) -> int:
    try:
        return int(json.loads(raw)["usage"]["completion_tokens"])
    except (ValueError, KeyError, TypeError):
        return 0
