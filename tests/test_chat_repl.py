"""The interactive console, driven for real in a pseudo-terminal with the packaged models:
teach, correct, forget; see each change, apply it, undo it, and get the new answer at once."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
from test_chat_endpoint import Server

from lic_cli.jsonl import Reader

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
PROMPT = "you> "
TEACH_Q = r"\[y/N\] "
DECIDE = r"\[a\]ccept[^?\r\n]*\? "
RELATED = r"Update them too\? [^\r\n]*\) "
EDIT = r"  \w+ \[[^\]\r\n]*\]: "
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def spawn(project: Path, *args: str):
    env = {**os.environ, "PYTHONPATH": str(REPO), "LIC_AUTHOR": "tester", "TERM": "dumb", "NO_COLOR": "1"}
    return pexpect.spawn(sys.executable, ["-m", "lic_cli", "chat", "--max-new-tokens", "24", *args], cwd=str(project),
                         env=env, encoding="utf-8", timeout=240, dimensions=(60, 240))


def staged(shown: str) -> int:
    """How many changes the console last said were staged ("staged (N change(s) waiting for /apply)")."""
    found = re.findall(r"staged \((\d+) change\(s\)", shown)
    assert found, shown
    return int(found[-1])


def say(child, text: str, *, teach: str = "y", decision: str = "a", related: str = "n", edit: str = "") -> str:
    """Send one line and answer the console's questions until the next prompt; returns what it showed."""
    child.sendline(text)
    shown = []
    while True:
        i = child.expect([TEACH_Q, DECIDE, RELATED, EDIT, PROMPT])
        shown.append(child.before + (child.after if i < 4 else ""))
        if i == 4:
            return ANSI.sub("", "".join(shown))
        child.sendline((teach, decision, related, edit)[i])


def command(child, text: str) -> str:
    child.sendline(text)
    child.expect(PROMPT)
    return ANSI.sub("", child.before)


def versions(project: Path, task: str) -> list[dict]:
    path = project / "versions" / f"{task}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def rows(project: Path, task: str) -> list[dict]:
    return [json.loads(line) for line in (project / "datasets" / f"{task}.jsonl").read_text().splitlines()]


def test_teach_correct_forget_apply_undo_and_the_live_answer(demo_project):
    log = demo_project / "session.jsonl"
    child = spawn(demo_project, "--log", str(log))
    child.expect(PROMPT)
    banner = ANSI.sub("", child.before)
    assert "model smollm2 (packaged)" in banner and "live knowledge from support_qa, facts" in banner

    # Teach: one row is proposed (before -> after, with evidence), then the rows that still say 14 days.
    shown = say(child, "The refund window is 30 days.", related="a")
    assert "Proposed change: support_qa" in shown and "→  30 days" in shown and "evidence" in shown
    assert "still say '14 days'" in shown and "staged" in shown
    patch = command(child, "/patch")
    assert "+ answer: \"30 days\"" in patch and "You have 30 days from the delivery date" in patch

    applied = command(child, "/apply")
    assert "support_qa is now version 1" in applied
    qa = versions(demo_project, "support_qa")
    assert [v["version"] for v in qa] == [0, 1] and qa[1]["ops"]["update"] >= 2 and qa[1]["author"] == "tester"
    assert {"question": "How many days do I have to return something?",
            "answer": "You have 30 days from the delivery date to start a return.",
            "split": "train"} in rows(demo_project, "support_qa")
    assert "support_qa v1" in command(child, "/log")

    # The live answer: a paraphrased question, answered from the new dataset version, rows shown.
    live = say(child, "how long do I have to return something?")
    assert "30 days" in live.split("assistant> ", 1)[1] and "used rows: support_qa" in live

    # Correct the answer just given, editing the proposal: staged, shown, then taken back with /undo.
    corrected = say(child, "No, it's 45 days now.", decision="e", edit="45 days from delivery")
    assert "Proposed change: support_qa · update" in corrected and "→  45 days" in corrected
    assert "+ answer: \"45 days from delivery\"" in command(child, "/patch")
    # The correction updates the rows the answer came from (its answered_from): /undo takes each back.
    undone: list[str] = []
    while "nothing staged" not in command(child, "/patch"):
        undone.append(command(child, "/undo"))
        assert len(undone) <= 30 and "unstaged update of" in undone[-1]  # answered + swept rows (a loop guard)
    assert any("unstaged update of support_qa" in u for u in undone)

    # Forget: a delete, applied as a new version, then reverted by /undo as one more version.
    forgot = say(child, "Please forget Kestrel's fax number.")
    assert "Proposed change: facts · delete" in forgot and "fax number" in forgot
    assert "facts is now version" in command(child, "/apply")
    assert not any(r["relation"] == "fax number" for r in rows(demo_project, "facts"))
    undone = command(child, "/undo")
    assert "reverted patches/facts/" in undone
    assert any(r["relation"] == "fax number" for r in rows(demo_project, "facts"))
    assert versions(demo_project, "facts")[-1]["message"].startswith("Revert")

    # Ctrl-C stops a reply, not the session.
    child.sendline("Tell me a very long story about a dragon who guards a castle.")
    child.expect("assistant> ")
    child.sendintr()
    child.expect(r"\[stopped\]")
    child.expect(PROMPT)
    assert "model: smollm2 (packaged)" in command(child, "/model")

    # /model switches the backend; a bad name is one error line and the old model stays.
    assert "error: model 'no-such-model': no such alias or folder" in command(child, "/model no-such-model")
    assert "model: smollm2 (packaged)" in command(child, "/model")
    server = Server()
    try:
        switched = command(child, f"/model {server.url}")
        assert f"model tiny-chat@{server.url} (OpenAI-compatible endpoint) answers from now on" in switched
        served = say(child, "how long do I have to return something?")
    finally:
        server.close()
    reply, status = served.split("assistant> ", 1)[1].split("\n", 1)
    assert "30 days" in reply and f"tiny-chat@{server.url} · first token" in status

    # Ctrl-D leaves cleanly; the transcript has every turn.
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    with log.open(encoding="utf-8") as fh:
        turns = list(Reader(fh))
    assert [t["turn"] for t in turns] == list(range(1, len(turns) + 1))
    assert [t["role"] for t in turns] == ["user", "assistant"] * (len(turns) // 2)
    teach = turns[0]
    assert teach["intent"]["label"] in ("teach", "correct") and teach["knowledge"][0]["answer"] == "30 days"
    decisions = [e["decision"] for e in teach["edits"]]
    assert decisions[0] == "accepted" and decisions.count("accepted") >= 3
    edited = next(e for e in turns[4]["edits"] if e["task"] == "support_qa")
    assert edited["decision"] == "edited" and edited["after"]["answer"] == "45 days from delivery"
    assert turns[3]["context"] and any(c["task"] == "support_qa" for c in turns[3]["context"])
    stopped = next(t for t in turns if t.get("interrupted"))
    assert stopped["model"] == "smollm2" and stopped["role"] == "assistant"
    assert turns[-1]["model"] == f"tiny-chat@{server.url}" and "30 days" in turns[-1]["text"]


def test_resume_brings_back_what_was_staged(demo_project):
    """Accepted but not applied, the session ends; resumed, /patch shows it and /apply applies it.
    What /undo took back before leaving stays out."""
    log = demo_project / "session.jsonl"
    child = spawn(demo_project, "--log", str(log))
    child.expect(PROMPT)
    # The qa row, and the fact that states the same window when route finds it too (cross-kind).
    n = staged(say(child, "The refund window is 30 days."))
    assert n >= 1
    assert staged(say(child, "Please forget Kestrel's fax number.")) == n + 1
    assert "unstaged delete of facts" in command(child, "/undo")
    child.sendeof()
    child.expect(f"{n} accepted change\\(s\\) were not applied")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and not (demo_project / "versions").exists()
    first = len(log.read_text(encoding="utf-8").splitlines())

    child = spawn(demo_project, "--resume", str(log))
    child.expect(PROMPT)
    assert f"resumed conversation 'chat' ({first} turns, {n} staged change(s))" in ANSI.sub("", child.before)
    patch = command(child, "/patch")
    assert "+ answer: \"30 days\"" in patch and "fax" not in patch
    assert "support_qa is now version 1" in command(child, "/apply")
    # (The row answering "how long do I have to return something?" still says 14 days: related rows
    # were not taken here, and a grounded reply states the row that answers.)
    live = say(child, "what's the refund window now?")
    assert "30 days" in live.split("assistant> ", 1)[1]
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert any(r["relation"] == "fax number" for r in rows(demo_project, "facts"))
    with log.open(encoding="utf-8") as fh:
        turns = list(Reader(fh))
    assert [t["turn"] for t in turns] == list(range(1, len(turns) + 1))  # one numbering across both sessions
    assert turns[first - 1]["role"] == "system" and turns[first - 1]["unstaged"][0]["op"] == "delete"


def test_a_taught_fact_answers_a_question_in_other_words_in_a_new_session(demo_project):
    """Teach and apply in one session; in the next, a question that shares only the answer's words
    gets the taught value, and the transcript names the row it came from."""
    child = spawn(demo_project)
    child.expect(PROMPT)
    taught = say(child, "The answer to 'What does the AV loan desk lend?' is webcams for up to 7 days.")
    assert "Proposed change: support_qa · add" in taught and "staged" in taught
    assert "support_qa is now version 1" in command(child, "/apply")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    row = next(r for r in rows(demo_project, "support_qa") if r["question"] == "What does the AV loan desk lend?")
    assert "7 days" in row["answer"]

    log = demo_project / "second.jsonl"
    child = spawn(demo_project, "--log", str(log))
    child.expect(PROMPT)
    asked = say(child, "How long can I borrow a webcam?")
    reply = asked.split("assistant> ", 1)[1]
    assert "7 days" in reply.split("\n", 1)[0] and "used rows: support_qa" in reply
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    with log.open(encoding="utf-8") as fh:
        turns = list(Reader(fh))
    answer = turns[-1]
    assert answer["role"] == "assistant" and "7 days" in answer["text"] and answer["grounded"] in ("model", "row", "answer")
    (used,) = answer["answered_from"]
    assert used["task"] == "support_qa" and used["version"] == 1
    assert used["row"] == answer["context"][0]["row"]


def test_a_rejected_teaching_turn_is_not_answered_as_learned(demo_project):
    """Rejected: the console says so in one line, and the history does not let the model repeat it."""
    log = demo_project / "session.jsonl"
    child = spawn(demo_project, "--log", str(log))
    child.expect(PROMPT)
    shown = say(child, "Kestrel's loyalty hotline is +1 555 0123.", decision="r")
    assert "assistant> I have not saved that: the change was rejected." in shown
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    with log.open(encoding="utf-8") as fh:
        user, reply = list(Reader(fh))[:2]
    assert user["not_saved"] == "the change was rejected" and reply["not_saved"] is True
