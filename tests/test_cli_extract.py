"""`lic extract` through click: files and pipes, the stderr summary, bad input."""

from __future__ import annotations

import json

from click.testing import CliRunner

from lic_cli.commands.extract import command

TURNS = [
    {"conversation": "c1", "turn": 1, "role": "user", "text": "How long is the refund window?",
     "intent": {"label": "none", "score": 0.99}},
    {"conversation": "c1", "turn": 2, "role": "assistant", "text": "The refund window is 14 days."},
    {"conversation": "c1", "turn": 3, "role": "user", "text": "No, it's 30 days now.",
     "intent": {"label": "correct", "score": 0.95}, "custom": "kept"},
    {"conversation": "c1", "turn": 4, "role": "user", "text": "Thanks, bye!",
     "intent": {"label": "teach", "score": 0.51}},
]


def lines(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def test_files_in_and_out(tmp_path):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(lines(TURNS), encoding="utf-8")
    result = CliRunner().invoke(command, ["--engine", "rules", "-i", str(src), "-o", str(dst)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    out = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
    assert len(out) == 4
    assert out[0] == TURNS[0] and out[1] == TURNS[1]
    assert out[2]["custom"] == "kept"
    assert out[2]["knowledge"] == [{
        "kind": "qa", "question": "How long is the refund window?", "answer": "30 days",
        "replaces": "The refund window is 14 days.",
        "statement": "How long is the refund window? — 30 days.", "source": "c1/t3", "engine": "rules"}]
    assert out[3]["knowledge"] == [] and out[3]["errors"][0]["stage"] == "extract"
    assert result.stderr.strip() == "extract: 2 teaching turns, 1 item; 1 with nothing extracted (c1/t4)"


def test_stdin_to_stdout_keeps_unicode_and_chat_formats():
    chat = {"id": "conv9", "messages": [{"role": "user", "content": "Kestrel’s CEO is Zoë Müller."}]}
    result = CliRunner().invoke(command, ["--engine", "rules"], input=json.dumps(chat) + "\n")
    assert result.exit_code == 0, result.output
    (rec,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert rec["conversation"] == "conv9" and "knowledge" not in rec  # no intent yet: untouched
    assert "Zoë" in result.stdout  # ensure_ascii=False


def test_output_is_byte_identical_across_runs():
    runs = [CliRunner().invoke(command, ["--engine", "rules"], input=lines(TURNS)).stdout for _ in range(2)]
    assert runs[0] == runs[1] and runs[0]


def test_bad_line_names_file_and_line(tmp_path):
    src = tmp_path / "bad.jsonl"
    src.write_text(lines(TURNS[:2]) + '{"role": "user", "text": \n', encoding="utf-8")
    result = CliRunner().invoke(command, ["-i", str(src)])
    assert result.exit_code == 1
    assert f"{src} line 3: invalid JSON" in result.stderr
    assert "Traceback" not in result.output


def test_bad_field_names_line_record_and_field():
    bad = {**TURNS[2], "errors": "not a list"}
    result = CliRunner().invoke(command, [], input=lines([TURNS[0], TURNS[1], bad]))
    assert result.exit_code == 1
    assert "Error: stdin line 3 (id c1/t3) field 'errors': expected a list, got str" in result.stderr


def test_unknown_engine_is_a_usage_error():
    result = CliRunner().invoke(command, ["--engine", "gpt"], input="")
    assert result.exit_code == 2


def test_engine_from_environment():
    result = CliRunner().invoke(command, [], input=lines(TURNS), env={"LIC_EXTRACT_ENGINE": "rules"})
    assert result.exit_code == 0
    assert '"engine": "rules"' in result.stdout


def test_help_has_an_example():
    result = CliRunner().invoke(command, ["--help"])
    assert result.exit_code == 0
    assert "lic detect -i chat.jsonl | lic extract" in result.output
