"""Output and input failures, bounded work, kills and the security fixes (issue 19).

Output: a full disk (`-o /dev/full`, stdout on /dev/full), a missing or wrong `-o` path, a
closed stdout or stdin, a pipe nobody reads: one line, exit 1, and `lic apply` checks its
output before it applies, so the dataset and its log stay at the old version.
Bounded: an endless stdin line, a 50 MB line, chat endpoints that stream forever, never
answer or send 10 MB. Kills: SIGKILL during apply and revert leaves the dataset old or new
and the log in agreement. Security: signed approvals, endpoint schemes, the plain-http key
warning. Subprocesses only where the OS must take part (descriptors, signals)."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fuzzkit import (
    QA_ROWS,
    SUBPROCESS_ENV,
    dump_rows,
    edit,
    guarded,
    invoke,
    new_project,
    patch_lines,
    record,
    refused,
    turn,
    valid_patch,
    write_lines,
)

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path):
    return new_project(tmp_path / "p")


def lic(args, *, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=None, timeout=60, pass_fds=()):
    env = {**os.environ, **SUBPROCESS_ENV, **(env or {})}
    return subprocess.run([sys.executable, "-m", "lic_cli", *args], stdin=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, env=env, timeout=timeout, pass_fds=pass_fds)


def one_line(proc) -> list[str]:
    err = proc.stderr.decode("utf-8", "replace").strip()
    bad = []
    if proc.returncode != 1:
        bad.append(f"exit {proc.returncode}")
    if "Traceback" in err or "internal error" in err or "Exception ignored" in err:
        bad.append(err[-400:])
    if len([x for x in err.splitlines() if x.startswith("Error:")]) != 1:
        bad.append(f"not one Error: line: {err[-300:]!r}")
    return bad


# --- output targets (in-process: the checks need a path or a descriptor, not a terminal) ----------

OUTPUTS = {"dev-full": "/dev/full", "missing-folder": "{root}/nope/out.jsonl", "a-folder": "{root}"}
STAGES = ["detect", "extract", "route", "locate"]


@pytest.mark.parametrize("where", sorted(OUTPUTS))
@pytest.mark.parametrize("command", ["apply-patch", "apply-records", *STAGES])
def test_output_target_refused_before_any_work(project, command, where):
    out = OUTPUTS[where].format(root=project.root)
    path = valid_patch(project)
    args = {"apply-patch": ["apply", str(path), "--yes"], "apply-records": ["apply", "--yes"]}.get(command, [command])
    stdin = json.dumps(turn("c1", 1, edit("update", QA_ROWS[1], {"answer": "Yes."}))) + "\n"
    before = guarded(project.root)
    t0 = time.monotonic()
    res = invoke([*args, "-o", out, "--project", str(project.root)], input=stdin)
    bad = refused(res, out if where != "a-folder" else "-o")
    if guarded(project.root) != before:
        bad.append("the dataset or its log changed")
    if time.monotonic() - t0 > 5:
        bad.append("not checked before the work (took over 5 s: a model was loaded?)")
    record("output-input", f"-o {where}/{command}", not bad)
    assert not bad, bad


def test_eval_json_into_a_missing_folder_fails_before_the_evaluation(project):
    t0 = time.monotonic()
    res = invoke(["detect", "--eval", "-", "--eval-json", str(project.root / "nope/m.json"),
                  "--project", str(project.root)])
    bad = refused(res, "nope")
    if time.monotonic() - t0 > 5:
        bad.append("checked only after the evaluation")
    record("bounded-work", "eval-json-missing-folder", not bad)
    assert not bad, bad


# --- descriptors (subprocesses) ---------------------------------------------------------------

def _commands(project):
    path = valid_patch(project)
    return {"apply-patch": ["apply", str(path)], "log": ["log", "--json"], "models": ["models", "--json"],
            "show": ["show", str(path)], "apply-records": ["apply", "--yes"], "revert": ["revert", str(path)]}


@pytest.mark.parametrize("command", ["apply-patch", "log", "show", "apply-records", "revert"])
def test_stdout_on_dev_full(project, command):
    args = _commands(project)[command]
    if command in ("revert", "log"):  # (log: something to write)
        assert invoke(["apply", _commands(project)["revert"][1], "--project", str(project.root)]).exit_code == 0
    stdin = (json.dumps(turn("c1", 1, edit("update", QA_ROWS[1], {"answer": "Yes."}))) + "\n").encode()
    before = guarded(project.root)
    with open("/dev/full", "w") as full:
        proc = lic([*args, "--project", str(project.root)], stdout=full, env={"LIC_AUTHOR": "t"},
                   stdin=subprocess.PIPE if command == "apply-records" else subprocess.DEVNULL) \
            if command != "apply-records" else subprocess.run(
                [sys.executable, "-m", "lic_cli", *args, "--project", str(project.root)], input=stdin,
                stdout=full, stderr=subprocess.PIPE, env={**os.environ, **SUBPROCESS_ENV, "LIC_AUTHOR": "t"},
                timeout=60)
    bad = one_line(proc)
    if command != "log" and guarded(project.root) != before:
        bad.append("the dataset or its log changed although the output could not be written")
    record("output-input", f"stdout-dev-full/{command}", not bad)
    assert not bad, bad


@pytest.mark.parametrize("command", ["apply-patch", "log"])
def test_stdout_closed_and_broken_pipe(project, command):
    cmds = _commands(project)
    if command == "log":  # (something to write)
        assert invoke(["apply", cmds["revert"][1], "--project", str(project.root)]).exit_code == 0
    args = [*cmds[command], "--project", str(project.root)]
    before = guarded(project.root)
    env = {**os.environ, **SUBPROCESS_ENV}
    closed = subprocess.run([sys.executable, "-m", "lic_cli", *args], stdin=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env, timeout=60, preexec_fn=lambda: os.close(1))
    r, w = os.pipe()
    os.close(r)  # nobody will read
    try:
        broken = subprocess.run([sys.executable, "-m", "lic_cli", *args], stdin=subprocess.DEVNULL, stdout=w,
                                stderr=subprocess.PIPE, env=env, timeout=60)
    finally:
        os.close(w)
    bad = one_line(closed)
    if command == "log":  # a listing whose reader left: quiet, like `lic log | head` (click's EPIPE rule)
        err = broken.stderr.decode()
        bad += [err[-300:]] if broken.returncode not in (0, 1) or "Traceback" in err else []
    else:  # apply checks its output first: one line, nothing applied
        bad += one_line(broken)
    if guarded(project.root) != before:
        bad.append("the dataset or its log changed")
    record("output-input", f"closed-and-broken-stdout/{command}", not bad)
    assert not bad, bad


def test_closed_stdin(project):
    env = {**os.environ, **SUBPROCESS_ENV}
    proc = subprocess.run([sys.executable, "-m", "lic_cli", "apply", "--project", str(project.root), "--author", "t"],
                          capture_output=True, env=env, timeout=60,
                          preexec_fn=lambda: os.close(0))
    bad = one_line(proc)
    if b"stdin is closed" not in proc.stderr:
        bad.append(proc.stderr.decode()[-200:])
    record("output-input", "closed-stdin/apply", not bad)
    assert not bad, bad


def test_endless_stdin_line(project):
    """/dev/zero on stdin: refused after LIC_MAX_LINE_BYTES, in bounded memory and time."""
    with open("/dev/zero", "rb") as zero:
        t0 = time.monotonic()
        proc = lic(["apply", "--project", str(project.root), "--author", "t"], stdin=zero, timeout=60)
    bad = one_line(proc)
    if b"line longer than" not in proc.stderr:
        bad.append(proc.stderr.decode()[-200:])
    if time.monotonic() - t0 > 20:
        bad.append("slow")
    record("bounded-work", "dev-zero-stdin", not bad)
    assert not bad, bad


def test_50mb_line_in_a_file(project, tmp_path):
    big = tmp_path / "big.jsonl"
    with open(big, "wb") as fh:
        fh.write(b'{"role": "user", "text": "')
        fh.write(b"a" * (50 << 20))
        fh.write(b'"}\n')
    t0 = time.monotonic()
    res = invoke(["apply", "-i", str(big), "--project", str(project.root), "--author", "t"])
    bad = refused(res, "big.jsonl line 1", "LIC_MAX_LINE_BYTES")
    if time.monotonic() - t0 > 20:
        bad.append("slow")
    record("bounded-work", "50mb-line", not bad)
    assert not bad, bad


# --- kills --------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["apply", "revert"])
def test_sigkill_keeps_dataset_and_log_in_agreement(tmp_path, command):
    from lic_cli.patches import files
    from lic_cli.patches.build import build
    from lic_cli.store import versions
    from lic_cli.store.rows import file_hash

    project = new_project(tmp_path / "p")
    task = project.task("support_qa")
    data = project.dataset_path(task)
    rows = [{"question": f"Question {i}?", "answer": f"Answer {i}.", "split": "train"} for i in range(20000)]
    data.write_text(dump_rows(rows))
    recs = [turn("c1", i, edit("update", rows[i * 1500], {"answer": f"new {i}"})) for i in range(1, 8)]
    (patch,) = build(recs, project=project, author="a", time="2026-01-02T03:04:05Z").patches
    path = files.write_new(project, patch, "kill")
    if command == "revert":
        assert invoke(["apply", str(path), "--project", str(project.root)]).exit_code == 0
    pristine = tmp_path / "pristine"
    shutil.copytree(project.root, pristine, symlinks=True)
    rng = random.Random(19)
    env = {**os.environ, **SUBPROCESS_ENV, "LIC_AUTHOR": "k"}
    outcomes = []
    for _ in range(3):
        shutil.rmtree(project.root)
        shutil.copytree(pristine, project.root, symlinks=True)
        old = file_hash(data)
        proc = subprocess.Popen([sys.executable, "-m", "lic_cli", command, str(path), "--project", str(project.root)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        time.sleep(rng.uniform(0.2, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        res = invoke(["log", "support_qa", "--json", "--project", str(project.root)])  # recovers under the lock
        now = file_hash(data)
        log = versions.read_log(project, task)
        agree = (not log and now == old) or (bool(log) and log[-1].hash == now) or now == old
        outcomes.append(res.exit_code == 0 and agree)
    record("kills", f"sigkill/{command}", all(outcomes))
    assert all(outcomes), outcomes


# --- endpoints (a local server in a thread) -------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):  # /v1/models
        self._json({"data": [{"id": "m"}]})

    def _json(self, obj, code=200):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        mode = self.path.split("/")[1]
        if mode == "silent":
            time.sleep(5)
            return
        if mode == "big":
            body = b'{"choices": [{"message": {"content": "' + b"a" * (10 << 20) + b'"}}]}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        try:
            for _ in range(100000 if mode == "forever" else 3):
                event = {"choices": [{"delta": {"content": "tok "}}]}
                self.wfile.write(b"data: " + json.dumps(event).encode() + b"\n\n")
                self.wfile.flush()
            if mode != "forever":
                self.wfile.write(b"data: [DONE]\n\n")
        except (BrokenPipeError, ConnectionResetError):
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client that hung up early: expected here
        pass


@pytest.fixture(scope="module")
def server():
    srv = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def test_endpoint_that_streams_forever_stops_at_max_new_tokens(server):
    from lic_cli.chat.endpoint import EndpointLM

    t0 = time.monotonic()
    reply = EndpointLM(server + "/forever", model="m", max_new_tokens=7, timeout=5).reply(
        [{"role": "user", "content": "hi"}])
    ok = reply.count("tok") == 7 and time.monotonic() - t0 < 5
    record("bounded-work", "endpoint-streams-forever", ok)
    assert ok, reply[:200]


@pytest.mark.parametrize("which", ["chat", "extract"])
def test_endpoint_that_never_answers_times_out(server, which):
    from lic_cli.errors import ModelLoadError

    t0 = time.monotonic()
    with pytest.raises(ModelLoadError):
        if which == "chat":
            from lic_cli.chat.endpoint import EndpointLM

            EndpointLM(server + "/silent", model="m", timeout=1).reply([{"role": "user", "content": "hi"}])
        else:
            from lic_cli.extract.endpoint import EndpointGenerator

            EndpointGenerator(server + "/silent", timeout=1).complete([[{"role": "user", "content": "hi"}]])
    ok = time.monotonic() - t0 < 4
    record("bounded-work", f"endpoint-never-answers/{which}", ok)
    assert ok


def test_endpoint_reply_size_is_capped(server):
    from lic_cli.errors import ModelLoadError
    from lic_cli.extract.endpoint import EndpointGenerator

    with pytest.raises(ModelLoadError, match="larger than"):
        EndpointGenerator(server + "/big", timeout=10).complete([[{"role": "user", "content": "hi"}]])
    record("security", "endpoint-reply-10mb", True)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/", "gopher://x", "http://", "localhost:8080"])
def test_endpoint_schemes(project, url):
    """Only http(s) is an endpoint: anything else is refused in one line (as not http, or as
    no model of that name), never fetched."""
    from lic_cli.chat.endpoint import EndpointLM
    from lic_cli.errors import ModelLoadError

    res = invoke(["chat", "--endpoint", url, "--model", "m", "--no-knowledge", "--project", str(project.root)],
                 input="hello\n")
    bad = refused(res, url.rstrip("/"))
    try:
        EndpointLM(url, model="m")
        bad.append("EndpointLM took it")
    except ModelLoadError as exc:
        if "http" not in str(exc):
            bad.append(str(exc))
    record("security", f"endpoint-scheme/{url}", not bad)
    assert not bad, bad


def test_key_over_plain_http_is_warned(capsys):
    from lic_cli.extract.endpoint import EndpointGenerator

    EndpointGenerator("http://192.0.2.1:8080", api_key="secret")
    EndpointGenerator("http://127.0.0.1:8080", api_key="secret")
    err = capsys.readouterr().err
    ok = err.count("over plain http") == 1 and "192.0.2.1" in err
    record("security", "plain-http-key-warning", ok)
    assert ok, err


@pytest.mark.parametrize("case", ["binary", "utf-16", "nul", "1mb-line"])
def test_chat_stdin_that_is_not_text(server, project, case):
    data = {"binary": b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x01", "utf-16": "hello\n".encode("utf-16"),
            "nul": b"hel\x00lo\n", "1mb-line": b"a" * (1 << 20) + b"\n"}[case]
    res = invoke(["chat", "--endpoint", server + "/ok", "--model", "m", "--no-knowledge",
                  "--project", str(project.root)], input=data)
    bad = refused(res, "stdin line 1")
    record("output-input", f"chat-stdin/{case}", not bad)
    assert not bad, bad


# --- approvals ------------------------------------------------------------------------------------

def _intent_patch(project):
    from lic_cli.patches import files
    from lic_cli.patches.build import build

    recs = [turn("c1", 1, edit("add", None, {"text": "Remember: refunds take 30 days.", "label": "teach"},
                               task="intent"))]
    (patch,) = build(recs, project=project, author="a", time="2026-01-02T03:04:05Z").patches
    return files.write_new(project, patch, "teach")


KEY = {"LIC_APPROVAL_KEY": "ci-secret"}


@pytest.mark.parametrize("case", ["signed", "forged-approved-by", "signature-of-other-approver",
                                  "signature-tampered", "no-key-in-ci", "wrong-key", "unsigned-without-ci"])
def test_signed_approvals(project, case, monkeypatch):
    path = _intent_patch(project)
    root = str(project.root)
    if case in ("signed", "signature-of-other-approver", "signature-tampered", "no-key-in-ci", "wrong-key"):
        from lic_cli.patches import files

        monkeypatch.setenv("LIC_APPROVAL_KEY", KEY["LIC_APPROVAL_KEY"])  # the approver's signing step holds it
        files.approve(project, str(path), by="rev", at="2026-01-03T00:00:00Z")
        monkeypatch.delenv("LIC_APPROVAL_KEY")
    lines = patch_lines(path)
    if case in ("forged-approved-by", "unsigned-without-ci"):
        lines[0].update(approved_by="mallory", approved_at="2026-01-03T00:00:00Z")
    elif case == "signature-of-other-approver":
        lines[0]["approved_by"] = "mallory"
    elif case == "signature-tampered":
        sig = lines[0]["approval"]
        lines[0]["approval"] = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    write_lines(path, lines, fix=False)
    env = {"signed": KEY, "no-key-in-ci": {}, "wrong-key": {"LIC_APPROVAL_KEY": "other"}}.get(case, KEY)
    args = ["apply", str(path), "--project", root] + ([] if case == "unsigned-without-ci" else ["--ci"])
    before = guarded(project.root)
    res = invoke(args, env=env)
    if case in ("signed", "unsigned-without-ci"):
        bad = [] if res.exit_code == 0 else [res.stderr]
    else:
        bad = refused(res, "intent")
        if guarded(project.root) != before:
            bad.append("applied without a verified approval")
    record("security", f"approval/{case}", not bad)
    assert not bad, bad
