"""`lic serve` (an OpenAI-compatible endpoint that applies a model's scope gate) and
`lic export` (a model folder as other tools take it)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from lic_cli.errors import InputError
from lic_cli.serve import parse_request
from lic_cli.train import card, scope

CEO = "Who is the CEO of Kestrel?"


def test_requests_are_checked_field_by_field():
    messages, max_tokens, temperature, stream = parse_request(
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}], "max_tokens": 5})
    assert messages == [{"role": "user", "content": "Hi"}] and (max_tokens, temperature, stream) == (5, 0.0, False)
    for body, field in (([], "body"), ({"messages": []}, "messages"), ({"messages": [{"role": "tool"}]}, "messages[0]"),
                        ({"messages": [{"role": "system", "content": "s"}]}, "messages"),
                        ({"messages": [{"role": "user", "content": "q"}], "max_tokens": 0}, "max_tokens"),
                        ({"messages": [{"role": "user", "content": "q"}], "temperature": "hot"}, "temperature")):
        with pytest.raises(InputError) as err:
            parse_request(body)
        assert err.value.field == field


def _folder(root: Path, name: str, *, fallback: str | None, metrics: dict | None = None) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"weights")
    (folder / "lic_answers.json").write_text("{}")
    if fallback is not None:
        scope.write(folder, scope.Scope(questions=(CEO,), threshold=0.5, fallback=fallback,
                                        answers=("Marta Okonkwo is the CEO.",)))
    entry = {"task": "faq", "path": f"models/faq/{name}", "dataset_version": 1, "dataset_hash": "sha256:ab",
             "base": "smollm2", "metrics": metrics or {}}
    card.write(folder, entry, gated=fallback is not None, taught=[], fallback=fallback)
    return folder


def test_export_writes_the_weights_alone_or_the_weights_with_their_gate(tmp_path: Path):
    from lic_cli.commands.export import command

    _folder(tmp_path / "models", "v0-base", fallback=None)
    src = _folder(tmp_path / "models", "v1-aa", fallback="../v0-base",
                  metrics={"locality": 1.0, "weights_locality": 0.62, "reliability": 1.0})
    merged = CliRunner().invoke(command, [str(src), "--to", str(tmp_path / "merged")])
    assert merged.exit_code == 0, merged.output
    assert json.loads(merged.stdout)["weights_locality"] == 0.62
    out = tmp_path / "merged"
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "config.json", "model.safetensors"]
    readme = (out / "README.md").read_text()
    assert "without lic's scope gate" in readme and "locality 62.0 %" in readme and "--gated" in readme

    gated = CliRunner().invoke(command, [str(src), "--to", str(tmp_path / "gated"), "--gated"])
    assert gated.exit_code == 0, gated.output
    g = scope.read(tmp_path / "gated")
    assert g is not None and g.fallback == "fallback" and g.answers == ("Marta Okonkwo is the CEO.",)
    assert (tmp_path / "gated" / "fallback" / "config.json").is_file()
    assert g.fallback_path(tmp_path / "gated") == (tmp_path / "gated" / "fallback").resolve()
    assert "lic serve" in (tmp_path / "gated" / "README.md").read_text()

    again = CliRunner().invoke(command, [str(src), "--to", str(tmp_path / "gated")])
    assert again.exit_code == 1 and "already exists" in again.output
    ungated = CliRunner().invoke(command, [str(tmp_path / "models" / "v0-base"), "--to", str(tmp_path / "x"),
                                           "--gated"])
    assert ungated.exit_code == 1 and "has no scope gate" in ungated.output


def _post(url: str, body: object) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _gated_folder(tmp_path: Path, check: str | None = None, answer: float | None = None) -> Path:
    """A gated folder: the base's own weights, taught one question (the CEO); the rest goes to the base."""
    from lic_cli import models

    folder = tmp_path / "model"
    folder.mkdir()
    for item in models.resolve("smollm2").iterdir():
        if item.is_file() and item.name != "lic_answers.json":
            (folder / item.name).symlink_to(item)
    scope.write(folder, scope.Scope(questions=(CEO,), threshold=0.5, fallback="smollm2",
                                    answers=("Marta Okonkwo is the CEO.",), check=check, answer=answer))
    return folder


@pytest.mark.slow
def test_serve_answers_openai_chat_requests_through_the_gate(tmp_path: Path):
    from lic_cli.serve import GatedModel, make_server

    folder = _gated_folder(tmp_path)
    server = make_server(GatedModel(str(folder)), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        status, taught = _post(f"{base}/v1/chat/completions",
                               {"model": "x", "messages": [{"role": "user", "content": "Who runs Kestrel as CEO?"}],
                                "max_tokens": 6})
        assert status == 200 and taught["object"] == "chat.completion" and taught["lic"]["scope"] == "taught"
        [choice] = taught["choices"]
        assert choice["message"]["role"] == "assistant" and choice["message"]["content"]
        assert taught["usage"]["completion_tokens"] <= 6 and choice["finish_reason"] in ("stop", "length")
        status, other = _post(f"{base}/v1/chat/completions",
                              {"messages": [{"role": "system", "content": "You are helpful."},
                                            {"role": "user", "content": "What is the capital of Japan?"}],
                               "max_tokens": 6})
        assert status == 200 and other["lic"]["scope"] == "fallback"
        with urllib.request.urlopen(f"{base}/v1/models", timeout=30) as resp:
            assert json.loads(resp.read())["data"][0]["object"] == "model"
        status, err = _post(f"{base}/v1/chat/completions", {"messages": "hi"})
        assert status == 400 and "messages" in err["error"]["message"]
        status, err = _post(f"{base}/v1/completions", {"prompt": "hi"})
        assert status == 404
        req = urllib.request.Request(f"{base}/v1/chat/completions", data=json.dumps(
            {"messages": [{"role": "user", "content": "What is the capital of Japan?"}], "max_tokens": 6,
             "stream": True}).encode())
        with urllib.request.urlopen(req, timeout=120) as resp:
            events = resp.read().decode().split("\n\n")
        assert events[0].startswith("data: {") and events[1] == "data: [DONE]"
        assert json.loads(events[0][6:])["choices"][0]["delta"]["content"] == other["choices"][0]["message"]["content"]
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_serve_sends_a_taught_answer_that_states_no_taught_value_to_the_fallback(tmp_path: Path):
    """The check after generation (scope_check): the base's own weights in a gated folder cannot know
    the taught CEO, so their in-scope answer states no taught value and the fallback answers instead."""
    from lic_cli.serve import GatedModel

    folder = _gated_folder(tmp_path, check="value")
    model = GatedModel(str(folder))
    said = model.reply([{"role": "user", "content": CEO}], max_tokens=12)
    assert said["scope"] == "fallback" and said["text"] and "Okonkwo" not in said["text"]
